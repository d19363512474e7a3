"""Checks for exercises/05_turning_autograd_off_exercises.ipynb: inference without a graph."""

import sys

import torch

from .exercise import Exercise, call, expect, need
from .tensors import engine_of, expect_tensor, expect_values, to_engine, values

INPUTS = [[1.0, 0.5, -1.0], [0.0, 2.0, 1.0], [-0.5, -1.5, 0.25], [3.0, 0.0, -2.0]]


def _grad_modes_inside(function, code_name, engine, *args):
    """Call ``function(*args)``; also return whether gradient tracking was on at each line
    executed in a function named ``code_name`` (the student's own body, below any decorator)."""
    modes = []

    def on_line(frame, event, arg):
        if event == "line":
            modes.append(engine.is_grad_enabled())
        return on_line

    def on_call(frame, event, arg):
        return on_line if frame.f_code.co_name == code_name else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        result = call(function, *args, name=code_name)
    finally:
        sys.settrace(previous)
    return result, modes


def _check_predict(namespace):
    predict, W, b = need(namespace, "predict", "W", "b")
    expect_tensor(W, "W")
    expect_tensor(b, "b")
    expect(callable(predict), f"`predict` should be a function, but it is a {type(predict).__name__}")
    engine = engine_of(W)
    expect(
        engine.is_grad_enabled(),
        "gradient tracking is switched off for the whole notebook: switch it off only while "
        "`predict` runs, so that training code elsewhere still records its graph",
    )
    result, modes = _grad_modes_inside(predict, "predict", engine, to_engine(engine, INPUTS))
    expect(
        engine.is_grad_enabled(),
        "after `predict` returns, gradient tracking stays off for everything that follows: "
        "switch it off only while `predict` runs",
    )
    expect_tensor(result, "predict(inputs)")
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
    expect(
        False in modes,
        "`predict`'s result has no graph, but one was recorded while computing it and then cut "
        "off: run the computation itself with gradient tracking switched off",
    )
    reference = torch.tensor(INPUTS) @ torch.tensor(values(W), dtype=torch.float32) + torch.tensor(
        values(b), dtype=torch.float32
    )
    expect_values(result, "predict(inputs)", reference.numpy(), "inputs @ W + b")


q1 = Exercise(
    "inference without a graph",
    _check_predict,
    hints=[
        "There is a way to switch off gradient tracking that wraps a whole function.",
        "The parameters keep requires_grad=True; only the computation inside `predict` is untracked.",
    ],
)
