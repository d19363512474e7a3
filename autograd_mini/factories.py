"""Ways to make a tensor: torch.tensor, zeros, ones, arange, linspace, rand, ..."""
import warnings

import numpy as np

from . import dtypes
from .tensor import Tensor

_rng = np.random.default_rng()


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _leaf(data, requires_grad):
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _float_dtype(dtype):
    return dtypes.to_numpy(dtype) if dtype is not None else dtypes.default_float.np


def tensor(data, dtype=None, device=None, requires_grad=False):
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
            "or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        arr = np.array(data._data, dtype=dtypes.to_numpy(dtype))
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data, dtype=dtypes.to_numpy(dtype))
    else:
        arr = np.array(_plain(data))
        if dtype is not None:
            arr = arr.astype(dtypes.to_numpy(dtype))
        elif arr.dtype.kind == "f":
            arr = arr.astype(dtypes.default_float.np)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
    if arr.dtype not in dtypes._BY_NUMPY:
        arr = arr.astype(np.float32 if arr.dtype.kind == "f" else np.int64)
    return _leaf(arr, requires_grad)


def _plain(data):
    """Nested lists may hold 0-d tensors (torch.tensor([a.sum(), b.sum()]))."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_plain(d) for d in data]
    return data


def from_numpy(array):
    return Tensor._make(array)


def as_tensor(data, dtype=None):
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and dtype is None and data.dtype in dtypes._BY_NUMPY:
        return Tensor._make(data)
    return tensor(data, dtype=dtype)


def zeros(*size, dtype=None, requires_grad=False):
    return _leaf(np.zeros(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _leaf(np.ones(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    if dtype is None:
        dtype = (dtypes.bool if isinstance(fill_value, bool) else
                 dtypes.int64 if isinstance(fill_value, int) else dtypes.default_float)
    return _leaf(np.full(_shape((size,)), fill_value, dtype=dtypes.to_numpy(dtype)), requires_grad)


def zeros_like(input, dtype=None, requires_grad=False):
    return _leaf(np.zeros(input._data.shape, dtype=dtypes.to_numpy(dtype) or input._data.dtype),
                 requires_grad)


def ones_like(input, dtype=None, requires_grad=False):
    return _leaf(np.ones(input._data.shape, dtype=dtypes.to_numpy(dtype) or input._data.dtype),
                 requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False):
    return _leaf(np.full(input._data.shape, fill_value,
                         dtype=dtypes.to_numpy(dtype) or input._data.dtype), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = (start, end, step)
    if dtype is None:
        is_float = any(isinstance(v, float) for v in values)
        dtype = dtypes.default_float if is_float else dtypes.int64
    # Torch computes start + i * step in double precision, then casts.
    count = int(np.ceil((end - start) / step))
    data = (start + np.arange(max(count, 0), dtype=np.float64) * step)
    return _leaf(data.astype(dtypes.to_numpy(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    # Torch's kernel: the first half counts up from `start`, the second half down
    # from `end` (so both ends come out exact), with `step` in the tensor's own
    # precision and each value rounded once (its vector loop uses fused
    # multiply-add); extended precision followed by one cast does the same.
    ft = np.dtype(_float_dtype(dtype)).type
    step = np.longdouble((ft(end) - ft(start)) / ft(max(steps - 1, 1)))
    i = np.arange(steps, dtype=np.longdouble)
    data = np.where(i < steps // 2, np.longdouble(ft(start)) + step * i,
                    np.longdouble(ft(end)) - step * (steps - 1 - i))
    return _leaf(data.astype(ft), requires_grad)


def manual_seed(seed):
    """Seeds this engine's generator (NumPy's; it does not reproduce torch's numbers)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def rand(*size, dtype=None, requires_grad=False):
    return _leaf(_rng.random(_shape(size)).astype(_float_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    return _leaf(_rng.standard_normal(_shape(size)).astype(_float_dtype(dtype)), requires_grad)


def randint(low, high=None, size=(), dtype=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return _leaf(_rng.integers(low, high, size=tuple(size)).astype(
        dtypes.to_numpy(dtype) or np.int64), requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    return rand(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    return randn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    return input._data.shape == other._data.shape and bool((input._data == other._data).all())


class device:
    """There is one device here, the CPU; kept so torch code that names it runs."""

    def __init__(self, type="cpu", index=None):
        if str(type) != "cpu":
            raise RuntimeError(f"autograd_mini runs on the CPU only, not on {type!r}")
        self.type = "cpu"
        self.index = index

    def __repr__(self):
        return "device(type='cpu')"

    def __eq__(self, other):
        return isinstance(other, device) or other == "cpu"

    def __hash__(self):
        return hash("cpu")


class cuda:
    """No GPU in this engine: torch.cuda.is_available() is False."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0
