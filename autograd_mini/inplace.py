"""In-place operations (x.add_(1), x -= 1, x[0] = 5, torch.sin_(x)).

An in-place op is recorded as its out-of-place twin whose result is then written
back into the tensor's own array: the tensor gets the new node as its grad_fn and
its version counter goes up, so that a backward that saved the old value notices.
When the tensor is a view, its base's history changes instead: see views.py.
"""
import numpy as np

from . import views
from .grad_mode import state as _grad_state
from .node import Node
from .ops._util import as_tensor, unbroadcast
from .tensor import Tensor

_LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."


def apply_inplace(self, op, *args, **kwargs):
    """self <- op(self, *args): torch's in-place semantics on top of an out-of-place op."""
    view = views.info(self)
    _check_inplace(self, view, args, kwargs)
    out = op(self, *args, **kwargs)
    node = out.grad_fn
    if node is not None:
        _keep_old_value(node, self)
    _write(self, out._data)
    if node is not None and type(node).saves_result:
        # The result the node saved *is* this tensor now: later changes must be caught.
        node.keep_result(self)
    if view is not None:
        views.rebase(self, view, node)  # the base's history changes, not the view's
    else:
        if node is not None:
            views.move_retained(self, self.grad_fn, node)
            self.grad_fn = node
            self._requires_grad = True
        views.refresh(self)  # this tensor's views now read its new history
    return self


def _check_inplace(t, view, args, kwargs):
    if _grad_state.enabled and (t._requires_grad or _any_requires_grad(args, kwargs)
                                or (view is not None and view.base._requires_grad)):
        if view is not None and not t._is_inference:  # torch does not track those views
            views.check_inplace(t, view)
        if t._requires_grad and t.grad_fn is None:
            raise RuntimeError(_LEAF_ERROR)
    if t._is_inference and not _grad_state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
            "a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")
    if any(s == 0 and n > 1 for s, n in zip(t._data.strides, t._data.shape)):
        raise RuntimeError(  # an expanded view: one memory slot shows up several times
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def _check_writable(t, leaf_message=_LEAF_ERROR):
    """The checks alone, for an in-place op that records nothing (x.uniform_())."""
    _check_inplace(t, views.info(t), (), {})


def _any_requires_grad(args, kwargs):
    for a in args + tuple(kwargs.values()):
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


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


class FillBackward2(Node):
    """fill_(number)"""
    aten = "aten::fill_"

    @staticmethod
    def forward(a, value):
        return np.full_like(a._data, value)

    def backward(self, grad):
        return (grad * 0,)


class FillBackward3(Node):
    """fill_(a 0-d tensor): the value gets the sum of the gradient."""
    aten = "aten::fill_"

    @staticmethod
    def forward(a, value):
        return np.full_like(a._data, value._data)

    def backward(self, grad):
        return grad * 0, grad.sum()


class CopyBackwards(Node):
    """self.copy_(src): self's old value is gone; src gets the gradient, summed
    over what was broadcast and cast back to its dtype."""
    aten = "aten::copy_"

    def name(self):
        return "torch::autograd::CopyBackwards"  # what torch's node reports

    @staticmethod
    def forward(a, src):
        return np.broadcast_to(src._data, a._data.shape).astype(a._data.dtype)

    def save(self, a, src):
        self.src_shape, self.src_dtype = src._data.shape, src.dtype

    def backward(self, grad):
        return grad * 0, unbroadcast(grad, self.src_shape).to(self.src_dtype)


def zero_(self):
    return apply_inplace(self, ZeroBackward0.apply)


def fill_(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        return apply_inplace(self, FillBackward3.apply, value)
    return apply_inplace(self, lambda t: FillBackward2.apply(t, value=value))


def copy_(self, src, non_blocking=False):
    return apply_inplace(self, CopyBackwards.apply, as_tensor(src, self))


def copy_to(dst, src):
    """What `x[key] = value` does once x[key] is found: torch fills with a 0-d
    value (FillBackward3) and copies anything else (CopyBackwards)."""
    shape = dst._data.shape
    if src._data.shape == shape:
        return copy_(dst, src)
    if src._data.ndim == 0:
        return fill_(dst, src)
    # Torch drops the value's leading 1s with a view, then expands it to fit.
    sizes = src._data.shape
    while sizes and sizes[0] == 1:
        sizes = sizes[1:]
    src = src.view(*sizes)
    return copy_(dst, src if src._data.shape == shape else src.expand(*shape))


def index_put_(self, indices, values, accumulate=False):
    """self[indices] = values for index lists and masks (IndexPutBackward0)."""
    from .ops.indexing import index_put
    key = tuple(i._data if isinstance(i, Tensor) else i for i in indices) \
        if isinstance(indices, (tuple, list)) else indices
    return apply_inplace(self, index_put, key, values, accumulate)
