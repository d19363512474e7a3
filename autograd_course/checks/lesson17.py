"""Checks for exercises/17_capstone_exercises.ipynb: the student's engine (lesson 16's, with
three more operations) runs the tutorial's programs and a training loop, and the course's
own graph drawing and backward stepper work on it.

The probes run the check's programs with the student's ``Tensor``; the judges run them with
torch and compare graphs (as :func:`graph_structure` and :func:`graph_text` give them),
gradients and loss curves.
"""

import numpy as np
import torch

from ..graph.text import graph_text
from ..graph.walk import graph_structure
from .exercise import Exercise, NotYet, expect, need
from .lesson16 import _plain
from .track import array, array_in, catching, expect_attempted, new_seed, part, ran, same, seed_in

GRID = np.linspace(-2, 2, 25, dtype=np.float32)


# -- q1: the tutorial's programs on the student's engine --------------------------------

def _tutorial(T):
    x = T(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    seed = {"graph": graph_structure(out), "out": array(out.data)}
    out.backward()
    seed["x"] = array(x.grad)
    s = T(GRID.copy(), requires_grad=True)
    f = (2 * s ** 2 * s.sin()).exp()
    exp = {"graph": graph_structure(f.sum())}
    f.sum().backward()
    exp["grad"] = array(s.grad)
    return _plain({"seed": seed, "exp": exp})


def _probe_tutorial(namespace):
    Tensor = need(namespace, "Tensor")
    result, error = catching(_tutorial, Tensor)
    return {"programs": {"error": error} if error else result}


def _torch_tutorial():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    out = (y * y * 3).mean()
    seed = {"graph": graph_structure(out), "out": out.detach().numpy()}
    out.backward()
    seed["x"] = x.grad.numpy()
    s = torch.tensor(GRID, requires_grad=True)
    f = torch.exp(2 * s ** 2 * torch.sin(s))
    exp = {"graph": graph_structure(f.sum())}
    f.sum().backward()
    exp["grad"] = s.grad.numpy()
    return _plain({"seed": seed, "exp": exp})


def _judge_tutorial(data):
    programs = part(data, "programs")
    ran(programs, "your engine on the tutorial's programs")
    right = _torch_tutorial()
    seed, exp = part(programs, "seed"), part(programs, "exp")
    expect(seed.get("graph") == right["seed"]["graph"],
           "the graph of y = x + 2, z = y·y·3, out = z.mean() is not the one torch records: run lesson 16's "
           "checks on your engine (paste the whole engine, steps 1–5)")
    expect(same(array_in(seed, "x", "`x.grad`"), right["seed"]["x"], rtol=1e-5),
           "for the tutorial's first program, `x.grad` is not torch's (4.5 everywhere)")
    expect(exp.get("graph") == right["exp"]["graph"],
           "the graph of exp(2x² sin x) is not the one torch records")
    expect(same(array_in(exp, "grad", "the gradient"), right["exp"]["grad"], rtol=1e-4, atol=1e-4),
           "the gradient of exp(2x² sin x) over [-2, 2] is not torch's")


# -- q2: three more operations ----------------------------------------------------------

def _layer_inputs(seed):
    rng = np.random.default_rng(seed)
    n, k, m = (int(size) for size in rng.choice(np.arange(2, 7), 3, replace=False))
    values = lambda shape: rng.uniform(-1.5, 1.5, size=shape).astype(np.float32)  # noqa: E731
    b = values((m,))
    b[0], b[1] = 10.0, -10.0  # one column of X @ W - b all below 0 and one all above: relu matters
    return values((n, k)), values((k, m)), b


def _layer(T, seed):
    X, W, b = (T(value, requires_grad=True) for value in _layer_inputs(seed))
    out = (X @ W - b).relu().sum()
    graph = graph_structure(out)
    out.backward()
    return _plain({"graph": graph, "X": array(X.grad), "W": array(W.grad), "b": array(b.grad)})


def _probe_layer(namespace):
    Tensor = need(namespace, "Tensor")
    seed = new_seed()
    result, error = catching(_layer, Tensor, seed)
    return {"seed": seed, "layer": {"error": error} if error else result}


def _judge_layer(data):
    seed = seed_in(data)
    layer = part(data, "layer")
    error = layer.get("error")
    if isinstance(error, dict) and ("core dimension" in str(error.get("message", ""))
                                    or "could not be broadcast" in str(error.get("message", ""))):
        raise NotYet("`MmBackward0.backward` multiplies arrays of the wrong shapes "
                     f"({str(error.get('message'))[:100]}): each gradient has its input's shape")
    expect_attempted(data, ["layer"], "`MmBackward0`, `ReluBackward0` and `SubBackward0`'s `backward`")
    ran(layer, "(X @ W - b).relu().sum() and its backward")
    X, W, b = (torch.tensor(value, requires_grad=True) for value in _layer_inputs(seed))
    out = (X @ W - b).relu().sum()
    graph = _plain(graph_structure(out))
    out.backward()
    mine = layer.get("graph")
    names = [name for _, name in mine.get("nodes", [])] if isinstance(mine, dict) and isinstance(
        mine.get("nodes"), list) else None
    expect(mine == graph, f"the graph of (X @ W - b).relu().sum() has the nodes {str(names)[:300]}; torch's has "
           f"{[name for _, name in graph['nodes']]}")
    grad_b = array_in(layer, "b", "`b.grad`")
    expect(not same(grad_b, -b.grad.numpy(), rtol=1e-5), "`b.grad` has the wrong sign: in a - b, the second input "
           "gets minus the gradient")
    expect(same(grad_b, b.grad.numpy(), rtol=1e-5, atol=1e-5), "`b.grad` in (X @ W - b).relu().sum() is not "
           "torch's: check `SubBackward0` and `ReluBackward0` (relu passes gradient only where its output is > 0)")
    for name, tensor in (("W", W), ("X", X)):
        expect(same(array_in(layer, name, f"`{name}.grad`"), tensor.grad.numpy(), rtol=1e-5, atol=1e-5),
               f"`{name}.grad` in (X @ W - b).relu().sum() is not torch's: check `MmBackward0`")


# -- q3: a training loop ----------------------------------------------------------------

STEPS, LR = 30, 0.1


def _training_data(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(8, 3)).astype(np.float32)
    Y = (X @ np.array([[1.5], [-2.0], [0.5]], dtype=np.float32) + 0.3).astype(np.float32)
    return X, Y, rng.uniform(-0.5, 0.5, size=(3, 1)).astype(np.float32), np.zeros(1, dtype=np.float32)


def _probe_training(namespace):
    Tensor, train = need(namespace, "Tensor", "train")
    seed = new_seed()
    X, Y, W, b = _training_data(seed)

    def run_training():
        losses = train(Tensor(X), Tensor(Y), Tensor(W, requires_grad=True), Tensor(b, requires_grad=True),
                       STEPS, LR)
        return array(list(losses))

    losses, error = catching(run_training)
    if error is None and losses is None:
        return {"seed": seed, "training": {"kind": "not a list of numbers"}}
    return {"seed": seed, "training": {"error": error} if error else {"losses": losses}}


def _torch_losses(seed, reset=True, sign=-1.0):
    X, Y, W, b = (torch.tensor(value) for value in _training_data(seed))
    W.requires_grad_(True)
    b.requires_grad_(True)
    losses = []
    for _ in range(STEPS):
        loss = ((X @ W + b - Y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W.add_(sign * LR * W.grad)
            b.add_(sign * LR * b.grad)
        if reset:
            W.grad, b.grad = None, None
    return np.array(losses)


def _judge_training(data):
    seed = seed_in(data)
    training = part(data, "training")
    ran(training, "train")
    losses = training.get("losses")
    if not isinstance(losses, np.ndarray) or losses.ndim != 1:
        raise NotYet("`train` should return the list of the losses, one number per step")
    expect(losses.shape == (STEPS,), f"`train` returned {losses.shape[0]} losses for {STEPS} steps")
    right = _torch_losses(seed)
    close = lambda found, expected: same(found, expected, rtol=1e-3, atol=1e-5)  # noqa: E731
    expect(not close(losses, _torch_losses(seed, sign=1.0)), "the loss grows: a step goes *against* the "
           "gradient, `W - lr * W.grad`")
    expect(not close(losses, _torch_losses(seed, reset=False)), "the gradients of all steps add up in `.grad`: "
           "set `W.grad` and `b.grad` back to None after each step")
    expect(close(losses[:1], right[:1]), "the first loss is not the mean squared error of X @ W + b against Y")
    expect(close(losses, right), "the loss curve differs from torch's, trained from the same weights")


# -- q4: the course's tools on the student's engine -------------------------------------

def _probe_tools(namespace):
    out = need(namespace, "out")
    data = {"module": type(out).__module__[:80]}
    text, error = catching(graph_text, out)
    data["text"] = {"error": error} if error else {"text": text[:5000]}
    from ..widgets.stepper import BackwardStepper

    def stepped():
        stepper = BackwardStepper(out)
        stepper.go(len(stepper))
        grads = [array(grad) for _, grad in stepper.leaf_grads().values()]
        return {"names": [step.name for step in stepper.steps], "leaf_grads": grads}

    steps, error = catching(stepped)
    data["stepper"] = {"error": error} if error else steps
    return data


def _judge_tools(data):
    module = str(data.get("module", ""))
    expect(module.partition(".")[0] not in ("torch", "autograd_mini"),
           "`out` is a torch tensor: build it with your own `Tensor`, and `out_torch` with torch")
    text = part(data, "text")
    ran(text, "graph_text(out)")
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    right = (y * y * 3).mean()
    expect(text.get("text") == graph_text(right),
           "`out`'s graph, as `graph_text(out)` prints it, is not the graph of the tutorial's program: "
           "x = ones(2, 2) requiring grad, y = x + 2, z = y * y * 3, out = z.mean()")
    stepper = part(data, "stepper")
    ran(stepper, "the backward stepper on `out`")
    names = stepper.get("names")
    expect(isinstance(names, list) and len(names) == 5,
           "the stepper should take 5 steps through the tutorial's graph, one per node")
    right.backward()
    grads = stepper.get("leaf_grads")
    expect(isinstance(grads, list) and len(grads) == 1 and isinstance(grads[0], np.ndarray)
           and same(grads[0], x.grad.numpy(), rtol=1e-5),
           "at the end of the stepper, the gradient collected for x is not torch's `x.grad`")


q1 = Exercise(
    "your engine runs the tutorial's programs",
    _probe_tutorial,
    _judge_tutorial,
    hints=[
        "Paste your engine from notebook 16 (every cell from `class grad_mode` to `check_version`).",
        "If this check fails but notebook 16's passed, something of the engine is missing from the paste.",
    ],
)
q2 = Exercise(
    "@, relu and -",
    _probe_layer,
    _judge_layer,
    hints=[
        "The formulas are lesson 15's; here they are node methods on saved tensors, returning tuples.",
        "relu saved its result: the gradient passes where the result is positive.",
    ],
)
q3 = Exercise(
    "a training loop on your engine",
    _probe_training,
    _judge_training,
    hints=[
        "Each step: the loss, its backward, a step of each weight against its gradient, then fresh gradients.",
        "Update the weights inside `with no_grad():`, with `add_`, as torch's optimizers do.",
    ],
)
q4 = Exercise(
    "the course's tools on your engine",
    _probe_tools,
    _judge_tools,
    hints=[
        "`out` comes from your `Tensor`, `out_torch` from torch's, by the same four lines.",
    ],
)
