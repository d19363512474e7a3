"""gather, scatter (add, reduce), index_select, index_add, index_fill, index_copy, take,
take_along_dim: reading or writing at positions given by an index tensor. Each one's
backward is the matching write or read (gather <-> scatter_add, index_select <->
index_add), so gradients of gradients work too. Masks are in masked.py."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import broadcast_error, constant, wrap_dim


def _coords(index, dim, shape, what, src_shape=None):
    """NumPy fancy-index keys for `index` along `dim`: every other dimension is
    counted 0, 1, ... up to the index's own size there (it may be smaller than the
    tensor's), as torch's gather and scatter read it. Torch's checks first."""
    if index.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{'gather' if what == 'gather' else 'scatter'}(): Expected dtype "
                           "int32/int64 for index")
    ndim = len(shape)
    if index.ndim != ndim and not (index.ndim <= 1 and ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    index = index.reshape(index.shape if ndim else ())
    for d in range(index.ndim):
        too_big = d != dim and index.shape[d] > shape[d]
        if what == "gather" and too_big:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(index.shape)} to be no larger than self {list(shape)} "
                               f"apart from dimension {dim}")
        if too_big or (src_shape is not None and index.shape[d] > src_shape[d]):
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                               f"{list(shape)} apart from dimension {dim}" + (
                                   "" if src_shape is None else
                                   f" and to be no larger size than src {list(src_shape)}"))
    size = shape[dim] if ndim else 1
    bad = (index < 0) | (index >= size)  # gather and scatter take no negative indices
    if bad.any():
        raise RuntimeError(f"index {int(index[bad][0])} is out of bounds for dimension {dim} "
                           f"with size {size}")
    if not ndim:
        return ()
    keys = list(np.ogrid[tuple(slice(0, n) for n in index.shape)])
    keys[dim] = index
    return tuple(keys)


def _part(src, shape):
    """The leading block of `src` of `shape` (scatter reads only that much of src)."""
    return src[tuple(slice(0, n) for n in shape)]


class GatherBackward0(Node):
    aten = "aten::gather"

    @staticmethod
    def forward(a, dim, index):
        return np.asarray(a._data[_coords(index._data, dim, a._data.shape, "gather")])

    def save(self, a, dim, index):
        self._saved_dim, self._saved_index, self._saved_sparse_grad = dim, index, False
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        zeros = constant(np.zeros(self._saved_self_sym_sizes, dtype=grad._data.dtype))
        return (scatter_add(zeros, self._saved_dim, self._saved_index, grad),)


class ScatterBackward0(Node):
    """scatter(dim, index, src): src's elements written at the indices"""
    aten = "aten::scatter"

    @staticmethod
    def forward(a, src, dim, index):
        out = a._data.copy()
        keys = _coords(index._data, dim, a._data.shape, "scatter", src._data.shape)
        out[keys] = _part(src._data, index._data.shape).astype(out.dtype, copy=False)
        return out

    def save(self, a, src, dim, index):
        self._saved_dim, self._saved_index = dim, index

    def backward(self, grad):
        need_a, need_src = self.needs_input_grad
        dim, index = self._saved_dim, self._saved_index
        return (scatter(grad, dim, index, 0.0) if need_a else None,
                grad.gather(dim, index) if need_src else None)


class ScatterBackward1(Node):
    """scatter(dim, index, value): one number written at the indices"""
    aten = "aten::scatter"

    @staticmethod
    def forward(a, dim, index, value):
        out = a._data.copy()
        out[_coords(index._data, dim, a._data.shape, "scatter")] = value
        return out

    def save(self, a, dim, index, value):
        self._saved_dim, self._saved_index, self._saved_value = dim, index, value

    def backward(self, grad):
        return (scatter(grad, self._saved_dim, self._saved_index, 0.0),)


class ScatterAddBackward0(Node):
    aten = "aten::scatter_add"

    @staticmethod
    def forward(a, src, dim, index):
        out = a._data.copy()
        keys = _coords(index._data, dim, a._data.shape, "scatter_add", src._data.shape)
        np.add.at(out, keys, _part(src._data, index._data.shape).astype(out.dtype, copy=False))
        return out

    def save(self, a, src, dim, index):
        self._saved_dim, self._saved_index = dim, index

    def backward(self, grad):
        need_a, need_src = self.needs_input_grad
        return (grad if need_a else None,
                grad.gather(self._saved_dim, self._saved_index) if need_src else None)


_IDENTITY = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}
_AT = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


class ScatterReduceBackward0(Node):
    """scatter_reduce(dim, index, src, reduce): src's elements combined into the input by
    sum, prod, mean, amax or amin (with or without the input's own value)."""
    aten = "aten::scatter_reduce"
    saved_names = ("self", "src")
    saves_result = True

    @staticmethod
    def forward(a, src, dim, index, reduce, include_self=True):
        if reduce not in _AT:
            raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, "
                               f"got {reduce}")
        out = a._data.copy()
        keys = _coords(index._data, dim, a._data.shape, "scatter_reduce", src._data.shape)
        part = _part(src._data, index._data.shape).astype(out.dtype, copy=False)
        if not include_self:
            out[keys] = _IDENTITY[reduce]
        _AT[reduce].at(out, keys, part)
        if reduce == "mean":
            out /= _counts(a._data.shape, keys, include_self)
        return out

    def save(self, a, src, dim, index, reduce, include_self=True):
        self._saved_dim, self._saved_index = dim, index
        self._saved_reduce, self._saved_include_self = reduce, include_self
        self.save_for_backward(a, src)

    def backward(self, grad):
        a, src = self.saved_tensors
        dim, index, reduce = self._saved_dim, self._saved_index, self._saved_reduce
        keys = _coords(index._data, dim, a._data.shape, "scatter_reduce")
        scattered = np.zeros(a._data.shape, dtype=bool)
        scattered[keys] = True
        own = constant(~scattered) if not self._saved_include_self else None
        if reduce == "sum":
            grad_self, grad_src = grad, grad.gather(dim, index)
        elif reduce == "mean":
            share = grad / constant(_counts(a._data.shape, keys, self._saved_include_self)
                                    .astype(grad._data.dtype))
            grad_self, grad_src = share, share.gather(dim, index)
        elif reduce in ("amax", "amin"):
            # Ties share the gradient evenly, the input's own value counted as one of them
            # (by torch even with include_self=False, where its share is then dropped).
            result = self.saved_output._data
            self_hits = a._data == result
            src_hits = _part(src._data, index._data.shape) == result[keys]
            count = self_hits.astype(grad._data.dtype)
            np.add.at(count, keys, src_hits)
            share = grad / constant(np.where(count == 0, 1, count))
            grad_self = share * constant(self_hits.astype(grad._data.dtype))
            grad_src = share.gather(dim, index) * constant(src_hits.astype(grad._data.dtype))
        else:
            if (a._data == 0).any() or (src._data == 0).any():
                raise NotImplementedError("scatter_reduce(reduce='prod') with zeros: its "
                                          "gradient is not in autograd_mini")
            product = grad * self.saved_output
            grad_self, grad_src = product / a, product.gather(dim, index) / src
        if own is not None:
            grad_self = grad_self * own
        return grad_self, grad_src


def _counts(shape, keys, include_self):
    """How many values each place of the result averages (at least 1)."""
    count = np.full(shape, 1 if include_self else 0, dtype=np.int64)
    np.add.at(count, keys, 1)
    return np.maximum(count, 1)


def _vector(index, what):
    if index._data.ndim > 1:
        raise IndexError(f"{what}(): Index is supposed to be a vector")
    return index._data.reshape(-1)


def _check_index_add(dest, src, dim, idx):
    """torch's refusals for index_add, in its order and words."""
    rest = lambda shape: [n for d, n in enumerate(shape) if d != dim]  # noqa: E731
    if dest.ndim and (src.ndim != dest.ndim or rest(src.shape) != rest(dest.shape)):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(dest.shape)} "
                           f"source.shape = {list(src.shape)}")
    count = src.shape[dim] if src.ndim else 1
    if idx.size != count:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({count}), for dim: {dim}")
    size = dest.shape[dim] if dest.ndim else 1
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        raise RuntimeError(f"index {int(idx[bad][0])} is out of bounds for dimension {dim} "
                           f"with size {size}")


def _check_index_copy(dest, src, dim, idx):
    count = src.shape[dim] if src.ndim else 1
    if idx.size != count:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({count})")
    rest = lambda shape: [n for d, n in enumerate(shape) if d != dim]  # noqa: E731
    if dest.ndim and rest(src.shape) != rest(dest.shape):
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, rest(dest.shape)))} at dimension {dim} and source "
            f"slice shape: {' '.join(map(str, rest(src.shape)))} at dimension 0.")
    size = dest.shape[dim] if dest.ndim else 1
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        raise IndexError(f"index_copy_(): index {int(idx[bad][0])} is out of bounds for "
                         f"dimension {dim} with size {size}")


class IndexSelectBackward0(Node):
    aten = "aten::index_select"

    @staticmethod
    def forward(a, dim, index):
        data, idx = a._data, _vector(index, "index_select")
        size = data.shape[dim] if data.ndim else 1
        if ((idx < 0) | (idx >= size)).any():  # no negative indices here, as in torch
            raise IndexError("index out of range in self")
        if not data.ndim:  # a 0-d tensor gives a 0-d result, as in torch
            return data.reshape(1)[idx].reshape(())
        return np.take(data, idx, axis=dim)

    def save(self, a, dim, index):
        self._saved_dim, self._saved_index = dim, index
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        zeros = constant(np.zeros(self._saved_self_sym_sizes, dtype=grad._data.dtype))
        return (index_add(zeros, self._saved_dim, self._saved_index, grad),)


class IndexAddBackward0(Node):
    aten = "aten::index_add"

    @staticmethod
    def forward(a, source, dim, index, alpha=1):
        _check_index_add(a._data, source._data, dim, _vector(index, "index_add"))
        out = a._data.copy()
        src = source._data * alpha if alpha != 1 else source._data
        if out.ndim == 0:
            return out + src.reshape(())
        np.add.at(np.moveaxis(out, dim, 0), _vector(index, "index_add"),
                  np.moveaxis(src.astype(out.dtype, copy=False), dim, 0))
        return out

    def save(self, a, source, dim, index, alpha=1):
        self._saved_dim, self._saved_index, self._saved_alpha = dim, index, alpha
        self._saved_source_dim = source._data.ndim

    def backward(self, grad):
        need_a, need_src = self.needs_input_grad
        grad_src = None
        if need_src:
            grad_src = grad.index_select(self._saved_dim, self._saved_index)
            if self._saved_alpha != 1:
                grad_src = grad_src * self._saved_alpha
        return (grad if need_a else None, grad_src)


class TakeBackward0(Node):
    aten = "aten::take"

    @staticmethod
    def forward(a, index):
        idx, n = index._data, a._data.size
        if idx.dtype != np.int64:
            raise RuntimeError("take(): Expected a long tensor for index, but got "
                               f"{index.dtype.name.capitalize().replace('64', '').replace('32', '')}")
        bad = (idx < -n) | (idx >= n)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {int(idx[bad][0])} on a "
                             f"tensor of {n} elements.")
        return a._data.reshape(-1)[idx]

    def save(self, a, index):
        self._saved_self_sym_sizes, self._saved_index = a._data.shape, index

    def backward(self, grad):
        from .indexing import index_put
        index, shape = self._saved_index, self._saved_self_sym_sizes
        zeros = constant(np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=grad._data.dtype))
        idx = index._data % max(zeros._data.size, 1)
        return (index_put(zeros, idx.reshape(-1), grad.reshape(-1), True).reshape(shape),)


class IndexFillBackward0(Node):
    """index_fill(dim, index, number)"""
    aten = "aten::index_fill"

    @staticmethod
    def forward(a, dim, index, value):
        out = a._data.copy()
        target = np.moveaxis(out, dim, 0) if out.ndim else out.reshape(1)
        idx = _vector(index, "index_fill")
        bad = (idx < -len(target)) | (idx >= len(target))  # negative ones count from the end
        if bad.any():
            raise IndexError(f"index {int(idx[bad][0])} is out of bounds for dimension {dim} "
                             f"with size {len(target)}")
        target[idx] = value
        return out

    def save(self, a, dim, index, value):
        self._saved_dim, self._saved_index = dim, index

    def backward(self, grad):
        return (grad.index_fill(self._saved_dim, self._saved_index, 0.0),)


class IndexFillBackward1(Node):
    """index_fill(dim, index, 0-d tensor): the value gets the filled places' gradient"""
    aten = "aten::index_fill"

    @staticmethod
    def forward(a, value, dim, index):
        return IndexFillBackward0.forward(a, dim, index, value._data)

    def save(self, a, value, dim, index):
        self._saved_dim, self._saved_index = dim, index

    def backward(self, grad):
        need_a, need_value = self.needs_input_grad
        dim, index = self._saved_dim, self._saved_index
        return (grad.index_fill(dim, index, 0.0) if need_a else None,
                grad.index_select(dim, index).sum() if need_value else None)


class IndexCopyBackward0(Node):
    aten = "aten::index_copy"

    @staticmethod
    def forward(a, source, dim, index):
        _check_index_copy(a._data, source._data, dim, _vector(index, "index_copy"))
        out = a._data.copy()
        target = np.moveaxis(out, dim, 0) if out.ndim else out.reshape(1)
        src = source._data.astype(out.dtype, copy=False)
        target[_vector(index, "index_copy")] = np.moveaxis(src, dim, 0) if src.ndim else src
        return out

    def save(self, a, source, dim, index):
        self._saved_dim, self._saved_index = dim, index
        self._saved_source_dim = source._data.ndim

    def backward(self, grad):
        need_a, need_src = self.needs_input_grad
        dim, index = self._saved_dim, self._saved_index
        return (grad.index_fill(dim, index, 0.0) if need_a else None,
                grad.index_select(dim, index) if need_src else None)


# -- the functions users call -------------------------------------------------

def _dim(input, dim):
    return wrap_dim(dim, input._data.ndim)


def gather(input, dim, index, *, sparse_grad=False):
    return GatherBackward0.apply(input, dim=_dim(input, dim), index=index)


def take_along_dim(input, indices, dim=None):
    """gather after broadcasting input and indices against each other (except along dim)."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    a, idx = input._data, indices._data
    if a.ndim != idx.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {a.ndim} dimensions for input, and "
                           f"{idx.ndim} dimensions for indices")
    dim = _dim(input, dim)
    shape_a, shape_i = list(a.shape), list(idx.shape)
    shape_a[dim] = shape_i[dim] = 1
    try:
        common = list(np.broadcast_shapes(tuple(shape_a), tuple(shape_i)))
    except ValueError:
        raise broadcast_error(tuple(shape_a), tuple(shape_i)) from None
    input_shape, index_shape = list(common), list(common)
    input_shape[dim], index_shape[dim] = a.shape[dim], idx.shape[dim]
    index = Tensor._make(np.broadcast_to(idx, index_shape))
    return gather(input.expand(*input_shape), dim, index)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not in autograd_mini")
    src = value if src is None else src
    if isinstance(src, Tensor):
        return ScatterBackward0.apply(input, src, dim=_dim(input, dim), index=index)
    return ScatterBackward1.apply(input, dim=_dim(input, dim), index=index, value=src)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    return ScatterReduceBackward0.apply(input, src, dim=_dim(input, dim), index=index,
                                        reduce=reduce, include_self=include_self)


def scatter_add(input, dim, index, src):
    return ScatterAddBackward0.apply(input, src, dim=_dim(input, dim), index=index)


def index_select(input, dim, index):
    return IndexSelectBackward0.apply(input, dim=_dim(input, dim), index=index)


def index_add(input, dim, index, source, *, alpha=1):
    return IndexAddBackward0.apply(input, source, dim=_dim(input, dim), index=index,
                                   alpha=alpha)


def take(input, index):
    return TakeBackward0.apply(input, index=index)


def index_fill(input, dim, index, value):
    if isinstance(value, Tensor):
        return IndexFillBackward1.apply(input, value, dim=_dim(input, dim), index=index)
    return IndexFillBackward0.apply(input, dim=_dim(input, dim), index=index, value=value)


def index_copy(input, dim, index, source):
    return IndexCopyBackward0.apply(input, source, dim=_dim(input, dim), index=index)
