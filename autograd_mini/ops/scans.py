"""cumsum, cumprod, logcumsumexp, cummax, cummin: running reductions along one dimension."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import constant, wrap_dim
from .reduction import _return_type
from .sorting import _Reordered


class CumsumBackward0(Node):
    aten = "aten::cumsum"

    @staticmethod
    def forward(a, dim):
        data = a._data
        if data.ndim == 0:
            return data.astype(np.int64) if data.dtype.kind in "biu" else data.copy()
        return np.cumsum(data, axis=dim, dtype=np.int64 if data.dtype.kind in "biu" else None)

    def save(self, a, dim):
        self._saved_dim = dim

    def backward(self, grad):
        if grad._data.ndim == 0:
            return (grad,)
        dim = self._saved_dim  # each input reaches every later output: sums from the end
        return (grad.flip(dim).cumsum(dim).flip(dim),)


class CumprodBackward0(Node):
    aten = "aten::cumprod"
    saved_names = ("self",)
    saves_result = True

    @staticmethod
    def forward(a, dim):
        data = a._data
        if data.ndim == 0:
            return data.astype(np.int64) if data.dtype.kind in "biu" else data.copy()
        return np.cumprod(data, axis=dim, dtype=np.int64 if data.dtype.kind in "biu" else None)

    def save(self, a, dim):
        self._saved_dim = dim
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        if a._data.ndim == 0 or a._data.size == 0:
            return (grad,)
        dim = self._saved_dim
        if not (a._data == 0).any():  # out_j / x_i is the product of the others up to j
            return ((grad * self.saved_output).flip(dim).cumsum(dim).flip(dim) / a,)
        # With zeros, no division: for each position i, the products up to every later j
        # with x_i left out (set to 1), summed against the gradient from j >= i.
        from .elementwise import where
        from .shape import stack
        n, parts = a._data.shape[dim], []
        pos = np.arange(n).reshape([-1 if d == dim else 1 for d in range(a._data.ndim)])
        for i in range(n):
            others = where(constant(np.broadcast_to(pos == i, a._data.shape)), 1.0, a)
            later = constant(np.broadcast_to(pos >= i, a._data.shape).astype(a._data.dtype))
            parts.append((grad * others.cumprod(dim) * later).sum(dim))
        return (stack(parts, dim),)


class LogcumsumexpBackward0(Node):
    aten = "aten::logcumsumexp"
    saved_names = ("self",)
    saves_result = True

    @staticmethod
    def forward(a, dim):
        data = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        if data.ndim == 0:
            return data.copy()
        return np.logaddexp.accumulate(data, axis=dim)

    def save(self, a, dim):
        self._saved_dim = dim
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        if a._data.ndim == 0:
            return (grad,)
        # d out_j / d x_i = exp(x_i - out_j) for j >= i: never above 1, so no overflow;
        # the pairs (i, j) are laid out along a new dimension next to `dim`.
        dim, out, n = self._saved_dim, self.saved_output, a._data.shape[self._saved_dim]
        shape = [1] * (a._data.ndim + 1)
        shape[dim], shape[dim + 1] = n, n
        later = constant(np.triu(np.ones((n, n), dtype=bool)).reshape(shape))
        from .elementwise import where
        weight = where(later, a.unsqueeze(dim + 1) - out.unsqueeze(dim), float("-inf")).exp()
        return ((weight * grad.unsqueeze(dim)).sum(dim + 1),)


class _Cumulative(_Reordered):
    """cummax / cummin: each output is one input, picked as sort picks them; an input can
    be picked many times, so backward adds its gradients up."""

    def save(self, a, dim, indices):
        self._saved_dim = dim
        self._saved_indices_array = indices

    def backward(self, grad):
        if grad._data.ndim == 0:
            return (grad,)
        from .gather_scatter import scatter_add
        zeros = constant(np.zeros(grad._data.shape, dtype=grad._data.dtype))
        return (scatter_add(zeros, self._saved_dim, self._saved_indices, grad),)


class CummaxBackward0(_Cumulative):
    aten = "aten::cummax"


class CumminBackward0(_Cumulative):
    aten = "aten::cummin"


def _running_indices(data, dim, better):
    """Where each running extremum was found: torch moves to a later element when it
    equals the extremum so far (ties go to the last), and a NaN, once met, stays."""
    if data.ndim == 0:
        return np.zeros((), dtype=np.int64)
    moved = np.moveaxis(data, dim, -1)
    idx = np.zeros(moved.shape, dtype=np.int64)
    best = moved[..., 0].copy()
    nan = np.isnan if data.dtype.kind == "f" else (lambda v: np.zeros(np.shape(v), bool))
    for j in range(1, moved.shape[-1]):
        x = moved[..., j]
        take = nan(x) | (~nan(best) & better(x, best))
        best = np.where(take, x, best)
        idx[..., j] = np.where(take, j, idx[..., j - 1])
    return np.moveaxis(idx, -1, dim)


cummax_return = _return_type("cummax")
cummin_return = _return_type("cummin")


def _cumulative(node_cls, result_type, better, input, dim):
    dim = wrap_dim(dim, input._data.ndim)
    idx = _running_indices(input._data, dim, better)
    return result_type(node_cls.apply(input, dim=dim, indices=idx), Tensor._make(idx))


# -- the functions users call -------------------------------------------------

def cumsum(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return CumsumBackward0.apply(input, dim=wrap_dim(dim, input._data.ndim))


def cumprod(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return CumprodBackward0.apply(input, dim=wrap_dim(dim, input._data.ndim))


def logcumsumexp(input, dim):
    return LogcumsumexpBackward0.apply(input, dim=wrap_dim(dim, input._data.ndim))


def cummax(input, dim):
    return _cumulative(CummaxBackward0, cummax_return, np.greater_equal, input, dim)


def cummin(input, dim):
    return _cumulative(CumminBackward0, cummin_return, np.less_equal, input, dim)
