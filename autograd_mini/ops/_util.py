"""What many operations share: turning operands into tensors with torch's dtype
rules, torch's broadcasting error, and the one un-broadcast helper."""
import numpy as np

from .. import dtypes
from ..tensor import Tensor

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def as_tensor(value, like):
    """A Python number used with tensor `like` becomes a constant 0-d tensor.

    Torch calls these "wrapped numbers": they never change the tensor's dtype
    within its category (x * 2.0 stays float32, even for a float64 x)."""
    if isinstance(value, Tensor):
        return value
    kind = like._data.dtype.kind
    if isinstance(value, (bool, np.bool_)):
        dt = like._data.dtype
    elif isinstance(value, (int, np.integer)):
        dt = like._data.dtype if kind != "b" else np.dtype(np.int64)
    elif isinstance(value, (float, np.floating)):
        dt = like._data.dtype if kind == "f" else dtypes.default_float.np
    else:
        return Tensor._make(np.asarray(value, dtype=like._data.dtype))
    return Tensor._make(np.array(value, dtype=dt))


def result_dtype(a, b):
    """Torch's type promotion for two arrays (NumPy's differs for int with float)."""
    ka, kb = _CATEGORY[a.dtype.kind], _CATEGORY[b.dtype.kind]
    if ka != kb:
        return a.dtype if ka > kb else b.dtype
    if (a.ndim == 0) != (b.ndim == 0):
        return b.dtype if a.ndim == 0 else a.dtype
    return np.promote_types(a.dtype, b.dtype)


def arrays(a, b):
    """The two operands' arrays, cast to their common dtype when they differ."""
    da, db = a._data, b._data
    if da.dtype is not db.dtype and da.dtype != db.dtype:
        dt = result_dtype(da, db)
        da, db = da.astype(dt, copy=False), db.astype(dt, copy=False)
    return da, db


def broadcast_error(shape_a, shape_b):
    for i in range(1, min(len(shape_a), len(shape_b)) + 1):
        sa, sb = shape_a[-i], shape_b[-i]
        if sa != sb and sa != 1 and sb != 1:
            dim = max(len(shape_a), len(shape_b)) - i
            return RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b "
                                f"({sb}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {tuple(shape_a)} and {tuple(shape_b)} cannot be broadcast")


def binary(ufunc, a, b):
    da, db = arrays(a, b)
    try:
        return ufunc(da, db)
    except ValueError:
        raise broadcast_error(da.shape, db.shape) from None


def unbroadcast(grad, shape):
    """Sum `grad` back down to `shape`: the backward of NumPy broadcasting.

    Broadcasting copies a value along new leading dimensions and along
    dimensions of size 1, so its gradient adds those copies up again."""
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
