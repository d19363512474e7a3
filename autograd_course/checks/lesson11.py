"""Checks for exercises/11_training_loop_exercises.ipynb: a training loop that reaches a target.

The probe runs the student's `train` from fresh parameters (w = b = 0) on points of the
check's own (another line, with the same `xs`, so a learning rate and a number of steps that
work in the notebook work here too), counting its backward passes and any optimizer it uses.
The judge computes the losses itself from the parameters `train` leaves behind.
"""

import numpy as np

from ..graph.walk import is_tensor
from .exercise import Exercise, NotYet, expect, expect_ran, need
from .observe import watch_calls
from .tensors import notebook_engine, read, tensor_in, to_engine

TARGET_LOSS = 0.01  # the data's wiggle leaves about 0.005 that no straight line removes
XS = np.linspace(-1.0, 1.0, 20)
YS = 2.0 * XS + 0.5 + 0.1 * np.sin(7 * XS)  # closer to the start (0, 0) than the notebook's line
MAX_LOSSES = 100_000
NO_GRAD_UPDATE = "a leaf Variable that requires grad is being used in an in-place operation"
LOST_GRAD = "NoneType"


def _mean_squared_error(w, b):
    return float(np.mean((w * XS.astype(np.float32) + b - YS.astype(np.float32)) ** 2))


def _read_losses(losses):
    """What the returned list holds: its numbers, or what else is in it."""
    if type(losses) is not list:
        return {"kind": type(losses).__name__[:80]}
    numbers_only = all(type(loss) in (int, float) for loss in losses)
    if numbers_only:
        return {"kind": "list", "numbers": np.array(losses[:MAX_LOSSES], dtype=np.float64), "length": len(losses)}
    tensors = [loss for loss in losses[:MAX_LOSSES] if is_tensor(loss)]
    return {
        "kind": "list",
        "numbers": None,
        "length": len(losses),
        "tensors": len(tensors),
        "tensors_with_graph": sum(1 for loss in tensors if getattr(loss, "grad_fn", None) is not None),
    }


def _probe_training(namespace):
    train = need(namespace, "train")
    engine = notebook_engine(namespace)
    w = to_engine(engine, 0.0, requires_grad=True)
    b = to_engine(engine, 0.0, requires_grad=True)
    losses, error, seen = watch_calls(train, w, b, to_engine(engine, XS), to_engine(engine, YS))
    return {"losses": _read_losses(losses), "error": error, "calls": seen["calls"], "w": read(w), "b": read(b)}


def _judge_training(data):
    calls = data.get("calls")
    expect(isinstance(calls, dict), "the check's data about your function's calls is not readable")
    expect(
        not calls.get("optim"),
        "`train` uses an optimizer from `torch.optim`: this exercise updates `w` and `b` "
        "yourself, which is what `optim.SGD` would do for you",
    )
    expect_ran(
        data.get("error"),
        "train",
        explain={
            NO_GRAD_UPDATE: "`train` changes `w` in place while gradient tracking is on, which "
            "autograd forbids for a leaf that requires grad: do the update inside a block that "
            "switches gradient tracking off",
            LOST_GRAD: "after the first step a gradient is None: an update like `w = w - ...` "
            "makes a new tensor in the graph (not a leaf) instead of changing the parameter; "
            "change it in place, with gradient tracking switched off",
        },
    )
    w, b = tensor_in(data, "w"), tensor_in(data, "b")
    found = data.get("losses")
    expect(isinstance(found, dict), "the check's data about `losses` is not readable")
    expect(
        found.get("kind") == "list" and found.get("length"),
        "`train` should return the list of losses, one per training step",
    )
    if found.get("numbers") is None:
        expect(
            not found.get("tensors_with_graph"),
            "`losses` holds tensors: store each loss as a plain number (`.item()`), because each "
            "loss tensor keeps its whole graph, and so its memory, alive",
        )
        expect(
            not found.get("tensors"),
            "`losses` holds tensors: the exercise asks for plain numbers; `.item()` turns a "
            "one-element tensor into one",
        )
        raise NotYet("`losses` should hold numbers, one per training step")
    losses = found["numbers"]
    expect(isinstance(losses, np.ndarray) and losses.ndim == 1 and len(losses) >= 1, "the check's data about `losses` is not readable")
    for name, parameter in (("w", w), ("b", b)):
        expect(
            parameter.is_leaf,
            f"`{name}` is no longer a leaf: an update like `{name} = {name} - ...` builds a new "
            "tensor in the graph instead of changing the parameter; change it in place, with "
            "gradient tracking switched off",
        )
        expect(parameter.requires_grad, f"`{name}` no longer requires grad, so it cannot be trained")
        expect(parameter.shape == (), f"`{name}` should stay a single number, but it has shape {parameter.shape}")
    passes = calls.get("backward", 0) + calls.get("grad", 0)
    expect(passes >= 1, "`train` never backpropagates: compute the gradients with `backward()` at each step")
    expect(
        np.isclose(losses[0], _mean_squared_error(0.0, 0.0), rtol=1e-4, atol=1e-6),
        "the first loss in `losses` is not the mean squared error of `w * xs + b` against `ys` "
        "for the parameters `train` was given: record the loss of each step as it is computed",
    )
    expect(
        passes == len(losses),
        f"`train` backpropagated {passes} times but returned {len(losses)} losses: append each "
        "step's loss once, in the same step",
    )
    final = _mean_squared_error(float(w.values), float(b.values))
    expect(
        np.isfinite(final) and np.all(np.isfinite(losses)),
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
        f"the loss ends at {final:.4f}, above the target {TARGET_LOSS}: it goes down but not far "
        "enough yet; train for more steps or with a larger learning rate"
    )


q1 = Exercise(
    "a training loop that reaches the target",
    _probe_training,
    _judge_training,
    hints=[
        "Each step: forward, loss, backward, update the parameters, reset their gradients.",
        "Change the parameters in place inside a block where gradient tracking is off.",
    ],
)
