"""sum, mean, max, min and norm: reductions, whose backward spreads the gradient back out."""
import collections

from math import prod

import numpy as np

from ..node import Node
from ._util import constant, wrap_dim
from .elementwise import where


def _dims(dim, ndim):
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(sorted(wrap_dim(d, ndim) for d in dims))
    return dims if ndim else ()  # a 0-d tensor has no dimension to reduce (dim 0 and -1 are allowed)


def _expand_back(grad, shape, dims, keepdim):
    """Undo a reduction over `dims`: put the reduced dimensions back, then broadcast."""
    if not keepdim and dims:
        kept = list(shape)
        for d in dims:
            kept[d] = 1
        grad = grad.reshape(tuple(kept))
    return grad.expand(shape)


class SumBackward0(Node):
    """sum of all elements"""
    aten = "aten::sum"

    @staticmethod
    def forward(a):
        data = a._data
        return np.asarray(data.sum(dtype=np.int64 if data.dtype.kind in "biu" else None))

    def save(self, a):
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        return (grad.expand(self._saved_self_sym_sizes),)


class SumBackward1(Node):
    """sum over some dimensions"""
    aten = "aten::sum"

    @staticmethod
    def forward(a, dim, keepdim=False):
        data = a._data
        return np.asarray(data.sum(axis=_dims(dim, data.ndim), keepdims=keepdim,
                                   dtype=np.int64 if data.dtype.kind in "biu" else None))

    def save(self, a, dim, keepdim=False):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_dim = _dims(dim, a._data.ndim)
        self._saved_keepdim = keepdim

    def backward(self, grad):
        return (_expand_back(grad, self._saved_self_sym_sizes, self._saved_dim, self._saved_keepdim),)


class MeanBackward0(Node):
    aten = "aten::mean"

    @staticmethod
    def forward(a):
        _require_float(a, "mean")
        return np.asarray(_mean(a._data))

    def save(self, a):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_self_sym_numel = a._data.size

    def backward(self, grad):
        return (grad.expand(self._saved_self_sym_sizes) / self._saved_self_sym_numel,)


class MeanBackward1(Node):
    aten = "aten::mean"

    @staticmethod
    def forward(a, dim, keepdim=False):
        _require_float(a, "mean")
        return np.asarray(_mean(a._data, _dims(dim, a._data.ndim), keepdim))

    def save(self, a, dim, keepdim=False):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_self_sym_numel = a._data.size
        self._saved_dim = _dims(dim, a._data.ndim)
        self._saved_keepdim = keepdim

    def backward(self, grad):
        shape = self._saved_self_sym_sizes
        count = prod([shape[d] for d in self._saved_dim])
        return (_expand_back(grad, shape, self._saved_dim, self._saved_keepdim) / count,)


def _mean(data, axis=None, keepdims=False):
    """np.mean without its "Mean of empty slice" warning (torch's mean of nothing is
    nan, silently): the sum over the count of what was summed, as np.mean computes it."""
    total = data.sum(axis=axis, keepdims=keepdims)
    return total / (data.size // total.size if total.size else 1)


def _require_float(a, what):
    if a._data.dtype.kind != "f":
        raise RuntimeError(
            f"{what}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {a.dtype.name.capitalize().replace('64', '')}")


class _ExtremumAll(Node):
    """max() / min() of all elements: ties share the gradient evenly, as in torch."""
    saved_names = ("self",)
    saves_result = True
    pick = None  # np.max or np.min

    @classmethod
    def forward(cls, a):
        if a._data.size == 0:
            raise RuntimeError(f"{cls.aten[6:]}(): Expected reduction dim to be specified "
                               "for input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return np.asarray(cls.pick(a._data))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        # A NaN anywhere makes the result NaN, and torch sends the gradient to the NaNs.
        hits = np.equal(a._data, self.saved_output._data) | (
            np.isnan(a._data) & np.isnan(self.saved_output._data))
        return (grad * constant((hits / hits.sum()).astype(grad._data.dtype)),)


class MaxBackward1(_ExtremumAll):
    aten = "aten::max"
    pick = staticmethod(np.max)


class MinBackward1(_ExtremumAll):
    aten = "aten::min"
    pick = staticmethod(np.min)


def _pick_along(arg, data, dim):
    """For max(dim) / min(dim) (`arg` is np.argmax or np.argmin): the dimension,
    normalised, and the indices of the picked elements, kept along it."""
    dim = wrap_dim(dim, data.ndim)
    return dim, np.expand_dims(arg(data, axis=dim), dim)


class _ExtremumDim(Node):
    """max(dim) / min(dim): the gradient goes to the element that was picked."""
    arg = None  # np.argmax or np.argmin

    @classmethod
    def forward(cls, a, dim, keepdim=False):
        # The values are read at the picked indices (not np.max's own answer): for a
        # tie of 0.0 and -0.0 that is the element torch returns.
        dim, idx = _pick_along(cls.arg, a._data, dim)
        values = np.take_along_axis(a._data, idx, axis=dim)
        return values if keepdim else np.squeeze(values, dim)

    def save(self, a, dim, keepdim=False):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_dim, self._saved_indices = _pick_along(type(self).arg, a._data, dim)
        self._saved_keepdim = keepdim

    def backward(self, grad):
        shape, dim = self._saved_self_sym_sizes, self._saved_dim
        onehot = np.zeros(shape, dtype=grad._data.dtype)
        np.put_along_axis(onehot, self._saved_indices, 1, axis=dim)
        return (_expand_back(grad, shape, (dim,), self._saved_keepdim) * constant(onehot),)


class MaxBackward0(_ExtremumDim):
    aten = "aten::max"
    arg = staticmethod(np.argmax)


class MinBackward0(_ExtremumDim):
    aten = "aten::min"
    arg = staticmethod(np.argmin)


class LinalgVectorNormBackward0(Node):
    """norm(p): (sum |x|^p)^(1/p); what x.norm() records."""
    aten = "aten::linalg_vector_norm"
    saved_names = ("self",)
    saves_result = True

    @staticmethod
    def forward(a, ord=2, dim=None, keepdim=False):
        _require_float(a, "linalg.vector_norm")
        x = np.abs(a._data)
        axis = None if dim is None else _dims(dim, a._data.ndim)
        if ord == float("inf"):
            out = x.max(axis=axis, keepdims=keepdim)
        elif ord == 0:
            out = (x != 0).sum(axis=axis, keepdims=keepdim).astype(x.dtype)
        elif ord == 1:
            out = x.sum(axis=axis, keepdims=keepdim)
        elif ord == 2:
            out = np.sqrt((x * x).sum(axis=axis, keepdims=keepdim))
        else:
            out = (x ** ord).sum(axis=axis, keepdims=keepdim) ** (1.0 / ord)
        return np.asarray(out, dtype=a._data.dtype)

    def save(self, a, ord=2, dim=None, keepdim=False):
        self._saved_ord, self._saved_keepdim = ord, keepdim
        self._saved_dim = None if dim is None else _dims(dim, a._data.ndim)
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        norm = self.saved_output
        p = self._saved_ord
        dims = self._saved_dim if self._saved_dim is not None else tuple(range(a._data.ndim))
        shape = a._data.shape
        grad = _expand_back(grad, shape, dims, self._saved_keepdim)
        norm = _expand_back(norm, shape, dims, self._saved_keepdim)
        if p == 0:
            return (grad * 0,)
        if p == 1:
            return (grad * a.sign(),)
        if p == float("inf"):
            hits = constant((np.abs(a._data) == norm._data).astype(a._data.dtype))
            return (grad * a.sign() * hits / hits.sum(dims, keepdim=True).expand(shape),)
        # Where the norm is 0 the gradient is taken as 0, masked as torch masks it
        # (so that gradients of gradients agree too, NaN included).
        zero = constant(norm._data == 0)
        if p == 2:
            return (grad * where(zero, 0.0, a / norm),)
        return (a * a.abs() ** (p - 2) * where(zero, 0.0, grad / norm ** (p - 1)),)


# -- the functions users call -------------------------------------------------

def _return_type(name):
    """torch.return_types.max / min: a (values, indices) named tuple, printed like torch's."""
    base = collections.namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return f"autograd_mini.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


return_types = _return_type("max")
min_return = _return_type("min")


def numpy_names(dim, keepdim, axis, keepdims):
    """torch also takes NumPy's names, axis and keepdims (d2l writes X.sum(axis=0))."""
    return (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    dim, keepdim = numpy_names(dim, keepdim, axis, keepdims)
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return SumBackward0.apply(input)
    return SumBackward1.apply(input, dim=dim, keepdim=keepdim)


def mean(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = numpy_names(dim, keepdim, axis, keepdims)
    if dim is None:
        return MeanBackward0.apply(input)
    return MeanBackward1.apply(input, dim=dim, keepdim=keepdim)


def _extremum(all_cls, dim_cls, pair, result_type, input, dim=None, keepdim=False):
    from ..tensor import Tensor
    if isinstance(dim, Tensor):
        return pair(input, dim)
    if dim is None:
        return all_cls.apply(input)
    values = dim_cls.apply(input, dim=dim, keepdim=keepdim)
    node = values.grad_fn
    if node is not None:
        dim, idx = node._saved_dim, node._saved_indices
    else:
        dim, idx = _pick_along(dim_cls.arg, input._data, dim)
    if not keepdim:
        idx = np.squeeze(idx, dim)
    return result_type(values, Tensor._make(np.asarray(idx, dtype=np.int64)))


def max(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    from .elementwise import maximum
    dim, keepdim = numpy_names(dim, keepdim, axis, keepdims)
    return _extremum(MaxBackward1, MaxBackward0, maximum, return_types, input, dim, keepdim)


def min(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    from .elementwise import minimum
    dim, keepdim = numpy_names(dim, keepdim, axis, keepdims)
    return _extremum(MinBackward1, MinBackward0, minimum, min_return, input, dim, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = numpy_names(dim, keepdim, axis, keepdims)
    ord = 2 if p in ("fro", None) else p
    return LinalgVectorNormBackward0.apply(input, ord=ord, dim=dim, keepdim=keepdim)


def _arg(pick, input, dim, keepdim):
    from ..tensor import Tensor
    data = input._data
    if dim is not None:
        dim = wrap_dim(dim, data.ndim)
    if dim is None or data.ndim == 0:
        return Tensor._make(np.asarray(pick(data), dtype=np.int64))
    return Tensor._make(np.asarray(pick(data, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmax(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = numpy_names(dim, keepdim, axis, keepdims)
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = numpy_names(dim, keepdim, axis, keepdims)
    return _arg(np.argmin, input, dim, keepdim)
