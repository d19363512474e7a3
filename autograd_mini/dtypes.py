"""The dtypes the course needs, named and printed as torch names them."""
import numpy as np


class dtype:
    __slots__ = ("name", "np", "is_floating_point", "legacy_name")

    def __init__(self, name, np_type, is_floating_point, legacy_name):
        self.name = name
        self.np = np.dtype(np_type)
        self.is_floating_point = is_floating_point
        # torch still names tensor types this way in some error messages.
        self.legacy_name = legacy_name

    def __repr__(self):
        return f"autograd_mini.{self.name}"

    def __reduce__(self):
        return self.name


float32 = dtype("float32", np.float32, True, "FloatTensor")
float64 = dtype("float64", np.float64, True, "DoubleTensor")
float16 = dtype("float16", np.float16, True, "HalfTensor")  # x.half(): NumPy's half floats
int64 = dtype("int64", np.int64, False, "LongTensor")
int32 = dtype("int32", np.int32, False, "IntTensor")
int16 = dtype("int16", np.int16, False, "ShortTensor")
int8 = dtype("int8", np.int8, False, "CharTensor")
uint8 = dtype("uint8", np.uint8, False, "ByteTensor")  # torch.get_rng_state() is one
bool = dtype("bool", np.bool_, False, "BoolTensor")  # noqa: A001 - torch.bool
float, double, long, int, half, short = float32, float64, int64, int32, float16, int16  # noqa: A001

_BY_NUMPY = {d.np: d for d in (float32, float64, float16, int64, int32, int16, int8, uint8, bool)}

# The names torch's C++ messages give a dtype: its C++ element type, and its ScalarType
# (the legacy class name without "Tensor").
CPP_TYPE = {float32: "float", float64: "double", float16: "c10::Half", int64: "long int",
            int32: "int", int16: "short int", int8: "signed char", uint8: "unsigned char",
            bool: "bool"}


def scalar_type(d):
    return d.legacy_name[:-len("Tensor")]
default_float = float32


def from_numpy(np_dtype):
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"autograd_mini does not support numpy dtype {np_dtype}") from None


def to_numpy(d):
    """Accept our dtype, a numpy dtype, or a Python type (as torch accepts torch.float)."""
    if isinstance(d, dtype):
        return d.np
    if d is None:
        return None
    return np.dtype(d)
