"""What many operations share: turning operands into tensors with torch's dtype
rules, torch's broadcasting error, and the one un-broadcast helper."""
import numpy as np

from .. import dtypes
from ..tensor import Tensor

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def as_tensor(value, like):
    """A Python number used with tensor `like` becomes a constant 0-d tensor.

    Torch calls these "wrapped numbers": they keep their own dtype (int64 for 3,
    float64 for 2.5: that is what `_saved_other` shows) but never change the
    tensor's dtype within its category, so x * 2.5 stays float32."""
    if isinstance(value, Tensor):
        return value
    dtype = _WRAPPED.get(type(value))
    t = Tensor._make(np.array(value, dtype=like._data.dtype if dtype is None else dtype))
    t._wrapped = True
    return t


_WRAPPED = {bool: np.bool_, int: np.int64, float: np.float64}


def result_dtype(a, b):
    """Torch's type promotion for two tensors (NumPy's differs for int with float)."""
    da, db = a._data, b._data
    ka, kb = _CATEGORY[da.dtype.kind], _CATEGORY[db.dtype.kind]
    if a._wrapped != b._wrapped:
        tensor, number, kt, kn = (b, a, kb, ka) if a._wrapped else (a, b, ka, kb)
        if kn <= kt:
            return tensor._data.dtype
        return dtypes.default_float.np if kn == 2 else np.dtype(np.int64)
    if ka != kb:
        return da.dtype if ka > kb else db.dtype
    if (da.ndim == 0) != (db.ndim == 0):
        return db.dtype if da.ndim == 0 else da.dtype
    return np.promote_types(da.dtype, db.dtype)


def arrays(a, b):
    """The two operands' arrays, cast to their common dtype when they differ."""
    da, db = a._data, b._data
    ta, tb = da.dtype, db.dtype  # (reading .dtype is slow enough to matter per op)
    if ta is tb:
        return da, db
    if b._wrapped and _CATEGORY[tb.kind] <= _CATEGORY[ta.kind]:
        return da, db.astype(ta)  # the common x * 2.5: only the number is cast
    if ta == tb:
        return da, db
    dt = result_dtype(a, b)
    return da.astype(dt, copy=False), db.astype(dt, copy=False)


def wrap_dim(dim, ndim):
    """`dim` as an index from 0 (negative ones count from the end), or torch's error.
    A 0-d tensor takes dim 0 or -1, as in torch."""
    n = ndim or 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def broadcast_error(shape_a, shape_b):
    for i in range(1, min(len(shape_a), len(shape_b)) + 1):
        sa, sb = shape_a[-i], shape_b[-i]
        if sa != sb and sa != 1 and sb != 1:
            dim = max(len(shape_a), len(shape_b)) - i
            return RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b "
                                f"({sb}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {tuple(shape_a)} and {tuple(shape_b)} cannot be broadcast")


def binary(ufunc, a, b):
    da, db = a._data, b._data
    if da.dtype is not db.dtype:
        da, db = arrays(a, b)
    try:
        return ufunc(da, db)
    except ValueError:
        raise broadcast_error(da.shape, db.shape) from None


def input_shapes(*tensors):
    """What a broadcasting op keeps for unbroadcast: its inputs' shapes, or all None
    when nothing will need summing back: all inputs have one shape, leaving aside 0-d
    constants (a Python number in x * 2.5), which neither change the result's shape
    nor get a gradient."""
    first = None
    for t in tensors:
        if t._data.ndim == 0 and not t._requires_grad:
            continue
        if first is None:
            first = t._data.shape
        elif t._data.shape != first:
            return tuple([t._data.shape for t in tensors])
    return _NOTHING_BROADCAST[len(tensors)]


# One shared tuple per number of inputs: a node that broadcast nothing keeps no
# object of its own for it.
_NOTHING_BROADCAST = {n: (None,) * n for n in range(1, 4)}


def unbroadcast(grad, shape):
    """Sum `grad` back down to `shape`: the backward of NumPy broadcasting.

    Broadcasting copies a value along new leading dimensions and along
    dimensions of size 1, so its gradient adds those copies up again.
    `shape` None: nothing was broadcast (see input_shapes)."""
    if shape is None:
        return grad
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if dims:
        grad = grad.sum(dims, keepdim=True)
    return grad.reshape(shape) if grad._data.shape != shape else grad


def constant(array):
    """A tensor outside the graph (masks, weights) for use inside a backward."""
    return Tensor._make(array)
