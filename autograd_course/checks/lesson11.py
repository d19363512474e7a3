"""Checks for exercises/11_training_loop_exercises.ipynb: a training loop that reaches a target."""

import numbers

import numpy as np

from ..graph.walk import is_tensor
from .exercise import Exercise, NotYet, expect, need
from .tensors import expect_tensor, values

TARGET_LOSS = 0.01  # the data's wiggle leaves about 0.005 that no straight line removes


def _mean_squared_error(w, b, xs, ys):
    return float(np.mean((w * xs + b - ys) ** 2))


def _check_training(namespace):
    w, b, xs, ys, losses = need(namespace, "w", "b", "xs", "ys", "losses")
    for name, tensor in (("w", w), ("b", b), ("xs", xs), ("ys", ys)):
        expect_tensor(tensor, name)
    expect(
        isinstance(losses, list) and losses,
        "`losses` should be a list with the loss of every training step",
    )
    expect(
        not any(is_tensor(loss) for loss in losses),
        "`losses` holds tensors: store each loss as a plain number (`.item()`), because each "
        "loss tensor keeps its whole graph, and so its memory, alive",
    )
    expect(
        all(isinstance(loss, numbers.Real) for loss in losses),
        "`losses` should hold numbers, one per training step",
    )
    for name, parameter in (("w", w), ("b", b)):
        expect(
            parameter.is_leaf,
            f"`{name}` is no longer a leaf: an update like `{name} = {name} - ...` builds a new "
            "tensor in the graph instead of changing the parameter; change it in place, with "
            "gradient tracking switched off",
        )
        expect(parameter.requires_grad, f"`{name}` no longer requires grad, so it cannot be trained")
    final = _mean_squared_error(float(values(w)), float(values(b)), values(xs), values(ys))
    expect(
        np.isfinite(final),
        "the parameters blew up to inf or nan: the learning rate is far too large",
    )
    if final < TARGET_LOSS:
        return
    rises = [step for step in range(1, len(losses)) if losses[step] > losses[step - 1]]
    if rises:
        raise NotYet(
            f"the loss went up during training (first at step {rises[0]}): the steps overshoot. "
            "Either the learning rate is too large, or the gradients are not reset between "
            "steps and keep adding up"
        )
    raise NotYet(
        f"the loss is {final:.4f}, above the target {TARGET_LOSS}: it goes down but not far "
        "enough yet; train for more steps or with a larger learning rate"
    )


q1 = Exercise(
    "a training loop that reaches the target",
    _check_training,
    hints=[
        "Each step: forward, loss, backward, update the parameters, reset their gradients.",
        "Change the parameters in place inside a block where gradient tracking is off.",
    ],
)
