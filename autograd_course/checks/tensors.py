"""Reading a student's tensors the same way whether they came from torch or autograd_mini.

Probe side (in the student's process): :func:`read` turns a value into plain data, reading a
tensor through its engine's own base class (never the student's ``tolist``, ``numpy`` or
``__torch_function__``: a subclass cannot choose what the probe sees) into a NumPy copy.

Judge side: :func:`tensor_in` checks that data and gives a :class:`Seen` tensor, which the
``expect_*`` helpers below read like a live one: values as NumPy arrays, dtypes by their
short name (``float32``), graphs by node names. Reference answers are computed with real
torch, in the judge, from inputs the check knows.
"""

import sys
import warnings
from dataclasses import dataclass

import numpy as np
import torch

from ..graph.walk import node_name
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


# -- probe side -------------------------------------------------------------------------

def _mini_tensor_class():
    engine = sys.modules.get("autograd_mini")
    return getattr(engine, "Tensor", None) if engine is not None else None


def _read_torch(value):
    base = torch._C.TensorBase
    with torch._C.DisableTorchFunction(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a non-leaf's .grad warns
        detached = base.detach(value)
        array = base.numpy(base.to(detached, torch.float64)).copy()
        grad = base.grad.__get__(value)
        grad_fn = base.grad_fn.__get__(value)
        return {
            "kind": "tensor",
            "engine": "torch",
            "dtype": str(base.dtype.__get__(value)).rpartition(".")[2],
            "values": array,
            "requires_grad": bool(base.requires_grad.__get__(value)),
            "is_leaf": bool(base.is_leaf.__get__(value)),
            "grad_fn": None if grad_fn is None else node_name(grad_fn),
            "grad": None if grad is None else base.numpy(base.to(base.detach(grad), torch.float64)).copy(),
        }


def _read_mini(value, cls):
    data, grad, grad_fn = cls._data.__get__(value), cls._grad.__get__(value), cls.grad_fn.__get__(value)
    return {
        "kind": "tensor",
        "engine": "autograd_mini",
        "dtype": str(np.asarray(data).dtype),
        "values": np.array(data, dtype=np.float64),
        "requires_grad": bool(cls._requires_grad.__get__(value)),
        "is_leaf": grad_fn is None,
        "grad_fn": None if grad_fn is None else node_name(grad_fn),
        "grad": None if grad is None else np.array(cls._data.__get__(grad), dtype=np.float64),
    }


def read(value):
    """Plain data about ``value``: a tensor's values, dtype, flags, ``grad_fn`` name and
    ``.grad``; a number, string or bool as itself; anything else by its type's name."""
    if isinstance(value, torch.Tensor):
        return _read_torch(value)
    mini = _mini_tensor_class()
    if mini is not None and isinstance(value, mini):
        return _read_mini(value, mini)
    if isinstance(value, (bool, int, float, str)) and type(value) in (bool, int, float, str):
        return {"kind": type(value).__name__, "value": value}
    return {"kind": "other", "type": type(value).__name__[:80]}


def read_array(value):
    """``read`` for answers that may also be a NumPy array or a (nested) list of numbers."""
    if type(value) in (list, tuple) or type(value) is np.ndarray:
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            return read(value)
        return {"kind": "array", "values": array}
    return read(value)


# -- judge side -------------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    """A tensor as the probe saw it (checked data, no live object)."""

    values: np.ndarray
    dtype: str = "float32"
    requires_grad: bool = False
    is_leaf: bool = True
    grad_fn: str = None
    grad: "Seen" = None
    engine: str = "torch"

    @property
    def shape(self):
        return tuple(self.values.shape)


def _unreadable(name):
    return NotYet(f"the check's data about `{name}` is not readable")


def _array(value, name, shape=None):
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise _unreadable(name)
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise _unreadable(name)
    return value.astype(np.float64)


def _flag(data, key, name):
    value = data.get(key)
    if not isinstance(value, bool):
        raise _unreadable(name)
    return value


def tensor_in(data, key, name=None):
    """The tensor ``data[key]`` describes, checked; NotYet when it is not a tensor."""
    name = name or key
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise _unreadable(name)
    if found.get("kind") != "tensor":
        kind = found.get("type") if found.get("kind") == "other" else found.get("kind")
        raise NotYet(f"`{name}` should be a tensor, but it is a {str(kind)[:80]}")
    values = _array(found.get("values"), name)
    dtype, grad_fn, engine = found.get("dtype"), found.get("grad_fn"), found.get("engine")
    if not isinstance(dtype, str) or not (grad_fn is None or isinstance(grad_fn, str)) or engine not in ENGINES:
        raise _unreadable(name)
    grad = found.get("grad")
    if grad is not None:
        grad = Seen(_array(grad, name, values.shape), dtype=dtype, engine=engine)
    return Seen(
        values,
        dtype=dtype[:40],
        requires_grad=_flag(found, "requires_grad", name),
        is_leaf=_flag(found, "is_leaf", name),
        grad_fn=None if grad_fn is None else grad_fn[:80],
        grad=grad,
        engine=engine,
    )


def array_in(data, key, name=None):
    """An answer that may be a tensor, a NumPy array or a nested list, as a float array."""
    name = name or key
    found = data.get(key) if isinstance(data, dict) else None
    if isinstance(found, dict) and found.get("kind") == "array":
        return _array(found.get("values"), name)
    return tensor_in(data, key, name).values


def value_in(data, key, name=None):
    """A plain value (number, string, bool) the probe read with :func:`read`, else None;
    ``kind_in`` says what it was."""
    found = data.get(key) if isinstance(data, dict) else None
    return found.get("value") if isinstance(found, dict) and found.get("kind") in ("bool", "int", "float", "str") else None


def kind_in(data, key):
    """The type name of what ``data[key]`` describes (``tensor``, ``int``, ``list``...)."""
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return "missing"
    kind = found.get("type") if found.get("kind") == "other" else found.get("kind")
    return str(kind)[:80]


def values(tensor):
    return tensor.values


def shape(tensor):
    return tuple(tensor.shape)


def close(actual, expected, rtol=1e-4, atol=1e-5):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol, atol=atol)


def expect_given(tensor, name, given):
    """``tensor`` (a :class:`Seen`) still holds the values the exercise's given cell put in it."""
    given = np.asarray(given, dtype=float)
    expect(
        tensor.shape == given.shape and close(tensor.values, given),
        f"`{name}` is not the tensor the given cell created: rerun that cell, then yours",
    )


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
