"""Checks for exercises/03_backward_and_grad_exercises.ipynb."""

import torch

from .exercise import Exercise, NotAttempted, expect, last_error, need
from .tensors import expect_grad, expect_tensor, values

VECTOR_BACKWARD = "grad can be implicitly created only for scalar outputs"


def _check_seed_gradient(namespace):
    x, y = need(namespace, "x", "y")
    expect_tensor(x, "x")
    expect_tensor(y, "y")
    if x.grad is None:
        error = last_error()
        expect(
            not (isinstance(error, RuntimeError) and VECTOR_BACKWARD in str(error)),
            "`backward()` without an argument only works on a single number, and `y` holds "
            "25: tell backward how much each element of `y` counts (or reduce `y` to one "
            "number first)",
        )
        raise NotAttempted("compute the gradients of `y` with respect to `x` into `x.grad`")
    reference = torch.tensor(values(x), dtype=torch.float32, requires_grad=True)
    torch.exp(2 * reference**2 * torch.sin(reference)).sum().backward()
    expect_grad(x.grad, "x", reference.grad.numpy(), missing="")


def _check_retain_grad(namespace):
    u, h = need(namespace, "u", "h")
    expect_tensor(u, "u")
    expect_tensor(h, "h")
    if u.grad is None and h.grad is None:
        raise NotAttempted("run backward so that `u.grad` and `h.grad` are filled")
    expect(
        not h.is_leaf,
        "`h` should be the intermediate result computed from `u` in the cell above; run that cell again",
    )
    reference_u = torch.tensor(values(u), dtype=torch.float32, requires_grad=True)
    reference_h = reference_u * torch.sin(reference_u)
    reference_h.retain_grad()
    (reference_h**2).sum().backward()
    expect_grad(
        h.grad,
        "h",
        reference_h.grad.numpy(),
        missing="`h.grad` is None: `h` is an intermediate (non-leaf) tensor, and autograd "
        "only keeps the gradients of intermediates you asked for before calling backward",
    )
    expect_grad(u.grad, "u", reference_u.grad.numpy(), missing="`u.grad` is None: call backward on `loss`")


q1 = Exercise(
    "the gradient of exp(2x² sin x)",
    _check_seed_gradient,
    hints=[
        "The gradients land in the `.grad` of the leaf that requires grad.",
        "`y` has 25 elements: backward needs to know how much each one counts.",
    ],
)
q2 = Exercise(
    "keep an intermediate's gradient",
    _check_retain_grad,
    hints=[
        "Only leaves keep their `.grad` by default.",
        "Ask autograd to keep an intermediate's gradient before calling backward.",
    ],
)
