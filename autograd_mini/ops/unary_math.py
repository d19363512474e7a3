"""More element-wise functions of one tensor: the trigonometric and hyperbolic
family, erf, log1p / expm1 and the other logs and exps, rsqrt, the roundings
(floor, ceil, round, trunc, frac), sinc, nan_to_num. Each backward is torch's
formula (derivatives.yaml) on tensors, so it can be differentiated again."""
import math

import numpy as np

from ..node import Node
from ._util import constant
from .elementwise import _float, where

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class _OfSelf(Node):
    """A node whose backward needs its input (torch's `_saved_self`)."""
    saved_names = ("self",)

    def save(self, a, **attrs):
        self.save_for_backward(a)


def _zeros(grad):
    # torch's zeros_like(grad): not a function of grad, so no graph under create_graph.
    return constant(np.zeros_like(grad._data))


def _special(fn, a):
    """A function NumPy lacks (erf, erfc), from the math module, element by element in
    float64, then back to the tensor's float dtype."""
    return special_array(fn, _float(a))


def special_array(fn, data):
    return np.asarray(np.frompyfunc(fn, 1, 1)(data.astype(np.float64)), dtype=data.dtype)


class TanBackward0(Node):
    aten = "aten::tan"
    saves_result = True

    @staticmethod
    def forward(a):
        return np.tan(_float(a))

    def backward(self, grad):
        result = self.saved_output
        return (grad * (1 + result * result),)


class AsinBackward0(_OfSelf):
    aten = "aten::asin"

    @staticmethod
    def forward(a):
        return np.arcsin(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * (-a * a + 1).rsqrt(),)


class AcosBackward0(_OfSelf):
    aten = "aten::acos"

    @staticmethod
    def forward(a):
        return np.arccos(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * -(-a * a + 1).rsqrt(),)


class AtanBackward0(_OfSelf):
    aten = "aten::atan"

    @staticmethod
    def forward(a):
        return np.arctan(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad / (a * a + 1),)


class SinhBackward0(_OfSelf):
    aten = "aten::sinh"

    @staticmethod
    def forward(a):
        return np.sinh(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * a.cosh(),)


class CoshBackward0(_OfSelf):
    aten = "aten::cosh"

    @staticmethod
    def forward(a):
        return np.cosh(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * a.sinh(),)


class AsinhBackward0(_OfSelf):
    aten = "aten::asinh"

    @staticmethod
    def forward(a):
        return np.arcsinh(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * (a ** 2 + 1).rsqrt(),)


class AcoshBackward0(_OfSelf):
    aten = "aten::acosh"

    @staticmethod
    def forward(a):
        return np.arccosh(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * (a ** 2 - 1).rsqrt(),)


class AtanhBackward0(_OfSelf):
    aten = "aten::atanh"

    @staticmethod
    def forward(a):
        return np.arctanh(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * (1 / (1 - a ** 2)),)


class ErfBackward0(_OfSelf):
    aten = "aten::erf"

    @staticmethod
    def forward(a):
        return _special(math.erf, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (_TWO_OVER_SQRT_PI * (-(a ** 2)).exp() * grad,)


class ErfcBackward0(_OfSelf):
    aten = "aten::erfc"

    @staticmethod
    def forward(a):
        return _special(math.erfc, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (-_TWO_OVER_SQRT_PI * (-(a ** 2)).exp() * grad,)


class Log1PBackward0(_OfSelf):
    aten = "aten::log1p"

    @staticmethod
    def forward(a):
        return np.log1p(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad / (a + 1),)


class Expm1Backward0(Node):
    aten = "aten::expm1"
    saves_result = True

    @staticmethod
    def forward(a):
        return np.expm1(_float(a))

    def backward(self, grad):
        return (grad * (self.saved_output + 1),)


class Log2Backward0(_OfSelf):
    aten = "aten::log2"

    @staticmethod
    def forward(a):
        return np.log2(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad / (a * _LN2),)


class Log10Backward0(_OfSelf):
    aten = "aten::log10"

    @staticmethod
    def forward(a):
        return np.log10(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad / (a * _LN10),)


class RsqrtBackward0(Node):
    aten = "aten::rsqrt"
    saves_result = True

    @staticmethod
    def forward(a):
        data = _float(a)
        return np.reciprocal(np.sqrt(data))

    def backward(self, grad):
        return (-0.5 * grad * self.saved_output ** 3,)


class Exp2Backward0(Node):
    aten = "aten::exp2"
    saves_result = True

    @staticmethod
    def forward(a):
        return np.exp2(_float(a))

    def backward(self, grad):
        return (grad * self.saved_output * _LN2,)


class _Rounding(Node):
    """floor, ceil, round, trunc: steps, so the gradient is zero everywhere (torch's
    choice at the jumps too). An integer tensor comes back unchanged, as a copy."""
    ufunc = None

    @classmethod
    def forward(cls, a):
        data = a._data
        return data.copy() if data.dtype.kind in "biu" else cls.ufunc(data)

    def backward(self, grad):
        return (_zeros(grad),)


class FloorBackward0(_Rounding):
    aten = "aten::floor"
    ufunc = staticmethod(np.floor)


class CeilBackward0(_Rounding):
    aten = "aten::ceil"
    ufunc = staticmethod(np.ceil)


class RoundBackward0(_Rounding):
    aten = "aten::round"
    ufunc = staticmethod(np.rint)  # halves to even, as torch rounds


class TruncBackward0(_Rounding):
    aten = "aten::trunc"
    ufunc = staticmethod(np.trunc)


class RoundBackward1(Node):
    """round(decimals=d): torch scales by 10^d in the tensor's dtype, rounds half to even,
    and scales back (dividing by 10^-d for a negative d)."""
    aten = "aten::round"

    @staticmethod
    def forward(a, decimals):
        data = a._data
        require_float(data, "round_vml_cpu" if decimals == 0 else "round_cpu")
        ten_pow = np.asarray(10.0 ** abs(decimals), dtype=data.dtype)
        if decimals < 0:
            return np.rint(data / ten_pow) * ten_pow
        return np.rint(data * ten_pow) / ten_pow

    def backward(self, grad):
        return (_zeros(grad),)


_TORCH_NAME = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool"}


def require_float(data, kernel):
    """torch's error for a float-only kernel given an integer (or bool) tensor."""
    if data.dtype.kind != "f":
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{_TORCH_NAME.get(data.dtype.name, data.dtype.name)}\'')


class FracBackward0(Node):
    """x - trunc(x): a shift by a constant between the jumps, so the gradient is grad."""
    aten = "aten::frac"

    @staticmethod
    def forward(a):
        data = a._data
        require_float(data, "frac_cpu")
        return data - np.trunc(data)

    def backward(self, grad):
        return (grad,)


class SincBackward0(_OfSelf):
    """sin(pi x) / (pi x), 1 at 0."""
    aten = "aten::sinc"

    @staticmethod
    def forward(a):
        data = _float(a)
        px = data * np.asarray(math.pi, dtype=data.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(data == 0, np.ones_like(data), np.sin(px) / px)

    def backward(self, grad):
        (a,) = self.saved_tensors
        a_pi = a * math.pi
        a_squared_pi = a * a * math.pi
        out = grad * (a_pi * a_pi.cos() - a_pi.sin()) / a_squared_pi
        return (where(constant(a_squared_pi._data == 0), 0.0, out),)


class NanToNumBackward0(_OfSelf):
    aten = "aten::nan_to_num"

    @staticmethod
    def forward(a, nan=0.0, posinf=None, neginf=None):
        data = a._data
        if data.dtype.kind != "f":
            return data.copy()
        return np.nan_to_num(data, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * constant(np.isfinite(a._data)),)


class _InplaceInverseHyperbolic(Node):
    """asinh_, acosh_, atanh_: torch records these on a node of their own whose backward
    is an error (their derivative would need the input the write destroyed)."""

    @classmethod
    def forward(cls, a):
        return cls.out_of_place.forward(a)

    def backward(self, grad):
        raise RuntimeError(f"the derivative for 'inplace version of {self.aten[6:]}' "
                           "is not implemented.")


class AsinhBackward1(_InplaceInverseHyperbolic):
    aten = "aten::asinh"
    out_of_place = AsinhBackward0


class AcoshBackward1(_InplaceInverseHyperbolic):
    aten = "aten::acosh"
    out_of_place = AcoshBackward0


class AtanhBackward1(_InplaceInverseHyperbolic):
    aten = "aten::atanh"
    out_of_place = AtanhBackward0


# -- the functions users call -------------------------------------------------

def tan(input):
    return TanBackward0.apply(input)


def asin(input):
    return AsinBackward0.apply(input)


def acos(input):
    return AcosBackward0.apply(input)


def atan(input):
    return AtanBackward0.apply(input)


def sinh(input):
    return SinhBackward0.apply(input)


def cosh(input):
    return CoshBackward0.apply(input)


def asinh(input):
    return AsinhBackward0.apply(input)


def acosh(input):
    return AcoshBackward0.apply(input)


def atanh(input):
    return AtanhBackward0.apply(input)


def asinh_(input):
    from ..inplace import apply_inplace
    return apply_inplace(input, AsinhBackward1.apply)


def acosh_(input):
    from ..inplace import apply_inplace
    return apply_inplace(input, AcoshBackward1.apply)


def atanh_(input):
    from ..inplace import apply_inplace
    return apply_inplace(input, AtanhBackward1.apply)


def erf(input):
    return ErfBackward0.apply(input)


def erfc(input):
    return ErfcBackward0.apply(input)


def log1p(input):
    return Log1PBackward0.apply(input)


def expm1(input):
    return Expm1Backward0.apply(input)


def log2(input):
    return Log2Backward0.apply(input)


def log10(input):
    return Log10Backward0.apply(input)


def rsqrt(input):
    return RsqrtBackward0.apply(input)


def exp2(input):
    return Exp2Backward0.apply(input)


def floor(input):
    return FloorBackward0.apply(input)


def ceil(input):
    return CeilBackward0.apply(input)


def round(input, *, decimals=None):
    if decimals is None:  # round(x, decimals=0) is torch's other overload, RoundBackward1
        return RoundBackward0.apply(input)
    return RoundBackward1.apply(input, decimals=decimals)


def trunc(input):
    return TruncBackward0.apply(input)


def frac(input):
    return FracBackward0.apply(input)


def sinc(input):
    return SincBackward0.apply(input)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return NanToNumBackward0.apply(input, nan=nan, posinf=posinf, neginf=neginf)


# torch's other names for the same functions
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_
fix = trunc
