"""torch.finfo / torch.iinfo and the type-promotion questions (promote_types, result_type,
can_cast), answered by torch's rules: a dtype of a higher category (bool < integer <
floating) wins outright; within a category, NumPy's promotion is torch's."""
import numpy as np

from . import dtypes
from .tensor import Tensor

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _check_dtype(value, function, argument, position):
    if not isinstance(value, dtypes.dtype):
        raise TypeError(f"{function}(): argument '{argument}' (position {position}) must be "
                        f"torch.dtype, not {type(value).__name__}")


class finfo:
    """Machine limits of a floating dtype, with torch's attribute names and repr."""

    def __init__(self, type=None):  # noqa: A002 - torch's keyword
        type = dtypes.default_float if type is None else type
        if not type.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        info = np.finfo(type.np)
        self.bits, self.dtype = info.bits, type.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(10.0 ** -info.precision)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")

    __str__ = __repr__


class iinfo:
    """Limits of an integer dtype (not bool), as torch.iinfo gives them."""

    def __init__(self, type):  # noqa: A002 - torch's keyword
        if type is dtypes.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits, self.dtype = info.bits, type.name
        self.max, self.min = int(info.max), int(info.min)

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"

    __str__ = __repr__


def _promote(a, b):
    ka, kb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ka != kb:
        return a if ka > kb else b
    return np.promote_types(a, b)


def promote_types(type1, type2):
    _check_dtype(type1, "promote_types", "type1", 1)
    _check_dtype(type2, "promote_types", "type2", 2)
    return dtypes.from_numpy(_promote(type1.np, type2.np))


def _number_dtype(value):
    kind = "b" if isinstance(value, bool) else "i" if isinstance(value, int) else "f"
    return {"b": dtypes.bool.np, "i": np.dtype(np.int64), "f": dtypes.default_float.np}[kind]


def result_type(tensor, other):
    """The dtype `tensor op other` would have: tensors with dimensions first, then 0-d
    tensors, then numbers, each tier lifting the result only to a higher category."""
    tiers = [None, None, None]  # dimensioned tensors, 0-d tensors, numbers
    for operand in (tensor, other):
        if isinstance(operand, Tensor):
            tier, dt = (0 if operand._data.ndim else 1), operand._data.dtype
        else:
            tier, dt = 2, _number_dtype(operand)
        tiers[tier] = dt if tiers[tier] is None else _promote(tiers[tier], dt)
    result = None
    for dt in tiers:
        if dt is not None and (result is None or _CATEGORY[dt.kind] > _CATEGORY[result.kind]):
            result = dt
    return dtypes.from_numpy(result)


def can_cast(from_, to):
    """Casting never goes down a category (floating to integer, integer to bool)."""
    _check_dtype(from_, "can_cast", "from_", 1)
    _check_dtype(to, "can_cast", "to", 2)
    return _CATEGORY[from_.np.kind] <= _CATEGORY[to.np.kind]


def is_complex(input):
    if not isinstance(input, Tensor):
        raise TypeError("is_complex(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return False  # this engine has no complex dtypes


def typename(obj):
    """torch.typename: a tensor's type() ('torch.FloatTensor'), else module.qualname."""
    if isinstance(obj, Tensor):
        return obj.type()
    module, qualname = getattr(obj, "__module__", "") or "", ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module, qualname = obj.__class__.__module__ or "", obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"
