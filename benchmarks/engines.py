"""The three implementations a case runs on, loaded inside a child process.

"mini" and "torch" share one workload function per case (autograd_mini mirrors torch's API);
"numpy" is the hand-written forward and backward that a person would write without autograd.
"""

import importlib
from dataclasses import dataclass
from types import ModuleType

import numpy as np

ENGINE_NAMES = ("mini", "torch", "numpy")
MODULE_NAMES = {"mini": "autograd_mini", "torch": "torch"}


class NotApplicable(Exception):
    """A case that cannot run on an engine, for a stated reason (reported as "n/a: reason")."""


@dataclass(frozen=True)
class Engine:
    name: str
    tb: ModuleType | None  # the torch-like module; None for hand-written NumPy


def load_engine(name: str, threads: int) -> Engine:
    if name == "numpy":
        return Engine(name, None)
    tb = importlib.import_module(MODULE_NAMES[name])
    if name == "torch":
        # torch sizes its intra-op pool from the core count, not from OMP_NUM_THREADS alone.
        tb.set_num_threads(threads)
    return Engine(name, tb)


def leaves(tb: ModuleType, arrays: list[np.ndarray]) -> list:
    """Leaf tensors that require grad, holding exactly the given NumPy data (same for every engine)."""
    return [tb.tensor(array, requires_grad=True) for array in arrays]


def constants(tb: ModuleType, arrays: list[np.ndarray]) -> list:
    return [tb.tensor(array) for array in arrays]


def backward_afresh(loss_fn, params: list):
    """Clears the params' grads, then runs `loss_fn()` and backward from it; returns the loss.

    Clearing (rather than accumulating into) the grads makes every repeat the same work as the
    hand-written NumPy version, which computes fresh gradient arrays each time.
    """
    for param in params:
        param.grad = None
    loss = loss_fn()
    loss.backward()
    return loss


def autograd_step(loss_fn, params: list):
    """One timed step on an autograd engine, returning the params' grads."""

    def step():
        backward_afresh(loss_fn, params)
        return [param.grad for param in params]

    return step


def to_array(value) -> np.ndarray:
    return value if isinstance(value, np.ndarray) else value.detach().numpy()
