"""Checks for exercises/09_functional_api_exercises.ipynb: Hessians, by the API and by hand."""

import numpy as np
import torch

from .exercise import Exercise, call, expect, need
from .tensors import array_of, close, expect_none_of, expect_tensor, notebook_engine, to_engine, values

POINT = [0.4, -1.2, 0.9]
NO_GRAPH = "does not require grad and does not have a grad_fn"


def energy(p):
    """The same function as in the exercise's setup cell."""
    return (p**2 * p.sum()).sum()


def _wave(engine):
    """A function the student has not seen, with mixed second derivatives, in ``engine``."""
    return lambda t: (engine.sin(t) * t.sum()).sum()


def _hessian_of(f, point):
    return torch.autograd.functional.hessian(f, torch.tensor(point, dtype=torch.float32)).numpy()


def _gradient_of(f, point):
    x = torch.tensor(point, dtype=torch.float32, requires_grad=True)
    f(x).backward()
    return x.grad.numpy()


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


def _check_hessian_api(namespace):
    H_api, p0 = need(namespace, "H_api", "p0")
    expect_tensor(p0, "p0")
    point = values(p0)
    _expect_hessian(array_of(H_api, "H_api"), "H_api", _hessian_of(energy, point), _gradient_of(energy, point))


def _check_hessian_by_grad(namespace):
    hessian_by_grad = need(namespace, "hessian_by_grad")
    engine = notebook_engine(namespace)

    found = call(
        hessian_by_grad,
        _wave(engine),
        to_engine(engine, POINT),
        name="hessian_by_grad",
        explain={
            NO_GRAPH: "differentiating the gradient failed: the first gradient was computed "
            "without a graph of its own, so it cannot be differentiated again"
        },
    )
    _expect_hessian(
        array_of(found, "hessian_by_grad(f, x)"),
        "hessian_by_grad(f, x)",
        _hessian_of(_wave(torch), POINT),
        _gradient_of(_wave(torch), POINT),
    )


q1 = Exercise(
    "a Hessian from the functional API",
    _check_hessian_api,
    hints=[
        "`torch.autograd.functional` has a function for each of Jacobian, Hessian, vjp, jvp.",
        "The Hessian of a function of n inputs is an n × n matrix.",
    ],
)
q2 = Exercise(
    "a Hessian from two gradients",
    _check_hessian_by_grad,
    hints=[
        "First take the gradient of f in a way that records a graph of the gradient itself.",
        "Then each entry of that gradient gives one row of the Hessian.",
    ],
)
