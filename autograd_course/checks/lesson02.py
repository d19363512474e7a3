"""Checks for exercises/02_requires_grad_and_grad_fn_exercises.ipynb.

q1's probe reads `x`, `y` and how many of the graph's intermediate results the notebook keeps
in variables, at the check cell (the next exercise's given cell reuses names like `p`, `q`);
q2's judge knows the given cell's tensors itself, so only the predictions are read.
"""

import numpy as np
import torch

from ..graph.walk import is_tensor, walk_graph
from .exercise import Exercise, NotYet, expect, need
from .tensors import expect_in_graph, expect_values, read, tensor_in

START, END, STEPS = -2.0, 2.0, 25
MIN_INTERMEDIATES = 3
DTYPES = ("float32", "float64")  # the text names no dtype: torch's default, or double


def _graph_facts(namespace, x, y):
    """How many distinct nodes of ``y``'s graph (other than ``y``'s own) are the ``grad_fn``
    of a tensor in the notebook, and whether the graph reaches ``x``."""
    if not is_tensor(y) or y.grad_fn is None:
        return {"stored": 0, "reaches_x": False}
    nodes = [node for node in walk_graph([y]).nodes if node is not None]
    ids = {id(node) for node in nodes}
    stored = {
        id(value.grad_fn)
        for value in list(namespace.values())
        if is_tensor(value) and value is not y and value.grad_fn is not None and id(value.grad_fn) in ids
    }
    reaches_x = any(getattr(node, "variable", None) is x for node in nodes)
    return {"stored": len(stored), "reaches_x": reaches_x}


def _probe_seed_function(namespace):
    x, y = need(namespace, "x", "y")
    return {"x": read(x), "y": read(y), **_graph_facts(namespace, x, y)}


def _judge_seed_function(data):
    x = tensor_in(data, "x")
    y = tensor_in(data, "y")
    expect(len(x.shape) == 1, f"`x` should be a 1-D tensor of points, but it has shape {x.shape}")
    points = x.values
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
    expect(
        x.dtype in DTYPES,
        f"`x` is {x.dtype}: make it a floating-point tensor (torch's default float32 is fine)",
    )
    expect_in_graph(y, "y")
    dtype = getattr(torch, x.dtype)
    reference_x = torch.linspace(START, END, STEPS, dtype=dtype, requires_grad=True)
    reference = torch.exp(2 * reference_x**2 * torch.sin(reference_x))
    expect_values(y, "y", reference.detach().numpy().astype(float), "exp(2x² sin x) at each point of x")
    expect(
        y.grad_fn == "ExpBackward0",
        f"the last operation that made `y` is {y.grad_fn}, but exp(...) is applied last",
    )
    expect(
        data.get("reaches_x") is True,
        "`y` was not computed from this `x`: its graph leads back to another tensor. Compute "
        "`y` from `x` (and rerun the cells in order)",
    )
    stored = data.get("stored")
    if not isinstance(stored, int) or isinstance(stored, bool):
        raise NotYet("the check's data about your intermediate results is not readable")
    expect(
        stored >= MIN_INTERMEDIATES,
        f"only {stored} of the intermediate results on the way to `y` are kept in "
        "variables: give each mathematical operation its own variable",
    )


# The given cell of exercise 2, and why each tensor is (or is not) a leaf and requires grad,
# in words that state the rule without naming the tensor.
def _given_tensors():
    p = torch.ones(3, requires_grad=True)
    q = torch.ones(3)
    r = p * q
    s = q * 2
    t = r.detach()
    return {"p": p, "q": q, "r": r, "s": s, "t": t}


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


def _read_names(value):
    if type(value) in (set, frozenset, list, tuple) and all(type(item) is str for item in value):
        return {"names": sorted(item[:40] for item in list(value)[:20])}
    return {"kind": type(value).__name__[:80]}


def _probe_leaves(namespace):
    needs_grad, leaves = need(namespace, "needs_grad", "leaves")
    return {"needs_grad": _read_names(needs_grad), "leaves": _read_names(leaves)}


def _names(data, variable):
    found = data.get(variable)
    names = found.get("names") if isinstance(found, dict) else None
    if not isinstance(names, list) or not all(isinstance(item, str) for item in names):
        raise NotYet(f"`{variable}` should be a set of names (strings), like {{'a', 'b'}}")
    return set(names)


def _expect_prediction(predicted, truth, rules, variable):
    for name in sorted(rules):
        if (name in predicted) != (name in truth):
            raise NotYet(f"`{variable}` is wrong about one of the tensors: {rules[name]}")
    unknown = predicted - set(rules)
    expect(not unknown, f"`{variable}` names tensors that are not in the cell above: {sorted(unknown)}")


def _judge_leaves(data):
    given = _given_tensors()
    _expect_prediction(
        _names(data, "needs_grad"),
        {name for name, tensor in given.items() if tensor.requires_grad},
        _GRAD_RULES,
        "needs_grad",
    )
    _expect_prediction(
        _names(data, "leaves"),
        {name for name, tensor in given.items() if tensor.is_leaf},
        _LEAF_RULES,
        "leaves",
    )


q1 = Exercise(
    "exp(2x² sin x)",
    _probe_seed_function,
    _judge_seed_function,
    hints=[
        "Create the points with torch.linspace; mind the number of steps and gradient tracking.",
        "One operation per line: square, double, sine, multiply, exponentiate.",
    ],
)
q2 = Exercise(
    "leaves and requires_grad",
    _probe_leaves,
    _judge_leaves,
    hints=[
        "requires_grad spreads forward: a result requires grad when any of its inputs does.",
        "A leaf is a tensor autograd has no history for (its grad_fn is None).",
    ],
)
