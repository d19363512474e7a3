"""Checks for exercises/14_scalars_exercises.ipynb: a scalar engine, ``Value``, built step by step.

Each probe builds small programs with the student's ``Value`` on numbers the check chooses,
runs the student's ``_backward`` or ``backward`` on them and sends back plain numbers. Each
judge runs the same programs on real torch (float64) and names the usual mistake it sees:
``=`` instead of ``+=``, a missing ``out.grad``, a sign or a factor, a recursive or reversed
topological order.
"""

import math

import numpy as np
import torch

from .exercise import Exercise, NotYet, expect, need
from .track import (DEEP, array, array_in, expect_attempted, expect_no_recursion, float_in, number, part, ran,
                    run, same)

PRESET = 0.25  # what an input's .grad holds before the op's _backward runs: += must keep it
UPSTREAM = 1.5  # the gradient arriving at the op's output
BINARY_POINTS = ((2.0, -3.0), (-0.5, 1.25), (0.7, 0.7))
UNARY_POINTS = (0.7, -1.3, 2.1)
POWERS = ((1.5, 3), (-0.8, 2), (2.0, -1), (0.6, 0.5))
SEED_POINTS = (0.5, -1.2, 1.7)
GRID = torch.linspace(-2, 2, 25, dtype=torch.float64)


# -- probe side: the student's Value on the check's numbers --------------------------------

def _local(Value, make, *xs):
    """Run one op and its ``_backward``: the output's value and each input's ``.grad``."""
    inputs = [Value(x) for x in xs]
    for value in inputs:
        value.grad = PRESET
    out = make(*inputs)
    out.grad = UPSTREAM
    out._backward()
    return {"out": number(out.data), "grads": [number(value.grad) for value in inputs]}


def _case(Value, make, *xs):
    result, error = run(_local, Value, make, *xs)
    return {"error": error} if error else result


OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "exp": lambda a: a.exp(),
    "tanh": lambda a: a.tanh(),
}


def _probe_ops(names, points):
    def probe(namespace):
        Value = need(namespace, "Value")
        return {f"{name} {index}": _case(Value, OPS[name], *(xs if isinstance(xs, tuple) else (xs,)))
                for name in names for index, xs in enumerate(points)}
    return probe


def _probe_pow(namespace):
    Value = need(namespace, "Value")
    return {f"pow {index}": _case(Value, lambda a, k=k: a ** k, x) for index, (x, k) in enumerate(POWERS)}


# -- judge side -------------------------------------------------------------------------

def _torch_local(make, *xs):
    """torch's value and the gradient its backward sends each input, for UPSTREAM."""
    inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = make(*inputs)
    out.backward(torch.tensor(UPSTREAM, dtype=torch.float64))
    return out.item(), [value.grad.item() for value in inputs]


def _judge_case(case, label, make, xs, mistakes=()):
    """One op on one set of inputs against torch. ``mistakes``: (sent(xs, index), hint)
    pairs, where ``sent`` is the gradient a known wrong formula sends input ``index``."""
    ran(case, label)
    value = float_in(case, "out", f"`{label}`'s output `.data`")
    expected_value, sent = _torch_local(make, *xs)
    expect(same(value, expected_value), f"`{label}` computes {value:.6g} from {_inputs(xs)}; the op's value "
           f"is {expected_value:.6g}: check the forward line (`out = Value(...)`)")
    grads = case.get("grads")
    if not isinstance(grads, list) or len(grads) != len(xs):
        raise NotYet(f"the check could not read the inputs' `.grad` after `{label}`")
    for index, (grad, right) in enumerate(zip(grads, sent)):
        if grad is None or isinstance(grad, bool) or not isinstance(grad, (int, float)):
            raise NotYet(f"after `out._backward()`, an input's `.grad` is not a number")
        added = grad - PRESET
        if same(grad, PRESET + right):
            continue
        expect(not same(added, 0.0),
               f"`out._backward()` of `{label}` leaves the inputs' `.grad` unchanged: it should add "
               "the local derivative times `out.grad` to each input's `.grad`")
        expect(not same(grad, right),
               f"`{label}`'s `_backward` replaced the gradient the input already had: use `+=`, "
               "not `=`. Where paths meet (a Value used twice), the gradients add up")
        expect(not same(added, right / UPSTREAM),
               f"`{label}`'s `_backward` sends the local derivative alone: multiply it by `out.grad`, "
               "the gradient arriving from the output (the chain rule)")
        expect(not same(added, -right), f"`{label}`'s derivative has the wrong sign")
        for wrong, hint in mistakes:
            expect(not same(added, wrong(xs, index)), hint)
        ratio = added / right if right else None
        expect(ratio is None or not _whole_ratio(ratio),
               f"`{label}`'s derivative is off by a factor of {ratio:.3g}")
        raise NotYet(f"for {_inputs(xs)}, `{label}`'s `_backward` adds {added:.6g} to input {index + 1}'s `.grad` "
                     f"(with `out.grad = {UPSTREAM}`); that is not the derivative of `{label}`")


def _whole_ratio(ratio):
    return any(abs(ratio - k) < 1e-6 for k in (2.0, 0.5, 3.0, 1 / 3, 4.0, 0.25))


def _inputs(xs):
    return " and ".join(f"{x:g}" for x in xs)


def _judge_ops(names, points, mistakes):
    def judge(data):
        keys = [f"{name} {index}" for name in names for index in range(len(points))]
        expect_attempted(data, keys, " and ".join(f"`{_LABELS[name]}`" for name in names) + "'s `_backward`")
        for name in names:
            for index, xs in enumerate(points):
                xs = xs if isinstance(xs, tuple) else (xs,)
                _judge_case(part(data, f"{name} {index}"), _LABELS[name], OPS[name], xs, mistakes.get(name, ()))
    return judge


_LABELS = {"add": "a + b", "mul": "a * b", "exp": "a.exp()", "tanh": "a.tanh()"}

MISTAKES = {
    "mul": [(lambda xs, i: UPSTREAM * xs[i],
             "in `a * b`, each input's local derivative is the *other* input: d(a·b)/da = b")],
    "exp": [(lambda xs, i: UPSTREAM * xs[0],
             "the derivative of exp is exp itself: use the output's value, not the input's")],
    "tanh": [(lambda xs, i: UPSTREAM * (1 + math.tanh(xs[0]) ** 2),
              "d tanh(x)/dx is 1 − tanh(x)², with a minus sign"),
             (lambda xs, i: UPSTREAM * (1 - math.tanh(xs[0])),
              "d tanh(x)/dx is 1 − tanh(x)²: the tanh is squared"),
             (lambda xs, i: UPSTREAM * (1 - xs[0] ** 2),
              "d tanh(x)/dx is 1 − tanh(x)²: square the output t = tanh(x), not the input x")],
}


def _judge_pow(data):
    keys = [f"pow {index}" for index in range(len(POWERS))]
    expect_attempted(data, keys, "`__pow__`'s `_backward`")
    for index, (x, k) in enumerate(POWERS):
        mistakes = [
            (lambda xs, i, k=k: UPSTREAM * k * xs[0] ** k,
             "the power drops by one: d(xᵏ)/dx = k·xᵏ⁻¹, not k·xᵏ"),
            (lambda xs, i, k=k: UPSTREAM * xs[0] ** (k - 1),
             "d(xᵏ)/dx = k·xᵏ⁻¹: the factor k in front is missing"),
            (lambda xs, i, k=k: UPSTREAM * (k - 1) * xs[0] ** (k - 1),
             "d(xᵏ)/dx = k·xᵏ⁻¹: the factor in front is k, the old power"),
        ]
        _judge_case(part(data, f"pow {index}"), f"a ** {k:g}", lambda a, k=k: a ** k, (x,), mistakes)


# -- q4: the topological order ----------------------------------------------------------

def _small_graph(Value):
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    e = d * d
    return [a, b, c, d, e]


SMALL_NAMES = "abcde"
SMALL_INPUTS = {2: (0, 1), 3: (2, 0), 4: (3,)}  # c = a * b, d = c + a, e = d * d


def _indices(order, nodes):
    found = []
    for item in list(order)[:1000]:
        found.append(next((index for index, node in enumerate(nodes) if node is item), -1))
    return found


def _deep_chain(Value):
    value = root = Value(0.5)
    for _ in range(DEEP):
        value = value * 1.0
    return root, value


def _probe_order(namespace):
    Value, order = need(namespace, "Value", "topological_order")
    nodes, error = run(_small_graph, Value)
    if error:
        return {"small": {"error": error, "building": True}}
    found, error = run(lambda: _indices(order(nodes[-1]), nodes))
    data = {"small": {"error": error} if error else {"order": found}}
    chain, error = run(_deep_chain, Value)
    if error:
        data["deep"] = {"error": error, "building": True}
        return data
    result, error = run(lambda: list(order(chain[1])))
    if error:
        data["deep"] = {"error": error}
    else:
        data["deep"] = {"length": len(result), "root_last": bool(result) and result[-1] is chain[1]}
    del chain, result
    return data


def _judge_order(data):
    small = part(data, "small")
    if small.get("building"):
        raise NotYet("building the check's small graph with your `Value` raised an error: finish steps 1–3 first")
    ran(small, "topological_order")
    order = small.get("order")
    if not isinstance(order, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in order):
        raise NotYet("`topological_order(root)` should return a list of Values")
    expect(-1 not in order, "`topological_order(root)` returned things that are not the graph's Values: "
           "put the Value objects themselves in the list")
    for index in set(order):
        expect(order.count(index) == 1,
               f"Value `{SMALL_NAMES[index]}` appears {order.count(index)} times in the order: remember which "
               "Values you have visited, so that a Value reached by two paths is listed once")
    missing = [SMALL_NAMES[i] for i in range(5) if i not in order]
    expect(not missing, f"for e = (a·b + a)², your order leaves out {', '.join(missing)}: every Value the root "
           "depends on belongs in it, the leaves and the root too")
    position = {node: place for place, node in enumerate(order)}
    reversed_ok = all(position[node] < position[i] for node, inputs in SMALL_INPUTS.items() for i in inputs)
    expect(not reversed_ok, "your order is reversed: it lists the root first. Put each Value *after* its "
           "inputs (root last); backward then walks the list from the end")
    for node, inputs in SMALL_INPUTS.items():
        for i in inputs:
            expect(position[i] < position[node],
                   f"in e = (a·b + a)², `{SMALL_NAMES[node]}` comes before `{SMALL_NAMES[i]}`, one of its inputs: "
                   "a Value may be listed only once all its inputs are")
    deep = part(data, "deep")
    if deep.get("building"):
        raise NotYet(f"building a chain of {DEEP} multiplications with your `Value` raised an error")
    expect_no_recursion(deep, f"on a chain of {DEEP} operations your sort raised RecursionError: a function that calls "
                     "itself once per Value hits Python's recursion limit. Keep the Values still to visit in a "
                        "list (a stack) and loop until it is empty")
    ran(deep, "topological_order")
    length = deep.get("length")
    expect(length == 2 * DEEP + 1, f"on a chain of {DEEP} multiplications by a constant, your order has "
           f"{length} Values; the chain has {2 * DEEP + 1} (each step adds its result and its constant)")
    expect(deep.get("root_last") is True, f"on a chain of {DEEP} operations, your order does not end at the root")


# -- q5: backward on the seed's programs ------------------------------------------------

def _seed_program(Value):
    x = Value(1.0)
    y = x + 2
    z = y * y * 3
    z.backward()
    return {"x": number(x.grad), "y": number(y.grad), "z": number(z.grad)}


def _exp_program(Value, x0):
    x = Value(x0)
    f = (2 * x ** 2 * x.sin()).exp()
    f.backward()
    return {"f": number(f.data), "x": number(x.grad)}


def _chain_backward(Value):
    x = value = Value(0.5)
    for _ in range(DEEP):
        value = value * 1.0
    value.backward()
    return {"x": number(x.grad)}


def _probe_backward(namespace):
    Value = need(namespace, "Value")
    data = {}
    for key, program, args in [("seed", _seed_program, ()), ("chain", _chain_backward, ())] + [
            (f"exp {index}", _exp_program, (x0,)) for index, x0 in enumerate(SEED_POINTS)]:
        result, error = run(program, Value, *args)
        data[key] = {"error": error} if error else result
    return data


def _torch_seed():
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y = x + 2
    y.retain_grad()
    z = y * y * 3
    z.backward()
    return x.grad.item(), y.grad.item()


def _torch_exp(x0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    f = torch.exp(2 * x ** 2 * torch.sin(x))
    f.backward()
    return f.item(), x.grad.item()


def _judge_backward(data):
    seed = part(data, "seed")
    expect_attempted(data, ["seed", "chain"], "`backward`")
    ran(seed, "z.backward()")
    z = float_in(seed, "z", "`z.grad`")
    x = float_in(seed, "x", "`x.grad`")
    y = float_in(seed, "y", "`y.grad`")
    expect(same(z, 1.0), "after `z.backward()`, `z.grad` should be 1 (dz/dz): start by setting the root's own "
           "gradient to 1, before any `_backward` runs")
    x_right, y_right = _torch_seed()
    expect(not same(x, 0.0),
           "for y = x + 2, z = y·y·3, `z.grad` is 1 but `x.grad` stays 0: the `_backward`s ran before the "
           "gradient had arrived at their Values. Run them from the root down: the topological order reversed")
    expect(not same(y, y_right / 2), "for z = y·y·3, `y.grad` is half of torch's: y is used twice, and the two "
           "gradients must add up (`+=`, not `=`, in `__mul__`'s `_backward`)")
    expect(same(y, y_right), f"for y = x + 2, z = y·y·3 at x = 1, `y.grad` is {y:.6g}; torch's is {y_right:.6g}")
    expect(same(x, x_right), f"for y = x + 2, z = y·y·3 at x = 1, `x.grad` is {x:.6g}; torch's is {x_right:.6g}")
    for index, x0 in enumerate(SEED_POINTS):
        case = part(data, f"exp {index}")
        ran(case, "the backward of exp(2x² sin x)")
        f_right, grad_right = _torch_exp(x0)
        expect(same(float_in(case, "f", "f"), f_right),
               f"exp(2x² sin x) at x = {x0} computes the wrong value: check `**`, `exp` (steps 2 and 3)")
        grad = float_in(case, "x", "`x.grad`")
        expect(same(grad, grad_right), f"d/dx exp(2x² sin x) at x = {x0} is {grad:.6g} with your engine; torch "
               f"gives {grad_right:.6g}. The seed's program passed, so look at `**` and `exp`")
    chain = part(data, "chain")
    expect_no_recursion(chain, f"`backward` on a chain of {DEEP} operations raised RecursionError: walk the order from "
                        "`topological_order` in a loop, never by calling `_backward` from inside `_backward`")
    ran(chain, "backward on a long chain")
    expect(same(float_in(chain, "x", "`x.grad`"), 1.0),
           f"on a chain of {DEEP} multiplications by 1, the first Value's gradient should be 1")


# -- q6: the tutorial's exercise --------------------------------------------------------

def _probe_grads(namespace):
    grads = need(namespace, "grads")
    found = array(grads)
    return {"grads": found if found is not None and found.ndim == 1 else None,
            "kind": type(grads).__name__[:80]}


def _judge_grads(data):
    grads = data.get("grads")
    if not isinstance(grads, np.ndarray):
        raise NotYet(f"`grads` should be a list of 25 numbers, but it is a {str(data.get('kind'))[:80]}")
    grads = array_in(data, "grads", "`grads`")
    x = GRID.clone().requires_grad_(True)
    f = torch.exp(2 * x ** 2 * torch.sin(x))
    f.sum().backward()
    expect(grads.shape == (25,), f"`grads` has {grads.shape[0]} numbers: one per point of the 25 in [-2, 2]")
    expect(not same(grads, f.detach().numpy(), rtol=1e-6), "`grads` holds the values of f, not its gradient: "
           "read `x.grad` after `f.backward()`")
    expect(not same(grads[::-1], x.grad.numpy(), rtol=1e-6), "`grads` is in reverse order: start at x = -2")
    expect(same(grads, x.grad.numpy(), rtol=1e-6), "`grads` differs from torch's gradient of exp(2x² sin x): "
           "use a new `Value` for each point, so that no gradient is left over from the previous one")


q1 = Exercise(
    "+ and * with their local derivatives",
    _probe_ops(("add", "mul"), BINARY_POINTS),
    _judge_ops(("add", "mul"), BINARY_POINTS, MISTAKES),
    hints=[
        "`_backward` runs when `out.grad` is known; its job is to pass that gradient on to `self` and `other`.",
        "What does out change by when self changes by a tiny ε? That ratio is the local derivative; the "
        "chain rule multiplies it by `out.grad`.",
        "An input may already hold gradient from another path: add to `.grad`, never overwrite it.",
    ],
)
q2 = Exercise(
    "** with a number as the power",
    _probe_pow,
    _judge_pow,
    hints=[
        "The power k is a plain number, so only `self` gets a gradient.",
        "Remember the power rule from calculus; it also holds for negative and fractional k.",
    ],
)
q3 = Exercise(
    "exp and tanh",
    _probe_ops(("exp", "tanh"), UNARY_POINTS),
    _judge_ops(("exp", "tanh"), UNARY_POINTS, MISTAKES),
    hints=[
        "`sin` above is the pattern: the forward value, then `_backward` adding local derivative × `out.grad`.",
        "Both derivatives can be written with the op's own output, which `_backward` can read as `out.data`.",
    ],
)
q4 = Exercise(
    "a topological order, without recursion",
    _probe_order,
    _judge_order,
    hints=[
        "Start from the root and follow `_prev` to the inputs; a Value reached twice is listed once.",
        "A Value may be written down only once all of its inputs are: a depth-first walk writes a Value "
        "down on its way back, after its inputs.",
        "Instead of calling the function again for each input, keep a list of Values still to visit (a "
        "stack), with a mark saying whether their inputs are done.",
    ],
)
q5 = Exercise(
    "backward",
    _probe_backward,
    _judge_backward,
    hints=[
        "Two things happen in `backward`: the root gets its own gradient, then each Value passes its gradient on.",
        "A Value can pass its gradient on only once all of it has arrived, from every path: which end of "
        "the topological order has that property?",
    ],
)
q6 = Exercise(
    "the tutorial's exercise, with your engine",
    _probe_grads,
    _judge_grads,
    hints=[
        "For each of the 25 points, make a fresh `Value`, build f from it and call `backward`.",
        "`x ** 2`, `x.sin()` and `.exp()` are all there; `2 * ...` works thanks to `__rmul__`.",
    ],
)
