"""Checks for exercises/10_when_autograd_exercises.ipynb: fine-tune only the last layer.

The probe reads the layers' flags and gradients and the loss at the check cell: the layers are
the given tensors `W1, b1, W2, b2`, or the four parameters of `model` when it is a module
(two `nn.Linear` layers, whose weights are stored transposed). The judge computes the loss
and the last layer's gradients from the given values.
"""

import numpy as np
import torch

from .exercise import Exercise, Missing, expect, need
from .tensors import expect_given, expect_grad, expect_in_graph, expect_values, read, tensor_in

FIRST_LAYER = ("W1", "b1")
LAST_LAYER = ("W2", "b2")
GIVEN = {
    "W1": [[0.5, -0.3, 0.8], [0.1, 0.9, -0.4]],
    "b1": [0.0, 0.1, -0.1],
    "W2": [[0.7], [-0.2], [0.4]],
    "b2": [0.05],
    "inputs": [[1.0, 2.0], [-1.0, 0.5], [0.3, -0.8], [2.0, 1.0]],
    "targets": [[1.0], [0.0], [-0.5], [2.0]],
}


def _layers(namespace):
    """The four parameters and how they are laid out: given tensors, or a module's."""
    names = FIRST_LAYER + LAST_LAYER
    if all(name in namespace for name in names):
        return dict(zip(names, need(namespace, *names))), "tensors"
    model = namespace.get("model")
    parameters = getattr(model, "parameters", None)
    if callable(parameters) and not isinstance(model, type):
        found = list(parameters())[:5]
        if len(found) == 4:
            return dict(zip(names, found)), "modules"
    raise Missing([name for name in names if name not in namespace])


def _probe_fine_tuning(namespace):
    layers, layout = _layers(namespace)
    loss, inputs, targets = need(namespace, "loss", "inputs", "targets")
    return {
        "layout": layout,
        **{name: read(tensor) for name, tensor in layers.items()},
        "loss": read(loss),
        "inputs": read(inputs),
        "targets": read(targets),
    }


def _given(name, layout):
    value = np.asarray(GIVEN[name])
    return value.T if layout == "modules" and name in ("W1", "W2") else value


def _reference():
    """The setup cell's model and loss in torch, the first layer frozen; returns (loss, tensors)."""
    tensors = {name: torch.tensor(value, requires_grad=name in LAST_LAYER) for name, value in GIVEN.items()}
    hidden = torch.tanh(tensors["inputs"] @ tensors["W1"] + tensors["b1"])
    loss = ((hidden @ tensors["W2"] + tensors["b2"] - tensors["targets"]) ** 2).mean()
    loss.backward()
    return loss, tensors


def _judge_fine_tuning(data):
    layout = data.get("layout")
    expect(layout in ("tensors", "modules"), "the check's data about your model is not readable")
    given = {}
    for name in GIVEN:
        given[name] = tensor_in(data, name)
        expect_given(given[name], name, _given(name, layout))
    loss = tensor_in(data, "loss")
    first_trains = [given[name].requires_grad for name in FIRST_LAYER]
    last_trains = [given[name].requires_grad for name in LAST_LAYER]
    expect(
        any(last_trains) or any(first_trains),
        "no parameter requires grad any more: the last layer is the one to keep training",
    )
    expect(
        not (any(first_trains) and not any(last_trains)),
        "you froze the last layer and kept the first one training: it is the other way round",
    )
    expect(
        not any(first_trains),
        "the first layer (`W1`, `b1`) still requires grad: autograd computes its gradients "
        "although you do not want to change it",
    )
    expect(all(last_trains), "the last layer (`W2`, `b2`) should still require grad: it is the one you fine-tune")
    expect_in_graph(loss, "loss")
    expect(
        all(given[name].grad is None for name in FIRST_LAYER),
        "the first layer has a `.grad`: it was computed before you froze the layer; freeze "
        "first (and rerun the setup cell to start clean)",
    )
    reference, tensors = _reference()
    expect_values(loss, "loss", reference.detach().numpy().astype(float), "the mean squared error of model(inputs) against targets")
    for name in LAST_LAYER:
        right = tensors[name].grad.numpy().astype(float)
        expect_grad(
            given[name].grad,
            name,
            right.T if layout == "modules" and name == "W2" else right,
            missing=f"`{name}.grad` is None: call backward on `loss`",
        )


q1 = Exercise(
    "fine-tune only the last layer",
    _probe_fine_tuning,
    _judge_fine_tuning,
    hints=[
        "A tensor gets a gradient only when it requires grad.",
        "Freeze before the forward pass, then compute the loss and call backward as usual.",
    ],
)
