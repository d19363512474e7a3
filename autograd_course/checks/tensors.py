"""Reading a student's tensors the same way whether they came from torch or autograd_mini.

Values are compared as NumPy arrays made from ``.detach().tolist()`` (both engines have
it), dtypes by their short name (``float32``), graphs by node names. Reference answers are
always computed with real torch, inside the check, from the student's own inputs.
"""

import sys

import numpy as np
import torch

from ..graph.walk import is_tensor, node_name
from .exercise import NotYet, expect

ENGINES = ("torch", "autograd_mini")


def engine_of(value):
    """The module (torch or autograd_mini) a tensor, or a class such as a Function, comes from."""
    cls = value if isinstance(value, type) else type(value)
    return sys.modules[cls.__module__.partition(".")[0]]


def notebook_engine(namespace):
    """The engine the notebook imported as ``torch``: real torch or autograd_mini."""
    module = namespace.get("torch")
    if getattr(module, "__name__", None) in ENGINES:
        return module
    return torch


def to_engine(engine, values, dtype="float32", requires_grad=False):
    """A fresh tensor of ``engine`` holding ``values``."""
    return engine.tensor(
        np.asarray(values, dtype=float).tolist(),
        dtype=getattr(engine, dtype),
        requires_grad=requires_grad,
    )


def values(tensor):
    return np.asarray(tensor.detach().tolist(), dtype=float)


def dtype_name(tensor):
    return str(tensor.dtype).rpartition(".")[2]


def shape(tensor):
    return tuple(tensor.shape)


def grad_fn_name(tensor):
    return None if tensor.grad_fn is None else node_name(tensor.grad_fn)


def close(actual, expected, rtol=1e-4, atol=1e-5):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol, atol=atol)


def expect_tensor(value, name):
    expect(is_tensor(value), f"`{name}` should be a tensor, but it is a {type(value).__name__}")


def expect_dtype(tensor, name, wanted="float32", why=None):
    found = dtype_name(tensor)
    why = why or (
        "float32 is torch's default, and a float64 tensor usually comes from a NumPy array "
        "or from asking for float64: create it with torch's defaults"
    )
    expect(found == wanted, f"`{name}` is {found}, but it should be {wanted}: {why}")


def expect_in_graph(tensor, name):
    """The result must still be connected to the graph: not detached, not built without tracking."""
    expect(
        tensor.requires_grad and tensor.grad_fn is not None,
        f"`{name}` is not connected to autograd's graph (it has no `grad_fn`): it was detached, "
        "computed with gradient tracking switched off, or built from values that do not "
        "require grad",
    )


def expect_values(tensor, name, expected, what, rtol=1e-4, atol=1e-5):
    """``tensor`` holds ``expected`` (a NumPy array); ``what`` says in words what it should be."""
    found = shape(tensor)
    expect(
        found == expected.shape,
        f"`{name}` has shape {found}, but {what} has shape {expected.shape}",
    )
    expect(close(values(tensor), expected, rtol, atol), f"`{name}` does not hold {what} yet")


def array_of(value, name):
    """A tensor, NumPy array or nested list as a float array; NotYet for anything else."""
    if is_tensor(value):
        return values(value)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(f"`{name}` should be a tensor, but it is a {type(value).__name__}") from None


def expect_none_of(found, mistakes, rtol=1e-4, atol=1e-5):
    """Name the first known mistake ``found`` matches: ``mistakes`` holds (values, hint) pairs."""
    for wrong, hint in mistakes:
        expect(not close(found, wrong, rtol, atol), hint)


def multiple_of(actual, expected):
    """The whole number k >= 2 with ``actual == k * expected``, else None: the sign of
    gradients that were added up over k backward calls."""
    if actual.shape != expected.shape or not np.any(expected):
        return None
    k = round(float(np.sum(actual * expected) / np.sum(expected * expected)))
    return k if k >= 2 and close(actual, k * expected) else None


def expect_grad(grad, name, expected, missing):
    """``grad`` (the student's ``.grad``) holds ``expected``; ``missing`` is the hint for None."""
    expect(grad is not None, missing)
    found = values(grad)
    expect(
        found.shape == expected.shape,
        f"`{name}.grad` has shape {found.shape}, but `{name}` has shape {expected.shape}",
    )
    k = multiple_of(found, expected)
    expect(
        k is None,
        f"`{name}.grad` is {k} times the right gradient: every backward() call adds its "
        f"gradient to `.grad`, so reset `{name}.grad` before computing it again",
    )
    expect(close(found, expected), f"`{name}.grad` does not hold the right gradient")
