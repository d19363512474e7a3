"""Checks for exercises/04_the_graph_exercises.ipynb: reading and building autograd's graph.

q1's judge walks the setup cell's graph itself; q2's probe sends the student's graph as nested
lists, each leaf named after the variable (`a`, `b`) it accumulates into, and the judge
compares it with the graph of the drawing, built from the given values.
"""

import re

import torch

from ..graph.walk import is_tensor, node_name
from .exercise import Exercise, NotYet, expect, need
from .tensors import expect_given, expect_in_graph, expect_values, read, tensor_in

W = [1.0, 2.0, 3.0]
A, B = [1.0, 2.0], [3.0, 4.0]
MAX_NODES = 200  # a graph this size is no answer to the drawing; the probe stops reading


def first_input_chain(tensor):
    """Node names met by following ``next_functions[0][0]`` from ``tensor.grad_fn``."""
    names, node = [], tensor.grad_fn
    while node is not None:
        names.append(node_name(node))
        node = node.next_functions[0][0] if node.next_functions else None
    return names


def _without_number(name):
    return re.sub(r"\d+$", "", name)


def _probe_chain(namespace):
    chain = need(namespace, "chain")
    if type(chain) in (list, tuple) and all(type(name) is str for name in chain):
        return {"chain": [name[:80] for name in chain[:50]]}
    return {"chain": None}


def _judge_chain(data):
    chain = data.get("chain")
    expect(
        isinstance(chain, list) and all(isinstance(name, str) for name in chain),
        "`chain` should be a list of node names (strings), from `out.grad_fn` down to the leaf",
    )
    chain = [name.strip().rpartition("::")[2] for name in chain]
    w = torch.tensor(W, requires_grad=True)
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


def graph_tree(node, leaves, budget=None):
    """The graph below ``node`` as nested ``[name, [children]]`` lists; a leaf's AccumulateGrad
    is named after the variable in ``leaves`` (a name -> tensor dict) it accumulates into.
    At most ``budget[0]`` nodes are read (the rest become "..."); depth is bounded by that too."""
    budget = [MAX_NODES] if budget is None else budget
    if budget[0] <= 0:
        return ["...", []]
    budget[0] -= 1
    if node is None:
        return ["constant", []]
    if hasattr(node, "variable"):
        owner = next((name for name, leaf in leaves.items() if leaf is node.variable), "another tensor")
        return [f"AccumulateGrad ({owner})", []]
    return [node_name(node)[:80], [graph_tree(child, leaves, budget) for child, _ in node.next_functions]]


def _tree(value, depth=0):
    """A tree from probe data, as nested tuples; NotYet when it is not one."""
    if (
        depth > 60
        or not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], str)
        or not isinstance(value[1], list)
    ):
        raise NotYet("the check's data about the graph of `g` is not readable")
    return (value[0], tuple(_tree(child, depth + 1) for child in value[1]))


def _paired(mine, right):
    """``mine``'s children matched to ``right``'s, whatever order they were recorded in:
    equal subtrees first, then subtrees whose top node has the same name, then the rest
    in order. Returns (pairs, unmatched of mine, unmatched of right)."""
    mine, right, pairs = list(mine), list(right), []
    for same in (lambda m, r: m == r, lambda m, r: m[0] == r[0]):
        for child in list(right):
            match = next((candidate for candidate in mine if same(candidate, child)), None)
            if match is not None:
                pairs.append((match, child))
                mine.remove(match)
                right.remove(child)
    pairs.extend(zip(mine, right))
    return pairs, mine[len(right):], right[len(mine):]


def _first_difference(mine, right, path=()):
    """The path of node names down to the first place two trees differ, and the two subtrees."""
    if mine[0] != right[0] or len(mine[1]) != len(right[1]):
        return path, mine, right
    pairs, _, _ = _paired(mine[1], right[1])
    for child_mine, child_right in pairs:
        if child_mine != child_right:
            return _first_difference(child_mine, child_right, path + (mine[0],))
    return None


def _summary(tree):
    return f"{tree[0]} with {len(tree[1])} input(s): " + ", ".join(child[0] for child in tree[1])


def _probe_graph(namespace):
    g, a, b = need(namespace, "g", "a", "b")
    tree = graph_tree(g.grad_fn, {"a": a, "b": b}) if is_tensor(g) and g.grad_fn is not None else None
    return {"g": read(g), "a": read(a), "b": read(b), "tree": tree}


def _judge_graph(data):
    g = tensor_in(data, "g")
    for name, given in (("a", A), ("b", B)):
        tensor = tensor_in(data, name)
        expect_given(tensor, name, given)
        expect(tensor.requires_grad, f"`{name}` should still require grad, as the given cell made it")
    expect_in_graph(g, "g")
    reference_a = torch.tensor(A, requires_grad=True)
    reference_b = torch.tensor(B, requires_grad=True)
    reference_g = ((reference_a + reference_b) * torch.sin(reference_a)).sum()  # the drawing
    right = _tree(graph_tree(reference_g.grad_fn, {"a": reference_a, "b": reference_b}))
    mine = _tree(data.get("tree"))
    difference = _first_difference(mine, right)
    if difference is not None:
        path, mine_there, right_there = difference
        where = " → ".join(path) if path else "the top"
        raise NotYet(
            f"below {where}, your graph has {_summary(mine_there)}; the drawing has "
            f"{_summary(right_there)}"
        )
    expect_values(g, "g", reference_g.detach().numpy().astype(float), "the drawing's result")


q1 = Exercise(
    "predict the next_functions chain",
    _probe_chain,
    _judge_chain,
    hints=[
        "Work from the outermost operation inwards: the last operation applied is `out.grad_fn`.",
        "Subtracting from a number and dividing by a number each have their own node name; "
        "print `grad_fn.name()` to check one you are unsure of.",
    ],
)
q2 = Exercise(
    "build the drawn graph",
    _probe_graph,
    _judge_graph,
    hints=[
        "Read the drawing from the bottom (the leaves) up to the top node.",
        "Each node is one operation; AccumulateGrad (a) means the tensor `a` itself.",
    ],
)
