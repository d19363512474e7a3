"""Checks for exercises/15_tensors_on_numpy_exercises.ipynb: the engine of lesson 14 on NumPy
arrays, with broadcasting undone on the way back.

Every probe draws a seed, makes its shapes and values from it (distinct sizes, so that a
transpose or a missing sum shows as a wrong shape), runs the student's code on them and sends
back the seed with the arrays it got. The judge rebuilds the same inputs from the seed and
computes each reference with torch's own backward.
"""

import numpy as np
import torch

from .exercise import Exercise, NotYet, expect, need
from .track import array, array_in, expect_attempted, new_seed, part, ran, run, same, seed_in

PRESET = 0.25  # every input's .grad before the op's _backward runs: += must keep it
UNBROADCAST_ERRORS = ("non-broadcastable output operand", "could not be broadcast")


def _sizes(rng):
    n, k, m = (int(size) for size in rng.choice(np.arange(2, 7), 3, replace=False))
    return n, k, m


def _values(rng, shape):
    return np.asarray(rng.uniform(-2, 2, size=shape).round(3) + 0.0, dtype=np.float64)


def _unbroadcast_cases(seed):
    rng = np.random.default_rng(seed)
    n, k, m = _sizes(rng)
    shapes = [((n, m), (m,)), ((n, m), (n, 1)), ((k, n, m), (1, m)), ((k, n, m), (k, 1, m)),
              ((n, m), (n, m)), ((n, m), ())]
    return [(_values(rng, big), small) for big, small in shapes]


def _op_cases(seed, op):
    """``[(inputs, upstream gradient)]`` for ``op``, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    n, k, m = _sizes(rng)
    shapes = {
        "add": [((n, m), (m,)), ((n, 1), (1, m)), ((k, n, m), (n, 1)), ((n, m), (n, m))],
        "mul": [((n, m), (m,)), ((n, 1), (1, m)), ((k, n, m), (n, 1)), ((n, m), (n, m))],
        "sum": [((n, m),), ((k, n, m),)],
        "mean": [((n, m),), ((k, n, m),)],
        "matmul": [((n, k), (k, m)), ((m, n), (n, k))],
        "relu": [((n, m),), ((k, n, m),)],
    }[op]
    cases = []
    for input_shapes in shapes:
        inputs = [_values(rng, shape) for shape in input_shapes]
        if op == "relu":  # keep clear of 0, where a derivative has to pick a side
            inputs = [np.where(np.abs(x) < 0.05, 0.5, x) for x in inputs]
            for x in inputs:  # both sides of 0 in every case, so that a missing mask shows
                x.flat[0], x.flat[1] = -abs(x.flat[0]), abs(x.flat[1])
        out_shape = apply_op(op, *[torch.from_numpy(x) for x in inputs]).shape
        cases.append((inputs, _values(rng, tuple(out_shape))))
    return cases


def apply_op(op, *inputs):
    """``op`` on torch tensors or on the student's: both spell it the same way."""
    return {
        "add": lambda a, b: a + b,
        "mul": lambda a, b: a * b,
        "sum": lambda a: a.sum(),
        "mean": lambda a: a.mean(),
        "matmul": lambda a, b: a @ b,
        "relu": lambda a: a.relu(),
    }[op](*inputs)


# -- probe side -------------------------------------------------------------------------

def _probe_unbroadcast(namespace):
    unbroadcast = need(namespace, "unbroadcast")
    seed = new_seed()
    data = {"seed": seed}
    for index, (grad, shape) in enumerate(_unbroadcast_cases(seed)):
        result, error = run(unbroadcast, grad.copy(), shape)
        data[f"case {index}"] = {"error": error} if error else {"result": array(result)}
    return data


def _local(Tensor, op, inputs, upstream):
    tensors = [Tensor(x.copy()) for x in inputs]
    for tensor in tensors:
        tensor.grad = np.full(np.shape(tensor.data), PRESET)
    out = apply_op(op, *tensors)
    out.grad = upstream.copy()
    out._backward()
    return {"out": array(out.data), "grads": [array(tensor.grad) for tensor in tensors]}


def _probe_ops(*ops):
    def probe(namespace):
        Tensor = need(namespace, "Tensor")
        seed = new_seed()
        data = {"seed": seed}
        for op in ops:
            for index, (inputs, upstream) in enumerate(_op_cases(seed, op)):
                result, error = run(_local, Tensor, op, inputs, upstream)
                data[f"{op} {index}"] = {"error": error} if error else result
        return data
    return probe


# -- judge side -------------------------------------------------------------------------

def _judge_unbroadcast(data):
    seed = seed_in(data)
    cases = _unbroadcast_cases(seed)
    expect_attempted(data, [f"case {index}" for index in range(len(cases))], "`unbroadcast`")
    for index, (grad, shape) in enumerate(cases):
        case = part(data, f"case {index}")
        ran(case, "unbroadcast")
        result = case.get("result")
        if not isinstance(result, np.ndarray):
            raise NotYet("`unbroadcast` should return a NumPy array")
        right = torch.from_numpy(grad).sum_to_size(shape).numpy() if shape else np.array(grad.sum())
        where = f"`unbroadcast(grad, {shape})` with a grad of shape {grad.shape}"
        if result.shape != right.shape:
            expect(result.shape != grad.shape, f"{where} returned the grad's own shape: sum over the dimensions "
                   "that broadcasting added or stretched")
            expect(result.size != right.size, f"{where} has shape {result.shape}, not {shape}: keep the "
                   "dimensions of size 1 (`keepdims=True`)")
            raise NotYet(f"{where} has shape {result.shape}; it should have the shape {shape}")
        expect(grad.size == right.size or not same(result * grad.size / right.size, right),
               f"{where}: broadcasting copied the values, so their gradients add up: sum, not mean")
        expect(same(result, right), f"{where} has the right shape but not the right values")


def _judge_ops(*ops, mistakes=None):
    mistakes = mistakes or {}

    def judge(data):
        seed = seed_in(data)
        cases = {op: _op_cases(seed, op) for op in ops}
        expect_attempted(data, [f"{op} {i}" for op in ops for i in range(len(cases[op]))],
                         " and ".join(f"`{LABELS[op]}`" for op in ops) + "'s `_backward`")
        for op in ops:
            for index, (inputs, upstream) in enumerate(cases[op]):
                _judge_case(part(data, f"{op} {index}"), op, inputs, upstream, mistakes.get(op, ()))
    return judge


LABELS = {"add": "a + b", "mul": "a * b", "sum": "a.sum()", "mean": "a.mean()", "matmul": "a @ b",
          "relu": "a.relu()"}
NAMES = "ab"


def _torch_grads(op, inputs, upstream):
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = apply_op(op, *tensors)
    out.backward(torch.from_numpy(upstream))
    return out.detach().numpy(), [tensor.grad.numpy() for tensor in tensors]


def _judge_case(case, op, inputs, upstream, mistakes):
    label = LABELS[op]
    shapes = " and ".join(str(x.shape) for x in inputs)
    error = case.get("error")
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    if op == "matmul" and any(text in message for text in UNBROADCAST_ERRORS + ("core dimension",)):
        raise NotYet(f"`{label}` on shapes {shapes}: the backward multiplies or adds arrays of the wrong shapes "
                     f"({message[:120]}). Write the shapes down: `out.grad` has the output's shape, and each "
                     "gradient must have its own tensor's shape")
    if op in ("add", "mul") and any(text in message for text in UNBROADCAST_ERRORS):
        raise NotYet(f"`{label}` on shapes {shapes}: adding the output's gradient into an input's `.grad` "
                     f"failed ({str(error.get('message'))[:120]}). An input that was broadcast needs its "
                     "gradient summed back to its own shape: `unbroadcast`")
    ran(case, f"{label} and its _backward")
    value = array_in(case, "out", f"`{label}`'s output `.data`")
    right_value, right_grads = _torch_grads(op, inputs, upstream)
    expect(value.shape == right_value.shape and same(value, right_value),
           f"`{label}` on shapes {shapes} computes the wrong output: check the forward line")
    grads = case.get("grads")
    if not isinstance(grads, list) or len(grads) != len(inputs):
        raise NotYet(f"the check could not read the inputs' `.grad` after `{label}`")
    ones = _torch_grads(op, inputs, np.ones_like(upstream))[1]
    for index, (grad, right, x) in enumerate(zip(grads, right_grads, inputs)):
        name = NAMES[index]
        if not isinstance(grad, np.ndarray):
            raise NotYet(f"after `out._backward()` of `{label}`, `{name}.grad` is not an array")
        if grad.shape != x.shape:
            expect(grad.shape != right_value.shape,
                   f"`{label}` on shapes {shapes}: `{name}.grad` has shape {grad.shape}, the output's shape, but "
                   f"`{name}` has shape {x.shape}: undo the broadcasting with `unbroadcast`")
            raise NotYet(f"`{label}` on shapes {shapes}: `{name}.grad` has shape {grad.shape}, but a gradient has "
                         f"the shape of its tensor, {x.shape}")
        if same(grad, PRESET + right):
            continue
        added = grad - PRESET
        expect(not same(added, 0 * right), f"`out._backward()` of `{label}` leaves `{name}.grad` unchanged")
        expect(not same(grad, right), f"`{label}`'s `_backward` replaced the gradient `{name}` already had: "
               "use `+=`, not `=`; where paths meet the gradients add up")
        expect(not same(added, ones[index]) or same(upstream, np.ones_like(upstream)),
               f"`{label}`'s `_backward` ignores `out.grad`: the chain rule multiplies by the gradient arriving "
               "from the output")
        expect(not same(added, -right), f"`{label}`'s derivative has the wrong sign")
        for wrong, hint in mistakes:
            found = wrong(inputs, upstream, index)
            expect(found is None or not same(added, found), hint)
        ratio = _constant_ratio(added, right)
        expect(ratio is None, f"`{label}`'s gradient for `{name}` is off by a factor of {ratio:.4g}")
        raise NotYet(f"`{label}` on shapes {shapes}: `{name}.grad` has the right shape but not torch's values")


def _constant_ratio(found, right):
    mask = np.abs(right) > 1e-9
    if not mask.any():
        return None
    ratios = found[mask] / right[mask]
    ratio = float(ratios[0])
    return ratio if abs(ratio - 1) > 1e-6 and np.allclose(ratios, ratio, rtol=1e-6) else None


MISTAKES = {
    "mul": [(lambda xs, g, i: _sum_to(g * xs[i], xs[i].shape),
             "in `a * b`, each input's local derivative is the *other* input")],
    "relu": [(lambda xs, g, i: g * np.maximum(xs[0], 0),
              "relu's local derivative is 1 where the input was positive and 0 elsewhere, not the output"),
             (lambda xs, g, i: g,
              "relu lets the gradient through only where the input was positive: mask it")],
    "mean": [(lambda xs, g, i: np.broadcast_to(g, xs[0].shape),
              "the mean divides by the number of elements, so its gradient does too")],
}


def _sum_to(grad, shape):
    try:
        return torch.from_numpy(np.ascontiguousarray(grad)).sum_to_size(shape).numpy()
    except RuntimeError:
        return None


# -- q6: whole programs -----------------------------------------------------------------

def _program_inputs(seed):
    rng = np.random.default_rng(seed)
    n, k, m = _sizes(rng)
    b = _values(rng, (m,))
    b[0], b[1] = -10.0, 10.0  # one column all below 0 and one all above, so that relu matters
    return _values(rng, (n, k)), _values(rng, (k, m)), b


def _student_programs(Tensor, layer_loss, seed):
    x = Tensor(np.ones((2, 2)))
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    seed_program = {"out": array(out.data), "x": array(x.grad)}
    X, W, b = (Tensor(value) for value in _program_inputs(seed))
    loss = layer_loss(X, W, b)
    loss.backward()
    return {"seed_program": seed_program,
            "layer": {"loss": array(loss.data), "X": array(X.grad), "W": array(W.grad), "b": array(b.grad)}}


def _probe_programs(namespace):
    Tensor, layer_loss = need(namespace, "Tensor", "layer_loss")
    seed = new_seed()
    result, error = run(_student_programs, Tensor, layer_loss, seed)
    return {"seed": seed, **({"programs": {"error": error}} if error else {"programs": result})}


def _judge_programs(data):
    seed = seed_in(data)
    programs = part(data, "programs")
    ran(programs, "layer_loss")
    x = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    mine = part(programs, "seed_program")
    expect(same(array_in(mine, "out", "`out`"), out.detach().numpy()),
           "the tutorial's program (x = ones(2, 2), y = x + 2, z = y·y·3, out = z.mean()) computes the wrong `out`")
    found = array_in(mine, "x", "`x.grad`")
    expect(found.shape == (2, 2), f"in the tutorial's program, `x.grad` has shape {found.shape}, not (2, 2)")
    expect(same(found, x.grad.numpy()), "in the tutorial's program, `x.grad` is not torch's (4.5 everywhere)")
    X, W, b = (torch.tensor(value, requires_grad=True) for value in _program_inputs(seed))
    loss = (X @ W + b).relu().mean()
    loss.backward()
    layer = part(programs, "layer")
    expect(same(array_in(layer, "loss", "the loss"), loss.detach().numpy()),
           "`layer_loss(X, W, b)` does not compute relu(X @ W + b).mean()")
    for name, tensor in (("W", W), ("b", b), ("X", X)):
        found = array_in(layer, name, f"`{name}.grad`")
        expect(found.shape == tuple(tensor.shape),
               f"in relu(X @ W + b).mean(), `{name}.grad` has shape {found.shape}, not {tuple(tensor.shape)}")
        expect(same(found, tensor.grad.numpy()),
               f"in relu(X @ W + b).mean(), `{name}.grad` differs from torch's")


q1 = Exercise(
    "unbroadcast",
    _probe_unbroadcast,
    _judge_unbroadcast,
    hints=[
        "Broadcasting used each value of the small array many times; its gradient collects all those uses.",
        "Two kinds of dimensions to sum over: the leading ones the small shape does not have, and those "
        "where it has size 1 but the gradient does not.",
    ],
)
q2 = Exercise(
    "+ and * with broadcasting",
    _probe_ops("add", "mul"),
    _judge_ops("add", "mul", mistakes=MISTAKES),
    hints=[
        "The same rules as for `Value`, elementwise: then bring each gradient back to its input's shape.",
        "`out.grad` has the output's shape; an input that was broadcast is smaller.",
    ],
)
q3 = Exercise(
    "sum and mean",
    _probe_ops("sum", "mean"),
    _judge_ops("sum", "mean", mistakes=MISTAKES),
    hints=[
        "Each element of `a` moves the sum by exactly as much as it moves itself.",
        "The mean is the sum divided by a constant: the number of elements.",
    ],
)
q4 = Exercise(
    "matmul",
    _probe_ops("matmul"),
    _judge_ops("matmul"),
    hints=[
        "Write the shapes down: `a` is (n, k), `b` is (k, m), `out.grad` is (n, m). `a.grad` must be (n, k).",
        "Only one product of `out.grad` and `b` (one of them transposed) has the shape (n, k).",
    ],
)
q5 = Exercise(
    "relu",
    _probe_ops("relu"),
    _judge_ops("relu", mistakes=MISTAKES),
    hints=[
        "relu is x where x > 0 and 0 elsewhere: what is its slope on each side?",
        "Multiply `out.grad` by an array of 0s and 1s made from the input.",
    ],
)
q6 = Exercise(
    "the tutorial's program and a layer",
    _probe_programs,
    _judge_programs,
    hints=[
        "One line, with the operations of steps 2–5; the check calls `backward` on what it returns.",
        "If only `b.grad` is wrong, look at how `+` undoes the broadcasting of `b`.",
    ],
)
