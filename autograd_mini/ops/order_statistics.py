"""median, nanmedian, kthvalue, mode: order statistics. Each picks one element per
slice, at the position torch's own kernel reports among equal values."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from . import _cpp_order
from ._util import constant, wrap_dim
from .reduction import _ExtremumAll, _expand_back, _return_type


def _lower_median(data):
    flat = np.sort(data.reshape(-1))  # NaN sorts last: the median of anything with NaN is NaN
    if np.isnan(flat[-1:]).any():
        return flat[-1]
    return flat[(flat.size - 1) // 2]


class MedianBackward0(_ExtremumAll):
    """median() of all elements: the lower of the two middle values; the gradient is
    shared between the elements equal to it, as for max()."""
    aten = "aten::median"

    @staticmethod
    def forward(a):
        if a._data.size == 0:
            return np.asarray(np.nan, dtype=a._data.dtype)
        return np.asarray(_lower_median(a._data))


class NanmedianBackward0(MedianBackward0):
    """nanmedian() of all elements: the median of the values that are not NaN"""
    aten = "aten::nanmedian"

    @staticmethod
    def forward(a):
        data = a._data.reshape(-1)
        kept = data[~np.isnan(data)] if data.dtype.kind == "f" else data
        if kept.size == 0:
            return np.asarray(np.nan, dtype=a._data.dtype)
        return np.asarray(_lower_median(kept))


class _Selected(Node):
    """A reduction that picks one element per slice (median(dim), kthvalue, mode):
    the gradient goes to that element. The indices are found before the node is made."""

    @staticmethod
    def forward(a, dim, keepdim, indices):
        values = np.take_along_axis(a._data, indices, axis=dim) if a._data.ndim else a._data
        return values if keepdim or not a._data.ndim else np.squeeze(values, dim)

    def save(self, a, dim, keepdim, indices):
        self._saved_dim, self._saved_keepdim = dim, keepdim
        self._saved_self_sym_sizes = a._data.shape
        self.kept_indices = indices

    @property
    def _saved_indices(self):
        idx = self.kept_indices
        return Tensor._make(idx if self._saved_keepdim or idx.ndim == 0
                            else np.squeeze(idx, self._saved_dim))

    def backward(self, grad):
        shape, dim = self._saved_self_sym_sizes, self._saved_dim
        if not shape:
            return (grad,)
        from .gather_scatter import scatter
        grad = _expand_back(grad, self.kept_indices.shape, (dim,), self._saved_keepdim)
        zeros = constant(np.zeros(shape, dtype=grad._data.dtype))
        return (scatter(zeros, dim, Tensor._make(self.kept_indices), grad),)


class MedianBackward1(_Selected):
    aten = "aten::median"


class KthvalueBackward0(_Selected):
    aten = "aten::kthvalue"


class NanmedianBackward1(_Selected):
    aten = "aten::nanmedian"


class ModeBackward0(_Selected):
    aten = "aten::mode"


def _median_index(row):
    """torch's median(dim) on one slice: the first NaN if any, else the ((n - 1) // 2)-th
    element in order of (value, position)."""
    nan = np.flatnonzero(np.isnan(row)) if row.dtype.kind == "f" else ()
    if len(nan):
        return nan[0]
    return np.argsort(row, kind="stable")[(row.size - 1) // 2]


def _nanmedian_index(row):
    """torch's nanmedian(dim) on one slice: the ((count - 1) // 2)-th of the values that
    are not NaN, in order of (value, position); position 0 when all are NaN."""
    kept = np.flatnonzero(~np.isnan(row)) if row.dtype.kind == "f" else np.arange(row.size)
    if not kept.size:
        return 0
    return kept[np.argsort(row[kept], kind="stable")[(kept.size - 1) // 2]]


def _quick_select_index(row, k):
    """The position torch's kthvalue reports: its median-of-three quickselect (ATen's
    quick_select_template) replayed, so that among equal values the same one is picked."""
    arr, idx = list(row), list(range(len(row)))
    is_nan = np.isnan if row.dtype.kind == "f" else (lambda v: False)

    def gt(x, y):
        return (is_nan(x) and not is_nan(y)) or x > y

    def swap(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        idx[i], idx[j] = idx[j], idx[i]

    lo, hi = 0, len(arr) - 1
    while True:
        if hi <= lo:
            break
        if hi == lo + 1:
            if gt(arr[lo], arr[hi]):
                swap(lo, hi)
            break
        mid = lo + (hi - lo) // 2
        swap(mid, lo + 1)
        if gt(arr[lo + 1], arr[hi]):
            swap(lo + 1, hi)
        if gt(arr[lo], arr[hi]):
            swap(lo, hi)
        if gt(arr[lo + 1], arr[lo]):
            swap(lo + 1, lo)
        i, j, pivot = lo + 1, hi, arr[lo]
        while True:
            i += 1
            while gt(pivot, arr[i]):
                i += 1
            j -= 1
            while gt(arr[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]


def _mode_index(row):
    """The most frequent value (the smallest of equally frequent ones), at the position
    torch's mode reports: the last of its run after std::sort of (value, position)
    pairs by value, an unstable sort, replayed (_cpp_order)."""
    pairs = [(v, j) for j, v in enumerate(row.tolist())]
    _cpp_order.sort(pairs, 0, len(pairs), lambda x, y: x[0] < y[0])
    best, best_count, count = 0, 0, 0
    for i in range(len(pairs)):
        count += 1
        if i == len(pairs) - 1 or pairs[i][0] != pairs[i + 1][0]:
            if count > best_count:
                best, best_count = pairs[i][1], count
            count = 0
    return best


def _indices_along(data, dim, per_slice, fast=None):
    """Apply `per_slice` to every 1-D slice along `dim`; the indices, kept along `dim`.
    `fast(slices)` answers all slices at once with NumPy and says which ones it cannot
    (ties, NaN): only those go through `per_slice`."""
    if data.ndim == 0:
        return np.zeros((), dtype=np.int64)
    moved = np.moveaxis(data, dim, -1)
    if fast is None:
        out, slow = np.empty(moved.shape[:-1], dtype=np.int64), np.ones(moved.shape[:-1], bool)
    else:
        out, slow = fast(moved)
    for pos in zip(*np.nonzero(slow)):
        out[pos] = per_slice(moved[pos])
    return np.expand_dims(out, dim)


def _nan(slices):
    return np.isnan(slices) if slices.dtype.kind == "f" else np.zeros(slices.shape, bool)


def _has_ties(slices):
    """Per slice: two equal values, or a NaN (which torch's comparisons treat as equal)."""
    ordered = np.sort(slices, axis=-1)
    return (ordered[..., 1:] == ordered[..., :-1]).any(axis=-1) | _nan(slices).any(axis=-1)


def _median_fast(slices):
    nan = _nan(slices)
    order = np.argsort(slices, axis=-1, kind="stable")
    out = order[..., (slices.shape[-1] - 1) // 2].astype(np.int64)
    out = np.where(nan.any(axis=-1), nan.argmax(axis=-1), out)
    return out, np.zeros(out.shape, bool)


def _nanmedian_fast(slices):
    count = (~_nan(slices)).sum(axis=-1)
    order = np.argsort(slices, axis=-1, kind="stable")  # NaN sorts last
    k = np.maximum(count - 1, 0) // 2
    out = np.take_along_axis(order, k[..., None], axis=-1)[..., 0].astype(np.int64)
    return np.where(count == 0, 0, out), np.zeros(out.shape, bool)


def _kth_fast(k):
    def fast(slices):
        out = np.argsort(slices, axis=-1, kind="stable")[..., k].astype(np.int64)
        return out, _has_ties(slices)
    return fast


def _mode_fast(slices):
    # All values distinct: each occurs once, and the smallest wins.
    return np.argmin(slices, axis=-1).astype(np.int64), _has_ties(slices)


median_return = _return_type("median")
nanmedian_return = _return_type("nanmedian")
kthvalue_return = _return_type("kthvalue")
mode_return = _return_type("mode")


def _selected(node_cls, result_type, input, dim, keepdim, per_slice, fast=None):
    data = input._data
    dim = wrap_dim(dim, data.ndim)
    if data.ndim and data.shape[dim] == 0:
        raise IndexError(f"{node_cls.aten[6:]}(): Expected reduction dim {dim} to have "
                         "non-zero size.")
    idx = _indices_along(data, dim, per_slice, fast)
    values = node_cls.apply(input, dim=dim, keepdim=keepdim, indices=idx)
    if not keepdim and idx.ndim:
        idx = np.squeeze(idx, dim)
    return result_type(values, Tensor._make(idx))


# -- the functions users call -------------------------------------------------

def median(input, dim=None, keepdim=False):
    if dim is None:
        return MedianBackward0.apply(input)
    return _selected(MedianBackward1, median_return, input, dim, keepdim, _median_index,
                     _median_fast)


def kthvalue(input, k, dim=-1, keepdim=False):
    data = input._data
    d = wrap_dim(dim, data.ndim)
    size = data.shape[d] if data.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _selected(KthvalueBackward0, kthvalue_return, input, d, keepdim,
                     lambda row: _quick_select_index(row, k - 1), _kth_fast(k - 1))


def mode(input, dim=-1, keepdim=False):
    return _selected(ModeBackward0, mode_return, input, dim, keepdim, _mode_index, _mode_fast)


def nanmedian(input, dim=None, keepdim=False):
    if dim is None:
        return NanmedianBackward0.apply(input)
    return _selected(NanmedianBackward1, nanmedian_return, input, dim, keepdim, _nanmedian_index,
                     _nanmedian_fast)
