"""Checks for exercises/03_backward_and_grad_exercises.ipynb.

The probes read the given tensors and their `.grad` at the check cell, with what the cell
before it raised; the judges compute the gradients from the given cells' own values, so a
`.grad` the student wrote by hand onto other tensors cannot pass.
"""

import numpy as np
import torch

from .exercise import Exercise, NotAttempted, expect, expect_cell_ran, last_error_data, need
from .tensors import expect_given, expect_grad, read, tensor_in

START, END, STEPS = -2.0, 2.0, 25
U = [0.5, -1.0, 2.0]
RAISED = {
    "grad can be implicitly created only for scalar outputs": (
        "`backward()` without an argument only works on a single number, and `y` holds 25: "
        "tell backward how much each element of `y` counts (or reduce `y` to one number first)"
    ),
    "Mismatch in shape": (
        "The vector you pass to `backward` says how much each element of the output counts, "
        "so it needs exactly one entry per element of the output"
    ),
    "Trying to backward through the graph a second time": (
        "The first backward call freed the graph; rerun the cell that builds it before calling "
        "backward again (and start from an empty `.grad`)"
    ),
    "does not require grad and does not have a grad_fn": (
        "The tensor you call backward on is not part of a graph: rerun the given cell, which "
        "builds it from a tensor that requires grad"
    ),
}


def _expect_given(tensor, name, expected):
    expect_given(tensor, name, expected)
    expect(tensor.requires_grad and tensor.is_leaf, f"`{name}` should be the leaf that requires grad from the given cell")


def _probe_seed_gradient(namespace):
    x, y = need(namespace, "x", "y")
    return {"x": read(x), "y": read(y), "last_error": last_error_data()}


def _judge_seed_gradient(data):
    x = tensor_in(data, "x")
    tensor_in(data, "y")
    given = torch.linspace(START, END, STEPS, requires_grad=True)
    _expect_given(x, "x", given.detach().numpy().astype(float))
    if x.grad is None:
        expect_cell_ran(data.get("last_error"), RAISED)
        raise NotAttempted("compute the gradients of `y` with respect to `x` into `x.grad`")
    torch.exp(2 * given**2 * torch.sin(given)).sum().backward()
    expect_grad(x.grad, "x", given.grad.numpy().astype(float), missing="")


def _probe_retain_grad(namespace):
    u, h = need(namespace, "u", "h")
    return {"u": read(u), "h": read(h), "last_error": last_error_data()}


def _judge_retain_grad(data):
    u = tensor_in(data, "u")
    h = tensor_in(data, "h")
    _expect_given(u, "u", np.asarray(U))
    expect(
        not h.is_leaf,
        "`h` should be the intermediate result computed from `u` in the cell above; run that cell again",
    )
    if u.grad is None and h.grad is None:
        expect_cell_ran(data.get("last_error"), RAISED)
        raise NotAttempted("run backward so that `u.grad` and `h.grad` are filled")
    reference_u = torch.tensor(U, requires_grad=True)
    reference_h = reference_u * torch.sin(reference_u)
    reference_h.retain_grad()
    (reference_h**2).sum().backward()
    expect_grad(
        h.grad,
        "h",
        reference_h.grad.numpy().astype(float),
        missing="`h.grad` is None: `h` is an intermediate (non-leaf) tensor, and autograd "
        "only keeps the gradients of intermediates you asked for before calling backward",
    )
    expect_grad(u.grad, "u", reference_u.grad.numpy().astype(float), missing="`u.grad` is None: call backward on `loss`")


q1 = Exercise(
    "the gradient of exp(2x² sin x)",
    _probe_seed_gradient,
    _judge_seed_gradient,
    hints=[
        "The gradients land in the `.grad` of the leaf that requires grad.",
        "`y` has 25 elements: backward needs to know how much each one counts.",
    ],
)
q2 = Exercise(
    "keep an intermediate's gradient",
    _probe_retain_grad,
    _judge_retain_grad,
    hints=[
        "Only leaves keep their `.grad` by default.",
        "Ask autograd to keep an intermediate's gradient before calling backward.",
    ],
)
