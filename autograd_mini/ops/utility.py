"""broadcast_to, broadcast_tensors, sum_to_size, repeat_interleave, trapezoid: made of
existing view, index and arithmetic operations in the order torch's own composite
code calls them, so the recorded nodes are torch's. And the counting functions
(bincount, histc, isin, unique_consecutive), whose integer or boolean results are
never recorded."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import broadcast_error, wrap_dim
from .nn_ops import DivBackward1
from .scalar_nodes import MulBackward1
from .shape import expand


def broadcast_to(input, size):
    return expand(input, *size)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = ()
    for t in tensors:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise broadcast_error(shape, t._data.shape) from None
    # a tensor already of the common shape is returned itself, as torch's expand_outplace does
    return tuple(t if t._data.shape == shape else expand(t, *shape) for t in tensors)


def sum_to_size(self, *size):
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    shape = self._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != n for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if tuple(size) == shape:
        return self
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size)
                                      if s == 1 and shape[lead + i] != 1)
    result = self.sum(dims, keepdim=True) if dims else self
    return result.view(*size) if lead else result


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along dim) repeated: an int count is an unsqueeze, expand,
    clone and view; a tensor of counts an index_select, as in torch."""
    if repeats is None:  # repeat_interleave(counts): the indices 0, 0, 1, ... themselves
        return _repeated_indices(input)
    if dim is None:
        input, dim = input.flatten(), 0
    dim = wrap_dim(dim, input._data.ndim)
    if isinstance(repeats, Tensor):
        counts = repeats._data.reshape(-1)
        size = input._data.shape[dim] if input._data.ndim else 1
        if counts.size == 1:
            counts = np.repeat(counts, size)
        if counts.size != size:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.size} and input.size({dim}) = {size}")
        return input.index_select(dim, _repeated_indices(Tensor._make(counts)))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = list(input._data.shape) or [1]
    grown = input.unsqueeze(dim + 1).expand(*shape[:dim + 1], repeats, *shape[dim + 1:])
    shape[dim] *= repeats
    return grown.clone().view(*shape)


def _repeated_indices(counts):
    data = counts._data
    if data.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if data.dtype not in (np.int64, np.int32):
        raise RuntimeError("repeats has to be Long or Int tensor")
    if data.size and data.min() < 0:
        raise RuntimeError("repeats can not be negative")
    return Tensor._make(np.repeat(np.arange(data.size, dtype=data.dtype), data))


_POINTS = " * (Tensor y, Tensor x, *, int dim = -1)\n"
_SPACING = " * (Tensor y, *, {} dx = 1, int dim = -1)\n"
# the signatures torch lists, in its order, when x is neither a tensor nor absent
_SIGNATURES = {"trapezoid": _POINTS + _SPACING.format("Number"),
               "trapz": _SPACING.format("float") + _POINTS}


def trapezoid(y, x=None, *, dx=None, dim=-1, _name="trapezoid"):
    """The trapezoid rule along dim: with spacing dx (1 if not given) as
    (sum - (first + last) / 2) * dx, with sample points x as sum(dx_i * (y_i + y_i+1)) / 2."""
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"{_name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(x).__name__}), but expected one of:\n" + _SIGNATURES[_name])
    dim = wrap_dim(dim, y._data.ndim)
    n = y._data.shape[dim]
    if x is None:
        spacing = 1 if dx is None else dx
        if n == 0:
            return MulBackward1.apply(y.sum(dim), other=spacing)
        ends = MulBackward1.apply(y.select(dim, 0) + y.select(dim, -1), other=0.5)
        return MulBackward1.apply(y.sum(dim) - ends, other=spacing)
    if x._data.ndim == 1:
        if x._data.shape[0] != n:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        x = x.view(*[n if i == dim else 1 for i in range(y._data.ndim)])
        xdim = dim
    else:
        xdim = wrap_dim(dim, x._data.ndim)
    steps = x.narrow(xdim, 1, n - 1) - x.narrow(xdim, 0, n - 1)
    total = ((y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)) * steps).sum(dim)
    return DivBackward1.apply(total, other=2.0)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim, _name="trapz")


def bincount(input, weights=None, minlength=0):
    data = input._data
    if data.dtype.kind not in "iub" or data.dtype == np.bool_:
        from .. import dtypes
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{dtypes.scalar_type(dtypes.from_numpy(data.dtype))}'")
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(np.bincount(data, minlength=minlength).astype(np.int64))
    w = weights._data
    counts = np.bincount(data, weights=w.astype(np.float64), minlength=minlength)
    # float32 weights count in float32; any other weights in float64, as torch's do
    return Tensor._make(counts.astype(np.float32 if w.dtype == np.float32 else np.float64))


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002 - torch's names
    data = input._data
    if data.dtype.kind != "f":
        from .. import dtypes
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{dtypes.scalar_type(dtypes.from_numpy(data.dtype))}'")
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    # torch counts values outside [min, max] nowhere, and max itself in the last bin
    inside = data[(data >= low) & (data <= high)].astype(np.float64)
    where = ((inside - low) * bins / (high - low)).astype(np.int64)
    counts = np.bincount(np.minimum(where, bins - 1), minlength=bins)
    return Tensor._make(counts.astype(data.dtype))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    values = getattr(elements, "_data", elements)
    tests = getattr(test_elements, "_data", test_elements)
    return Tensor._make(np.asarray(np.isin(values, tests, invert=invert)))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    data = input._data
    if dim is None:
        flat = data.reshape(-1)
        starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]]) if flat.size else \
            np.zeros(0, np.int64)
        values = flat[starts]
    else:
        dim = wrap_dim(dim, data.ndim)
        moved = np.moveaxis(data, dim, 0).reshape(data.shape[dim], -1)
        changed = (moved[1:] != moved[:-1]).any(1)
        starts = np.flatnonzero(np.r_[True, changed]) if moved.shape[0] else np.zeros(0, np.int64)
        values = np.take(data, starts, axis=dim)
    results = [Tensor._make(np.ascontiguousarray(values))]
    size = data.size if dim is None else data.shape[dim]
    if return_inverse:
        inverse = np.cumsum(np.isin(np.arange(size), starts)) - 1
        results.append(Tensor._make(inverse.astype(np.int64).reshape(
            data.shape if dim is None else (size,))))
    if return_counts:
        results.append(Tensor._make(np.diff(np.r_[starts, size]).astype(np.int64)))
    return results[0] if len(results) == 1 else tuple(results)


# -- writing at positions: put, index_put, fill_diagonal_ ---------------------------------------

class PutBackward0(Node):
    """out = self with source written (or added) at flat positions index."""
    aten = "aten::put"

    @staticmethod
    def forward(a, index, source, accumulate=False):
        out = a._data.copy()
        flat, where = out.reshape(-1), index._data.reshape(-1)
        if accumulate:
            np.add.at(flat, where, source._data.reshape(-1))
        else:
            flat[where] = source._data.reshape(-1)
        return flat.reshape(out.shape)

    def save(self, a, index, source, accumulate=False):
        self._saved_index, self._saved_accumulate = index, accumulate
        self.source_shape = source._data.shape

    def backward(self, grad):
        need_a, _, need_source = self.needs_input_grad
        grad_a = grad_source = None
        if need_a:  # overwritten positions get nothing (unless the source was added)
            grad_a = grad if self._saved_accumulate else put(
                grad, self._saved_index, Tensor._make(np.zeros(self.source_shape, grad.dtype.np)))
        if need_source:
            grad_source = grad.take(self._saved_index).reshape(self.source_shape)
        return grad_a, None, grad_source


def put(input, index, source, accumulate=False):
    from .. import dtypes
    if index._data.dtype != np.int64:
        raise RuntimeError("put_(): Expected a long tensor for index, but got "
                           f"{dtypes.scalar_type(dtypes.from_numpy(index._data.dtype))}")
    if source._data.dtype != input._data.dtype:
        names = [dtypes.scalar_type(dtypes.from_numpy(t._data.dtype)) for t in (input, source)]
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {names[0]} and source.dtype = {names[1]}")
    if source._data.size != index._data.size:
        raise IndexError("put_(): Expected source and index to have the same number of elements, "
                         f"but got source.numel() = {source._data.size}, index.numel() = "
                         f"{index._data.size}")
    n = input._data.size
    for i in index._data.reshape(-1).tolist():
        if not -n <= i < n:
            raise IndexError(f"out of range: tried to access index {i} on a tensor of {n} "
                             "elements.")
    return PutBackward0.apply(input, index, source, accumulate=accumulate)


def _index_key(indices):
    return tuple(i._data if isinstance(i, Tensor) else i for i in indices) \
        if isinstance(indices, (tuple, list)) else indices


def index_put(input, indices, values, accumulate=False):
    """torch.index_put: a copy of input with values at indices (IndexPutBackward0)."""
    from .indexing import index_put as put_at_key
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:
        from .. import dtypes
        names = [dtypes.scalar_type(dtypes.from_numpy(t._data.dtype)) for t in (input, values)]
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{names[0]} for the destination and {names[1]} for the source.")
    return put_at_key(input, _index_key(indices), values, accumulate)


def fill_diagonal_(self, fill_value, wrap=False):
    """The main diagonal set to fill_value, through a strided view of the flat tensor (one
    CopySlices, as torch's as_strided fill); wrap, for a tall matrix, starts again every
    width + 1 rows with a second view, as torch does."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    height, width = shape[0], shape[-1]
    wraps = wrap and len(shape) == 2 and height > width + 1
    if not self._data.flags.c_contiguous:
        if len(shape) > 2:  # all sizes equal: any order of the axes has the same diagonal
            order = sorted(range(len(shape)), key=lambda a: -self._data.strides[a])
            fill_diagonal_(self.permute(*order), fill_value)
            return self
        self.diagonal().fill_(fill_value)  # a matrix not laid out in rows: block by block
        for start in range(width + 1, height if wraps else 0, width + 1):
            self.narrow(0, start, min(width, height - start)).diagonal().fill_(fill_value)
        return self
    flat = self.view(-1)
    step = sum(int(np.prod(shape[i + 1:])) for i in range(len(shape)))  # one along each axis
    flat[:min(shape) * step:step].fill_(fill_value)
    if wraps:
        flat[(width + 1) * width::width + 1].fill_(fill_value)
    return self


FUNCTIONS = {"broadcast_to": broadcast_to, "repeat_interleave": repeat_interleave,
             "bincount": bincount, "histc": histc,
             "unique_consecutive": unique_consecutive, "put": put, "index_put": index_put}
MODULE_ONLY = {"broadcast_tensors": broadcast_tensors, "trapezoid": trapezoid, "trapz": trapz,
               "isin": isin}


def vander(x, N=None, increasing=False):
    """Columns of powers of x, made as torch's vander makes them: ones, x copied into
    columns 1.., their cumprod copied over them (two CopySlices), then a flip."""
    from .. import factories
    from .scans import cumprod
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x._data.dtype if x._data.dtype.kind == "f" else np.dtype(np.int64)
    result = factories.empty(x._data.shape[0], n, dtype=dtype)
    if n > 0:
        result.fill_(1)
        if n > 1:
            result.narrow(1, 1, n - 1).copy_(x.unsqueeze(1))
            result.narrow(1, 1, n - 1).copy_(cumprod(result.narrow(1, 1, n - 1), 1))
    return result if increasing else result.flip(1)


MODULE_ONLY["vander"] = vander
