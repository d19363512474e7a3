"""Checks for exercises/02_requires_grad_and_grad_fn_exercises.ipynb."""

import numpy as np
import torch

from ..graph.walk import is_tensor, walk_graph
from .exercise import Exercise, NotYet, expect, need
from .tensors import (
    expect_dtype,
    expect_in_graph,
    expect_tensor,
    expect_values,
    grad_fn_name,
    shape,
    values,
)

START, END, STEPS = -2.0, 2.0, 25
MIN_INTERMEDIATES = 3


def _check_seed_function(namespace):
    x, y = need(namespace, "x", "y")
    expect_tensor(x, "x")
    expect_tensor(y, "y")
    expect(len(shape(x)) == 1, f"`x` should be a 1-D tensor of points, but it has shape {shape(x)}")
    points = values(x)
    expect(points.size == STEPS, f"`x` has {points.size} points; the exercise asks for steps={STEPS}")
    expect(
        np.isclose(points[0], START) and np.isclose(points[-1], END),
        f"`x` runs from {points[0]:g} to {points[-1]:g}, but it should cover [{START:g}, {END:g}]",
    )
    expect(
        np.allclose(points, np.linspace(START, END, STEPS), atol=1e-6),
        "the points of `x` are not evenly spaced",
    )
    expect(
        x.requires_grad,
        "`x` does not require grad, so autograd records nothing about how `y` was computed "
        "from it: ask for gradient tracking when you create `x`",
    )
    expect_dtype(x, "x")
    expect_in_graph(y, "y")
    reference_x = torch.tensor(points, dtype=torch.float32, requires_grad=True)
    reference = torch.exp(2 * reference_x**2 * torch.sin(reference_x))
    expect_values(y, "y", reference.detach().numpy(), "exp(2x² sin x) at each point of x")
    expect_dtype(y, "y")
    expect(
        grad_fn_name(y) == grad_fn_name(reference),
        f"the last operation that made `y` is {grad_fn_name(y)}, but exp(...) is applied last",
    )
    nodes = {id(node) for node in walk_graph([y]).nodes if node is not None}
    stored = {
        id(value.grad_fn)
        for value in namespace.values()
        if is_tensor(value) and value is not y and value.grad_fn is not None and id(value.grad_fn) in nodes
    }
    expect(
        len(stored) >= MIN_INTERMEDIATES,
        f"only {len(stored)} of the intermediate results on the way to `y` are kept in "
        "variables: give each mathematical operation its own variable",
    )


# Why each of the given tensors is (or is not) a leaf and requires grad, in words that state
# the rule without naming the tensor.
_LEAF_RULES = {
    "p": "a tensor you create yourself is a leaf",
    "q": "a tensor you create yourself is a leaf, whether or not it requires grad",
    "r": "a result of an operation on a tensor that requires grad is not a leaf: it has a grad_fn",
    "s": "a result of operations on tensors that do not require grad has no history, so it is a leaf too",
    "t": "`.detach()` gives a new tensor with no history: a leaf",
}
_GRAD_RULES = {
    "p": "a tensor created with requires_grad=True requires grad",
    "q": "a tensor created without requires_grad does not require grad",
    "r": "any result computed from a tensor that requires grad requires grad too",
    "s": "a result computed only from tensors that do not require grad does not require grad",
    "t": "a detached tensor never requires grad",
}


def _names(value, variable):
    if not isinstance(value, (set, frozenset, list, tuple)) or not all(isinstance(item, str) for item in value):
        raise NotYet(f"`{variable}` should be a set of names (strings), like {{'a', 'b'}}")
    return set(value)


def _expect_prediction(predicted, truth, rules, variable):
    for name in sorted(rules):
        if (name in predicted) != (name in truth):
            raise NotYet(f"`{variable}` is wrong about one of the tensors: {rules[name]}")
    unknown = predicted - set(rules)
    expect(not unknown, f"`{variable}` names tensors that are not in the cell above: {sorted(unknown)}")


def _check_leaves(namespace):
    needs_grad, leaves = need(namespace, "needs_grad", "leaves")
    given = dict(zip(_LEAF_RULES, need(namespace, *_LEAF_RULES)))
    for name, tensor in given.items():
        expect_tensor(tensor, name)
    _expect_prediction(
        _names(needs_grad, "needs_grad"),
        {name for name, tensor in given.items() if tensor.requires_grad},
        _GRAD_RULES,
        "needs_grad",
    )
    _expect_prediction(
        _names(leaves, "leaves"),
        {name for name, tensor in given.items() if tensor.is_leaf},
        _LEAF_RULES,
        "leaves",
    )


q1 = Exercise(
    "exp(2x² sin x)",
    _check_seed_function,
    hints=[
        "Create the points with torch.linspace; mind the number of steps and gradient tracking.",
        "One operation per line: square, double, sine, multiply, exponentiate.",
    ],
)
q2 = Exercise(
    "leaves and requires_grad",
    _check_leaves,
    hints=[
        "requires_grad spreads forward: a result requires grad when any of its inputs does.",
        "A leaf is a tensor autograd has no history for (its grad_fn is None).",
    ],
)
