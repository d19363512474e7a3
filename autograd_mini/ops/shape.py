"""Operations that move elements around without changing them: reshape, transpose,
squeeze, expand, cat, stack, clone, type conversion. Their backward moves the
gradient back the same way."""
from math import prod

import numpy as np

from .. import dtypes
from ..devices import check as _check_device
from ..grad_mode import no_grad
from ..node import Node
from ._util import unbroadcast, wrap_dim


def _resolve_shape(shape, numel):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    # math.prod, not np.prod: NumPy first turns the list into an array, which costs
    # more than the whole reshape (a reshape in every broadcast add's backward).
    known = prod([s for s in shape if s != -1])
    if shape.count(-1) == 1 and known and numel % known == 0:
        shape = tuple(numel // known if s == -1 else s for s in shape)
    if prod(shape) != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class ViewBackward0(Node):
    """reshape / view / flatten"""
    aten = "aten::view"
    is_view = True

    @staticmethod
    def forward(a, shape):
        return a._data.reshape(_resolve_shape(shape, a._data.size))

    def save(self, a, shape):
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        return (grad.reshape(self._saved_self_sym_sizes),)


class ReshapeAliasBackward0(ViewBackward0):
    """reshape of a tensor that is not contiguous but whose memory allows a view
    (x.t().reshape(4, 3), x[:, 0].reshape(3, 1)): torch's _reshape_alias."""
    aten = "aten::_reshape_alias"


class UnsafeViewBackward0(ViewBackward0):
    """The reshape at the end of a batched matmul (torch's _unsafe_view)."""
    aten = "aten::_unsafe_view"
    is_view = False


class TBackward0(Node):
    aten = "aten::t"
    is_view = True

    @staticmethod
    def forward(a):
        if a._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a._data.ndim}D")
        return a._data.T

    def backward(self, grad):
        return (grad.t(),)


class TransposeBackward0(Node):
    aten = "aten::transpose"
    is_view = True

    @staticmethod
    def forward(a, dim0, dim1):
        ndim = a._data.ndim
        return np.swapaxes(a._data, wrap_dim(dim0, ndim), wrap_dim(dim1, ndim))

    def save(self, a, dim0, dim1):
        self._saved_dim0, self._saved_dim1 = dim0, dim1

    def backward(self, grad):
        return (grad.transpose(self._saved_dim0, self._saved_dim1),)


class PermuteBackward0(Node):
    aten = "aten::permute"
    is_view = True

    @staticmethod
    def forward(a, dims):
        return np.transpose(a._data, tuple(dims))

    def save(self, a, dims):
        self._saved_dims = tuple(dims)

    def backward(self, grad):
        return (grad.permute(*np.argsort(self._saved_dims).tolist()),)


class SqueezeBackward0(Node):
    """squeeze() of every size-1 dimension"""
    aten = "aten::squeeze"
    is_view = True

    @staticmethod
    def forward(a):
        return np.squeeze(a._data)

    def save(self, a):
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        return (grad.reshape(self._saved_self_sym_sizes),)


class SqueezeBackward1(SqueezeBackward0):
    """squeeze(dim): a no-op when that dimension is not 1, as in torch"""

    @staticmethod
    def forward(a, dim):
        dim = wrap_dim(dim, a._data.ndim)
        if a._data.ndim and a._data.shape[dim] == 1:
            return np.squeeze(a._data, dim)
        return a._data[...]

    def save(self, a, dim):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_dim = wrap_dim(dim, a._data.ndim)


class SqueezeBackward4(SqueezeBackward1):
    """squeeze of a list of dimensions (what matmul records for a 1-D left operand)"""


class SqueezeBackward2(SqueezeBackward0):
    """squeeze((d0, d1, ...)): of those dimensions, the ones of size 1"""

    @staticmethod
    def forward(a, dims):
        ndim = a._data.ndim
        dims = tuple(sorted({wrap_dim(d, ndim) for d in dims}))
        return np.squeeze(a._data, tuple(d for d in dims if ndim and a._data.shape[d] == 1))

    def save(self, a, dims):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_dim = tuple(sorted({wrap_dim(d, a._data.ndim) for d in dims}))


class DiagonalBackward0(Node):
    aten = "aten::diagonal"
    is_view = True

    @staticmethod
    def forward(a, offset, dim1, dim2):
        # np.diagonal is read-only; the same view through as_strided can be written
        # (x.diagonal().add_(1) changes x, as in torch).
        data = a._data
        key = [slice(None)] * data.ndim
        key[dim2 if offset >= 0 else dim1] = slice(abs(offset), None)
        sub = data[tuple(key)]
        rest = [d for d in range(data.ndim) if d not in (dim1, dim2)]
        shape = [sub.shape[d] for d in rest] + [max(min(sub.shape[dim1], sub.shape[dim2]), 0)]
        strides = [sub.strides[d] for d in rest] + [sub.strides[dim1] + sub.strides[dim2]]
        return np.lib.stride_tricks.as_strided(sub, shape, strides)

    def save(self, a, offset, dim1, dim2):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_offset, self._saved_dim1, self._saved_dim2 = offset, dim1, dim2

    def backward(self, grad):
        return (DiagonalBackwardBackward0.apply(grad, shape=self._saved_self_sym_sizes,
                                                offset=self._saved_offset, dim1=self._saved_dim1,
                                                dim2=self._saved_dim2),)


class DiagonalBackwardBackward0(Node):
    """zeros(shape) with `grad` on the diagonal: the backward of diagonal()."""
    aten = "aten::diagonal_backward"

    @staticmethod
    def forward(grad, shape, offset, dim1, dim2):
        out = np.zeros(shape, dtype=grad._data.dtype)
        # np.diagonal is a read-only view: write through the diagonal's flat positions.
        where = np.diagonal(np.arange(out.size).reshape(shape), offset, dim1, dim2)
        out.reshape(-1)[where] = grad._data
        return out

    def save(self, grad, shape, offset, dim1, dim2):
        self.args = (offset, dim1, dim2)

    def backward(self, grad):
        return (grad.diagonal(*self.args),)


class UnsqueezeBackward0(Node):
    aten = "aten::unsqueeze"
    is_view = True

    @staticmethod
    def forward(a, dim):
        return np.expand_dims(a._data, wrap_dim(dim, a._data.ndim + 1))

    def save(self, a, dim):
        self._saved_dim = wrap_dim(dim, a._data.ndim + 1)

    def backward(self, grad):
        return (grad.squeeze(self._saved_dim),)


class ExpandBackward0(Node):
    aten = "aten::expand"
    is_view = True

    @staticmethod
    def forward(a, shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        src = a._data.shape
        lead = len(shape) - len(src)
        shape = tuple(src[i - lead] if s == -1 else s for i, s in enumerate(shape))
        try:
            # broadcast_to is read-only; as_strided gives the same view, writable, so
            # that a non-overlapping view of it (x.expand(2, 3)[0]) can change in place.
            b = np.broadcast_to(a._data, shape)
            return np.lib.stride_tricks.as_strided(a._data, b.shape, b.strides)
        except ValueError:
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[-1]}) must match the existing size "
                f"({src[-1]}) at non-singleton dimension {len(shape) - 1}.  Target sizes: "
                f"{list(shape)}.  Tensor sizes: {list(src)}") from None

    def save(self, a, shape):
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        return (unbroadcast(grad, self._saved_self_sym_sizes),)


class CloneBackward0(Node):
    aten = "aten::clone"

    @staticmethod
    def forward(a, contiguous=False):
        # clone() keeps the layout (torch's preserve_format); contiguous() and reshape do not
        return a._data.copy(order="C" if contiguous else "K")

    def backward(self, grad):
        return (grad,)


class ToCopyBackward0(Node):
    """float() / double() / to(dtype): the gradient is cast back."""
    aten = "aten::_to_copy"

    @staticmethod
    def forward(a, dtype):
        return a._data.astype(dtypes.to_numpy(dtype))

    def save(self, a, dtype):
        self.src_dtype = a.dtype

    def backward(self, grad):
        return (grad.to(self.src_dtype),)


class CatBackward0(Node):
    aten = "aten::cat"

    @staticmethod
    def forward(*tensors, dim=0):
        try:
            return np.concatenate([t._data for t in tensors], axis=dim)
        except ValueError:
            raise _cat_error([t._data.shape for t in tensors], dim) from None

    def save(self, *tensors, dim=0):
        self._saved_dim = dim
        self.sizes = [t._data.shape[dim] for t in tensors]

    def backward(self, grad):
        grads, start = [], 0
        for size, need in zip(self.sizes, self.needs_input_grad):
            grads.append(grad.narrow(self._saved_dim, start, size) if need else None)
            start += size
        return tuple(grads)


class StackBackward0(Node):
    aten = "aten::stack"

    @staticmethod
    def forward(*tensors, dim=0):
        try:
            return np.stack([t._data for t in tensors], axis=dim)
        except ValueError:
            shapes = [list(t._data.shape) for t in tensors]
            i = next(i for i, sh in enumerate(shapes) if sh != shapes[0])
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {shapes[0]} "
                               f"at entry 0 and {shapes[i]} at entry {i}") from None

    def save(self, *tensors, dim=0):
        self._saved_dim = dim

    def backward(self, grad):
        return tuple(grad.select(self._saved_dim, i) if need else None
                     for i, need in enumerate(self.needs_input_grad))


def _cat_error(shapes, dim):
    first = shapes[0]
    for i, shape in enumerate(shapes[1:], 1):
        if len(shape) != len(first):
            return RuntimeError(f"Tensors must have same number of dimensions: got {len(first)} "
                                f"and {len(shape)}")
        for d, (a, b) in enumerate(zip(first, shape)):
            if d != dim and a != b:
                return RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                    f"Expected size {a} but got size {b} for tensor number {i} "
                                    "in the list.")
    return RuntimeError(f"cat(): cannot concatenate tensors of shapes {shapes}")


# -- the functions users call -------------------------------------------------

def reshape(input, *shape):
    """A view when the memory allows it, else a copy (torch's clone + _unsafe_view)."""
    data = input._data
    if data.flags.c_contiguous:
        return ViewBackward0.apply(input, shape=shape)
    if _viewable(data, shape):
        return ReshapeAliasBackward0.apply(input, shape=shape)
    return UnsafeViewBackward0.apply(CloneBackward0.apply(input, contiguous=True), shape=shape)


def view(input, *shape):
    if not _viewable(input._data, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return ViewBackward0.apply(input, shape=shape)


def _viewable(data, shape):
    if data.flags.c_contiguous:
        return True  # the usual case, decided without trying
    out = data.reshape(_resolve_shape(shape, data.size))
    return out.base is not None and (out.base is data or out.base is data.base)


def view_as(input, other):
    return view(input, *other._data.shape)


def reshape_as(input, other):
    return reshape(input, *other._data.shape)


def ravel(input):
    return view(contiguous(input), -1)


def contiguous(input, memory_format=None):
    return input if input._data.flags.c_contiguous else CloneBackward0.apply(input, contiguous=True)


def unflatten(input, dim, sizes):
    shape = input._data.shape
    dim = wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    known = prod(s for s in sizes if s != -1)
    resolved = tuple(shape[dim] // known if s == -1 else s for s in sizes) if known else sizes
    if prod(resolved) != shape[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[dim]}) in the input tensor")
    return view(input, *shape[:dim], *resolved, *shape[dim + 1:])


def movedim(input, source, destination):
    ndim = input._data.ndim
    src = [wrap_dim(d, ndim) for d in ((source,) if isinstance(source, int) else source)]
    dst = [wrap_dim(d, ndim) for d in ((destination,) if isinstance(destination, int)
                                       else destination)]
    order = [d for d in range(ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, *order)


def diagonal(input, offset=0, dim1=0, dim2=1):
    ndim = input._data.ndim
    return DiagonalBackward0.apply(input, offset=offset, dim1=wrap_dim(dim1, ndim),
                                   dim2=wrap_dim(dim2, ndim))


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, 1)
    start, end = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if start == end:
        return input
    return reshape(input, *shape[:start], -1, *shape[end + 1:])


def t(input):
    return TBackward0.apply(input)


def transpose(input, dim0, dim1):
    return TransposeBackward0.apply(input, dim0=dim0, dim1=dim1)


def permute(input, *dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    return PermuteBackward0.apply(input, dims=dims)


def squeeze(input, dim=None):
    if dim is None:
        return SqueezeBackward0.apply(input)
    if isinstance(dim, (tuple, list)):
        return SqueezeBackward2.apply(input, dims=tuple(dim))
    return SqueezeBackward1.apply(input, dim=dim)


def unsqueeze(input, dim):
    return UnsqueezeBackward0.apply(input, dim=dim)


def expand(input, *shape):
    return ExpandBackward0.apply(input, shape=shape)


def expand_as(input, other):
    return expand(input, *other._data.shape)


def clone(input):
    return CloneBackward0.apply(input)


def to(input, *args, dtype=None, device=None, non_blocking=False, copy=False,
       memory_format=None):
    """x.to(dtype), x.to(device), x.to(device, dtype), x.to(other): this engine has one
    device, so only a change of dtype (or copy=True) makes a new tensor."""
    for arg in args:
        if isinstance(arg, (dtypes.dtype, type, np.dtype)):
            dtype = arg
        elif hasattr(arg, "_data"):  # another tensor: its dtype (and device)
            dtype = arg.dtype
        elif not isinstance(arg, bool):
            device = arg
    _check_device(device)
    if dtype is None or dtypes.to_numpy(dtype) == input._data.dtype:
        return input.clone() if copy else input
    if dtypes.to_numpy(dtype).kind != "f":
        with no_grad():  # integers have no gradient: nothing to record
            return ToCopyBackward0.apply(input, dtype=dtype)
    return ToCopyBackward0.apply(input, dtype=dtype)


def cat(tensors, dim=0):
    tensors = list(tensors)
    return CatBackward0.apply(*tensors, dim=wrap_dim(dim, tensors[0]._data.ndim))


concat = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    return StackBackward0.apply(*tensors, dim=wrap_dim(dim, tensors[0]._data.ndim + 1))
