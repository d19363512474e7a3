"""masked_fill, masked_select, masked_scatter and where: reading or writing where a
boolean mask is True. Each backward is the matching masked op on the gradient."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import as_tensor, broadcast_error, constant, unbroadcast
from .elementwise import where as _where3


class MaskedScatterBackward0(Node):
    """masked_scatter(mask, source): source's first elements, in order, where mask is True"""
    aten = "aten::masked_scatter"

    @staticmethod
    def forward(a, source, mask):
        out = a._data.copy()
        where = np.broadcast_to(_mask_for(a, mask), out.shape)
        n = int(where.sum())
        if n > source._data.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out[where] = source._data.reshape(-1)[:n]
        return out

    def save(self, a, source, mask):
        self._saved_mask, self._saved_source_sym_sizes = mask, source._data.shape

    def backward(self, grad):
        from .shape import cat
        need_a, need_src = self.needs_input_grad
        mask, sizes = self._saved_mask, self._saved_source_sym_sizes
        grad_src = None
        if need_src:
            picked = grad.masked_select(mask)
            missing = int(np.prod(sizes, dtype=np.int64)) - picked._data.size
            if missing:
                picked = cat([picked, constant(np.zeros(missing, dtype=grad._data.dtype))])
            grad_src = picked.view(*sizes)
        return (grad.masked_fill(mask, 0.0) if need_a else None, grad_src)


# How torch's messages name a dtype: its C type.
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double"}


def _mask_for(a, mask):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           + _C_NAMES.get(mask._data.dtype.name, mask._data.dtype.name))
    try:
        np.broadcast_shapes(mask._data.shape, a._data.shape)
    except ValueError:
        raise broadcast_error(mask._data.shape, a._data.shape) from None
    if len(mask._data.shape) > len(a._data.shape) or np.broadcast_shapes(
            mask._data.shape, a._data.shape) != a._data.shape:
        raise RuntimeError(f"masked_fill_: mask of shape {list(mask._data.shape)} cannot be "
                           f"broadcast to {list(a._data.shape)}")
    return mask._data


class MaskedFillBackward0(Node):
    """masked_fill(mask, number)"""
    aten = "aten::masked_fill"

    @staticmethod
    def forward(a, mask, value):
        return np.where(_mask_for(a, mask), np.asarray(value, dtype=a._data.dtype), a._data)

    def save(self, a, mask, value):
        self._saved_mask = mask

    def backward(self, grad):
        return (_where3(self._saved_mask, 0.0, grad),)


class MaskedFillBackward1(Node):
    """masked_fill(mask, 0-d tensor): the value gets the gradient of every filled place"""
    aten = "aten::masked_fill"

    @staticmethod
    def forward(a, value, mask):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._data.ndim} dimension(s).")
        return np.where(_mask_for(a, mask), value._data.astype(a._data.dtype), a._data)

    def save(self, a, value, mask):
        self._saved_mask = mask

    def backward(self, grad):
        mask = self._saved_mask
        need_a, need_value = self.needs_input_grad
        return (_where3(mask, 0.0, grad) if need_a else None,
                _where3(mask, grad, 0.0).sum() if need_value else None)


class MaskedSelectBackward0(Node):
    aten = "aten::masked_select"

    @staticmethod
    def forward(a, mask):
        if mask._data.dtype != np.bool_:
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        try:
            shape = np.broadcast_shapes(a._data.shape, mask._data.shape)
        except ValueError:
            raise broadcast_error(mask._data.shape, a._data.shape) from None
        return np.broadcast_to(a._data, shape)[np.broadcast_to(mask._data, shape)]

    def save(self, a, mask):
        self._self_shape, self._saved_mask = a._data.shape, mask

    def backward(self, grad):
        from .indexing import index_put
        mask = self._saved_mask
        shape = np.broadcast_shapes(self._self_shape, mask._data.shape)
        zeros = constant(np.zeros(shape, dtype=grad._data.dtype))
        full = index_put(zeros, np.broadcast_to(mask._data, shape), grad)
        return (unbroadcast(full, self._self_shape),)


# -- the functions users call -------------------------------------------------

def masked_fill(input, mask, value):
    if isinstance(value, Tensor):
        return MaskedFillBackward1.apply(input, value, mask=mask)
    return MaskedFillBackward0.apply(input, mask=mask, value=value)


def masked_scatter(input, mask, source):
    return MaskedScatterBackward0.apply(input, source, mask=mask)


def masked_select(input, mask):
    return MaskedSelectBackward0.apply(input, mask=mask)


def tensor_where(self, condition, other):
    """x.where(condition, y): torch.where(condition, x, y)."""
    return _where3(condition, self, other)


def where(condition, input=None, other=None):
    """where(cond, x, y) picks element-wise; where(cond) alone is nonzero(as_tuple=True)."""
    if input is None and other is None:
        from .statistics import nonzero
        return nonzero(as_tensor(condition, condition), as_tuple=True)
    return _where3(condition, input, other)
