"""Checks for exercises/08_jacobians_and_vjp_exercises.ipynb: Jacobians from backward(v)."""

import numpy as np
import torch

from .exercise import Exercise, call, expect, need
from .tensors import (
    array_of,
    close,
    expect_none_of,
    expect_tensor,
    multiple_of,
    notebook_engine,
    to_engine,
    values,
)

# q1 runs the student's function on a function and point of its own (2 outputs, 3 inputs),
# so that a transposed Jacobian has the wrong shape and cannot pass.
B = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
POINT = [0.3, -0.7, 1.1]
SECOND_BACKWARD = "Trying to backward through the graph a second time"
NO_GRAPH = "does not require grad and does not have a grad_fn"


def _g(engine, b):
    return lambda t: engine.sin(b @ t) * (t * t).sum()


def _reference_jacobian():
    return torch.autograd.functional.jacobian(_g(torch, torch.tensor(B)), torch.tensor(POINT)).numpy()


def _check_jacobian(namespace):
    jacobian_by_backward = need(namespace, "jacobian_by_backward")
    engine = notebook_engine(namespace)
    found = call(
        jacobian_by_backward,
        _g(engine, to_engine(engine, B)),
        to_engine(engine, POINT),
        name="jacobian_by_backward",
        explain={
            SECOND_BACKWARD: "the second backward call fails because the first one freed the "
            "graph's saved tensors: keep the graph for the calls that follow",
            NO_GRAPH: "backward found no graph: inside your function, the input must require "
            "grad before f is applied to it",
        },
    )
    found = array_of(found, "jacobian_by_backward(f, x)")
    right = _reference_jacobian()
    expect(
        not (found.shape == right.T.shape and close(found, right.T)),
        "your Jacobian is transposed: row i should hold the gradient of output i, so it has "
        "one row per output and one column per input",
    )
    expect(
        found.shape == right.shape,
        f"for 2 outputs and 3 inputs the Jacobian has shape {right.shape}, but yours has {found.shape}",
    )
    expect_none_of(
        found,
        [
            (
                np.cumsum(right, axis=0),
                "each row holds the sum of all rows so far: gradients add up in `.grad` over "
                "backward calls; reset it before each call",
            ),
            (
                np.broadcast_to(right.sum(axis=0), right.shape),
                "every row is the gradient of the sum of all outputs: each backward call should "
                "pick out a single output",
            ),
        ],
    )
    expect(
        not (len(found) > 1 and all(close(row, found[0]) for row in found)),
        "all rows are the same: you stored the same `.grad` tensor each time, and it changed "
        "afterwards; store a copy",
    )
    expect(close(found, right), "your Jacobian does not match `torch.autograd.functional.jacobian`")


def _check_vjp(namespace):
    vjp_value, A, x0, v = need(namespace, "vjp_value", "A", "x0", "v")
    for name, value in (("A", A), ("x0", x0), ("v", v)):
        expect_tensor(value, name)
    found = array_of(vjp_value, "vjp_value")
    a = torch.tensor(values(A), dtype=torch.float32)
    x = torch.tensor(values(x0), dtype=torch.float32, requires_grad=True)
    y = torch.exp(a @ x) * x.sum()  # the setup cell's f
    expect(
        found.shape != tuple(y.shape),
        f"`vjp_value` has one entry per output of f ({found.shape}); the vector-Jacobian "
        "product has one entry per input",
    )
    expect(found.shape == tuple(x.shape), f"`vjp_value` should have shape {tuple(x.shape)}, not {found.shape}")
    (ones_product,) = torch.autograd.grad(y, x, torch.ones_like(y), retain_graph=True)
    y.backward(torch.tensor(values(v), dtype=torch.float32))
    right = x.grad.numpy()
    expect(
        not close(found, ones_product.numpy()),
        "`vjp_value` is the product with a vector of ones, not with `v`",
    )
    k = multiple_of(found, right)
    expect(
        k is None,
        f"`vjp_value` is {k} times the right product: gradients add up in `.grad` over "
        "backward calls; start from an empty `.grad`",
    )
    expect(close(found, right), "`vjp_value` is not vᵀJ for the `f`, `x0` and `v` above")


q1 = Exercise(
    "a Jacobian from backward(v)",
    _check_jacobian,
    hints=[
        "`y.backward(v)` with v = (0, …, 1, …, 0) puts one row of the Jacobian into `x.grad`.",
        "You call backward once per output: the graph must survive, and `.grad` must start empty each time.",
    ],
)
q2 = Exercise(
    "one vector-Jacobian product",
    _check_vjp,
    hints=[
        "One backward call with the right vector gives vᵀJ directly, without building J.",
        "The vector you pass to backward has one entry per output of f.",
    ],
)
