"""Checks for exercises/04_the_graph_exercises.ipynb: reading and building autograd's graph."""

import re

import torch

from ..graph.walk import node_name
from .exercise import Exercise, NotYet, expect, need
from .tensors import expect_in_graph, expect_tensor, expect_values


def first_input_chain(tensor):
    """Node names met by following ``next_functions[0][0]`` from ``tensor.grad_fn``."""
    names, node = [], tensor.grad_fn
    while node is not None:
        names.append(node_name(node))
        node = node.next_functions[0][0] if node.next_functions else None
    return names


def _without_number(name):
    return re.sub(r"\d+$", "", name)


def _check_chain(namespace):
    chain = need(namespace, "chain")
    expect(
        isinstance(chain, (list, tuple)) and all(isinstance(name, str) for name in chain),
        "`chain` should be a list of node names (strings), from `out.grad_fn` down to the leaf",
    )
    chain = [name.strip().rpartition("::")[2] for name in chain]
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    truth = first_input_chain((2 - torch.exp(w) / 3).mean())  # the setup cell's `out`
    if chain == truth:
        return
    expect(chain != truth[::-1], "`chain` runs from the leaf up: start at `out.grad_fn` and walk towards the input")
    expect(
        chain != truth[:-1],
        "`chain` stops one node early: the walk ends at the node that stores the leaf's gradient",
    )
    expect(
        [_without_number(name) for name in chain] != [_without_number(name) for name in truth],
        "write each name exactly as `grad_fn.name()` prints it, with the number at the end",
    )
    expect(
        "None" not in chain,
        "follow only the first entry of each node's `next_functions`; the None entries are "
        "constants, not part of the chain",
    )
    expect(
        len(chain) == len(truth),
        f"`chain` has {len(chain)} names; the walk from `out.grad_fn` to the leaf meets {len(truth)} nodes",
    )
    wrong = next(index for index, (mine, right) in enumerate(zip(chain, truth)) if mine != right)
    raise NotYet(
        f"entry {wrong} of `chain` ({chain[wrong]!r}) is not the node found there: which "
        "operation made that intermediate result, and which variant (its number) is it?"
    )


def graph_tree(node, leaves):
    """The graph below ``node`` as nested ``(name, children)`` tuples; a leaf's AccumulateGrad
    is named after the variable in ``leaves`` (a name -> tensor dict) it accumulates into.
    Children are sorted, so ``a * b`` and ``b * a`` give the same tree."""
    if node is None:
        return ("constant", ())
    if hasattr(node, "variable"):
        owner = next((name for name, leaf in leaves.items() if leaf is node.variable), "another tensor")
        return (f"AccumulateGrad ({owner})", ())
    children = tuple(sorted(graph_tree(child, leaves) for child, _ in node.next_functions))
    return (node_name(node), children)


def _first_difference(mine, right, path=()):
    """The path of node names down to the first place two trees differ, and the two subtrees."""
    if mine[0] != right[0] or len(mine[1]) != len(right[1]):
        return path, mine, right
    for child_mine, child_right in zip(mine[1], right[1]):
        if child_mine != child_right:
            return _first_difference(child_mine, child_right, path + (mine[0],))
    return None


def _summary(tree):
    return f"{tree[0]} with {len(tree[1])} input(s): " + ", ".join(child[0] for child in tree[1])


def _check_graph(namespace):
    g, a, b = need(namespace, "g", "a", "b")
    for name, value in (("g", g), ("a", a), ("b", b)):
        expect_tensor(value, name)
    expect_in_graph(g, "g")
    reference_a = torch.tensor(a.detach().tolist(), requires_grad=True)
    reference_b = torch.tensor(b.detach().tolist(), requires_grad=True)
    reference_g = ((reference_a + reference_b) * torch.sin(reference_a)).sum()  # the drawing
    right = graph_tree(reference_g.grad_fn, {"a": reference_a, "b": reference_b})
    mine = graph_tree(g.grad_fn, {"a": a, "b": b})
    difference = _first_difference(mine, right)
    if difference is not None:
        path, mine_there, right_there = difference
        where = " → ".join(path) if path else "the top"
        raise NotYet(
            f"below {where}, your graph has {_summary(mine_there)}; the drawing has "
            f"{_summary(right_there)}"
        )
    expect_values(g, "g", reference_g.detach().numpy(), "the drawing's result")


q1 = Exercise(
    "predict the next_functions chain",
    _check_chain,
    hints=[
        "Work from the outermost operation inwards: the last operation applied is `out.grad_fn`.",
        "Subtracting from a number and dividing by a number each have their own node name; "
        "print `grad_fn.name()` to check one you are unsure of.",
    ],
)
q2 = Exercise(
    "build the drawn graph",
    _check_graph,
    hints=[
        "Read the drawing from the bottom (the leaves) up to the top node.",
        "Each node is one operation; AccumulateGrad (a) means the tensor `a` itself.",
    ],
)
