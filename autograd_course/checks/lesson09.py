"""Checks for exercises/09_functional_api_exercises.ipynb: Hessians, by the API and by hand.

q1's judge computes the Hessian of `energy` at the given `p0`; q2's probe runs the student's
`hessian_by_grad` on a function and point of the check's own, counting the engine's calls,
so that the functional API cannot stand in for the two rounds of `autograd.grad`.
"""

import numpy as np
import torch

from .exercise import Exercise, expect, expect_ran, need
from .observe import watch_calls
from .tensors import array_in, close, expect_given, expect_none_of, notebook_engine, read, read_array, tensor_in, to_engine

P0 = [1.0, -2.0, 0.5]
POINT = [0.4, -1.2, 0.9]
NO_GRAPH = "does not require grad and does not have a grad_fn"
SHORTCUTS = ("functional.hessian", "functional.jacobian", "functional.vhp", "functional.hvp", "torch.func")
RAISED = {
    "not callable": "The functional API takes the function itself (`energy`), not its value "
    "at a point (`energy(p0)`)",
}


def energy(p):
    """The same function as in the exercise's setup cell."""
    return (p**2 * p.sum()).sum()


def _wave(engine):
    """A function the student has not seen, with mixed second derivatives, in ``engine``."""
    return lambda t: (engine.sin(t) * t.sum()).sum()


def _hessian_of(f, point):
    return torch.autograd.functional.hessian(f, torch.tensor(point)).numpy().astype(float)


def _gradient_of(f, point):
    x = torch.tensor(point, requires_grad=True)
    f(x).backward()
    return x.grad.numpy().astype(float)


def _expect_hessian(found, name, right, gradient):
    expect(
        not close(found, gradient),
        f"`{name}` holds the gradient (first derivatives); the Hessian holds the second derivatives",
    )
    expect(
        found.shape == right.shape,
        f"for {len(right)} inputs the Hessian has shape {right.shape}, but `{name}` has shape {found.shape}",
    )
    expect_none_of(
        found,
        [
            (
                np.diag(np.diag(right)),
                f"`{name}` has only the diagonal: differentiate each entry of the gradient with "
                "respect to every input, not only its own",
            )
        ],
    )
    expect(close(found, right), f"`{name}` does not hold the Hessian")


def _probe_hessian_api(namespace):
    H_api, p0 = need(namespace, "H_api", "p0")
    return {"H_api": read_array(H_api), "p0": read(p0)}


def _judge_hessian_api(data):
    expect_given(tensor_in(data, "p0"), "p0", P0)
    _expect_hessian(array_in(data, "H_api"), "H_api", _hessian_of(energy, P0), _gradient_of(energy, P0))


def _probe_hessian_by_grad(namespace):
    hessian_by_grad = need(namespace, "hessian_by_grad")
    engine = notebook_engine(namespace)
    found, error, seen = watch_calls(hessian_by_grad, _wave(engine), to_engine(engine, POINT))
    return {"found": read_array(found), "error": error, "calls": seen["calls"]}


def _judge_hessian_by_grad(data):
    calls = data.get("calls")
    expect(isinstance(calls, dict), "the check's data about your function's calls is not readable")
    grad_calls = calls.get("grad")
    error = data.get("error")
    if isinstance(error, dict) and NO_GRAPH in str(error.get("message", "")):
        expect(
            grad_calls != 1,
            "the first gradient failed: `x` does not require grad, so `f(x)` has no graph. "
            "Inside your function, make (a copy of) `x` require grad before calling `f`",
        )
    expect_ran(
        error,
        "hessian_by_grad",
        explain={
            NO_GRAPH: "differentiating the gradient failed: the first gradient was computed "
            "without a graph of its own, so it cannot be differentiated again"
        },
    )
    used = [name for name in SHORTCUTS if calls.get(name)]
    expect(
        not used,
        "`hessian_by_grad` uses " + ", ".join(f"`{name}`" for name in used) + ": this exercise "
        "builds the Hessian without the functional API, from `torch.autograd.grad`",
    )
    expect(
        isinstance(grad_calls, int) and grad_calls >= 1,
        "`hessian_by_grad` never calls `torch.autograd.grad`: take the gradient of `f(x)` with "
        "it, then the gradient of each of its entries",
    )
    _expect_hessian(
        array_in(data, "found", "hessian_by_grad(f, x)"),
        "hessian_by_grad(f, x)",
        _hessian_of(_wave(torch), POINT),
        _gradient_of(_wave(torch), POINT),
    )


q1 = Exercise(
    "a Hessian from the functional API",
    _probe_hessian_api,
    _judge_hessian_api,
    hints=[
        "`torch.autograd.functional` has a function for each of Jacobian, Hessian, vjp, jvp.",
        "The Hessian of a function of n inputs is an n × n matrix.",
    ],
    raised=RAISED,
)
q2 = Exercise(
    "a Hessian from two gradients",
    _probe_hessian_by_grad,
    _judge_hessian_by_grad,
    hints=[
        "First take the gradient of f in a way that records a graph of the gradient itself.",
        "Then each entry of that gradient gives one row of the Hessian.",
    ],
)
