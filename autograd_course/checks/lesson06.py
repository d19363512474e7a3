"""Checks for exercises/06_inplace_operations_exercises.ipynb: mend an in-place error.

The probe calls `fixed` on a fresh input the check made, then backward on its result; the
judge computes `broken`'s value and gradient (without the in-place change) from the same
points.
"""

import numpy as np
import torch

from ..graph.walk import is_tensor
from .exercise import Exercise, attempt, expect, expect_ran, need
from .tensors import close, expect_grad, expect_in_graph, expect_none_of, expect_values, notebook_engine, read, tensor_in, to_engine

POINTS = [0.5, -1.0, 1.5]
MODIFIED_SAVED = "modified by an inplace operation"
LEAF_IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation"


def _probe_fixed(namespace):
    fixed = need(namespace, "fixed")
    x = to_engine(notebook_engine(namespace), POINTS, requires_grad=True)
    out, error = attempt(fixed, x)
    data = {"error": error, "out": read(out), "x_after": read(x), "backward_error": None}
    if error is None and is_tensor(out) and getattr(out, "requires_grad", False):
        _, data["backward_error"] = attempt(out.backward)
        data["x_after"] = read(x)
    return data


def _judge_fixed(data):
    expect_ran(
        data.get("error"),
        "fixed",
        explain={
            LEAF_IN_PLACE: "`fixed` changes its input `x` in place, and `x` is a leaf that "
            "requires grad: compute new tensors instead of changing `x`"
        },
    )
    out = tensor_in(data, "out", "fixed(x)")
    x = tensor_in(data, "x_after", "x")
    expect(close(x.values, POINTS), "`fixed` changed the values of its input `x`: leave `x` as it is")
    expect(out.shape == (), f"`fixed(x)` should be a single number (shape ()), not shape {out.shape}")
    expect_in_graph(out, "fixed(x)")
    reference_x = torch.tensor(POINTS, requires_grad=True)
    reference = ((torch.exp(reference_x) + 1) * reference_x).sum()  # `broken`, not in place
    expect_values(out, "fixed(x)", reference.detach().numpy().astype(float), "the value `broken(x)` computes")
    expect_ran(
        data.get("backward_error"),
        "fixed(x).backward",
        explain={
            MODIFIED_SAVED: "backward still fails: a tensor that autograd saved for the "
            "backward pass is still changed in place. Which operation saved it? Compute a new "
            "tensor instead"
        },
    )
    reference.backward()
    expect(x.grad is not None, "backward did not reach `x`: is `x` part of the computation?")
    p = np.asarray(POINTS)
    expect_none_of(
        x.grad.values,
        [
            (
                (np.exp(p) + 1) * p + np.exp(p) + 1,  # exp's backward reading the changed output
                "the value is right but the gradient is not: the in-place change is hidden "
                "from autograd (through `.data`), so backward used the changed value. Compute "
                "a new tensor instead",
            )
        ],
    )
    expect_grad(x.grad, "x", reference_x.grad.numpy().astype(float), missing="")


q1 = Exercise(
    "mend an in-place error",
    _probe_fixed,
    _judge_fixed,
    hints=[
        "Read the error: it names the operation whose saved tensor was changed.",
        "`a += 1` changes `a` in place; `a + 1` makes a new tensor.",
    ],
)
