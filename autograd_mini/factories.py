"""Ways to make a tensor: torch.tensor, zeros, ones, arange, linspace, rand, ...

Every factory takes torch's `device=` (the CPU is the one device here: see
devices.py) and the random ones a `generator=`.
"""
import warnings

import numpy as np

from . import dtypes
from . import random
from .devices import check as _check_device
from .random import Generator, default_generator, initial_seed, manual_seed, seed  # noqa: F401
from . import tensor as _tensor
from .tensor import Size, Tensor


def _generator(generator):
    return random.default_generator if generator is None else generator


def _shape(size, keyword=None, caller="zeros"):
    """`zeros(2, 3)`, `zeros((2, 3))` or `zeros(size=(2, 3))` (d2l writes the last)."""
    if keyword is not None:
        if size:
            raise TypeError(f"{caller}() got multiple values for argument 'size'")
        if not isinstance(keyword, (tuple, list)):
            raise TypeError(f"{caller}(): argument 'size' must be tuple of ints, not "
                            f"{type(keyword).__name__}")
        return tuple(keyword)
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


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    _check_device(device)
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


def _plain(data, depth=0):
    """Nested lists may hold 0-d tensors (torch.tensor([a.sum(), b.sum()])); taking the
    number of one that requires grad gives torch's once-per-process warning, as float() does."""
    if isinstance(data, Tensor):
        if data._requires_grad:
            _tensor._warn_scalar_once(stacklevel=4 + depth)  # at the line that called tensor()
        return data._data
    if isinstance(data, (list, tuple)):
        plain = []  # a loop, not a comprehension: one frame per level, for the stacklevel
        for item in data:
            plain.append(_plain(item, depth + 1))
        return plain
    return data


def from_numpy(array):
    return Tensor._make(array)


def as_tensor(data, dtype=None, device=None):
    _check_device(device)
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and dtype is None and data.dtype in dtypes._BY_NUMPY:
        return Tensor._make(data)
    return tensor(data, dtype=dtype)


def zeros(*shape, size=None, dtype=None, device=None, requires_grad=False, out=None,
          layout=None, pin_memory=False):
    _check_device(device)
    return _leaf(np.zeros(_shape(shape, size, "zeros"), dtype=_float_dtype(dtype)), requires_grad)


def ones(*shape, size=None, dtype=None, device=None, requires_grad=False, out=None,
         layout=None, pin_memory=False):
    _check_device(device)
    return _leaf(np.ones(_shape(shape, size, "ones"), dtype=_float_dtype(dtype)), requires_grad)


def empty(*shape, size=None, dtype=None, device=None, requires_grad=False, out=None,
          layout=None, pin_memory=False, memory_format=None):
    """torch leaves the memory as it was; here it is zeros (a fine "anything")."""
    return zeros(*shape, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    _check_device(device)
    if dtype is None:
        dtype = (dtypes.bool if isinstance(fill_value, bool) else
                 dtypes.int64 if isinstance(fill_value, int) else dtypes.default_float)
    return _leaf(np.full(_shape((size,)), fill_value, dtype=dtypes.to_numpy(dtype)), requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    _check_device(device)
    return _leaf(np.zeros(input._data.shape, dtype=dtypes.to_numpy(dtype) or input._data.dtype),
                 requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    _check_device(device)
    return _leaf(np.ones(input._data.shape, dtype=dtypes.to_numpy(dtype) or input._data.dtype),
                 requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    _check_device(device)
    return _leaf(np.full(input._data.shape, fill_value,
                         dtype=dtypes.to_numpy(dtype) or input._data.dtype), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
        pin_memory=False):
    _check_device(device)
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, out=None,
           layout=None, pin_memory=False):
    _check_device(device)
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


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, out=None,
             layout=None, pin_memory=False):
    _check_device(device)
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


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False,
             out=None, layout=None, pin_memory=False):
    _check_device(device)
    # Torch raises base to exponents spaced as linspace spaces them (from both ends),
    # in double precision for the power, then casts once.
    step = (end - start) / max(steps - 1, 1)
    i = np.arange(steps, dtype=np.float64)
    exponents = np.where(i < steps // 2, start + step * i, end - step * (steps - 1 - i))
    return _leaf(np.power(float(base), exponents).astype(_float_dtype(dtype)), requires_grad)


def rand(*shape, size=None, generator=None, dtype=None, device=None, requires_grad=False,
         out=None, layout=None, pin_memory=False):
    _check_device(device)
    uniform = _generator(generator).uniform(_shape(shape, size, "rand"), _float_dtype(dtype))
    return _leaf(uniform, requires_grad)


def randn(*shape, size=None, generator=None, dtype=None, device=None, requires_grad=False,
          out=None, layout=None, pin_memory=False):
    _check_device(device)
    normal = _generator(generator).normal(_shape(shape, size, "randn"), _float_dtype(dtype))
    return _leaf(normal, requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=None, device=None,
            requires_grad=False, out=None, layout=None, pin_memory=False):
    _check_device(device)
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    integers = _generator(generator).integers(int(low), int(high), tuple(size))
    return _leaf(integers.astype(dtypes.to_numpy(dtype) or np.int64), requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False, out=None,
             layout=None, pin_memory=False):
    _check_device(device)
    order = _generator(generator).permutation(int(n))
    return _leaf(order.astype(dtypes.to_numpy(dtype) or np.int64), requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    return rand(*input._data.shape, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    return randn(*input._data.shape, dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def is_floating_point(input):
    return input.is_floating_point()


def is_inference(*args, **kwargs):
    """torch.is_inference(t): was t made in inference mode? (torch's argument errors)"""
    if len(args) + len(kwargs) != 1 or (kwargs and "input" not in kwargs):
        raise TypeError('is_inference() missing 1 required positional arguments: "input"')
    t = args[0] if args else kwargs["input"]
    if not isinstance(t, Tensor):
        raise TypeError("is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")
    return t.is_inference()


def set_default_dtype(d):
    if d not in (dtypes.float32, dtypes.float64):
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.default_float = d


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    return input._data.shape == other._data.shape and bool((input._data == other._data).all())


# -- the legacy constructors: torch.Tensor(...), torch.FloatTensor(...), ... ----

def legacy_new(dtype, args, kwargs):
    """torch.Tensor(*sizes) / (data) / (tensor), and the typed forms (FloatTensor, ...):
    sizes give a tensor of that shape (zeros here; torch leaves the memory as it was),
    data is copied into `dtype`, a tensor of that dtype comes back as an alias."""
    extra = [k for k in kwargs if k != "device"]
    if extra:
        raise TypeError(_legacy_signature_error(args, kwargs, extra))
    _check_device(kwargs.get("device"))
    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if dtype is not None and other._data.dtype != dtype.np:
            raise TypeError(f"expected {_options(dtype)} (got {_options(other.dtype)})")
        return Tensor._make(other._data, vc=other._version_counter())
    dtype = dtypes.default_float if dtype is None else dtype
    if not args:
        return Tensor._make(np.zeros(0, dtype=dtype.np))
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and isinstance(args[0], Size)):
        return Tensor._make(np.zeros(_shape(args), dtype=dtype.np))
    if len(args) == 1:
        data = args[0]
        if not isinstance(data, (list, tuple, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        return Tensor._make(np.array(_plain(data), dtype=dtype.np))
    raise TypeError("new() received an invalid combination of arguments")


_LEGACY = {}  # dtype -> its typed constructor
_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "bool": "bool"}


def _options(dtype):
    return (f"TensorOptions(dtype={_C_NAMES[dtype.name]}, device=cpu, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def _legacy_signature_error(args, kwargs, extra):
    def name(v):
        return "torch.dtype" if isinstance(v, dtypes.dtype) else type(v).__name__
    got = ", ".join([name(a) for a in args] + [f"{k}={name(v)}" for k, v in kwargs.items()])
    return ("new() received an invalid combination of arguments - got (" + got + "), but "
            "expected one of:\n * (*, torch.device device = None)\n      didn't match because "
            "some of the keywords were incorrect: " + ", ".join(extra) + "\n * (torch.Storage "
            "storage)\n * (Tensor other)\n * (tuple of ints size, *, torch.device device = "
            "None)\n * (object data, *, torch.device device = None)\n")


class _TensorType(type):
    """The metaclass of FloatTensor & co.: calling one makes a Tensor of its dtype, and
    isinstance(t, torch.FloatTensor) asks for that dtype, as in torch."""

    def __call__(cls, *args, **kwargs):
        return legacy_new(cls.dtype, args, kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _tensor_type(d):
    cls = _TensorType(d.legacy_name, (), {"dtype": d, "__module__": "torch"})
    _LEGACY[d] = cls
    return cls


FloatTensor, DoubleTensor, LongTensor, IntTensor, BoolTensor = (
    _tensor_type(d) for d in (dtypes.float32, dtypes.float64, dtypes.int64, dtypes.int32,
                              dtypes.bool))


# -- Tensor methods that make tensors: x.new_ones(...), x.type(...), ... ---------

def _new_factory(factory):
    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        # Same dtype as self unless told otherwise; never self's history.
        return factory(*args, dtype=dtype or self.dtype, device=device,
                       requires_grad=requires_grad, **kwargs)
    method.__name__ = "new_" + factory.__name__
    return method


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
            "or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        data = data._data.copy()
    return tensor(np.array(_plain(data), dtype=(dtype or self.dtype).np), device=device,
                  requires_grad=requires_grad)


def tensor_type(self, dtype=None, non_blocking=False, **kwargs):
    """x.type() names the tensor type ('torch.FloatTensor'); x.type(t) converts to it."""
    if dtype is None:
        return "torch." + self.dtype.legacy_name
    if isinstance(dtype, str):
        dtype = next(d for d in _LEGACY if "torch." + d.legacy_name == dtype)
    elif isinstance(dtype, _TensorType):
        dtype = dtype.dtype
    return self.to(dtype)


def _cuda(self, *args, **kwargs):
    raise AssertionError("Torch not compiled with CUDA enabled")


TENSOR_METHODS = {
    "new_zeros": _new_factory(zeros), "new_ones": _new_factory(ones),
    "new_empty": _new_factory(empty), "new_full": _new_factory(full),
    "new_tensor": new_tensor, "type": tensor_type, "cuda": _cuda,
    "is_cpu": True, "get_device": lambda self: -1,
    "equal": equal, "allclose": allclose,
}
