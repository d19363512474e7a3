"""x[i], x[a:b], x[mask], x.select / narrow, and writing into a tensor: x[i] = v.

Torch records basic indexing one dimension at a time (x[0, 1:] is a slice of a
select), so `getitem` does the same; fancy indexing (lists, tensors, masks) is one
IndexBackward0. Their backward writes the gradient into zeros of the input's shape,
itself an operation (so it can be differentiated again).
"""
import warnings

import numpy as np

from .. import _cpp_warnings as _cpp
from .. import views as _views
from ..node import Node
from ..tensor import Tensor
from ._util import as_tensor, unbroadcast, wrap_dim


class SelectBackward0(Node):
    aten = "aten::select"
    is_view = True

    @staticmethod
    def forward(a, dim, index):
        size = a._data.shape[dim]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")
        # The Ellipsis keeps a 0-d result a view of `a` (NumPy would copy a scalar out).
        return a._data[(slice(None),) * dim + (index, Ellipsis)]

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


class AliasBackward0(Node):
    """x[...]: the whole tensor, as a view."""
    aten = "aten::alias"
    is_view = True

    @staticmethod
    def forward(a):
        return a._data[...]

    def backward(self, grad):
        return (grad,)


class IndexBackward0(Node):
    """Fancy indexing: integer lists/tensors or a boolean mask (a copy, not a view)."""
    aten = "aten::index"

    @staticmethod
    def forward(a, key):
        try:
            return a._data[key]
        except IndexError:
            raise _index_error(a._data.shape, key) from None

    def save(self, a, key):
        self._saved_self_sym_sizes = a._data.shape
        _save_key(self, key)

    @property
    def _saved_indices(self):
        return _saved_key(self, as_tensors=True)

    def backward(self, grad):
        zeros = Tensor._make(np.zeros(self._saved_self_sym_sizes, dtype=grad._data.dtype))
        return (index_put(zeros, _saved_key(self), grad, accumulate=True),)


class IndexPutBackward0(Node):
    """x[key] = v with index lists or a mask (x.index_put_). With accumulate, values
    at a repeated index add up: that is the backward of reading x[key]."""
    aten = "aten::index_put_"

    @staticmethod
    def forward(a, values, key, accumulate=False):
        out = a._data.copy()
        try:
            if accumulate:
                np.add.at(out, key, values._data)
            else:
                out[key] = values._data
        except IndexError:
            raise _index_error(out.shape, key) from None
        return out

    def save(self, a, values, key, accumulate=False):
        _save_key(self, key)
        self._saved_accumulate = accumulate
        self.values_shape = values._data.shape

    @property
    def _saved_indices(self):
        return _saved_key(self, as_tensors=True)

    def backward(self, grad):
        key = _saved_key(self)  # raises torch's error once backward freed it
        need_a, need_v = self.needs_input_grad
        grad_a = grad_v = None
        if need_a:  # the overwritten elements got no gradient, the rest pass through
            grad_a = grad if self._saved_accumulate else index_put(grad, key, 0.0)
        if need_v:
            grad_v = unbroadcast(grad[key], self.values_shape)
        return grad_a, grad_v


def _index_error(shape, key):
    """NumPy refused an index: torch's words for why. Torch numbers its index tensors in order
    (a mask counts one per dimension it covers) and says which one is out of bounds."""
    axis, nr = 0, 0
    for k in key if isinstance(key, tuple) else (key,):
        if not isinstance(k, np.ndarray):
            axis += k is not None
            continue
        if k.dtype == np.bool_:
            covered = shape[axis:axis + k.ndim]
            if k.shape != covered:
                bad = next(i for i, (m, n) in enumerate(zip(k.shape, covered)) if m != n)
                return IndexError(f"The shape of the mask {list(k.shape)} at index {bad} does not "
                                  f"match the shape of the indexed tensor {list(shape)} at index "
                                  f"{axis + bad}")
            axis, nr = axis + k.ndim, nr + k.ndim
            continue
        size = shape[axis]
        bad = k[(k >= size) | (k < -size)]
        if bad.size:
            return IndexError(f"index {bad.flat[0]} is out of bounds for dimension {nr} with "
                              f"size {size}")
        axis, nr = axis + 1, nr + 1
    return IndexError(f"too many indices for tensor of dimension {len(shape)}")


_ARRAY = object()  # where a saved key had an index array


def _save_key(node, key):
    """Index arrays are saved as tensors, as torch does: freed after backward, so a
    second backward raises torch's error."""
    parts = key if isinstance(key, tuple) else (key,)
    node._key_layout = (isinstance(key, tuple),
                        tuple(_ARRAY if isinstance(k, np.ndarray) else k for k in parts))
    node.save_for_backward(*[Tensor._make(k) for k in parts if isinstance(k, np.ndarray)])


def _saved_key(node, as_tensors=False):
    is_tuple, layout = node._key_layout
    arrays = iter(node.saved_tensors)
    if as_tensors:  # torch's _saved_indices: a tensor per index, None for a full slice
        return tuple(next(arrays) if k is _ARRAY else None for k in layout)
    parts = tuple(next(arrays)._data if k is _ARRAY else k for k in layout)
    return parts if is_tuple else parts[0]


class _IntoZeros(Node):
    """zeros(shape) with `grad` added at `key`: the backward of reading at `key`."""

    @staticmethod
    def forward(grad, shape, key):
        out = np.zeros(shape, dtype=grad._data.dtype)
        out[key] = grad._data
        return out

    def save(self, grad, shape, key):
        self.key = key

    def backward(self, grad):
        return (grad[self.key],)


class SelectBackwardBackward0(_IntoZeros):
    aten = "aten::select_backward"


class SliceBackwardBackward0(_IntoZeros):
    aten = "aten::slice_backward"


class SplitBackward0(Node):
    """split(size) and chunk(n): one node for all the pieces. Each piece's gradient
    reaches it already put in place (views.OutputEdge), summed by the engine."""
    aten = "aten::split"
    multi_output = True

    def save(self, a, dim, split_size):
        self._saved_dim, self._saved_split_size = dim, split_size
        self._saved_self_sym_sizes = a._data.shape

    def backward(self, grad):
        return (grad,)


class SplitWithSizesBackward0(SplitBackward0):
    """split([sizes])"""
    aten = "aten::split_with_sizes"

    def save(self, a, dim, split_sizes):
        self._saved_dim, self._saved_split_sizes = dim, split_sizes
        self._saved_self_sym_sizes = a._data.shape


class UnbindBackward0(SplitBackward0):
    aten = "aten::unbind"

    def save(self, a, dim):
        self._saved_dim = dim


# -- the functions users call -------------------------------------------------

def select(input, dim, index):
    return SelectBackward0.apply(input, dim=wrap_dim(dim, input._data.ndim), index=int(index))


def narrow(input, dim, start, length):
    dim = wrap_dim(dim, input._data.ndim)
    return SliceBackward0.apply(input, dim=dim, start=start, end=start + length, step=1)


def split(input, split_size_or_sections, dim=0):
    dim, sizes, step = split_sizes(input, split_size_or_sections, dim)
    if step is not None:
        return _pieces(SplitBackward0, input, dim, sizes, split_size=step)
    return _pieces(SplitWithSizesBackward0, input, dim, sizes, split_sizes=sizes)


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def split_sizes(input, split_size_or_sections, dim):
    """(dim, the pieces' sizes, the one size asked for or None for a list of sizes)."""
    dim = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        sizes = [min(step, size - start) for start in range(0, size, step)] if step else [size]
        return dim, sizes, step
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {dim}), but got "
                           f"split_sizes={sizes}")
    return dim, sizes, None


def chunk_size(input, chunks, dim):
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    return max(-(-size // chunks), 1)  # torch: pieces of ceil(size / chunks)


def chunk(input, chunks, dim=0):
    return split(input, chunk_size(input, chunks, dim), dim)


def unbind(input, dim=0):
    dim = wrap_dim(dim, input._data.ndim)
    pieces = [(SelectBackward0, {"dim": dim, "index": i}) for i in range(input._data.shape[dim])]
    return _views.make_outputs(UnbindBackward0, input, pieces, {"dim": dim})


def _pieces(node_cls, input, dim, sizes, **attrs):
    pieces, start = [], 0
    for n in sizes:
        pieces.append((SliceBackward0, {"dim": dim, "start": start, "end": start + n, "step": 1}))
        start += n
    return _views.make_outputs(node_cls, input, pieces, dict(dim=dim, **attrs))


def _is_basic(item):
    return item is None or item is Ellipsis or isinstance(item, (int, np.integer, slice)) or (
        isinstance(item, Tensor) and item._data.ndim == 0 and item._data.dtype.kind in "iu")


def _split_key(key, ndim):
    """Torch indexes in two steps: ints, slices and None make a view, one op per
    index; then index lists and masks pick from that view (a copy). Returns both
    keys, None for a step with nothing to do: x[0, [1, 2]] is x.select(0, 0)[[1, 2]]."""
    if not isinstance(key, tuple):
        key = (key,)
    basic, fancy, has_fancy = [], [], False
    for k in key:
        if _is_basic(k):
            basic.append(k)
            if k is Ellipsis or k is None or isinstance(k, slice):
                fancy.append(k if k is Ellipsis else slice(None))
            # an int selects: its dimension is gone before the fancy step
        else:
            arr = np.asarray(k._data if isinstance(k, Tensor) else k)
            if arr.dtype.kind not in "iub":
                if isinstance(k, Tensor) or arr.dtype.kind != "f":
                    raise IndexError("tensors used as indices must be long, int, byte or bool "
                                     "tensors")
                arr = arr.astype(np.int64)  # a list of floats: torch makes it a long tensor
            basic.extend([slice(None)] * (arr.ndim if arr.dtype == np.bool_ else 1))
            fancy.append(arr)
            has_fancy = True
    if not has_fancy:
        return tuple(basic), None
    trivial = all(k is Ellipsis or (isinstance(k, slice) and k == slice(None)) for k in basic)
    used = sum(1 for k in basic if k is not None and k is not Ellipsis)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    return (None if trivial else tuple(basic)), _expand_ellipsis(fancy, ndim - _dropped(basic))


def _dropped(basic):
    """How many dimensions the view step removes (ints) or adds (None)."""
    return sum(1 for k in basic if not (k is None or k is Ellipsis or isinstance(k, slice))) - \
        sum(1 for k in basic if k is None)


def _expand_ellipsis(fancy, ndim):
    used = sum(k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1
               for k in fancy if k is not Ellipsis)
    out = []
    for k in fancy:
        out.extend([slice(None)] * (ndim - used) if k is Ellipsis else [k])
    return tuple(out) if len(out) > 1 else out[0]


def _basic_index(input, key):
    """Basic indexing, one step per index, in torch's order: ints select (and drop
    the dimension), slices narrow (a full `:` records nothing), None inserts a
    dimension; x[:] and x[...] alone still make a view."""
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
    if out is input:
        if ndim and key and all(isinstance(k, slice) for k in key) and len(key) == 1:
            out = SliceBackward0.apply(input, dim=0, start=0, end=input._data.shape[0], step=1)
        else:
            out = AliasBackward0.apply(input)
    return out


_SEQUENCE_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result")


def _as_key(key):
    """torch's (and NumPy's old) rule: a short list holding a slice, a list, a tensor, None or
    ... is a tuple of indices (x[[slice(None), [2, 3]]] is x[:, [2, 3]]), with a warning."""
    if type(key) is not list or len(key) >= 32:
        return key
    for k in key:  # the first such item decides (torch warns from one of two lines)
        if isinstance(k, (slice, list, tuple, Tensor)) or k is None or k is Ellipsis:
            source = _cpp.INDEXING_NONE if k is None or k is Ellipsis else _cpp.INDEXING_SEQUENCE
            warnings.warn(_cpp.triggered(_SEQUENCE_AS_TUPLE, source), UserWarning, stacklevel=3)
            return tuple(key)
    return key


def getitem(input, key):
    basic, fancy = _split_key(_as_key(key), input._data.ndim)
    out = input if basic is None else _basic_index(input, basic)
    if fancy is not None:
        out = IndexBackward0.apply(out, key=fancy)
    return out


def setitem(input, key, value):
    """self[key] = value is, as in torch, an in-place op on the view self[key]
    (recorded on self as CopySlices), or index_put_ for index lists and masks."""
    from ..inplace import copy_to, index_put_
    basic, fancy = _split_key(_as_key(key), input._data.ndim)
    whole = basic is None or all(k is Ellipsis or (isinstance(k, slice) and k == slice(None))
                                 for k in basic)
    target = input if whole else _basic_index(input, basic)
    if fancy is None:
        copy_to(target, as_tensor(value, target))
    else:
        index_put_(target, fancy, value)


def index_put(input, key, values, accumulate=False):
    """A copy of `input` with `values` written at `key` (added, with accumulate)."""
    return IndexPutBackward0.apply(input, as_tensor(values, input), key=key,
                                   accumulate=accumulate)


from .shape import UnsqueezeBackward0  # noqa: E402

# What an output of split / unbind uses to put its gradient in place (views.OutputEdge).
SliceBackward0.place, SelectBackward0.place = SliceBackwardBackward0, SelectBackwardBackward0
