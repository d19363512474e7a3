"""LayerNorm, BatchNorm1d and Embedding (modules and functions) against torch's from the
same weights and inputs: outputs, gradients (and gradients of gradients), node names,
running statistics, state_dict keys, reprs and errors."""
import pytest

from _nn_twin import ENGINES, assert_close, autograd_mini, copy_weights, np, structure, torch

_rng = np.random.default_rng(13)


def _pair(make):
    torch.manual_seed(0)
    ref, mini = make(torch), make(autograd_mini)
    copy_weights(mini, ref)
    return {"torch": ref, "mini": mini}


def _inputs(*shape):
    data = _rng.standard_normal(shape).astype(np.float32) * 2 + 0.5
    return {name: lib.tensor(data.copy(), requires_grad=True) for name, lib in ENGINES.items()}


def _saved_results_match(outs):
    """The node's saved statistics (read before backward frees them)."""
    node_mini, node_ref = outs["mini"].grad_fn, outs["torch"].grad_fn
    for key in ("_saved_result1", "_saved_result2"):
        assert_close(getattr(node_mini, key), getattr(node_ref, key), rtol=1e-4, atol=1e-5)


def _run(models, x):
    outs = {name: models[name](x[name]) for name in ENGINES}
    _saved_results_match(outs)
    weights = _rng.standard_normal(tuple(outs["torch"].shape)).astype(np.float32)
    for name, lib in ENGINES.items():
        (outs[name] * lib.tensor(weights)).sum().backward()
    assert_close(outs["mini"], outs["torch"], rtol=1e-4, atol=1e-5)
    assert structure(outs["mini"]) == structure(outs["torch"])
    assert_close(x["mini"].grad, x["torch"].grad, rtol=1e-4, atol=1e-5)
    for (k, p_mini), (k_ref, p_ref) in zip(models["mini"].named_parameters(),
                                           models["torch"].named_parameters()):
        assert k == k_ref
        assert_close(p_mini.grad, p_ref.grad, rtol=1e-4, atol=1e-5)
    return outs


def _error(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - type and message are what is compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("shape, normalized", [((4, 5), 5), ((2, 3, 4), (4,)), ((2, 3, 4), [3, 4])])
@pytest.mark.parametrize("kwargs", [{}, {"bias": False}, {"elementwise_affine": False},
                                    {"eps": 1e-2}])
def test_layer_norm_module(shape, normalized, kwargs):
    models = _pair(lambda lib: lib.nn.LayerNorm(normalized, **kwargs))
    outs = _run(models, _inputs(*shape))
    assert outs["mini"].grad_fn.name() == "NativeLayerNormBackward0"
    node_mini, node_ref = outs["mini"].grad_fn, outs["torch"].grad_fn
    assert node_mini._saved_normalized_shape == node_ref._saved_normalized_shape
    assert repr(models["mini"]) == repr(models["torch"])
    assert list(models["mini"].state_dict()) == list(models["torch"].state_dict())


def test_layer_norm_functional_second_derivative_matches_torch():
    x = _inputs(3, 4)
    w = {name: lib.tensor([0.5, 1.5, -1.0, 2.0], requires_grad=True) for name, lib in ENGINES.items()}
    got = {}
    for name, lib in ENGINES.items():
        y = lib.nn.functional.layer_norm(x[name], (4,), w[name])
        (gx,) = lib.autograd.grad((y ** 3).sum(), x[name], create_graph=True)
        (gx * gx).sum().backward()
        got[name] = gx, x[name].grad, w[name].grad
    for mini, ref in zip(got["mini"], got["torch"]):
        assert_close(mini, ref, rtol=1e-3, atol=1e-4)


def test_layer_norm_shape_error_matches_torch():
    errors = {name: _error(lambda lib=lib: lib.nn.functional.layer_norm(lib.zeros(2, 3, 4), (5,)))
              for name, lib in ENGINES.items()}
    assert errors["mini"] == errors["torch"] is not None


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False}, {"bias": False},
                                    {"track_running_stats": False}, {"momentum": 0.5, "eps": 1e-3}])
def test_batch_norm_trains_on_batch_statistics_and_moves_running_ones(shape, kwargs):
    models = _pair(lambda lib: lib.nn.BatchNorm1d(3, **kwargs))
    for _ in range(3):
        outs = _run(models, _inputs(*shape))
        node_mini, node_ref = outs["mini"].grad_fn, outs["torch"].grad_fn
        assert node_mini.name() == node_ref.name() == "NativeBatchNormBackward0"
        assert node_mini._saved_training is node_ref._saved_training is True
        for (k, b_mini), (k_ref, b_ref) in zip(models["mini"].named_buffers(),
                                               models["torch"].named_buffers()):
            assert k == k_ref
            assert_close(b_mini, b_ref, rtol=1e-5, atol=1e-6)
            assert b_mini.dtype.name == str(b_ref.dtype).split(".")[1]
    assert list(models["mini"].state_dict()) == list(models["torch"].state_dict())
    assert repr(models["mini"]) == repr(models["torch"])


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batch_norm_eval_uses_running_statistics(shape):
    models = _pair(lambda lib: lib.nn.BatchNorm1d(3, momentum=0.7))
    _run(models, _inputs(*shape))
    for model in models.values():
        model.eval()
    outs = _run(models, _inputs(*shape))
    assert outs["mini"].grad_fn._saved_training is outs["torch"].grad_fn._saved_training is False
    assert models["mini"].num_batches_tracked.item() == models["torch"].num_batches_tracked.item() == 1
    for b_mini, b_ref in zip(models["mini"].buffers(), models["torch"].buffers()):
        assert_close(b_mini, b_ref, rtol=1e-5, atol=1e-6)


def test_batch_norm_second_derivative_matches_torch():
    x = _inputs(5, 3)
    got = {}
    for name, lib in ENGINES.items():
        bn = lib.nn.BatchNorm1d(3)
        y = bn(x[name])
        (gx,) = lib.autograd.grad((y ** 3).sum(), x[name], create_graph=True)
        (gx * gx).sum().backward()
        got[name] = gx, x[name].grad, bn.weight.grad
    for mini, ref in zip(got["mini"], got["torch"]):
        assert_close(mini, ref, rtol=1e-3, atol=1e-4)


def test_batch_norm_errors_match_torch():
    def calls(lib):
        return [_error(lambda: lib.nn.BatchNorm1d(3)(lib.zeros(4))),
                _error(lambda: lib.nn.BatchNorm1d(3)(lib.zeros(1, 3))),
                _error(lambda: lib.nn.functional.batch_norm(lib.zeros(3, 2), None, None)),
                _error(lambda: lib.nn.BatchNorm1d(3).eval()(lib.zeros(1, 3)))]
    got = {name: calls(lib) for name, lib in ENGINES.items()}
    assert got["mini"] == got["torch"]


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1}, {"padding_idx": -2},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding_module(kwargs):
    models = _pair(lambda lib: lib.nn.Embedding(6, 3, **kwargs))
    idx = np.array([[1, 2, 4], [4, 0, 1]])
    outs = {name: models[name](lib.tensor(idx)) for name, lib in ENGINES.items()}
    weights = _rng.standard_normal((2, 3, 3)).astype(np.float32)
    for name, lib in ENGINES.items():
        (outs[name] * lib.tensor(weights)).sum().backward()
    assert_close(outs["mini"], outs["torch"])
    assert structure(outs["mini"]) == structure(outs["torch"])
    assert outs["mini"].grad_fn.name() == "EmbeddingBackward0"
    node_mini, node_ref = outs["mini"].grad_fn, outs["torch"].grad_fn
    assert node_mini._saved_padding_idx == node_ref._saved_padding_idx
    assert node_mini._saved_scale_grad_by_freq == node_ref._saved_scale_grad_by_freq
    assert_close(models["mini"].weight.grad, models["torch"].weight.grad)
    assert repr(models["mini"]) == repr(models["torch"])
    assert list(models["mini"].state_dict()) == list(models["torch"].state_dict())


def test_embedding_padding_row_starts_at_zero():
    for lib in ENGINES.values():
        assert lib.nn.Embedding(5, 2, padding_idx=3).weight[3].tolist() == [0.0, 0.0]


def test_embedding_functional_and_pretrained_match_torch():
    table = _rng.standard_normal((4, 2)).astype(np.float32)
    got = {}
    for name, lib in ENGINES.items():
        w = lib.tensor(table, requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor([3, 3, 0]), w)
        (gw,) = lib.autograd.grad((out ** 2).sum(), w, create_graph=True)
        gw.sum().backward()
        frozen = lib.nn.Embedding.from_pretrained(lib.tensor(table))
        got[name] = out, gw, w.grad, frozen.weight.requires_grad, repr(frozen), \
            out.grad_fn._saved_padding_idx
    for mini, ref in zip(got["mini"][:3], got["torch"][:3]):
        assert_close(mini, ref)
    assert got["mini"][3:] == got["torch"][3:]


def test_embedding_errors_match_torch():
    def calls(lib):
        return [_error(lambda: lib.nn.Embedding(5, 3, padding_idx=7)),
                _error(lambda: lib.nn.Embedding(5, 3)(lib.tensor([9]))),
                _error(lambda: lib.nn.Embedding(5, 3)(lib.tensor([1.0])))]
    got = {name: calls(lib) for name, lib in ENGINES.items()}
    assert got["mini"] == got["torch"]


def test_a_model_with_embedding_layernorm_and_batchnorm_trains_as_torch():
    def make(lib):
        nn = lib.nn
        return nn.ModuleDict({"emb": nn.Embedding(7, 4, padding_idx=0), "ln": nn.LayerNorm(4),
                              "bn": nn.BatchNorm1d(4), "head": nn.Linear(4, 1)})
    models = _pair(make)
    idx = np.array([0, 3, 5, 6, 2, 3])
    target = _rng.standard_normal((6, 1)).astype(np.float32)
    losses = {}
    for name, lib in ENGINES.items():
        m = models[name]
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        losses[name] = []
        for _ in range(4):
            opt.zero_grad()
            h = m["bn"](m["ln"](m["emb"](lib.tensor(idx))))
            loss = lib.nn.functional.mse_loss(m["head"](h), lib.tensor(target))
            loss.backward()
            lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
            losses[name].append(loss.item())
    np.testing.assert_allclose(losses["mini"], losses["torch"], rtol=1e-4, atol=1e-6)
    for (k, v_mini), (k_ref, v_ref) in zip(models["mini"].state_dict().items(),
                                           models["torch"].state_dict().items()):
        assert k == k_ref
        assert_close(v_mini, v_ref, rtol=1e-4, atol=1e-5)


_PROGRAM = """
import torch
nn = torch.nn  # (run_program swaps only "import torch")

class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 6, padding_idx=0)
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(6, 6), nn.Tanh()) for _ in range(2)])
        self.norms = nn.ModuleDict({"ln": nn.LayerNorm(6), "bn": nn.BatchNorm1d(6)})
        self.scale = nn.ParameterDict({"out": nn.Parameter(torch.ones(1))})
        self.head = nn.Linear(6, 3)

    def forward(self, idx):
        h = self.norms["ln"](self.emb(idx))
        for block in self.blocks:
            h = h + block(h)
        return self.head(self.norms["bn"](h)) * self.scale["out"]

model = Tagger()
print(model)
print(list(model.state_dict()))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
idx = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
for step in range(5):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(idx), labels)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    opt.step()
    print(step, round(loss.item(), 4), round(norm.item(), 4))
print(model.norms["bn"].num_batches_tracked.item(), model.norms["bn"].running_mean)
model.eval()
print(model(idx).argmax(1))
vec = torch.nn.utils.parameters_to_vector(model.parameters())
print(tuple(vec.shape), vec.grad_fn.name())
"""


def test_a_training_program_runs_the_same_on_both_engines(monkeypatch):
    from _nn_twin import assert_same_output, run_program, same_draws
    same_draws(monkeypatch)
    torch_out, _ = run_program(_PROGRAM, "torch")
    same_draws(monkeypatch)
    mini_out, _ = run_program(_PROGRAM, "mini")
    assert_same_output(mini_out, torch_out, rtol=1e-3, atol=1e-4)
