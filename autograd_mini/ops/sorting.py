"""sort, argsort, msort, topk: elements put in order; the gradient goes back to
where each element came from."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import constant, wrap_dim
from .reduction import _return_type


def _order(data, dim, descending):
    """Stable order along `dim`, NaN counted as the largest value (torch's rule).
    Descending and still stable: sort the reversed slice ascending, then read the
    answer backwards, so equal values keep their original order."""
    if data.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if not descending:
        return np.argsort(data, axis=dim, kind="stable").astype(np.int64)
    n = data.shape[dim]
    backwards = np.argsort(np.flip(data, dim), axis=dim, kind="stable")
    return np.flip(n - 1 - backwards, dim).astype(np.int64)


class _Reordered(Node):
    """The values at `indices` along `dim`; backward puts each gradient back there."""

    @staticmethod
    def forward(a, dim, indices):
        if a._data.ndim == 0:
            return a._data.copy()
        return np.take_along_axis(a._data, indices, axis=dim)

    def save(self, a, dim, indices):
        self._saved_dim = dim
        self._saved_self_sym_sizes = a._data.shape
        self._saved_indices_array = indices

    @property
    def _saved_indices(self):
        return Tensor._make(self._saved_indices_array)

    def backward(self, grad):
        if grad._data.ndim == 0:
            return (grad,)
        from .gather_scatter import scatter
        zeros = constant(np.zeros(self._saved_self_sym_sizes, dtype=grad._data.dtype))
        return (scatter(zeros, self._saved_dim, self._saved_indices, grad),)


class SortBackward0(_Reordered):
    aten = "aten::sort"


class SortBackward1(_Reordered):
    """sort(stable=...): torch's other overload"""
    aten = "aten::sort"


class TopkBackward0(_Reordered):
    aten = "aten::topk"


sort_return = _return_type("sort")
topk_return = _return_type("topk")


_UNSET = object()


def sort(input, dim=-1, descending=False, stable=_UNSET):
    """Always stable (torch's CPU sort is too); passing stable= is another overload."""
    if isinstance(dim, bool):  # sort(stable=..., descending) has dim as a keyword
        dim, descending = -1, dim
    dim = wrap_dim(dim, input._data.ndim)
    idx = _order(input._data, dim, descending)
    node = SortBackward0 if stable is _UNSET else SortBackward1
    return sort_return(node.apply(input, dim=dim, indices=idx), Tensor._make(idx))


def argsort(input, dim=-1, descending=False, stable=False):
    return Tensor._make(_order(input._data, wrap_dim(dim, input._data.ndim), descending))


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    data = input._data
    dim = wrap_dim(dim, data.ndim)
    size = data.shape[dim] if data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    idx = _order(data, dim, largest)
    if data.ndim:
        idx = np.take(idx, np.arange(k), axis=dim)
    return topk_return(TopkBackward0.apply(input, dim=dim, indices=idx), Tensor._make(idx))
