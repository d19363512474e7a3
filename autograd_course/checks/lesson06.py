"""Checks for exercises/06_inplace_operations_exercises.ipynb: mend an in-place error."""

import numpy as np
import torch

from .exercise import Exercise, call, expect, need
from .tensors import (
    close,
    expect_grad,
    expect_in_graph,
    expect_none_of,
    expect_tensor,
    expect_values,
    notebook_engine,
    shape,
    to_engine,
    values,
)

POINTS = [0.5, -1.0, 1.5]
MODIFIED_SAVED = "modified by an inplace operation"
LEAF_IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation"


def _check_fixed(namespace):
    fixed = need(namespace, "fixed")
    x = to_engine(notebook_engine(namespace), POINTS, requires_grad=True)
    out = call(
        fixed,
        x,
        explain={
            LEAF_IN_PLACE: "`fixed` changes its input `x` in place, and `x` is a leaf that "
            "requires grad: compute new tensors instead of changing `x`"
        },
    )
    expect_tensor(out, "fixed(x)")
    expect(
        close(values(x), POINTS),
        "`fixed` changed the values of its input `x`: leave `x` as it is",
    )
    expect(shape(out) == (), f"`fixed(x)` should be a single number (shape ()), not shape {shape(out)}")
    expect_in_graph(out, "fixed(x)")
    reference_x = torch.tensor(POINTS, requires_grad=True)
    reference = ((torch.exp(reference_x) + 1) * reference_x).sum()  # `broken`, not in place
    expect_values(out, "fixed(x)", reference.detach().numpy(), "the value `broken(x)` computes")
    call(
        out.backward,
        name="fixed(x).backward",
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
        values(x.grad),
        [
            (
                (np.exp(p) + 1) * p + np.exp(p) + 1,  # exp's backward reading the changed output
                "the value is right but the gradient is not: the in-place change is hidden "
                "from autograd (through `.data`), so backward used the changed value. Compute "
                "a new tensor instead",
            )
        ],
    )
    expect_grad(x.grad, "x", reference_x.grad.numpy(), missing="")

q1 = Exercise(
    "mend an in-place error",
    _check_fixed,
    hints=[
        "Read the error: it names the operation whose saved tensor was changed.",
        "`a += 1` changes `a` in place; `a + 1` makes a new tensor.",
    ],
)
