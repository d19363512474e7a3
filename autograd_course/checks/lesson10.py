"""Checks for exercises/10_when_autograd_exercises.ipynb: fine-tune only the last layer."""

import torch

from .exercise import Exercise, expect, need
from .tensors import expect_grad, expect_in_graph, expect_tensor, expect_values, values

FIRST_LAYER = ("W1", "b1")
LAST_LAYER = ("W2", "b2")


def _reference(given):
    """The setup cell's model and loss in torch, the first layer frozen; returns (loss, tensors)."""
    tensors = {
        name: torch.tensor(values(tensor), dtype=torch.float32, requires_grad=name in LAST_LAYER)
        for name, tensor in given.items()
    }
    hidden = torch.tanh(tensors["inputs"] @ tensors["W1"] + tensors["b1"])
    loss = ((hidden @ tensors["W2"] + tensors["b2"] - tensors["targets"]) ** 2).mean()
    loss.backward()
    return loss, tensors


def _check_fine_tuning(namespace):
    loss = need(namespace, "loss")
    names = FIRST_LAYER + LAST_LAYER + ("inputs", "targets")
    given = dict(zip(names, need(namespace, *names)))
    for name, tensor in given.items():
        expect_tensor(tensor, name)
    expect_tensor(loss, "loss")
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
    reference, tensors = _reference(given)
    expect_values(loss, "loss", reference.detach().numpy(), "the mean squared error of model(inputs) against targets")
    for name in LAST_LAYER:
        expect_grad(
            given[name].grad,
            name,
            tensors[name].grad.numpy(),
            missing=f"`{name}.grad` is None: call backward on `loss`",
        )


q1 = Exercise(
    "fine-tune only the last layer",
    _check_fine_tuning,
    hints=[
        "A tensor gets a gradient only when it requires grad.",
        "Freeze before the forward pass, then compute the loss and call backward as usual.",
    ],
)
