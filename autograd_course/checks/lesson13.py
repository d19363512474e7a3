"""Checks for exercises/13_grad_hooks_anomaly_exercises.ipynb: gradients of gradients, a
tensor hook, and the node anomaly detection names.

Every probe runs the student's code on inputs of its own: q1 calls `second_derivative` on a
function the student has not seen (counting the engine's calls, so that the functional API
cannot stand in for `autograd.grad`); q2 hands `clip_gradient` fresh tensors, runs backward
through them and removes the hook with the handle it returned; q4 calls `nan_source` on
programs of its own, one of them without a NaN. The judges compute every reference with
torch, here: derivatives with `autograd.grad`, anomaly reports by running the same programs
under `detect_anomaly`.
"""

import functools
import inspect
import re
import warnings

import numpy as np
import torch

from .exercise import Exercise, NotYet, attempt, expect, expect_ran, need
from .observe import watch_calls
from .tensors import array_in, close, kind_in, notebook_engine, read, read_array, tensor_in, to_engine, value_in

# -- q1: a second derivative --------------------------------------------------------------

POINTS = [-1.5, -0.4, 0.0, 0.9, 2.0]
SHORTCUTS = ("functional.hessian", "functional.jacobian", "functional.vhp", "functional.hvp", "torch.func")
NO_GRAPH = "does not require grad and does not have a grad_fn"
NOT_SCALAR = "grad can be implicitly created only for scalar outputs"


def _wave(engine):
    """An elementwise function the student has not seen, in ``engine``."""
    return lambda t: engine.sin(2 * t) * t**3


@functools.cache
def _derivatives():
    """(f', f'') of ``_wave`` at POINTS, from torch in float64."""
    x = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
    (first,) = torch.autograd.grad(_wave(torch)(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    return first.detach().numpy(), second.numpy()


def _probe_second_derivative(namespace):
    second_derivative = need(namespace, "second_derivative")
    engine = notebook_engine(namespace)
    found, error, seen = watch_calls(second_derivative, _wave(engine), to_engine(engine, POINTS))
    one_tuple = type(found) in (tuple, list) and len(found) == 1 and read(found[0]).get("kind") == "tensor"
    return {"found": read_array(found), "one_tuple": one_tuple, "error": error, "calls": seen["calls"]}


def _judge_second_derivative(data):
    calls = data.get("calls")
    expect(isinstance(calls, dict), "the check's data about your function's calls is not readable")
    grad_calls = calls.get("grad")
    error = data.get("error")
    used = [name for name in SHORTCUTS if calls.get(name)]
    expect(
        not used,
        "`second_derivative` uses " + ", ".join(f"`{name}`" for name in used) + ": this exercise "
        "differentiates twice with `torch.autograd.grad`",
    )
    if isinstance(error, dict) and NO_GRAPH in str(error.get("message", "")) and grad_calls == 1:
        raise NotYet(
            "the first gradient failed: the check's `x` does not require grad, so `f(x)` has no "
            "graph. Inside your function, make a copy of `x` that requires grad before calling `f`"
        )
    expect_ran(
        error,
        "second_derivative",
        explain={
            NO_GRAPH: "differentiating the first derivative failed: it has no graph of its own. "
            "Pass `create_graph=True` to the first `torch.autograd.grad`",
            NOT_SCALAR: "`torch.autograd.grad` of a tensor with several entries needs one number "
            "to differentiate: for an elementwise function, the gradient of the sum holds each "
            "point's derivative (or pass `grad_outputs=torch.ones_like(...)`)",
            "cannot be converted to Scalar": "`.item()` turns a single number into a float; "
            "return the tensor of second derivatives, one per point",
        },
    )
    expect(
        isinstance(grad_calls, int) and grad_calls >= 2,
        "`second_derivative` calls `torch.autograd.grad` fewer than twice: once for the first "
        "derivative, once more for the derivative of that",
    )
    one_tuple = data.get("one_tuple")
    expect(isinstance(one_tuple, bool), "the check's data about your function's result is not readable")
    expect(
        not one_tuple,
        "`second_derivative` returns a tuple holding one tensor: `torch.autograd.grad` returns one "
        "gradient per input, in a tuple; return its element `[0]`",
    )
    found = array_in(data, "found", "second_derivative(f, x)")
    first, second = _derivatives()
    expect(
        found.shape == second.shape,
        f"for {len(POINTS)} points `second_derivative(f, x)` should hold {len(POINTS)} values, one "
        f"per point, but it has shape {found.shape}",
    )
    expect(not close(found, first), "`second_derivative(f, x)` holds the first derivative: differentiate it once more")
    expect(close(found, second), "`second_derivative(f, x)` does not hold the second derivative of `f` at `x`")


# -- q2: a hook that clips ----------------------------------------------------------------

START = [0.5, -1.0, 2.0, 0.25, -0.75]
PULL = [-3.0, -0.5, 0.2, 2.5, 1.0]  # the gradient each entry gets: some beyond [-1, 1]
THROUGH = [4.0, -0.3, -2.0]  # another size, for a tensor computed from a leaf
BOUND = 1.0


def _backward_of(engine, leaf, tensor, pull):
    """Backpropagate ``(tensor * pull).sum()``; (the leaf's .grad as read, error data)."""
    loss, error = attempt(lambda: (tensor * to_engine(engine, pull)).sum())
    if error is None:
        _, error = attempt(loss.backward)
    return read(leaf), error


def _probe_clip(namespace):
    clip_gradient = need(namespace, "clip_gradient")
    engine = notebook_engine(namespace)
    leaf = to_engine(engine, START, requires_grad=True)
    handle, error = attempt(clip_gradient, leaf)
    data = {"error": error, "handle": {"kind": kind_in({"h": read(handle)}, "h"), "removable": callable(getattr(handle, "remove", None))}}
    if error is not None:
        return data
    data["leaf"], data["leaf_error"] = _backward_of(engine, leaf, leaf, PULL)
    source = to_engine(engine, np.ones(len(THROUGH)), requires_grad=True)
    computed, data["through_error"] = attempt(lambda: source * 2.0)
    if data["through_error"] is None:
        _, data["through_error"] = attempt(clip_gradient, computed)
    if data["through_error"] is None:
        data["through"], data["through_error"] = _backward_of(engine, source, computed, THROUGH)
    if data["handle"]["removable"]:
        _, data["remove_error"] = attempt(handle.remove)
        if data["remove_error"] is None:
            leaf.grad = None
            data["removed"], data["removed_error"] = _backward_of(engine, leaf, leaf, PULL)
    return data


def _clipped(values, bound=BOUND):
    return np.clip(np.asarray(values, dtype=float), -bound, bound)


HOOK_ERRORS = {
    "has changed the size": "your hook returns a tensor of another shape than the gradient it "
    "got: return the gradient itself, clamped",
    "hook returned": "a hook returns a tensor (or None): return the clamped gradient as a tensor",
    "NoneType": "inside a hook, the gradient is the hook's argument; `t.grad` is not filled yet",
}


def _expect_clipped(grad, name, pull, scale=1.0):
    expect(grad is not None, f"after backward `{name}.grad` is None: does the hook return the gradient?")
    found, raw, right = grad.values, scale * np.asarray(pull), scale * _clipped(pull)
    expect(found.shape == right.shape, f"`{name}.grad` has shape {found.shape}, not the shape {right.shape} of `{name}`")
    expect(
        not close(found, raw),
        "the gradient came through unchanged: a hook that returns None only looks at the "
        "gradient; return the clamped gradient, which then replaces it",
    )
    ratio = found / raw
    expect(
        not (np.all(ratio > 0) and np.allclose(ratio, ratio[0])),
        "your hook scales the whole gradient; clamp each entry to [-1, 1] instead",
    )
    expect(close(found, right), "the gradient that arrives is not the original one with every entry clamped to [-1, 1]")


def _judge_clip(data):
    handle = data.get("handle")
    expect(isinstance(handle, dict), "the check's data about your handle is not readable")
    expect_ran(
        data.get("error"),
        "clip_gradient",
        explain={"doesn't require gradient": "register the hook on `t` itself: a detached copy does not require grad"},
    )
    expect_ran(data.get("leaf_error"), "backward", explain=HOOK_ERRORS)
    _expect_clipped(tensor_in(data, "leaf", "a leaf").grad, "t", PULL)
    expect_ran(data.get("through_error"), "backward through a computed tensor", explain=HOOK_ERRORS)
    _expect_clipped(tensor_in(data, "through", "x").grad, "x", THROUGH, scale=2.0)
    expect(
        handle.get("kind") != "NoneType",
        "`clip_gradient` returns None: return the handle `register_hook` gives you, so that the "
        "hook can be removed later",
    )
    expect(
        handle.get("removable") is True,
        f"`clip_gradient` returns a {str(handle.get('kind'))[:40]}, not a handle with `.remove()`: "
        "return what `register_hook` returns",
    )
    expect_ran(data.get("remove_error"), "handle.remove")
    expect_ran(data.get("removed_error"), "backward after handle.remove()")
    removed = tensor_in(data, "removed", "t").grad
    expect(
        removed is not None and close(removed.values, PULL),
        "after `handle.remove()` the gradient is still changed: return the handle of the one "
        "hook that clips (and register only that one)",
    )


# -- q3 and q4: the node that made a NaN --------------------------------------------------

def programs(torch):
    """The programs whose NaN the checks look for, in the engine ``torch``: the exercise's
    `spread` (its text must stay the given cell's) and two the student has not seen."""

    def spread(points):
        centre = points.mean(0)
        offsets = points - centre
        squared = offsets ** 2
        lengths = torch.sqrt(squared.sum(1))
        weights = torch.exp(-lengths)
        return (weights * lengths).sum()

    def energy(x):
        centred = x - x.mean()
        squares = centred * centred
        radius = torch.sqrt(squares.sum())
        return radius + 1.0

    def entropy(p):
        logs = torch.log(p)
        terms = p * logs
        return -terms.sum()

    def smooth(x):
        return (torch.exp(-x) * x).sum()

    return {"spread": spread, "energy": energy, "entropy": entropy, "smooth": smooth}


SPREAD_POINTS = [[1.0, 0.0], [3.0, 0.0], [1.0, 3.0], [-1.0, -3.0]]  # the first is their mean
HIDDEN = {"energy": [1.5, 1.5, 1.5], "entropy": [0.5, 0.5, 0.0], "smooth": [0.5, -1.0, 2.0]}
NODE_NAME = re.compile(r"^(?:[A-Za-z]+Backward\d+|AccumulateGrad|CopySlices)$")


def source_line(message, function):
    """The forward line of ``function`` (a name) that an anomaly warning shows: the line
    under its last ``File ..., in function`` entry (torch's own wrappers can follow it), or
    None when there is none or it has no source (code run from a string)."""
    lines = message.splitlines()
    entries = [index for index, line in enumerate(lines)
               if line.lstrip().startswith("File ") and line.rstrip().endswith(f", in {function}")]
    if not entries or entries[-1] + 1 == len(lines):
        return None
    entry, below = lines[entries[-1]], lines[entries[-1] + 1]
    indent = len(entry) - len(entry.lstrip())
    return below.strip() if len(below) - len(below.lstrip()) > indent else None


def anomaly_of(program, values, engine=torch):
    """(node, forward line) that ``engine``'s anomaly detection names for the backward of
    ``program`` at ``values``, or (None, None) when no backward made a NaN."""
    x = to_engine(engine, values, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught, engine.autograd.detect_anomaly():
        warnings.simplefilter("always")
        try:
            program(x).backward()
        except RuntimeError:
            pass
    for warning in caught:
        message = str(warning.message)
        if message.startswith("Error detected in "):
            return message.split()[3].rstrip("."), source_line(message, program.__name__)
    return None, None


@functools.cache
def _reference(name):
    values = SPREAD_POINTS if name == "spread" else HIDDEN[name]
    return anomaly_of(programs(torch)[name], values)


def _normal(line):
    return " ".join(str(line).split())


def _probe_spread(namespace):
    spread_node, spread_line = need(namespace, "spread_node", "spread_line")
    return {"node": read(spread_node), "line": read(spread_line)}


def _expect_node_name(data, key, name, none=None):
    kind = kind_in(data, key)
    expect(kind != "NoneType", none or f"`{name}` is None: anomaly detection names a node for this program")
    expect(
        kind == "str",
        f"`{name}` should be the node's name, a str such as 'MulBackward0', but it is a "
        f"{'node: take its `.name()`' if 'Backward' in kind else kind}",
    )
    text = str(value_in(data, key)).strip()
    expect(
        NODE_NAME.match(text) is not None,
        f"`{name}` should be just the node's name as the warning's first line spells it (such as "
        f"'MulBackward0', with its number), not {text[:60]!r}",
    )
    return text


def spread_lines():
    """The lines of the exercise's `spread` below its `def`, as the traceback shows them."""
    source = inspect.getsource(programs(torch)["spread"])
    return [line.strip() for line in source.splitlines()[1:] if line.strip()]


def _right_hand(line):
    return line.partition("=")[2].strip() if "=" in line and not line.startswith("return") else line


def _judge_spread(data):
    node = _expect_node_name(data, "node", "spread_node")
    expect(kind_in(data, "line") == "str", "`spread_line` should be the forward line, a str such as 'y = x * 2'")
    line = _normal(value_in(data, "line"))
    right_node, right_line = _reference("spread")
    right = {_normal(right_line), _normal(_right_hand(right_line))}
    known = {_normal(text) for whole in spread_lines() for text in (whole, _right_hand(whole))}
    expect(
        line in known,
        "`spread_line` should be one line of `spread`, copied as the traceback shows it (such as 'y = x * 2')",
    )
    expect(
        node == right_node,
        "`spread_node` is not the node that anomaly detection names: run the backward inside "
        "`with torch.autograd.detect_anomaly():` and read the warning that begins 'Error "
        "detected in'. (An inf is not a NaN: the first NaN can appear later than you expect)",
    )
    expect(
        line in right,
        "`spread_node` is right, but `spread_line` is not the forward line the warning's traceback "
        "shows (the line under its entry `in spread`)",
    )


def _probe_nan_source(namespace):
    nan_source = need(namespace, "nan_source")
    engine = notebook_engine(namespace)
    made = programs(engine)
    seen = {}
    for name, values in HIDDEN.items():
        # Every warning reaches the student's code (the probe's own filter ignores them), and
        # those it does not catch itself are kept here rather than shown in the check's output.
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            found, error = attempt(nan_source, made[name], to_engine(engine, values))
        left_on = bool(engine.is_anomaly_enabled())
        engine.set_anomaly_enabled(False)
        seen[name] = {"found": read(found), "error": error, "left_on": left_on}
    return {"programs": seen}


NAN_SOURCE_ERRORS = {
    "returned nan values": "anomaly detection raises a RuntimeError right after its warning: "
    "catch it (`try:` ... `except RuntimeError:`) and then read the warning",
    NO_GRAPH: "the check passes `x` without requires_grad: make a copy of `x` that requires grad "
    "before calling `f`",
}


def _judge_nan_source(data):
    seen = data.get("programs")
    expect(isinstance(seen, dict) and set(seen) == set(HIDDEN), "the check's data about your function is not readable")
    for name in HIDDEN:
        one = seen[name]
        expect(isinstance(one, dict), "the check's data about your function is not readable")
        clean = _reference(name)[0] is None
        if clean:
            error = one.get("error")
            if isinstance(error, dict) and error.get("type") in ("IndexError", "StopIteration", "KeyError", "ValueError"):
                raise NotYet(
                    f"for a function whose backward makes no NaN, `nan_source` raised "
                    f"{str(error.get('type'))[:40]}: no warning begins 'Error detected in' then, so return None"
                )
        expect_ran(one.get("error"), "nan_source", explain=NAN_SOURCE_ERRORS)
        expect(
            one.get("left_on") is False,
            "anomaly detection is still on after `nan_source` returns: switch it on with "
            "`with torch.autograd.detect_anomaly():`, which switches it off again",
        )
        if clean:
            expect(
                kind_in(one, "found") == "NoneType",
                "for a function whose backward makes no NaN, `nan_source` should return None",
            )
            continue
        found = _expect_node_name(
            one,
            "found",
            "nan_source(f, x)",
            none="`nan_source` returned None for a program whose backward makes a NaN: does the "
            "backward run? (The check's `x` does not require grad: use a copy that does)",
        )
        expect(
            found == _reference(name)[0],
            "`nan_source` does not return the node that anomaly detection names for a function "
            "of the check's own: the node is in the warning that begins 'Error detected in', not "
            "the last operation of `f`",
        )


q1 = Exercise(
    "a second derivative with autograd.grad",
    _probe_second_derivative,
    _judge_second_derivative,
    hints=[
        "The first `torch.autograd.grad` must record a graph of the gradient it returns.",
        "For an elementwise function, the gradient of the sum holds one derivative per point; "
        "the same trick works for the second round.",
    ],
)
q2 = Exercise(
    "a hook that clips the gradient",
    _probe_clip,
    _judge_clip,
    hints=[
        "A hook gets the gradient and may return a new tensor, which replaces it.",
        "`register_hook` returns a handle; `clamp` limits every entry.",
    ],
)
q3 = Exercise(
    "the node and the line that made the NaN",
    _probe_spread,
    _judge_spread,
    hints=[
        "Run `spread(points).backward()` inside `with torch.autograd.detect_anomaly():`.",
        "The warning's first line names the node; its traceback ends with the line of `spread` "
        "that made it.",
    ],
)
q4 = Exercise(
    "find the NaN's node in any program",
    _probe_nan_source,
    _judge_nan_source,
    hints=[
        "`warnings.catch_warnings(record=True)` keeps the warnings in a list; anomaly mode then raises.",
        "The warning you want begins 'Error detected in'; its fourth word is the node's name.",
    ],
)
