"""Checks for exercises/08_jacobians_and_vjp_exercises.ipynb: Jacobians from backward(v).

q1's probe runs the student's function on a function and point of the check's own (2
outputs, 3 inputs, so a transposed Jacobian has the wrong shape), counting its backward
calls; q2's judge computes vᵀJ from the given `A`, `x0` and `v`.
"""

import numpy as np
import torch

from .exercise import Exercise, expect, expect_ran, need
from .observe import watch_calls
from .tensors import array_in, close, expect_given, expect_none_of, multiple_of, notebook_engine, read, read_array, tensor_in, to_engine

B = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
POINT = [0.3, -0.7, 1.1]
A = [[1.0, -0.5, 0.25], [0.5, 2.0, -1.0]]
X0 = [0.2, -0.4, 0.6]
V = [1.0, -2.0]
SECOND_BACKWARD = "Trying to backward through the graph a second time"
NO_GRAPH = "does not require grad and does not have a grad_fn"
SHORTCUTS = ("functional.jacobian", "functional.vjp", "functional.jvp", "torch.func", "grad")
RAISED = {
    NO_GRAPH: "`x0` does not require grad, so `f(x0)` has no graph to run backward through: "
    "call `f` on a copy of `x0` that requires grad",
    "Mismatch in shape": "The vector passed to `backward` needs one entry per output of f",
    "grad can be implicitly created only for scalar outputs": "`f` has 2 outputs: "
    "`backward` needs the vector `v` that says how much each output counts",
}


def _g(engine, b):
    return lambda t: engine.sin(b @ t) * (t * t).sum()


def _reference_jacobian():
    return torch.autograd.functional.jacobian(_g(torch, torch.tensor(B)), torch.tensor(POINT)).numpy().astype(float)


def _probe_jacobian(namespace):
    jacobian_by_backward = need(namespace, "jacobian_by_backward")
    engine = notebook_engine(namespace)
    found, error, seen = watch_calls(jacobian_by_backward, _g(engine, to_engine(engine, B)), to_engine(engine, POINT))
    return {"found": read_array(found), "error": error, "calls": seen["calls"]}


def _judge_jacobian(data):
    expect_ran(
        data.get("error"),
        "jacobian_by_backward",
        explain={
            SECOND_BACKWARD: "the second backward call fails because the first one freed the "
            "graph's saved tensors: keep the graph for the calls that follow",
            NO_GRAPH: "backward found no graph: inside your function, the input must require "
            "grad before f is applied to it",
        },
    )
    calls = data.get("calls")
    expect(isinstance(calls, dict), "the check's data about your function's calls is not readable")
    used = [name for name in SHORTCUTS if calls.get(name)]
    expect(
        not used,
        "`jacobian_by_backward` gets its rows from "
        + ", ".join(f"`{name}`" for name in used)
        + ": the exercise builds them from `backward(v)` calls, one per output",
    )
    backward_calls = calls.get("backward")
    expect(
        backward_calls != 0,
        "`jacobian_by_backward` never calls `backward`: build each row of the Jacobian from one `backward(v)` call",
    )
    found = array_in(data, "found", "jacobian_by_backward(f, x)")
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
    expect(
        backward_calls == len(right),
        f"your Jacobian is right, but `jacobian_by_backward` calls `backward` {backward_calls} "
        f"times for {len(right)} outputs: one call per output is enough",
    )


def _probe_vjp(namespace):
    vjp_value, A, x0, v = need(namespace, "vjp_value", "A", "x0", "v")
    return {"vjp_value": read_array(vjp_value), "A": read(A), "x0": read(x0), "v": read(v)}


def _judge_vjp(data):
    for name, given in (("A", A), ("x0", X0), ("v", V)):
        expect_given(tensor_in(data, name), name, given)
    found = array_in(data, "vjp_value")
    a = torch.tensor(A)
    x = torch.tensor(X0, requires_grad=True)
    y = torch.exp(a @ x) * x.sum()  # the setup cell's f
    expect(
        found.shape != tuple(y.shape),
        f"`vjp_value` has one entry per output of f ({found.shape}); the vector-Jacobian "
        "product has one entry per input",
    )
    expect(found.shape == tuple(x.shape), f"`vjp_value` should have shape {tuple(x.shape)}, not {found.shape}")
    (ones_product,) = torch.autograd.grad(y, x, torch.ones_like(y), retain_graph=True)
    y.backward(torch.tensor(V))
    right = x.grad.numpy().astype(float)
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
    _probe_jacobian,
    _judge_jacobian,
    hints=[
        "`y.backward(v)` with v = (0, …, 1, …, 0) puts one row of the Jacobian into `x.grad`.",
        "You call backward once per output: the graph must survive, and `.grad` must start empty each time.",
    ],
)
q2 = Exercise(
    "one vector-Jacobian product",
    _probe_vjp,
    _judge_vjp,
    hints=[
        "One backward call with the right vector gives vᵀJ directly, without building J.",
        "The vector you pass to backward has one entry per output of f.",
    ],
    raised=RAISED,
)
