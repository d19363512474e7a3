"""Checks for exercises/12_inside_autograd_mini_exercises.ipynb: a new operation as a Function."""

import numpy as np

from .exercise import Exercise, NotYet, call, expect, need
from .tensors import (
    ENGINES,
    engine_of,
    expect_dtype,
    expect_grad,
    expect_in_graph,
    expect_none_of,
    expect_tensor,
    expect_values,
    to_engine,
    values,
)

POINTS = [-3.0, -0.5, 0.0, 0.8, 2.5]
WEIGHTS = [1.0, -2.0, 0.5, 3.0, 1.5]  # the gradient flowing in from above, not all ones
MISMATCH = "mismatch"  # how gradcheck's error reports a backward that disagrees with forward


def _function_engine(Sigmoid):
    """The engine whose ``autograd.Function`` the class derives from; NotYet if none."""
    bases = Sigmoid.__mro__[1:] if isinstance(Sigmoid, type) else ()
    for base in bases:
        if base.__name__ == "Function" and engine_of(base).__name__ in ENGINES:
            return engine_of(base)
    raise NotYet("`Sigmoid` should be a class derived from `torch.autograd.Function`")


def _check_sigmoid(namespace):
    Sigmoid = need(namespace, "Sigmoid")
    engine = _function_engine(Sigmoid)
    x = to_engine(engine, POINTS, dtype="float64", requires_grad=True)
    y = call(Sigmoid.apply, x, name="Sigmoid.apply")
    expect_tensor(y, "Sigmoid.apply(x)")
    p, weights = np.asarray(POINTS), np.asarray(WEIGHTS)
    sigmoid = 1 / (1 + np.exp(-p))
    expect_values(y, "Sigmoid.apply(x)", sigmoid, "the sigmoid 1 / (1 + exp(-x))", rtol=1e-9, atol=1e-12)
    expect_in_graph(y, "Sigmoid.apply(x)")
    call(y.backward, to_engine(engine, WEIGHTS, dtype="float64"), name="backward")
    expect(x.grad is not None, "backward ran, but `x.grad` stayed empty: does `backward` return the input's gradient?")
    derivative = sigmoid * (1 - sigmoid)
    expect_none_of(
        values(x.grad),
        [
            (
                derivative,
                "`backward` returns the sigmoid's derivative but ignores the gradient passed in "
                "from above: by the chain rule, multiply by it",
            ),
            (
                weights * sigmoid,
                "`backward` multiplies the incoming gradient by the sigmoid itself, not by its derivative",
            ),
        ],
    )
    expect_grad(x.grad, "x", weights * derivative, missing="")


def _check_gradcheck(namespace):
    # `passed` last: when gradcheck raised, the cell left only `x_check`, which shows why.
    Sigmoid, x_check = need(namespace, "Sigmoid", "x_check")
    engine = _function_engine(Sigmoid)
    expect_tensor(x_check, "x_check")
    expect_dtype(
        x_check,
        "x_check",
        "float64",
        why="gradcheck compares with finite differences, which are far too coarse in float32",
    )
    expect(x_check.requires_grad, "gradcheck checks only the inputs that require grad, and `x_check` does not")
    passed = need(namespace, "passed")
    expect(
        passed is True,
        f"`passed` is {passed!r}; it should hold what gradcheck returned for your `Sigmoid.apply`",
    )
    again = to_engine(engine, values(x_check), dtype="float64", requires_grad=True)
    call(
        engine.autograd.gradcheck,
        Sigmoid.apply,
        (again,),
        name="gradcheck",
        explain={MISMATCH: "gradcheck fails when the check runs it: your backward disagrees with forward"},
    )


q1 = Exercise(
    "Sigmoid as an autograd Function",
    _check_sigmoid,
    hints=[
        "forward computes the value and saves what backward will need with `ctx.save_for_backward`.",
        "The sigmoid's derivative can be written with the sigmoid's own output.",
    ],
)
q2 = Exercise(
    "pass gradcheck",
    _check_gradcheck,
    hints=[
        "gradcheck takes the function and a tuple of inputs.",
        "Its inputs should be double precision and require grad.",
    ],
)
