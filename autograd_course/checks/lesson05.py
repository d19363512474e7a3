"""Checks for exercises/05_turning_autograd_off_exercises.ipynb: inference without a graph.

The probe calls `predict` on inputs the check chose, tracing whether gradient tracking was on
at each line of its body; the judge computes `inputs @ W + b` from the given cell's values.
"""

import inspect
import sys

import numpy as np
import torch

from .exercise import Exercise, attempt, expect, expect_ran, need
from .tensors import expect_given, expect_values, notebook_engine, read, tensor_in, to_engine

INPUTS = [[1.0, 0.5, -1.0], [0.0, 2.0, 1.0], [-0.5, -1.5, 0.25], [3.0, 0.0, -2.0]]
W = [[0.5, -1.0], [1.5, 2.0], [-0.5, 0.25]]
B = [0.1, -0.2]


def _grad_modes_inside(function, engine, *args):
    """``attempt(function, *args)``, and whether gradient tracking was on at each line run in
    the function's own body (below any decorator: ``@torch.no_grad()`` wraps it)."""
    target = inspect.unwrap(function) if callable(function) else function
    code = getattr(target, "__code__", None)
    modes = []

    def on_line(frame, event, arg):
        if event == "line":
            modes.append(bool(engine.is_grad_enabled()))
        return on_line

    def on_call(frame, event, arg):
        return on_line if frame.f_code is code else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        result, error = attempt(function, *args)
    finally:
        sys.settrace(previous)
    return result, error, modes


def _probe_predict(namespace):
    predict, W, b = need(namespace, "predict", "W", "b")
    engine = notebook_engine(namespace)
    before = bool(engine.is_grad_enabled())
    if not callable(predict):
        return {"callable": False, "kind": type(predict).__name__[:80]}
    result, error, modes = _grad_modes_inside(predict, engine, to_engine(engine, INPUTS))
    after = bool(engine.is_grad_enabled())
    return {
        "callable": True,
        "W": read(W),
        "b": read(b),
        "tracking_before": before,
        "tracking_after": after,
        "modes": modes[:1000],
        "result": read(result),
        "error": error,
    }


def _judge_predict(data):
    expect(
        data.get("callable") is True,
        f"`predict` should be a function, but it is a {str(data.get('kind'))[:80]}",
    )
    W, b = tensor_in(data, "W"), tensor_in(data, "b")
    expect_given(W, "W", W_GIVEN)
    expect_given(b, "b", B_GIVEN)
    expect(
        data.get("tracking_before") is True,
        "gradient tracking is switched off for the whole notebook: switch it off only while "
        "`predict` runs, so that training code elsewhere still records its graph",
    )
    expect_ran(data.get("error"), "predict")
    expect(
        data.get("tracking_after") is True,
        "after `predict` returns, gradient tracking stays off for everything that follows: "
        "switch it off only while `predict` runs",
    )
    result = tensor_in(data, "result", "predict(inputs)")
    expect(
        W.requires_grad and b.requires_grad,
        "`W` and `b` should still require grad: they need gradients when the model trains; "
        "switch off tracking only while predicting",
    )
    expect(
        not result.requires_grad and result.grad_fn is None,
        "`predict(inputs)` returns a tensor that is part of a graph: autograd recorded the "
        "computation (and keeps its saved tensors alive) although nothing will call backward",
    )
    modes = data.get("modes")
    expect(isinstance(modes, list), "the check's data about `predict` is not readable")
    expect(
        False in modes,
        "`predict`'s result has no graph, but gradient tracking was on while it ran: the "
        "result was cut off from autograd (with `.detach()` or `.data`) instead of never being "
        "recorded. Switch gradient tracking off for the computation itself",
    )
    reference = torch.tensor(INPUTS) @ torch.tensor(W_GIVEN, dtype=torch.float32) + torch.tensor(B_GIVEN, dtype=torch.float32)
    expect_values(result, "predict(inputs)", reference.numpy().astype(float), "inputs @ W + b")


W_GIVEN, B_GIVEN = np.asarray(W), np.asarray(B)

q1 = Exercise(
    "inference without a graph",
    _probe_predict,
    _judge_predict,
    hints=[
        "There is a way to switch off gradient tracking that wraps a whole function.",
        "The parameters keep requires_grad=True; only the computation inside `predict` is untracked.",
    ],
)
