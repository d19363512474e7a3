"""flip, roll, tril / triu, repeat / tile, unfold, diff, trace, diag, diag_embed:
operations that move, copy or mask elements by position."""
import numpy as np

from ..node import Node
from ._util import wrap_dim
from .shape import DiagonalBackward0, DiagonalBackwardBackward0


def _dim_list(dims, ndim):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return tuple(wrap_dim(d, ndim) for d in dims)


class FlipBackward0(Node):
    aten = "aten::flip"

    @staticmethod
    def forward(a, dims):
        return np.flip(a._data, dims).copy() if a._data.ndim else a._data.copy()

    def save(self, a, dims):
        self._saved_dims = list(dims)

    def backward(self, grad):
        return (grad.flip(self._saved_dims),)


class RollBackward0(Node):
    aten = "aten::roll"

    @staticmethod
    def forward(a, shifts, dims):
        if not dims:
            return np.roll(a._data.reshape(-1), shifts[0]).reshape(a._data.shape)
        return np.roll(a._data, shifts, dims)

    def save(self, a, shifts, dims):
        self._saved_shifts, self._saved_dims = list(shifts), list(dims)

    def backward(self, grad):
        return (grad.roll([-s for s in self._saved_shifts], self._saved_dims),)


class Rot90Backward0(Node):
    aten = "aten::rot90"

    @staticmethod
    def forward(a, k, dims):
        return np.rot90(a._data, k, dims).copy()

    def save(self, a, k, dims):
        self._saved_k, self._saved_dims = k, list(dims)

    def backward(self, grad):
        return (grad.rot90(-self._saved_k, self._saved_dims),)


class TrilBackward0(Node):
    aten = "aten::tril"

    @staticmethod
    def forward(a, diagonal):
        return np.tril(a._data, diagonal)

    def save(self, a, diagonal):
        self._saved_diagonal = diagonal

    def backward(self, grad):
        return (grad.tril(self._saved_diagonal),)


class TriuBackward0(TrilBackward0):
    aten = "aten::triu"

    @staticmethod
    def forward(a, diagonal):
        return np.triu(a._data, diagonal)

    def backward(self, grad):
        return (grad.triu(self._saved_diagonal),)


class RepeatBackward0(Node):
    aten = "aten::repeat"

    @staticmethod
    def forward(a, repeats):
        return np.tile(a._data, repeats)

    def save(self, a, repeats):
        self._saved_repeats, self._saved_self_sym_sizes = tuple(repeats), a._data.shape

    def backward(self, grad):
        # Each copy sits in its own block: split every dimension into (copies, size) and
        # add the copies up.
        repeats, shape = self._saved_repeats, self._saved_self_sym_sizes
        sizes = (1,) * (len(repeats) - len(shape)) + tuple(shape)
        split = []
        for r, n in zip(repeats, sizes):
            split += [r, n]
        summed = grad.reshape(split).sum(tuple(range(0, 2 * len(repeats), 2)))
        return (summed.reshape(shape),)


class UnfoldBackward0(Node):
    """x.unfold(dim, size, step): the windows along `dim`, as a view (they overlap
    when step < size)."""
    aten = "aten::unfold"
    is_view = True

    @staticmethod
    def forward(a, dimension, size, step):
        data = a._data
        n = data.shape[dimension] if data.ndim else 1
        shape, strides = list(data.shape), list(data.strides)
        if data.ndim:
            shape[dimension] = (n - size) // step + 1
            strides[dimension] = data.strides[dimension] * step
        return np.lib.stride_tricks.as_strided(
            data, shape + [size], strides + [data.strides[dimension] if data.ndim else 0])

    def save(self, a, dimension, size, step):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_dimension, self._saved_size, self._saved_step = dimension, size, step

    def backward(self, grad):
        return (UnfoldBackwardBackward0.apply(
            grad, input_sizes=self._saved_self_sym_sizes, dim=self._saved_dimension,
            size=self._saved_size, step=self._saved_step),)


class UnfoldBackwardBackward0(Node):
    """Every window's gradient added back into zeros of the input's shape."""
    aten = "aten::unfold_backward"

    @staticmethod
    def forward(grad, input_sizes, dim, size, step):
        out = np.zeros(input_sizes, dtype=grad._data.dtype)
        g = grad._data
        if not input_sizes:
            return out + g.reshape(())
        moved_out = np.moveaxis(out, dim, 0)
        moved_g = np.moveaxis(g, dim, 0)  # (windows, ..., size)
        for w in range(moved_g.shape[0]):
            moved_out[w * step:w * step + size] += np.moveaxis(moved_g[w], -1, 0)
        return out

    def save(self, grad, input_sizes, dim, size, step):
        self._saved_dim, self._saved_size, self._saved_step = dim, size, step

    def backward(self, grad):
        return (grad.unfold(self._saved_dim, self._saved_size, self._saved_step),)


class TraceBackward0(Node):
    aten = "aten::trace"

    @staticmethod
    def forward(a):
        if a._data.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                               f"{a._data.ndim}")
        return np.asarray(np.trace(a._data))

    def save(self, a):
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        shape = self._saved_self_sym_sizes
        return (DiagonalBackwardBackward0.apply(grad.expand(min(shape)), shape=shape, offset=0,
                                                dim1=0, dim2=1),)


class DiagEmbedBackward0(Node):
    """The last dimension put on a diagonal of two new ones (diag_embed, and diag of a vector)."""
    aten = "aten::diag_embed"

    @staticmethod
    def forward(a, offset, dim1, dim2):
        data = a._data
        n = data.shape[-1] + abs(offset)
        shape = list(data.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        out = np.zeros(shape, dtype=data.dtype)
        from ..tensor import Tensor
        DiagonalBackward0.forward(Tensor._make(out), offset, dim1, dim2)[...] = data
        return out

    def save(self, a, offset, dim1, dim2):
        self._saved_offset, self._saved_dim1, self._saved_dim2 = offset, dim1, dim2

    def backward(self, grad):
        return (grad.diagonal(self._saved_offset, self._saved_dim1, self._saved_dim2),)


class DiagonalBackward0_copy(DiagonalBackward0):  # noqa: N801 - torch's own node name
    """diag of a matrix: its diagonal, copied (torch's diagonal_copy)."""
    aten = "aten::diagonal_copy"
    is_view = False

    @staticmethod
    def forward(a, offset, dim1, dim2):
        return DiagonalBackward0.forward(a, offset, dim1, dim2).copy()


# -- the functions users call -------------------------------------------------

def flip(input, *dims, **kwargs):
    if "dims" in kwargs:  # x.flip(dims=[0])
        dims = (kwargs.pop("dims"),)
    if kwargs:
        raise TypeError(f"flip() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(dims) == 1 and not isinstance(dims[0], int):
        dims = tuple(dims[0])
    dims = _dim_list(dims, input._data.ndim)
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return FlipBackward0.apply(input, dims=dims)


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = () if dims is None else _dim_list(dims, input._data.ndim)
    if dims and len(dims) != len(shifts):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    return RollBackward0.apply(input, shifts=shifts, dims=dims)


def rot90(input, k=1, dims=(0, 1)):
    ndim = input._data.ndim
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = wrap_dim(dims[0], ndim), wrap_dim(dims[1], ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return Rot90Backward0.apply(input, k=k, dims=(dims[0], dims[1]))


def _needs_matrix(input, what):
    if input._data.ndim < 2:
        raise RuntimeError(f"{what}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0):
    _needs_matrix(input, "tril")
    return TrilBackward0.apply(input, diagonal=diagonal)


def triu(input, diagonal=0):
    _needs_matrix(input, "triu")
    return TriuBackward0.apply(input, diagonal=diagonal)


def repeat(input, *repeats):
    if len(repeats) == 1 and not isinstance(repeats[0], int):
        repeats = tuple(repeats[0])
    if len(repeats) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    repeats = tuple(int(r) for r in repeats)
    sizes = (1,) * (len(repeats) - input._data.ndim) + input._data.shape
    shape = [r * n for r, n in zip(repeats, sizes)]
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {shape}")
    return RepeatBackward0.apply(input, repeats=repeats)


def tile(input, *dims):
    if len(dims) == 1 and not isinstance(dims[0], int):
        dims = tuple(dims[0])
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + tuple(dims))


def unfold(input, dimension, size, step):
    data = input._data
    dim = wrap_dim(dimension, data.ndim)
    n = data.shape[dim] if data.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return UnfoldBackward0.apply(input, dimension=dim, size=size, step=step)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    from .shape import cat
    dim = wrap_dim(dim, input._data.ndim)
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, input, append) if p is not None]
        input = cat(parts, dim)
    for _ in range(n):
        size = input._data.shape[dim]
        if size == 0:
            break
        input = input.narrow(dim, 1, size - 1) - input.narrow(dim, 0, size - 1)
    return input


def trace(input):
    return TraceBackward0.apply(input)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    ndim = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbedBackward0.apply(input, offset=offset, dim1=d1, dim2=d2)


def diagflat(input, offset=0):
    return diag(input.contiguous().view(-1), offset)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The positions tril keeps, row by row (an int64 tensor of shape (2, n))."""
    from ..tensor import Tensor
    return Tensor._make(np.stack(np.tril_indices(row, offset, col)).astype(np.int64))


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    from ..tensor import Tensor
    return Tensor._make(np.stack(np.triu_indices(row, offset, col)).astype(np.int64))


def diag(input, diagonal=0):
    ndim = input._data.ndim
    if ndim == 1:
        return DiagEmbedBackward0.apply(input, offset=diagonal, dim1=0, dim2=1)
    if ndim == 2:
        return DiagonalBackward0_copy.apply(input, offset=diagonal, dim1=0, dim2=1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
