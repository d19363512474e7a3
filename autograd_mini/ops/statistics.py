"""prod, var, std, logsumexp, amax, amin, nansum, nanmean and the boolean reductions
(all, any, count_nonzero, nonzero): reductions beyond sum and mean. The order
statistics (median, kthvalue, mode) are in order_statistics.py."""
import warnings

import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import constant, wrap_dim
from .reduction import _dims, _expand_back, _require_float
from .elementwise import where
from .. import _cpp_warnings as _cpp


def _int64_if_integral(data):
    return np.int64 if data.dtype.kind in "biu" else None


def _others_product(a, dim):
    """For each element along `dim`, the product of all the others, without dividing
    (so a zero in the input is no problem): exclusive products from the left times
    exclusive products from the right."""
    n = a._data.shape[dim]
    ones_shape = list(a._data.shape)
    ones_shape[dim] = 1
    ones = constant(np.ones(ones_shape, dtype=a._data.dtype))
    from .shape import cat
    left = cat([ones, a.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    right = cat([ones, a.flip(dim).narrow(dim, 0, n - 1)], dim).cumprod(dim).flip(dim)
    return left * right


class ProdBackward0(Node):
    """prod() of all elements"""
    aten = "aten::prod"
    saved_names = ("self",)
    saves_result = True

    @staticmethod
    def forward(a):
        return np.asarray(a._data.prod(dtype=_int64_if_integral(a._data)))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        if a._data.size == 0:
            return (grad.expand(a._data.shape),)
        if not (a._data == 0).any():  # torch's formula when nothing is zero
            return (grad * (self.saved_output / a),)
        flat = a.reshape(-1)
        return (grad * _others_product(flat, 0).reshape(a._data.shape),)


class ProdBackward1(Node):
    """prod(dim)"""
    aten = "aten::prod"
    saved_names = ("self",)
    saves_result = True

    @staticmethod
    def forward(a, dim, keepdim=False):
        data = a._data
        return np.asarray(data.prod(axis=wrap_dim(dim, data.ndim) if data.ndim else None,
                                    keepdims=keepdim and data.ndim > 0,
                                    dtype=_int64_if_integral(data)))

    def save(self, a, dim, keepdim=False):
        self._saved_dim, self._saved_keepdim = wrap_dim(dim, a._data.ndim), keepdim
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = a._data.shape
        if not shape:
            return (grad,)
        dim = self._saved_dim
        grad = _expand_back(grad, shape, (dim,), self._saved_keepdim)
        if a._data.size == 0:
            return (grad,)
        if not (a._data == 0).any():
            return (grad * (_expand_back(self.saved_output, shape, (dim,),
                                         self._saved_keepdim) / a),)
        return (grad * _others_product(a, dim),)


def _variance(data, axis, correction, keepdim):
    """The sum of squared deviations over (count - correction); 0/0 is nan, as in torch."""
    mean = data.mean(axis=axis, keepdims=True)
    dev = data - mean
    count = data.size // max(np.asarray(mean).size, 1) if data.size else 0
    total = (dev * dev).sum(axis=axis, keepdims=keepdim)
    return np.asarray(total / max(count - correction, 0), dtype=data.dtype)


class VarBackward0(Node):
    aten = "aten::var"
    saved_names = ("self",)

    @staticmethod
    def forward(a, dim, correction, keepdim):
        data = a._data
        axis = None if dim is None else _dims(dim, data.ndim)
        return _variance(data, axis, correction, keepdim)

    def save(self, a, dim, correction, keepdim):
        self._saved_dim = None if dim is None else list(_dims(dim, a._data.ndim))
        self._saved_correction, self._saved_keepdim = correction, keepdim
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (_var_backward(grad, a, self._saved_dim, self._saved_correction,
                              self._saved_keepdim),)


def _var_backward(grad, a, dim, correction, keepdim):
    shape = a._data.shape
    dims = tuple(range(len(shape))) if dim is None else tuple(dim)
    count = int(np.prod([shape[d] for d in dims])) if shape else 1
    scale = 2.0 / (count - correction) if count > correction else float("inf")
    grad = _expand_back(grad, shape, dims, keepdim or dim is None)
    return (scale * grad) * (a - a.mean(dims, keepdim=True))


class StdBackward0(Node):
    aten = "aten::std"
    saved_names = ("self",)
    saves_result = True

    @staticmethod
    def forward(a, dim, correction, keepdim):
        return np.sqrt(VarBackward0.forward(a, dim, correction, keepdim))

    def save(self, a, dim, correction, keepdim):
        VarBackward0.save(self, a, dim, correction, keepdim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        result = self.saved_output
        # Where the deviation is 0 the gradient is taken as 0 (torch masks it the same way).
        grad = where(constant(result._data == 0), 0.0, grad / (result * 2))
        return (_var_backward(grad, a, self._saved_dim, self._saved_correction,
                              self._saved_keepdim),)


class LogsumexpBackward0(Node):
    aten = "aten::logsumexp"
    saved_names = ("self",)
    saves_result = True

    @staticmethod
    def forward(a, dim, keepdim=False):
        data = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        axis = _dims(dim, data.ndim)
        if not axis and data.ndim:
            axis = tuple(range(data.ndim))
        peak = data.max(axis=axis, keepdims=True) if data.size else np.zeros(())
        peak = np.where(np.isfinite(peak), peak, 0)  # all -inf (or an inf) must not give nan
        out = np.log(np.exp(data - peak).sum(axis=axis, keepdims=True)) + peak
        return out if keepdim else np.squeeze(out, axis) if axis else out

    def save(self, a, dim, keepdim=False):
        self._saved_dim = list(_dims(dim, a._data.ndim)) or list(range(a._data.ndim))
        self._saved_keepdim = keepdim
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape, dims = a._data.shape, tuple(self._saved_dim)
        result = _expand_back(self.saved_output, shape, dims, self._saved_keepdim)
        return (_expand_back(grad, shape, dims, self._saved_keepdim) * (a - result).exp(),)


class _AmaxAmin(Node):
    """amax / amin: the gradient is shared evenly between tied elements, as in torch."""
    saved_names = ("self",)
    saves_result = True
    pick = None

    @classmethod
    def forward(cls, a, dim, keepdim=False):
        data = a._data
        axis = _dims(dim, data.ndim) or None
        if data.size == 0:
            raise IndexError(f"{cls.aten[6:]}(): Expected reduction dim {axis[0] if axis else 0} "
                             "to have non-zero size.")
        return np.asarray(cls.pick(data, axis=axis, keepdims=keepdim))

    def save(self, a, dim, keepdim=False):
        self._saved_dim = list(_dims(dim, a._data.ndim))
        self._saved_keepdim = keepdim
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = a._data.shape
        dims = tuple(self._saved_dim) or tuple(range(len(shape)))
        keep = self._saved_keepdim or not self._saved_dim
        result = _expand_back(self.saved_output, shape, dims, keep)
        hits = constant((a._data == result._data).astype(grad._data.dtype))
        return (_expand_back(grad, shape, dims, keep) * hits / hits.sum(dims, keepdim=True),)


class AmaxBackward0(_AmaxAmin):
    aten = "aten::amax"
    pick = staticmethod(np.max)


class AminBackward0(_AmaxAmin):
    aten = "aten::amin"
    pick = staticmethod(np.min)


class NansumBackward0(Node):
    """sum that skips NaN: the NaNs get no gradient"""
    aten = "aten::nansum"
    saved_names = ("self",)

    @staticmethod
    def forward(a, dim, keepdim=False):
        data = a._data
        axis = _dims(dim, data.ndim) or None if dim is not None else None
        return np.asarray(np.nansum(data, axis=axis, keepdims=keepdim and axis is not None,
                                    dtype=_int64_if_integral(data)))

    def save(self, a, dim, keepdim=False):
        self._saved_dim = [] if dim is None else list(_dims(dim, a._data.ndim))
        self._saved_keepdim = keepdim
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = a._data.shape
        dims = tuple(self._saved_dim) or tuple(range(len(shape)))
        grad = _expand_back(grad, shape, dims, self._saved_keepdim or not self._saved_dim)
        return (where(constant(np.isnan(a._data)), 0.0, grad),)


# -- the functions users call -------------------------------------------------

def nansum(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return NansumBackward0.apply(input, dim=dim, keepdim=keepdim)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """nansum over the count of what is not NaN (torch's own composition)."""
    _require_float(input, "nanmean")
    data = input._data
    axis = None if dim is None else _dims(dim, data.ndim) or None
    count = np.asarray((~np.isnan(data)).sum(axis=axis, keepdims=keepdim and axis is not None))
    return nansum(input, dim, keepdim, dtype=dtype) / Tensor._make(count.astype(np.int64))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return ProdBackward0.apply(input)
    return ProdBackward1.apply(input, dim=dim, keepdim=keepdim)


def _correction(what, dim, unbiased, correction, input):
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # x.var(False): the old unbiased argument, positionally
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dims = tuple(range(data.ndim)) if dim is None else _dims(dim, data.ndim)
    count = int(np.prod([data.shape[d] for d in dims])) if data.ndim else 1
    if count - correction <= 0:
        warnings.warn(_cpp.triggered(
            f"{what}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).", _cpp.REDUCE_OPS),
            UserWarning, stacklevel=3)
    return dim, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _correction("var", dim, unbiased, correction, input)
    return VarBackward0.apply(input, dim=dim, correction=correction, keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _correction("std", dim, unbiased, correction, input)
    return StdBackward0.apply(input, dim=dim, correction=correction, keepdim=keepdim)


def logsumexp(input, dim=None, keepdim=False):
    if dim is None:  # required, with torch's wording
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    return LogsumexpBackward0.apply(input, dim=dim, keepdim=keepdim)


def amax(input, dim=(), keepdim=False):
    return AmaxBackward0.apply(input, dim=dim, keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    return AminBackward0.apply(input, dim=dim, keepdim=keepdim)


def _bool_reduce(fn, input, dim, keepdim):
    data = input._data
    axis = None if dim is None else _dims(dim, data.ndim) or None
    return Tensor._make(np.asarray(fn(data, axis=axis, keepdims=keepdim and axis is not None)))


def all(input, dim=None, keepdim=False):
    return _bool_reduce(np.all, input, dim, keepdim)


def any(input, dim=None, keepdim=False):
    return _bool_reduce(np.any, input, dim, keepdim)


def count_nonzero(input, dim=None):
    data = input._data
    axis = None if dim is None else _dims(dim, data.ndim)
    return Tensor._make(np.asarray(np.count_nonzero(data, axis=axis), dtype=np.int64))


def argwhere(input):
    return nonzero(input)


def nonzero(input, *, as_tuple=False):
    data = input._data
    if as_tuple:
        hits = np.nonzero(np.atleast_1d(data))
        return tuple(Tensor._make(h.astype(np.int64)) for h in hits)
    return Tensor._make(np.argwhere(data).astype(np.int64))
