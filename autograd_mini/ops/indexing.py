"""x[i], x[a:b], x[mask], x.select / narrow, and writing into a tensor: x[i] = v.

Torch records basic indexing one dimension at a time (x[0, 1:] is a slice of a
select), so `getitem` does the same; fancy indexing (lists, tensors, masks) is one
IndexBackward0. Their backward writes the gradient into zeros of the input's shape,
itself an operation (so it can be differentiated again).
"""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import wrap_dim


class SelectBackward0(Node):
    aten = "aten::select"
    is_view = True

    @staticmethod
    def forward(a, dim, index):
        size = a._data.shape[dim]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")
        return a._data[(slice(None),) * dim + (index,)]

    def save(self, a, dim, index):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_dim, self._saved_index = dim, index

    def backward(self, grad):
        key = (slice(None),) * self._saved_dim + (self._saved_index,)
        return (SelectBackwardBackward0.apply(grad, shape=self._saved_self_sym_sizes, key=key),)


class SliceBackward0(Node):
    aten = "aten::slice"
    is_view = True

    @staticmethod
    def forward(a, dim, start, end, step):
        return a._data[(slice(None),) * dim + (slice(start, end, step),)]

    def save(self, a, dim, start, end, step):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_dim, self._saved_start, self._saved_end, self._saved_step = dim, start, end, step

    def backward(self, grad):
        key = (slice(None),) * self._saved_dim + (
            slice(self._saved_start, self._saved_end, self._saved_step),)
        return (SliceBackwardBackward0.apply(grad, shape=self._saved_self_sym_sizes, key=key),)


class IndexBackward0(Node):
    """Fancy indexing: integer lists/tensors or a boolean mask (a copy, not a view)."""
    aten = "aten::index"

    @staticmethod
    def forward(a, key):
        return a._data[key]

    def save(self, a, key):
        self._saved_self_sym_sizes = a._data.shape
        self._saved_indices = key

    def backward(self, grad):
        return (IndexPutBackward0.apply(grad, shape=self._saved_self_sym_sizes,
                                        key=self._saved_indices),)


class _IntoZeros(Node):
    """zeros(shape) with `grad` added at `key`: the backward of reading at `key`."""

    @staticmethod
    def forward(grad, shape, key):
        out = np.zeros(shape, dtype=grad._data.dtype)
        np.add.at(out, key, grad._data)  # add, not assign: a fancy key may repeat an index
        return out

    def save(self, grad, shape, key):
        self.key = key

    def backward(self, grad):
        return (grad[self.key],)


class SelectBackwardBackward0(_IntoZeros):
    aten = "aten::select_backward"


class SliceBackwardBackward0(_IntoZeros):
    aten = "aten::slice_backward"


class IndexPutBackward0(_IntoZeros):
    aten = "aten::index_put"


class CopySlices(Node):
    """x[key] = value on a tensor in the graph: the old x, with `value` written in."""
    aten = "aten::copy_"

    def name(self):
        return "torch::autograd::CopySlices"  # what torch's node reports

    @staticmethod
    def forward(a, value, key):
        out = a._data.copy()
        out[key] = value._data
        return out

    def save(self, a, value, key):
        self.key = key
        self.value_shape = value._data.shape

    def backward(self, grad):
        from ._util import unbroadcast
        need_a, need_v = self.needs_input_grad
        grad_a = grad_v = None
        if need_a:
            mask = np.ones(grad._data.shape, dtype=grad._data.dtype)
            mask[self.key] = 0
            grad_a = grad * Tensor._make(mask)
        if need_v:
            grad_v = unbroadcast(grad[self.key], self.value_shape)
        return grad_a, grad_v


# -- the functions users call -------------------------------------------------

def select(input, dim, index):
    return SelectBackward0.apply(input, dim=wrap_dim(dim, input._data.ndim), index=int(index))


def narrow(input, dim, start, length):
    dim = wrap_dim(dim, input._data.ndim)
    return SliceBackward0.apply(input, dim=dim, start=start, end=start + length, step=1)


def _is_basic(item):
    return item is None or item is Ellipsis or isinstance(item, (int, np.integer, slice)) or (
        isinstance(item, Tensor) and item._data.ndim == 0 and item._data.dtype.kind in "iu")


def getitem(input, key):
    if not isinstance(key, tuple):
        key = (key,)
    if not all(_is_basic(k) for k in key):
        plain = tuple(k._data if isinstance(k, Tensor) else k for k in key)
        return IndexBackward0.apply(input, key=plain if len(plain) > 1 else plain[0])
    # Basic indexing, one step per index, in torch's order: ints select (and drop the
    # dimension), slices narrow (a full `:` records nothing), None inserts a dimension.
    ndim = input._data.ndim
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out, dim = input, 0
    for k in key:
        if k is Ellipsis:
            dim += ndim - used
        elif k is None:
            out = UnsqueezeBackward0.apply(out, dim=dim)
            dim += 1
        elif isinstance(k, slice):
            if k != slice(None):
                start, stop, step = k.indices(out._data.shape[dim])
                if step <= 0:
                    raise ValueError("step must be greater than zero")
                out = SliceBackward0.apply(out, dim=dim, start=start, end=stop, step=step)
            dim += 1
        else:
            out = select(out, dim, int(k))
    if out is input:  # x[:] or x[...]: torch still records a (no-op) slice
        out = SliceBackward0.apply(input, dim=0, start=0, end=input._data.shape[0], step=1) \
            if ndim else input
    return out


def setitem(input, key, value):
    from ..inplace import assign_slice
    assign_slice(input, key, value)


from .shape import UnsqueezeBackward0  # noqa: E402
