"""Special functions and small aliases torch has beside the element-wise basics:
lgamma, digamma, erfinv, logit, i0, deg2rad / rad2deg, sgn, ldexp, float_power,
negative / absolute. NumPy lacks lgamma, digamma, trigamma, erfinv and i1, so they are
computed here (in float64, then back to the tensor's dtype)."""
import math

import numpy as np

from .. import dtypes
from ..node import Node
from ..tensor import Tensor
from ._util import as_tensor, binary, constant, input_shapes, result_dtype, unbroadcast
from .arithmetic import neg, pow as _pow
from .elementwise import SignBackward0, _float, abs as _abs, where
from .unary_math import special_array

_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)


def _lgamma_scalar(v):
    # math.lgamma refuses the poles (0, -1, ...); torch gives inf there.
    return math.inf if v <= 0 and float(v).is_integer() else math.lgamma(v)


def _shift_up(x, steps=6):
    """Recurrence f(x) = f(x + 1) + term(x): x moved to >= 6 for the asymptotic series;
    returns the shifted x and the list of masks of the steps taken."""
    masks = []
    for _ in range(steps):
        small = x < 6
        masks.append((x.copy(), small))
        x = np.where(small, x + 1, x)
    return x, masks


def digamma_array(data):
    x = data.astype(np.float64)
    reflect = x < 0.5
    y, masks = _shift_up(np.where(reflect, 1 - x, x))
    with np.errstate(divide="ignore", invalid="ignore"):
        acc = sum(np.where(small, 1 / v, 0.0) for v, small in masks)
        y2 = 1 / (y * y)
        out = np.log(y) - 0.5 / y - y2 * (1 / 12 - y2 * (1 / 120 - y2 * (
            1 / 252 - y2 * (1 / 240 - y2 / 132)))) - acc
        out = np.where(reflect, out - math.pi / np.tan(math.pi * x), out)
    out = np.where(x == 0, -np.copysign(np.inf, x), out)  # torch: -inf at +0, inf at -0
    out = np.where((x < 0) & (x == np.floor(x)), np.nan, out)
    return out.astype(data.dtype)


def trigamma_array(data):
    x = data.astype(np.float64)
    reflect = x < 0.5
    y, masks = _shift_up(np.where(reflect, 1 - x, x))
    with np.errstate(divide="ignore", invalid="ignore"):
        acc = sum(np.where(small, 1 / (v * v), 0.0) for v, small in masks)
        r = 1 / y
        r2 = r * r
        out = r + r2 / 2 + r * r2 * (1 / 6 - r2 * (1 / 30 - r2 * (1 / 42 - r2 / 30))) + acc
        out = np.where(reflect, -out + (math.pi / np.sin(math.pi * x)) ** 2, out)
    return out.astype(data.dtype)


def erfinv_array(data):
    """An initial guess (Winitzki's formula), then Newton steps on erf(y) = x."""
    x = data.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 0.147
        ln = np.log1p(-x * x)
        first = 2 / (math.pi * a) + ln / 2
        y = np.sign(x) * np.sqrt(np.sqrt(first * first - ln / a) - first)
        finite = np.isfinite(y)
        for _ in range(4):
            z = np.where(finite, y, 0.0)
            step = (special_array(math.erf, z) - x) / (2 / math.sqrt(math.pi) * np.exp(-z * z))
            y = np.where(finite, y - step, y)
    y = np.where(np.abs(x) == 1, np.copysign(np.inf, x), y)
    return y.astype(data.dtype)


def i1_array(data):
    """I1 by its power series sum (x/2)^(2k+1) / (k! (k+1)!), enough terms for |x|."""
    x = data.astype(np.float64)
    half = x / 2
    term, out = half.copy(), half.copy()
    for k in range(1, int(np.abs(x).max(initial=0)) + 40):
        term = term * half * half / (k * (k + 1))
        out = out + term
    return out.astype(data.dtype)


class _OfSelf(Node):
    saved_names = ("self",)

    def save(self, a, **attrs):
        self.save_for_backward(a)


class LgammaBackward0(_OfSelf):
    aten = "aten::lgamma"

    @staticmethod
    def forward(a):
        return special_array(_lgamma_scalar, _float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * a.digamma(),)


class DigammaBackward0(_OfSelf):
    """The derivative is trigamma (torch's polygamma(1, x)); this engine has no polygamma
    node, so trigamma is computed on arrays: no second derivative of digamma here."""
    aten = "aten::digamma"

    @staticmethod
    def forward(a):
        return digamma_array(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * constant(trigamma_array(a._data)),)


class ErfinvBackward0(_OfSelf):
    aten = "aten::erfinv"

    @staticmethod
    def forward(a):
        return erfinv_array(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (_HALF_SQRT_PI * (a.erfinv() ** 2).exp() * grad,)


class LogitBackward0(_OfSelf):
    aten = "aten::logit"

    @staticmethod
    def forward(a, eps=None):
        x = _float(a)
        if eps is not None:
            x = np.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x / (1 - x))

    def save(self, a, eps=None):
        self.save_for_backward(a)
        self._saved_eps = eps

    def backward(self, grad):
        (a,) = self.saved_tensors
        eps, data = self._saved_eps, a._data
        out = grad / (a * (1 - a))
        if eps is None:  # outside [0, 1] the derivative is nan, as the value is
            return (where(constant((data < 0) | (data > 1)), math.nan, out),)
        return (where(constant((data < eps) | (data > 1 - eps)), 0.0, out),)


class I0Backward0(_OfSelf):
    """d I0 = I1, computed on arrays (torch's special_i1 has no node here): no second
    derivative of i0."""
    aten = "aten::i0"

    @staticmethod
    def forward(a):
        return np.i0(_float(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * constant(i1_array(a._data)),)


class _Scale(Node):
    factor = None

    @classmethod
    def forward(cls, a):
        data = _float(a)
        return data * np.asarray(cls.factor, dtype=data.dtype)

    def backward(self, grad):
        return (grad * self.factor,)


class Deg2RadBackward0(_Scale):
    aten = "aten::deg2rad"
    factor = math.pi / 180


class Rad2DegBackward0(_Scale):
    aten = "aten::rad2deg"
    factor = 180 / math.pi


class SgnBackward0(SignBackward0):
    """sgn is sign for real tensors, on a node of its own."""
    aten = "aten::sgn"


class LdexpBackward0(Node):
    """self * 2 ** other."""
    aten = "aten::ldexp"
    saved_names = ("self", "other")

    @staticmethod
    def forward(a, b):
        dt = result_dtype(a, b)
        if dt.kind != "f":
            dt = dtypes.default_float.np
        return binary(lambda x, y: x.astype(dt) * np.exp2(y.astype(dt)), a, b)

    def save(self, a, b):
        self.save_for_backward(a, b)
        self.shapes = input_shapes(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        two_pow = 2.0 ** b
        return (unbroadcast(grad * two_pow, shape_a) if need_a else None,
                unbroadcast(grad * a * math.log(2.0) * two_pow, shape_b) if need_b else None)


# -- the functions users call -------------------------------------------------

def lgamma(input):
    return LgammaBackward0.apply(input)


def digamma(input):
    return DigammaBackward0.apply(input)


def erfinv(input):
    return ErfinvBackward0.apply(input)


def logit(input, eps=None):
    return LogitBackward0.apply(input, eps=eps)


def i0(input):
    return I0Backward0.apply(input)


def deg2rad(input):
    return Deg2RadBackward0.apply(input)


def rad2deg(input):
    return Rad2DegBackward0.apply(input)


def sgn(input):
    return SgnBackward0.apply(input)


def ldexp(input, other):
    return LdexpBackward0.apply(input, as_tensor(other, input))


def _double(value):
    return value.double() if isinstance(value, Tensor) else value


def float_power(input, exponent):
    """pow computed in float64, as torch does (both operands cast to double first)."""
    if not isinstance(input, Tensor):
        return _pow(float(input), exponent.double())
    return _pow(input.double(), _double(exponent) if isinstance(exponent, Tensor)
                else float(exponent))


negative, absolute = neg, _abs  # torch's aliases: NegBackward0, AbsBackward0

FUNCTIONS = {n: globals()[n] for n in (
    "lgamma", "digamma", "erfinv", "logit", "i0", "deg2rad", "rad2deg", "sgn", "ldexp",
    "float_power", "negative", "absolute")}
