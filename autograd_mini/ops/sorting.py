"""sort, argsort, msort, topk: elements put in order; the gradient goes back to
where each element came from."""
import numpy as np

from ..node import Node
from . import _cpp_order
from ..tensor import Tensor
from ._util import constant, wrap_dim
from .reduction import _return_type


def _order(data, dim, descending, stable=True):
    """The order along `dim`, NaN counted as the largest value (torch's rule).
    Stable and descending: sort the reversed slice ascending, then read the answer
    backwards, so equal values keep their original order. Not stable (torch's default):
    torch's CPU kernel runs std::sort, which leaves equal values in an order of its own
    past 16 elements; that is replayed for the slices with ties (_unstable_order)."""
    if data.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if not descending:
        order = np.argsort(data, axis=dim, kind="stable").astype(np.int64)
    else:
        n = data.shape[dim]
        backwards = np.argsort(np.flip(data, dim), axis=dim, kind="stable")
        order = np.flip(n - 1 - backwards, dim).astype(np.int64)
    if stable or data.shape[dim] <= _INSERTION_SORT or _radix_sorted(data, descending):
        return order
    return _unstable_order(data, dim, descending, order)


_INSERTION_SORT = 16  # std::sort sorts this few by insertion: stably


def _radix_sorted(data, descending):
    """torch sorts a long 1-D integer tensor ascending with a radix sort, which is stable."""
    return data.ndim == 1 and not descending and data.dtype.kind in "iu" and data.size >= 32768


def _unstable_order(data, dim, descending, order):
    if descending:
        def less(x, y):
            return (x[0] != x[0] and y[0] == y[0]) or x[0] > y[0]
    else:
        def less(x, y):
            return (x[0] == x[0] and y[0] != y[0]) or x[0] < y[0]
    moved, out = np.moveaxis(data, dim, -1), np.moveaxis(order, dim, -1)
    n = moved.shape[-1]
    for pos in np.ndindex(moved.shape[:-1]):
        row = moved[pos]
        if np.unique(row).size == n and not (row != row).any():
            continue  # no ties: every correct order is this one
        pairs = [(v, j) for j, v in enumerate(row.tolist())]
        _cpp_order.sort(pairs, 0, n, less)
        out[pos] = [j for _, j in pairs]
    return order


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
    """Stable or not as torch is (see _order); passing stable= is another overload."""
    if isinstance(dim, bool):  # sort(stable=..., descending) has dim as a keyword
        dim, descending = -1, dim
    dim = wrap_dim(dim, input._data.ndim)
    idx = _order(input._data, dim, descending, stable=stable is not _UNSET and bool(stable))
    node = SortBackward0 if stable is _UNSET else SortBackward1
    return sort_return(node.apply(input, dim=dim, indices=idx), Tensor._make(idx))


def argsort(input, dim=-1, descending=False, stable=False):
    return Tensor._make(_order(input._data, wrap_dim(dim, input._data.ndim), descending, stable))


def msort(input):
    return sort(input, 0).values


def _topk_indices(data, dim, k, largest, sorted):
    """torch's CPU topk per slice: partial_sort when k * 64 <= n, else nth_element and a
    sort of the first k - 1. Without ties (and sorted) that is just the order; with ties,
    which of the equal values it reports is what those algorithms leave, so they are
    replayed (_cpp_order)."""
    moved = np.moveaxis(data, dim, -1)
    n = moved.shape[-1]
    order = np.moveaxis(_order(data, dim, largest), dim, -1)[..., :k]
    if k == 0:
        return np.moveaxis(order, -1, dim)
    if largest:
        def less(x, y):
            return (x[0] != x[0] and y[0] == y[0]) or x[0] > y[0]
    else:
        def less(x, y):
            return (x[0] == x[0] and y[0] != y[0]) or x[0] < y[0]
    for pos in np.ndindex(moved.shape[:-1]):
        row = moved[pos]
        if sorted and np.unique(row).size == n and not (row != row).any():
            continue
        queue = [(v, j) for j, v in enumerate(row.tolist())]
        if k * 64 <= n:
            _cpp_order.partial_sort(queue, 0, k, n, less)
        else:
            _cpp_order.nth_element(queue, 0, k - 1, n, less)
            if sorted:
                _cpp_order.sort(queue, 0, k - 1, less)
        order[pos] = [j for _, j in queue[:k]]
    return np.moveaxis(order, -1, dim)


def topk(input, k, dim=-1, largest=True, sorted=True):
    data = input._data
    dim = wrap_dim(dim, data.ndim)
    size = data.shape[dim] if data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    idx = _topk_indices(data, dim, k, largest, sorted) if data.ndim else _order(data, dim, largest)
    return topk_return(TopkBackward0.apply(input, dim=dim, indices=idx), Tensor._make(idx))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """For each value, where it would go in the (last dimension of the) sorted sequence."""
    seq = sorted_sequence._data
    values = np.asarray(input._data if isinstance(input, Tensor) else input)
    side = side or ("right" if right else "left")
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, axis=-1)
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    if seq.ndim <= 1:
        out = np.searchsorted(seq, values, side=side)
    else:
        out = np.empty(values.shape, dtype=np.int64)
        for pos in np.ndindex(seq.shape[:-1]):
            out[pos] = np.searchsorted(seq[pos], values[pos], side=side)
    return Tensor._make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, in increasing order (torch's CPU unique sorts even when
    sorted=False); with return_inverse / return_counts, a tuple as torch returns."""
    data = input._data
    values, inverse, counts = np.unique(data if dim is None else data, return_inverse=True,
                                        return_counts=True, axis=dim)
    out = [Tensor._make(values)]
    if return_inverse:
        shape = data.shape if dim is None else (data.shape[dim],)
        out.append(Tensor._make(inverse.reshape(shape).astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
