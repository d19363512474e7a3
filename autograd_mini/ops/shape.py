"""Operations that move elements around without changing them: reshape, transpose,
squeeze, expand, cat, stack, clone, type conversion. Their backward moves the
gradient back the same way."""
from math import prod

import numpy as np

from .. import dtypes
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
            return np.broadcast_to(a._data, shape)
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
    def forward(a):
        return a._data.copy()

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
        return np.concatenate([t._data for t in tensors], axis=dim)

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
        return np.stack([t._data for t in tensors], axis=dim)

    def save(self, *tensors, dim=0):
        self._saved_dim = dim

    def backward(self, grad):
        return tuple(grad.select(self._saved_dim, i) if need else None
                     for i, need in enumerate(self.needs_input_grad))


# -- the functions users call -------------------------------------------------

def reshape(input, *shape):
    return ViewBackward0.apply(input, shape=shape)


view = reshape


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
    return SqueezeBackward1.apply(input, dim=dim)


def unsqueeze(input, dim):
    return UnsqueezeBackward0.apply(input, dim=dim)


def expand(input, *shape):
    return ExpandBackward0.apply(input, shape=shape)


def expand_as(input, other):
    return expand(input, *other._data.shape)


def clone(input):
    return CloneBackward0.apply(input)


def to(input, dtype=None, *args, **kwargs):
    """Only dtype conversion: this engine has one device."""
    target = dtype if not isinstance(dtype, str) else kwargs.get("dtype")
    if target is None or dtypes.to_numpy(target) == input._data.dtype:
        return input
    return ToCopyBackward0.apply(input, dtype=target)


def cat(tensors, dim=0):
    tensors = list(tensors)
    return CatBackward0.apply(*tensors, dim=wrap_dim(dim, tensors[0]._data.ndim))


concat = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    return StackBackward0.apply(*tensors, dim=wrap_dim(dim, tensors[0]._data.ndim + 1))
