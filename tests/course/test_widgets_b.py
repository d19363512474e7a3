"""The backward stepper (lesson 12), driven without a browser.

Every expected gradient is torch's: each program runs on both engines from the
same seeded NumPy values, and the stepper's gradients (for leaves and, through
``retain_grad``, for named intermediate tensors) must equal torch's ``.grad``.
"""

import shutil

import numpy as np
import pytest
import torch

import autograd_mini as mini
from autograd_course.widgets.stepper import CURRENT, DONE, WAITING, BackwardStepper, backward_stepper

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="the Graphviz `dot` program is not on PATH (apt-get install graphviz)")


def _leaf(T, values):
    return T.tensor(values.tolist(), requires_grad=True)


# Each program takes an engine module and seeded values and returns
# (output, gradient for backward or None, {name: tensor}) with leaves and intermediates named.

def seed_program(T, rng):
    """The seed's example: y is used twice by y * y, so gradient paths meet at y."""
    x = _leaf(T, rng.standard_normal(4).astype(np.float32))
    y = x + 2
    z = y * y * 3
    t = z.sum()
    return t, None, {"x": x, "y": y, "z": z}


def broadcast_program(T, rng):
    """w of shape (1, 3) broadcast against x of shape (4, 3): its gradient is un-broadcast."""
    x = _leaf(T, rng.standard_normal((4, 3)).astype(np.float32))
    w = _leaf(T, rng.standard_normal((1, 3)).astype(np.float32))
    h = (x * w).tanh()
    loss = (h * h).mean()
    return loss, None, {"x": x, "w": w, "h": h}


def doubling_program(T, rng):
    """The seed's doubling loop with a non-scalar output, backward(v)."""
    x = _leaf(T, rng.standard_normal(3).astype(np.float32))
    y = x * 2
    while y.detach().norm() < 1000:
        y = y * 2
    v = T.tensor([1.0, 1.0, 0.0001])
    return y, v, {"x": x}


def mlp_program(T, rng):
    """One hidden layer: matmul, broadcasting bias, a leaf used by two paths (b1 twice)."""
    x = T.tensor(rng.standard_normal((5, 2)).astype(np.float32).tolist())
    w1 = _leaf(T, rng.standard_normal((2, 4)).astype(np.float32))
    b1 = _leaf(T, rng.standard_normal(4).astype(np.float32))
    w2 = _leaf(T, rng.standard_normal((4, 1)).astype(np.float32))
    hidden = (x @ w1 + b1).relu() + b1
    loss = ((hidden @ w2) ** 2).mean()
    return loss, None, {"w1": w1, "b1": b1, "w2": w2, "hidden": hidden}


PROGRAMS = [seed_program, broadcast_program, doubling_program, mlp_program]


def _run(program, T):
    return program(T, np.random.default_rng(7))


def _torch_grads(program):
    """torch's gradient of every named tensor after backward."""
    output, v, named = _run(program, torch)
    for tensor in named.values():
        if not tensor.is_leaf:
            tensor.retain_grad()
    output.backward(v)
    return {name: tensor.grad.numpy() for name, tensor in named.items()}


def _by_name(stepper, named):
    """The stepper's gradient for each named tensor: a leaf's from its AccumulateGrad
    step, an intermediate's from the step of the node that produced it."""
    grads = {}
    for step in stepper.steps:
        node = stepper.walk.nodes[step.node_id]
        for name, tensor in named.items():
            if (step.leaf is tensor) or (step.leaf is None and tensor.grad_fn is node):
                grads[name] = step.grad
    return grads


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_the_gradients_shown_are_torch_s(program):
    output, v, named = _run(program, mini)
    stepper = BackwardStepper(output, v, names=named)
    expected = _torch_grads(program)
    shown = _by_name(stepper, named)
    assert shown.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(shown[name], expected[name], rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_the_last_step_leaves_what_backward_puts_in_grad(program):
    output, v, named = _run(program, mini)
    stepper = BackwardStepper(output, v, names=named)
    leaves = {name: t for name, t in named.items() if t.is_leaf}
    assert all(t.grad is None for t in leaves.values()), "building the stepper must not touch .grad"
    stepper.go(len(stepper))
    collected = stepper.leaf_grads()
    output.backward(v)  # the stepper kept the graph: backward still runs
    assert {id(t) for t in leaves.values()} == set(collected)
    for name, tensor in leaves.items():
        np.testing.assert_array_equal(collected[id(tensor)][1], tensor.grad.numpy(), err_msg=name)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_a_node_runs_once_after_every_gradient_into_it_arrived(program):
    output, v, _ = _run(program, mini)
    stepper = BackwardStepper(output, v)
    node_ids = [step.node_id for step in stepper.steps]
    assert len(node_ids) == len(set(node_ids))
    assert node_ids[0] == stepper.walk.outputs[0]
    for index, step in enumerate(stepper.steps):
        arrived = stepper.arrivals(step.node_id, index)
        assert len(arrived) == len(stepper.arrivals(step.node_id, len(stepper))), \
            f"{stepper.label(step.node_id)} ran before all its gradient arrived"
        if arrived:  # where paths meet the gradients add up
            np.testing.assert_allclose(step.grad, sum(grad for _, grad in arrived), rtol=1e-6)


def test_where_paths_meet_the_text_shows_both_and_their_sum():
    output, _, named = _run(seed_program, mini)
    stepper = BackwardStepper(output, names=named)
    y_step = next(i for i, step in enumerate(stepper.steps, 1)
                  if stepper.walk.nodes[step.node_id] is named["y"].grad_fn)
    stepper.go(y_step)
    text = "\n".join(stepper.describe())
    assert text.count("received from") == 2
    assert "paths meet here" in text


def test_position_stays_between_the_start_and_the_end():
    output, _, _ = _run(seed_program, mini)
    stepper = BackwardStepper(output)
    stepper.prev()
    assert stepper.position == 0 and stepper.current is None
    stepper.go(len(stepper) + 5)
    assert stepper.position == len(stepper)
    stepper.next()
    assert stepper.current is stepper.steps[-1]


def test_the_engine_is_left_as_it_was():
    from autograd_mini import _hooks

    output, _, named = _run(seed_program, mini)
    BackwardStepper(output)
    assert _hooks.observer is None
    assert named["x"]._hooks in (None, [])  # the stepper's leaf hooks are removed
    output.backward()  # frees the graph: a stepper cannot be built on it any more
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        BackwardStepper(output)
    assert _hooks.observer is None


def test_only_autograd_mini_tensors_with_a_graph_can_be_stepped():
    with pytest.raises(TypeError, match="autograd_mini tensor"):
        BackwardStepper(torch.ones(2, requires_grad=True).sum())
    with pytest.raises(TypeError, match="grad_fn"):
        BackwardStepper(mini.ones(2, requires_grad=True))


def _marks(source, node_id):
    """The attribute statements the stepper added for ``node_id`` (the lines without a label)."""
    return [line for line in source.splitlines()
            if line.strip().startswith(f"n{node_id} [") and "label=" not in line]


def _styled(source, node_id, style):
    return any(all(str(value) in line for value in style.values()) for line in _marks(source, node_id))


def test_the_picture_marks_the_current_ran_and_waiting_nodes():
    output, _, named = _run(seed_program, mini)
    stepper = BackwardStepper(output, names=named)
    stepper.go(2)
    source = stepper.graph().source
    first, current = stepper.steps[0].node_id, stepper.steps[1].node_id
    waiting = [target for target, grad in stepper.steps[1].sends if grad is not None]
    untouched = set(stepper.walk.real_ids()) - {first, current, *waiting}
    assert _styled(source, current, CURRENT)
    assert _styled(source, first, DONE)
    assert waiting and all(_styled(source, node_id, WAITING) for node_id in waiting)
    assert untouched and not any(_marks(source, node_id) for node_id in untouched)


@needs_dot
def test_the_widget_follows_its_buttons_and_slider():
    output, _, named = _run(seed_program, mini)
    widget = backward_stepper(output, names=named)
    previous, slider, following = widget.previous, widget.slider, widget.following
    picture, text, stepper = widget.picture, widget.text, widget.stepper
    assert previous.disabled and not following.disabled
    assert "<svg" in picture.value and "Before backward" in text.value
    following.click()
    following.click()
    assert slider.value == stepper.position == 2
    assert f"Step 2 of {len(stepper)}" in text.value
    previous.click()
    assert stepper.position == 1
    slider.value = slider.max
    assert following.disabled and stepper.current is stepper.steps[-1]
    following.click()  # a click at the end changes nothing
    assert stepper.position == len(stepper)
    assert repr(widget) == f"<backward stepper: {len(stepper)} steps, at step {len(stepper)}>"
