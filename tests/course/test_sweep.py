"""autograd_course.sweep (lesson 10's measurements): every mode is measured at every point, the
six modes compute the same loss, the hand-written gradient is torch's gradient, and the bytes say
what the lesson says they say. No time is asserted, only that times were taken."""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from autograd_course import sweep  # noqa: E402

# benchmarks/ is not an installed package: import it from the repository, as test_benchmarks.py does.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.cases import mlp  # noqa: E402


@pytest.fixture(scope="module")
def small():
    """A depth sweep of small networks (width 8, batch 16), one timed round."""
    return sweep.sweep("depth", [1, 2, 3], fixed=16, width=8, repeats=1, budget_s=0)


def torch_grads(model, inputs, targets):
    loss = torch.nn.functional.mse_loss(model(torch.from_numpy(inputs)), torch.from_numpy(targets))
    loss.backward()
    return loss.item(), [(layer.weight.grad.numpy().T, layer.bias.grad.numpy())
                         for layer in model if isinstance(layer, torch.nn.Linear)]


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_the_hand_written_gradient_is_torchs(depth):
    torch.manual_seed(depth)
    model = sweep.make_model(torch, depth, width=6)
    inputs, targets = sweep.make_data(batch=5, width=6, seed=depth)
    loss, grads = sweep.hand_loss_and_grads(inputs, targets, sweep.hand_layers(model))
    expected_loss, expected = torch_grads(model, inputs, targets)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert len(grads) == len(expected) == depth + 1
    for (dw, db), (expected_dw, expected_db) in zip(grads, expected):
        np.testing.assert_allclose(dw, expected_dw, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(db, expected_db, rtol=1e-4, atol=1e-6)


def test_with_one_hidden_layer_it_is_the_benchmarks_hand_written_mlp():
    rng = np.random.default_rng(0)
    w1, b1, w2, b2 = (rng.standard_normal(shape).astype(np.float32) for shape in [(12, 7), (7,), (7, 3), (3,)])
    inputs, targets = rng.standard_normal((9, 12)).astype(np.float32), rng.standard_normal((9, 3)).astype(np.float32)
    loss, grads = sweep.hand_loss_and_grads(inputs, targets, [(w1, b1), (w2, b2)])
    expected_loss, expected = mlp.numpy_loss_and_grads(inputs, targets, w1.copy(), b1, w2, b2)
    assert loss == pytest.approx(expected_loss, rel=1e-6)
    for got, want in zip([g for pair in grads for g in pair], expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_the_six_modes_compute_the_same_loss_from_the_same_weights():
    functions = sweep.runs(depth=2, batch=7, width=5)
    assert list(functions) == list(sweep.MODES)
    losses = {
        "recorded": functions["recorded"]().item(),
        "no_grad": functions["no_grad"]().item(),
        "inference_mode": functions["inference_mode"]().item(),
        "autograd step": functions["autograd step"]()[0].item(),
        "autograd_mini step": functions["autograd_mini step"]()[0].item(),
        "hand-written step": float(functions["hand-written step"]()[0]),
    }
    assert max(losses.values()) == pytest.approx(min(losses.values()), rel=1e-5)


def test_the_steps_hand_their_gradients_back_and_leave_none_behind():
    functions = sweep.runs(depth=1, batch=4, width=3)
    for mode in ("autograd step", "autograd_mini step"):
        loss, grads = functions[mode]()
        assert len(grads) == 4 and all(grad is not None for grad in grads)
        _, grads_again = functions[mode]()
        np.testing.assert_array_equal(grads_again[0].numpy(), grads[0].numpy())  # not accumulated


def test_a_sweep_measures_every_mode_at_every_point(small):
    assert small.axis == "depth" and small.values == [1, 2, 3]
    assert set(small.seconds) == set(small.memory) == set(sweep.MODES)
    for mode in sweep.MODES:
        assert len(small.seconds[mode]) == len(small.memory[mode]) == 3
        assert all(seconds > 0 for seconds in small.seconds[mode])
        assert all(isinstance(size, int) and size > 0 for size in small.memory[mode])
    assert small.point(2) == (2, 16)
    assert small.activation_bytes() == [d * 16 * 8 * 4 for d in (1, 2, 3)]


def test_a_batch_sweep_holds_the_depth_fixed():
    result = sweep.sweep("batch", [4, 8], fixed=2, width=4, repeats=1, budget_s=0)
    assert [result.point(value) for value in result.values] == [(2, 4), (2, 8)]
    assert all(len(values) == 2 for values in result.memory.values())


def test_an_unknown_axis_is_refused():
    with pytest.raises(ValueError, match="'depth' or 'batch'"):
        sweep.sweep("width", [1], fixed=1)


def test_recording_keeps_every_layer_output_and_no_grad_keeps_two(small):
    recorded, no_grad = small.memory["recorded"], small.memory["no_grad"]
    assert recorded == sorted(set(recorded))  # grows with every layer
    assert all(kept >= layers for kept, layers in zip(recorded, small.activation_bytes()))
    assert len(set(no_grad)) == 1 and no_grad == small.memory["inference_mode"]
    assert no_grad[0] < recorded[-1]


def test_torch_peaks_follow_the_allocations_inside_each_run():
    def allocate(count):
        def run():
            kept = [torch.empty(1000, dtype=torch.float32) for _ in range(count)]
            return kept[:1]  # the rest is freed before the run ends
        return run

    peaks = sweep.torch_peaks({"one": allocate(1), "three": allocate(3)})
    assert peaks == {"one": 4000, "three": 12000}


def test_numpy_peaks_see_the_arrays():
    peaks = sweep.numpy_peaks({"a MB": lambda: np.ones(250_000, dtype=np.float32)})
    assert 1_000_000 <= peaks["a MB"] < 1_100_000


def test_one_thread_puts_the_thread_counts_back():
    assert sweep._numpy_blas() is not None  # the course's NumPy wheel bundles OpenBLAS
    before = torch.get_num_threads()
    with sweep.one_thread():
        assert torch.get_num_threads() == 1
        blas = sweep._numpy_blas()
        if blas is not None:
            assert blas.get_threads() == 1
    assert torch.get_num_threads() == before


def test_memory_facts_hold_and_the_plot_has_every_mode(small):
    batch = sweep.sweep("batch", [8, 16], fixed=2, width=8, repeats=1, budget_s=0)
    facts = sweep.memory_facts([small, batch])
    assert facts and all(isinstance(holds, bool) for holds in facts.values())
    assert facts["recorded: the peak grows with depth and with batch size"]
    assert facts["no_grad and inference_mode: the same peak at every depth"]
    sweep.plot([small, batch])
    fig = plt.gcf()
    assert len(fig.axes) == 6
    labels = {line.get_label() for ax in fig.axes for line in ax.lines}
    assert {label for _, _, label in sweep.STYLE.values()} <= labels
    plt.close(fig)
