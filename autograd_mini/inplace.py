"""In-place operations (x.add_(1), x -= 1, x[0] = 5, torch.sin_(x)).

An in-place op is recorded as its out-of-place twin whose result is then written
back into the tensor's own array: the tensor gets the new node as its grad_fn and
its version counter goes up, so that a backward that saved the old value notices.
"""
import numpy as np

from .grad_mode import state as _grad_state
from .node import Node
from .ops._util import as_tensor
from .ops.indexing import CopySlices
from .tensor import Tensor

_LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."


def apply_inplace(self, op, *args, **kwargs):
    """self <- op(self, *args): torch's in-place semantics on top of an out-of-place op."""
    _check_writable(self, _LEAF_ERROR)
    out = op(self, *args, **kwargs)
    node = out.grad_fn
    if node is not None:
        _keep_old_value(node, self)
    _write(self, out._data)
    if node is not None:
        self.grad_fn = node
        self._requires_grad = True
        if type(node).saves_result:
            # The result the node saved *is* this tensor now: later changes must be caught.
            node.keep_result(self)
    return self


def assign_slice(self, key, value):
    """self[key] = value, recorded as torch's CopySlices node."""
    _check_writable(self, "a view of a leaf Variable that requires grad is being used in an "
                          "in-place operation.")
    value = as_tensor(value, self)
    if isinstance(key, Tensor):
        key = key._data
    elif isinstance(key, tuple):
        key = tuple(k._data if isinstance(k, Tensor) else k for k in key)
    if _grad_state.enabled and (self._requires_grad or value._requires_grad):
        out = CopySlices.apply(self, value, key=key)
        _write(self, out._data)
        self.grad_fn = out.grad_fn
        self._requires_grad = True
    else:
        self._data[key] = value._data
        self._bump_version()


def _check_writable(t, leaf_message):
    if _grad_state.enabled and t._requires_grad and t.grad_fn is None:
        raise RuntimeError(leaf_message)
    if t._is_inference and not _grad_state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
            "a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")


def _keep_old_value(node, t):
    """If the node saved `t` itself, give it a copy of t's value from before the write."""
    saved = node._saved
    if any(s is t for s in saved):
        old = Tensor._make(t._data.copy())
        old.grad_fn, old._requires_grad = t.grad_fn, t._requires_grad
        node._saved = tuple(old if s is t else s for s in saved)
        node._versions = tuple(0 if s is t else v
                               for s, v in zip(saved, node._versions or (0,) * len(saved)))


def _write(t, data):
    if data.shape != t._data.shape:
        raise RuntimeError(f"output with shape {list(t._data.shape)} doesn't match the broadcast "
                           f"shape {list(data.shape)}")
    if not np.can_cast(data.dtype, t._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_scalar_name(data.dtype)} can't be cast to the desired "
                           f"output type {_scalar_name(t._data.dtype)}")
    np.copyto(t._data, data, casting="same_kind")
    t._bump_version()


def _scalar_name(np_dtype):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool"}[np_dtype.name]


class ZeroBackward0(Node):
    aten = "aten::zero_"

    @staticmethod
    def forward(a):
        return np.zeros_like(a._data)

    def backward(self, grad):
        return (grad * 0,)


class FillBackward0(Node):
    aten = "aten::fill_"

    @staticmethod
    def forward(a, value):
        return np.full_like(a._data, value)

    def backward(self, grad):
        return (grad * 0,)


def zero_(self):
    return apply_inplace(self, ZeroBackward0.apply)


def fill_(self, value):
    return apply_inplace(self, lambda t: FillBackward0.apply(t, value=value))


def copy_(self, src):
    """self <- src (broadcast), recorded as a CopySlices of the whole tensor."""
    assign_slice(self, (Ellipsis,), src)
    return self
