"""Checks for exercises/12_inside_autograd_mini_exercises.ipynb: a new operation as a Function.

q1's probe applies the student's `Sigmoid` to points the check chose and backpropagates
weights it chose; q2's probe calls the student's `check_sigmoid` and watches the gradcheck
call it makes (its inputs and what it returned), then runs gradcheck itself on a float64
input. The judges compare with the sigmoid and its derivative computed with NumPy.
"""

import numpy as np

from ..graph.walk import is_tensor
from .exercise import Exercise, attempt, expect, expect_ran, need
from .observe import watch_calls
from .tensors import (
    ENGINES,
    engine_of,
    expect_grad,
    expect_in_graph,
    expect_none_of,
    expect_values,
    read,
    tensor_in,
    to_engine,
    value_in,
)

POINTS = [-3.0, -0.5, 0.0, 0.8, 2.5]
WEIGHTS = [1.0, -2.0, 0.5, 3.0, 1.5]  # the gradient flowing in from above, not all ones
MISMATCH = "mismatch"  # how gradcheck's error reports a backward that disagrees with forward
FUNCTION_CLASS = "`Sigmoid` should be a class derived from `torch.autograd.Function`"


def _function_engine(Sigmoid):
    """The engine whose ``autograd.Function`` the class derives from, or None."""
    bases = Sigmoid.__mro__[1:] if isinstance(Sigmoid, type) else ()
    for base in bases:
        if base.__name__ == "Function" and engine_of(base).__name__ in ENGINES:
            return engine_of(base)
    return None


def _probe_sigmoid(namespace):
    Sigmoid = need(namespace, "Sigmoid")
    engine = _function_engine(Sigmoid)
    if engine is None:
        return {"function": False}
    x = to_engine(engine, POINTS, dtype="float64", requires_grad=True)
    y, error = attempt(Sigmoid.apply, x)
    data = {"function": True, "error": error, "y": read(y), "backward_error": None, "x": read(x)}
    if error is None and is_tensor(y) and getattr(y, "requires_grad", False):
        _, data["backward_error"] = attempt(y.backward, to_engine(engine, WEIGHTS, dtype="float64"))
        data["x"] = read(x)
    return data


def _judge_sigmoid(data):
    expect(data.get("function") is True, FUNCTION_CLASS)
    expect_ran(data.get("error"), "Sigmoid.apply")
    y = tensor_in(data, "y", "Sigmoid.apply(x)")
    p, weights = np.asarray(POINTS), np.asarray(WEIGHTS)
    sigmoid = 1 / (1 + np.exp(-p))
    expect_values(y, "Sigmoid.apply(x)", sigmoid, "the sigmoid 1 / (1 + exp(-x))", rtol=1e-9, atol=1e-12)
    expect_in_graph(y, "Sigmoid.apply(x)")
    expect_ran(data.get("backward_error"), "backward")
    x = tensor_in(data, "x")
    expect(x.grad is not None, "backward ran, but `x.grad` stayed empty: does `backward` return the input's gradient?")
    derivative = sigmoid * (1 - sigmoid)
    expect_none_of(
        x.grad.values,
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


def _probe_gradcheck(namespace):
    Sigmoid, check_sigmoid = need(namespace, "Sigmoid", "check_sigmoid")
    engine = _function_engine(Sigmoid)
    if engine is None:
        return {"function": False}
    returned, error, seen = watch_calls(check_sigmoid)
    again = to_engine(engine, POINTS, dtype="float64", requires_grad=True)
    _, own_error = attempt(engine.autograd.gradcheck, Sigmoid.apply, (again,))
    return {
        "function": True,
        "returned": read(returned),
        "error": error,
        "gradcheck": seen["gradcheck"],
        "gradcheck_calls": seen["calls"]["gradcheck"],
        "own_error": own_error,
    }


def _judge_gradcheck(data):
    expect(data.get("function") is True, FUNCTION_CLASS)
    seen = data.get("gradcheck")
    calls = data.get("gradcheck_calls")
    error = data.get("error")
    if isinstance(seen, dict):
        inputs = seen.get("inputs")
        expect(isinstance(inputs, list) and inputs, "the check could not read the inputs your gradcheck call got")
        tensors = [tensor_in({"input": value}, "input", "the input of gradcheck") for value in inputs]
        expect(
            all(tensor.dtype == "float64" for tensor in tensors),
            "the input you give gradcheck is not float64: gradcheck compares with finite "
            "differences, which are far too coarse in float32",
        )
        expect(
            any(tensor.requires_grad for tensor in tensors),
            "gradcheck checks only the inputs that require grad, and yours does not",
        )
    expect_ran(
        error,
        "check_sigmoid",
        explain={
            MISMATCH: "gradcheck raised a GradcheckError: your `backward` disagrees with finite "
            "differences of your `forward`. Fix `backward` in exercise 1"
        },
    )
    expect(
        isinstance(calls, int) and calls >= 1 and isinstance(seen, dict),
        "`check_sigmoid` never runs `torch.autograd.gradcheck`: run it, and return what it returns",
    )
    expect(
        seen.get("function_of") == "Sigmoid" or seen.get("engine_function") is False,
        "gradcheck checked one of the engine's own functions, not yours: give it `Sigmoid.apply`",
    )
    returned, gradcheck_returned = value_in(data, "returned"), value_in(seen, "returned")
    expect(
        returned is True and gradcheck_returned is True,
        f"`check_sigmoid()` returns {returned!r}; it should return what gradcheck returned for your `Sigmoid.apply`",
    )
    expect_ran(
        data.get("own_error"),
        "gradcheck",
        explain={MISMATCH: "gradcheck fails when the check runs it: your backward disagrees with forward"},
    )


q1 = Exercise(
    "Sigmoid as an autograd Function",
    _probe_sigmoid,
    _judge_sigmoid,
    hints=[
        "forward computes the value and saves what backward will need with `ctx.save_for_backward`.",
        "The sigmoid's derivative can be written with the sigmoid's own output.",
    ],
)
q2 = Exercise(
    "pass gradcheck",
    _probe_gradcheck,
    _judge_gradcheck,
    hints=[
        "gradcheck takes the function and a tuple of inputs.",
        "Its inputs should be double precision and require grad.",
    ],
)
