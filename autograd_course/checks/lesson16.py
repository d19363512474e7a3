"""Checks for exercises/16_the_graph_as_torch_records_it_exercises.ipynb: an engine whose graph
is torch's (node names, next_functions, AccumulateGrad, flags, retain_grad, no_grad, the
version counter and its error).

Probes build the check's programs with the student's ``Tensor`` and operations and send back
the graph as plain data (:func:`graph_structure`, the course's own walk), flags, gradients
and error messages; judges build the same programs with torch and compare.
"""

import numpy as np
import torch

from ..graph.walk import graph_structure, node_name
from .exercise import Exercise, NotAttempted, NotYet, expect, need
from .track import (DEEP, array, array_in, catching, expect_attempted, expect_no_recursion, new_seed, part, ran,
                    same, seed_in)
from .wire import decode, encode

def _plain(structure):
    """A graph structure as the wire gives it back (tuples become lists)."""
    return decode(encode(structure))


# -- q1: leaves and AccumulateGrad ------------------------------------------------------

def _leaf_facts(Tensor, Node, edge):
    x = Tensor([1.0, 2.0], requires_grad=True)
    constant = Tensor([3.0, 4.0])
    made = Tensor([5.0, 6.0], requires_grad=True)
    made.grad_fn = marker = Node()
    first, second = edge(x), edge(x)
    facts = {"pair": isinstance(first, tuple) and len(first) == 2}
    if not facts["pair"]:
        return facts
    node = first[0]
    facts.update({
        "name": node_name(node) if node is not None else None,
        "output_nr": first[1] if isinstance(first[1], int) else None,
        "variable_is_x": getattr(node, "variable", None) is x,
        "same_node": isinstance(second, tuple) and len(second) == 2 and second[0] is node,
        "constant": [None if edge(constant)[0] is None else node_name(edge(constant)[0]), edge(constant)[1]],
        "made_is_grad_fn": edge(made)[0] is marker,
    })
    grads, error = catching(_accumulate, x, node)
    facts["accumulate"] = {"error": error} if error else grads
    return facts


def _accumulate(x, node):
    node.backward(np.array([1.0, 1.0], dtype=np.float32))
    first = array(x.grad)
    node.backward(np.array([2.0, 3.0], dtype=np.float32))
    return {"first": first, "second": array(x.grad)}


def _probe_leaves(namespace):
    Tensor, Node, edge, _ = need(namespace, "Tensor", "Node", "edge", "AccumulateGrad")
    facts, error = catching(_leaf_facts, Tensor, Node, edge)
    return {"facts": {"error": error} if error else facts}


def _judge_leaves(data):
    facts = part(data, "facts")
    ran(facts, "edge")
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    entry = (x * 2).grad_fn.next_functions[0]
    expect(facts.get("pair") is True, "`edge(tensor)` should return a pair `(node, 0)`, as in `next_functions`")
    expect(facts.get("name") == node_name(entry[0]),
           f"`edge(x)` for a leaf that requires grad should hold its {node_name(entry[0])} node, "
           f"not {str(facts.get('name'))[:80]}")
    expect(facts.get("output_nr") == entry[1], "the second half of an edge is 0: the node's first output")
    expect(facts.get("variable_is_x") is True, "the AccumulateGrad of `x` should have `x` as its `variable`")
    same_node = entry[0] is (x * 3).grad_fn.next_functions[0][0]
    expect(facts.get("same_node") is same_node,
           "`edge(x)` made a new AccumulateGrad at each call; torch keeps one per leaf (`(x * 2)` and `(x * 3)` "
           "point to the same node): make it once, keep it in `x._accumulator`")
    constant = (x * torch.tensor([3.0, 4.0])).grad_fn.next_functions[1]
    expect(facts.get("constant") == [constant[0], constant[1]],
           "a tensor that does not require grad gets the edge `(None, 0)`: no gradient goes to it")
    expect(facts.get("made_is_grad_fn") is True,
           "a tensor made by an operation is reached through its `grad_fn`: that is its edge")
    grads = part(facts, "accumulate")
    error = grads.get("error")
    if isinstance(error, dict) and "NoneType" in str(error.get("message", "")):
        raise NotYet("before the first backward a leaf's `.grad` is None: the first gradient becomes `.grad`, "
                     "later ones are added to it")
    ran(grads, "AccumulateGrad.backward")
    ones, later = torch.tensor([1.0, 1.0]), torch.tensor([2.0, 3.0])
    x.grad = None
    (x * 1).backward(ones)
    first = x.grad.clone()
    (x * 1).backward(later)
    expect(same(array_in(grads, "first", "`x.grad`"), first.numpy()),
           "after one `AccumulateGrad.backward(grad)`, the leaf's `.grad` should be that gradient")
    second = array_in(grads, "second", "`x.grad`")
    expect(not same(second, later.numpy()), "the second backward replaced `.grad`: a leaf's gradients accumulate, "
           "as in torch (lesson 3)")
    expect(same(second, x.grad.numpy()), "after two backward calls, the leaf's `.grad` should be their sum")


# -- q2: recording, flags, no_grad ------------------------------------------------------

def _programs(T, no_grad, engine):
    """The check's programs, written once for torch (T = torch.tensor) and for the student's
    engine (T = their Tensor): graphs and flags as plain data."""
    graphs, flags = {}, {}
    x = T(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    y = x + 2
    z = y * y * 3
    graphs["seed"] = graph_structure(z.mean())
    s = T(np.array([0.5, -1.2, 1.7], dtype=np.float32), requires_grad=True)
    graphs["exp"] = graph_structure((2 * s ** 2 * s.sin()).exp())
    c = T(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    graphs["mixed"] = graph_structure((c * s + c).sum())

    def flags_of(tensor):
        return [bool(tensor.requires_grad), tensor.grad_fn is not None, bool(tensor.is_leaf)]

    flags["constant"] = flags_of(c * 2 + c)
    flags["mixed"] = flags_of(c * s)
    with no_grad():
        flags["no_grad"] = flags_of(s * 2)
        with no_grad():
            pass
        flags["nested"] = flags_of(s * 2)
    flags["after"] = flags_of(s * 2)
    return {"graphs": graphs, "flags": flags}


def _probe_recording(namespace):
    Tensor, no_grad, grad_mode = need(namespace, "Tensor", "no_grad", "grad_mode")
    try:
        result, error = catching(_programs, Tensor, no_grad, "student")
    finally:
        try:
            grad_mode.enabled = True  # a wrong no_grad must not switch recording off for the next checks
        except Exception:
            pass
    return {"programs": {"error": error} if error else _plain(result)}


def _torch_tensor(data, requires_grad=False):
    return torch.tensor(np.asarray(data), requires_grad=requires_grad)


PROGRAMS = {"seed": "y = x + 2, z = y * y * 3, z.mean()", "exp": "exp(2 * s ** 2 * s.sin())",
            "mixed": "(c * s + c).sum(), with a constant c"}


def _judge_recording(data):
    programs = part(data, "programs")
    ran(programs, "make_result")
    right = _plain(_programs(_torch_tensor, torch.no_grad, "torch"))
    graphs, flags = part(programs, "graphs"), part(programs, "flags")
    expect(flags.get("constant") == right["flags"]["constant"],
           "`c * 2 + c`, made from tensors that do not require grad, was recorded: record only when an input "
           "requires grad")
    expect(flags.get("mixed") == right["flags"]["mixed"],
           "`c * s`, with `s` requiring grad, should require grad, have a `grad_fn`, and not be a leaf")
    expect(flags.get("no_grad") == right["flags"]["no_grad"],
           "inside `with no_grad():`, `s * 2` was recorded: nothing is recorded while the mode is off")
    expect(flags.get("nested") == right["flags"]["nested"],
           "after an inner `with no_grad():` ends, the outer one is still on: `__exit__` must restore the mode "
           "`__enter__` found, not switch recording back on")
    expect(flags.get("after") == right["flags"]["after"], "after `with no_grad():` ends, operations are recorded again")
    for key, program in PROGRAMS.items():
        mine, theirs = graphs.get(key), right["graphs"][key]
        if mine == theirs:
            continue
        if not isinstance(mine, dict):
            raise NotYet(f"the check could not read your graph of {program}")
        names = [name for _, name in mine.get("nodes", [])] if isinstance(mine.get("nodes"), list) else None
        expect(names == [name for _, name in theirs["nodes"]],
               f"the graph of {program} has the nodes {str(names)[:300]}; torch's has "
               f"{[name for _, name in theirs['nodes']]}")
        raise NotYet(f"the graph of {program} has torch's nodes, but they are linked differently: "
                     "`next_functions` holds one edge per input, in the order of the inputs")


# -- q3: two backward nodes -------------------------------------------------------------

def _node_cases(seed):
    rng = np.random.default_rng(seed)
    n, m = (int(size) for size in rng.choice(np.arange(2, 6), 2, replace=False))
    values = lambda shape: rng.uniform(-1.5, 1.5, size=shape).astype(np.float32)  # noqa: E731
    return {"mul": (values((n, m)), values((m,)), values((n, m))),
            "exp": (values((n, m)), values((n, m)))}


def _node_grads(Tensor, seed):
    cases = _node_cases(seed)
    a, b, upstream = cases["mul"]
    out = Tensor(a, requires_grad=True) * Tensor(b, requires_grad=True)
    mul, error = catching(out.grad_fn.backward, upstream.copy())
    result = {"mul": {"error": error} if error else _grads(mul)}
    a, upstream = cases["exp"]
    out = Tensor(a, requires_grad=True).exp()
    grads, error = catching(out.grad_fn.backward, upstream.copy())
    result["exp"] = {"error": error} if error else _grads(grads)
    return result


def _grads(result):
    if not isinstance(result, (tuple, list)):
        return {"tuple": False}
    return {"tuple": True, "grads": [array(grad) for grad in result[:4]]}


def _probe_nodes(namespace):
    Tensor = need(namespace, "Tensor")
    seed = new_seed()
    result, error = catching(_node_grads, Tensor, seed)
    return {"seed": seed, "nodes": {"error": error} if error else result}


def _judge_nodes(data):
    seed = seed_in(data)
    nodes = part(data, "nodes")
    ran(nodes, "building a * b and a.exp()")
    cases = _node_cases(seed)
    expect_attempted(nodes, ["mul", "exp"], "`mul_backward` and `exp_backward`")
    a, b, upstream = (torch.from_numpy(value) for value in cases["mul"])
    ta, tb = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
    right = torch.autograd.grad(ta * tb, (ta, tb), upstream)
    swapped = (a.numpy() * upstream.numpy(), (b.numpy() * upstream.numpy()).sum(axis=0))
    _judge_node(part(nodes, "mul"), "MulBackward0", right, [
        (lambda: swapped, "each input's local derivative is the *other* input")])
    a, upstream = (torch.from_numpy(value) for value in cases["exp"])
    ta = a.clone().requires_grad_(True)
    right = torch.autograd.grad(ta.exp(), (ta,), upstream)
    _judge_node(part(nodes, "exp"), "ExpBackward0", right, [
        (lambda: (a.numpy() * upstream.numpy(),), "the derivative of exp is exp itself: use the saved result, "
         "not the input")])


def _judge_node(case, name, right, mistakes):
    ran(case, f"{name}.backward")
    expect(case.get("tuple") is True, f"`{name}.backward` should return a tuple, one gradient per entry of "
           "`next_functions` (`(g,)` for a single input)")
    grads = case.get("grads")
    if not isinstance(grads, list):
        raise NotYet(f"the check could not read what `{name}.backward` returned")
    expect(len(grads) == len(right), f"`{name}.backward` returned {len(grads)} gradients; its node has "
           f"{len(right)} input(s)")
    for index, (grad, expected) in enumerate(zip(grads, right)):
        expected = expected.numpy()
        if not isinstance(grad, np.ndarray):
            raise NotYet(f"gradient {index} from `{name}.backward` is not an array")
        expect(grad.shape == expected.shape, f"gradient {index} from `{name}.backward` has shape {grad.shape}; "
               f"its input has shape {expected.shape}: use `unbroadcast` with the input's shape")
        if same(grad, expected, rtol=1e-5, atol=1e-6):
            continue
        for wrong, hint in mistakes:
            found = wrong()[index] if index < len(wrong()) else None
            expect(found is None or not same(grad, found, rtol=1e-5, atol=1e-6), hint)
        raise NotYet(f"gradient {index} from `{name}.backward` is not torch's")


# -- q4: the backward pass --------------------------------------------------------------

def _backward_programs(T):
    x = T(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    y = x + 2
    y.retain_grad()
    z = y * y * 3
    z.mean().backward()
    seed = {"x": array(x.grad), "y": array(y.grad) if y.grad is not None else None,
            "z": None if z.grad is None else "set"}
    y2 = x + 2
    (y2 * y2 * 3).mean().backward()
    seed["again"] = array(x.grad)
    a = T(np.array([2.0, -1.0], dtype=np.float32), requires_grad=True)
    (a * a + a).sum().backward()
    return {"seed": seed, "meet": array(a.grad)}


def _deep_backward(T):
    x = value = T(np.array([0.5], dtype=np.float32), requires_grad=True)
    for _ in range(DEEP):
        value = value * 1.0
    value.sum().backward()
    return {"x": array(x.grad)}


def _probe_backward(namespace):
    Tensor = need(namespace, "Tensor")
    result, error = catching(_backward_programs, Tensor)
    deep, deep_error = catching(_deep_backward, Tensor)
    return {"programs": {"error": error} if error else result, "deep": {"error": deep_error} if deep_error else deep}


def _judge_backward(data):
    programs = part(data, "programs")
    ran(programs, "backward")
    right = _backward_programs(_torch_tensor)
    seed = part(programs, "seed")
    expect(seed.get("y") is not None, "`y` called `retain_grad()`, so after backward `y.grad` should hold its "
           "gradient: give `node._retained` the gradient that arrived at its node")
    expect(seed.get("z") is None, "`z` did not call `retain_grad()`: only leaves and tensors that retain their "
           "grad get a `.grad`")
    y = array_in(seed, "y", "`y.grad`")
    expect(not same(y, right["seed"]["y"] / 2), "for z = y·y·3, `y.grad` is half of torch's: `y` is used twice, "
           "and the gradients arriving along both paths must add up before its node runs")
    expect(same(y, right["seed"]["y"]), "for y = x + 2, z = y·y·3, out = z.mean(), `y.grad` is not torch's")
    expect(same(array_in(seed, "x", "`x.grad`"), right["seed"]["x"]),
           "for y = x + 2, z = y·y·3, out = z.mean(), `x.grad` is not torch's: does each node run only once all "
           "its gradient has arrived?")
    expect(same(array_in(seed, "again", "`x.grad`"), right["seed"]["again"]),
           "a second backward through a new graph should add to `x.grad` (torch gives twice the gradient)")
    meet = array_in(programs, "meet", "`a.grad`")
    expect(same(meet, right["meet"]), "for (a·a + a).sum(), where `a` is used three times, `a.grad` is not "
           "torch's: add up what arrives along each path")
    deep = part(data, "deep")
    expect_no_recursion(deep, f"backward through a chain of {DEEP} operations raised RecursionError: count the edges with "
                        "a stack of your own, in a loop, not with a function that calls itself")
    ran(deep, "backward on a long chain")
    expect(same(array_in(deep, "x", "`x.grad`"), np.array([1.0])),
           f"after a chain of {DEEP} multiplications by 1, `x.grad` should be [1.]")


# -- q5: the version counter ------------------------------------------------------------

def _version_programs(T, no_grad):
    errors = {}

    def nonleaf():
        x = T(np.ones((2, 2), dtype=np.float32), requires_grad=True)
        y = x + 2
        z = y * y
        y.add_(1)
        z.sum().backward()

    def leaf():
        w = T(np.ones(3, dtype=np.float32), requires_grad=True)
        c = w * w
        with no_grad():
            w.add_(1)
        c.sum().backward()

    def result():
        s = T(np.array(2.0, dtype=np.float32), requires_grad=True)
        e = s.exp()
        with no_grad():
            e.add_(1)
        e.backward()

    def unsaved():
        x = T(np.ones(3, dtype=np.float32), requires_grad=True)
        y = x + 2
        z = y + 3  # an addition saves nothing
        y.add_(1)
        z.sum().backward()

    for key, program in (("nonleaf", nonleaf), ("leaf", leaf), ("result", result), ("unsaved", unsaved)):
        errors[key] = catching(program)[1]
    return errors


def _probe_versions(namespace):
    Tensor, no_grad, grad_mode = need(namespace, "Tensor", "no_grad", "grad_mode")
    try:
        errors, error = catching(_version_programs, Tensor, no_grad)
    finally:
        try:
            grad_mode.enabled = True
        except Exception:
            pass
    return {"errors": {"probe": error} if error else errors}


VERSION_PROGRAMS = {
    "nonleaf": "y = x + 2, z = y * y, then y.add_(1)",
    "leaf": "c = w * w, then w.add_(1) under no_grad",
    "result": "e = s.exp(), then e.add_(1) under no_grad",
}


def _judge_versions(data):
    errors = part(data, "errors")
    if "probe" in errors:
        ran({"error": errors["probe"]}, "the in-place programs")
    right = _version_programs(_torch_tensor, torch.no_grad)
    if all(isinstance(errors.get(key), dict) and errors[key].get("stub") is True for key in VERSION_PROGRAMS):
        raise NotAttempted("`check_version` still raises NotImplementedError: replace `# Your code here` and the "
                           "`raise` below it with your code")
    for key, program in VERSION_PROGRAMS.items():
        mine, theirs = errors.get(key), right[key]
        expect(isinstance(mine, dict), f"for {program}, backward ran without an error: torch refuses, because a "
               "node saved the tensor before it changed. Compare the saved version with the tensor's `_version`")
        expect(mine.get("type") == "RuntimeError", f"for {program}, backward raised "
               f"{str(mine.get('type'))[:60]}; torch raises RuntimeError")
        message = str(mine.get("message", ""))
        if message != theirs["message"]:
            expect("which is output 0 of" in message or "which is output 0 of" not in theirs["message"],
                   f"for {program}, the message should say which node made the tensor: "
                   f"`, which is output 0 of ...,` (its grad_fn's name without Backward0)")
            expect("which is output 0 of" not in message or "which is output 0 of" in theirs["message"],
                   f"for {program}, the tensor is a leaf: the message has no `, which is output 0 of ...,` part")
            raise NotYet(f"for {program}, your message is «{message[:400]}»; torch's is «{theirs['message']}»")
    unsaved = errors.get("unsaved")
    expect(unsaved is None, "for y = x + 2, z = y + 3, then y.add_(1), backward raised an error, but no node had "
           f"saved y: {str((unsaved or {}).get('message', ''))[:160]}")


q1 = Exercise(
    "edges, leaves and AccumulateGrad",
    _probe_leaves,
    _judge_leaves,
    hints=[
        "Three kinds of input: made by an operation, a leaf that requires grad, a constant. Each has its edge.",
        "A leaf's AccumulateGrad is made once and kept on the tensor: `tensor._accumulator` is there for that.",
    ],
)
q2 = Exercise(
    "recording, requires_grad and no_grad",
    _probe_recording,
    _judge_recording,
    hints=[
        "Two conditions decide whether a result is recorded; both must hold.",
        "`__enter__` can remember the mode it found on `self`, for `__exit__` to put back.",
    ],
)
q3 = Exercise(
    "MulBackward0 and ExpBackward0",
    _probe_nodes,
    _judge_nodes,
    hints=[
        "Lesson 15's formulas, on the node's saved tensors; the result is always a tuple.",
        "`b` may have been broadcast: bring its gradient back to `self.shapes[1]`.",
    ],
)
q4 = Exercise(
    "the backward pass",
    _probe_backward,
    _judge_backward,
    hints=[
        "Two loops: one counts, for each node, how many edges lead into it; the other runs the nodes.",
        "Keep the gradient arrived so far for each node in a dict; a node is ready when its count reaches 0.",
        "Before passing a node's gradient on, look at `node._retained`.",
    ],
)
q5 = Exercise(
    "the version counter",
    _probe_versions,
    _judge_versions,
    hints=[
        "The condition is given; the work is torch's message, character for character.",
        "Print torch's message for the three programs of the check and compare them: what changes between "
        "a leaf and a tensor made by an operation?",
    ],
)
