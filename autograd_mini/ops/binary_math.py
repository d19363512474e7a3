"""More element-wise functions of two operands: atan2, hypot, logaddexp, xlogy,
remainder / fmod (`%`), floor_divide (`//`), clamp_min / clamp_max, heaviside.
Broadcasting inputs get their gradient summed back (unbroadcast), as in arithmetic.py."""
import numpy as np

from .. import dtypes
from ..node import Node
from ..tensor import Tensor
from ._util import arrays, as_tensor, binary, constant, input_shapes, result_dtype, unbroadcast
from .elementwise import where
from .unary_math import require_float



def _float_binary(ufunc, a, b, name=None):
    """ufunc on the common dtype; integers are promoted to the default float, as torch's
    floating-only functions do (or refuse, given `name`)."""
    dt = result_dtype(a, b)
    if dt.kind != "f":
        if name is not None:
            require_float(np.empty(0, dt), f"{name}_cpu")
        dt = dtypes.default_float.np
    da, db = a._data.astype(dt, copy=False), b._data.astype(dt, copy=False)
    try:
        return ufunc(da, db)
    except ValueError:
        return binary(ufunc, a, b)  # raises torch's broadcasting error


class _TwoInputs(Node):
    saved_names = ("self", "other")

    def save(self, a, b):
        self.save_for_backward(a, b)
        self.shapes = input_shapes(a, b)


class Atan2Backward0(_TwoInputs):
    aten = "aten::atan2"

    @staticmethod
    def forward(a, b):
        return _float_binary(np.arctan2, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        denom = a * a + b * b
        recip = where(constant(denom._data == 0), 0.0, denom.reciprocal())  # 0 at (0, 0)
        return (unbroadcast(grad * b * recip, shape_a) if need_a else None,
                unbroadcast(grad * -a * recip, shape_b) if need_b else None)


class HypotBackward0(_TwoInputs):
    aten = "aten::hypot"
    saves_result = True

    @staticmethod
    def forward(a, b):
        return _float_binary(np.hypot, a, b, "hypot")

    def backward(self, grad):
        a, b = self.saved_tensors
        result = self.saved_output
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        return (unbroadcast(grad * a / result, shape_a) if need_a else None,
                unbroadcast(grad * b / result, shape_b) if need_b else None)


class LogaddexpBackward0(_TwoInputs):
    """log(e^a + e^b), computed without overflow."""
    aten = "aten::logaddexp"

    @staticmethod
    def forward(a, b):
        return _float_binary(np.logaddexp, a, b, "logaddexp")

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        return (unbroadcast(grad / (1 + (b - a).exp()), shape_a) if need_a else None,
                unbroadcast(grad / (1 + (a - b).exp()), shape_b) if need_b else None)


class Logaddexp2Backward0(_TwoInputs):
    aten = "aten::logaddexp2"

    @staticmethod
    def forward(a, b):
        return _float_binary(np.logaddexp2, a, b, "logaddexp2")

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        return (unbroadcast(grad / (1 + 2 ** (b - a)), shape_a) if need_a else None,
                unbroadcast(grad / (1 + 2 ** (a - b)), shape_b) if need_b else None)


def _xlogy(x, y):
    # torch: NaN where y is NaN, else 0 where x == 0 (even for y == 0), else x log y.
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where(np.isnan(y), y, np.where(x == 0, 0, out)).astype(out.dtype, copy=False)


class XlogyBackward0(_TwoInputs):
    """x * log(y), 0 where x == 0."""
    aten = "aten::xlogy"

    @staticmethod
    def forward(a, b):
        return _float_binary(_xlogy, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        grad_a = None
        if need_a:
            flat = constant((a._data == 0) & (b._data <= 0))  # torch's masked_fill there
            grad_a = unbroadcast(where(flat, 0.0, xlogy(grad, b)), shape_a)
        return (grad_a,
                unbroadcast(grad * a / b, shape_b) if need_b else None)


class XlogyBackward1(Node):
    """xlogy(number, tensor)."""
    aten = "aten::xlogy"
    saved_names = ("other",)

    @staticmethod
    def forward(b, self_value):
        return _float_binary(_xlogy, as_tensor(self_value, b), b)

    def save(self, b, self_value):
        self._saved_self = self_value
        self.save_for_backward(b)

    def backward(self, grad):
        (b,) = self.saved_tensors
        return (grad * self._saved_self / b,)


class XlogyBackward2(Node):
    """xlogy(tensor, number)."""
    aten = "aten::xlogy"
    saved_names = ("self",)

    @staticmethod
    def forward(a, other):
        return _float_binary(_xlogy, a, as_tensor(other, a))

    def save(self, a, other):
        self._saved_other = other
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        flat = constant((a._data == 0) & (self._saved_other <= 0))
        return (where(flat, 0.0, xlogy(grad, self._saved_other)),)


class _ModScalar(Node):
    """remainder / fmod by a number: a shift by a multiple of it, so the gradient is grad."""
    ufunc = None

    @classmethod
    def forward(cls, a, other):
        return _modulo(cls.ufunc, a, as_tensor(other, a))

    def backward(self, grad):
        return (grad,)


class _ModTensor(_TwoInputs):
    """a - q * b with q = a / b rounded (floored for remainder, truncated for fmod):
    d/da = 1, d/db = -q, q taken as a constant (torch's formula)."""
    ufunc = quotient = None

    @classmethod
    def forward(cls, a, b):
        return _modulo(cls.ufunc, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        grad_b = None
        if need_b:
            q = DivBackward2.apply(a, b, rounding=type(self).quotient)
            grad_b = unbroadcast(-grad * q, shape_b)
        return (unbroadcast(grad, shape_a) if need_a else None, grad_b)


class DivBackward2(Node):
    """div(rounding_mode='floor' / 'trunc'): a step function of both inputs, so its
    gradients are zeros; what remainder's and fmod's backward record (their quotient)."""
    aten = "aten::div"

    @staticmethod
    def forward(a, b, rounding):
        da, db = arrays(a, b)
        return rounding(da, db)

    def save(self, a, b, rounding):
        self.shapes = (a._data.shape, b._data.shape)
        self.rounding = rounding
        if rounding is _true_divide:  # div(a, b, rounding_mode=None): a / b's gradients
            self.save_for_backward(a, b)

    def backward(self, grad):
        if self.rounding is _true_divide:
            a, b = self.saved_tensors
            need_a, need_b = self.needs_input_grad
            shape_a, shape_b = self.shapes
            return (unbroadcast(grad / b, shape_a) if need_a else None,
                    unbroadcast(-grad * a / (b * b), shape_b) if need_b else None)
        dtype = grad._data.dtype
        return tuple(constant(np.zeros(shape, dtype)) for shape in self.shapes)


def _true_divide(a, b):
    if a.dtype.kind != "f" and b.dtype.kind != "f":  # integers: the default float, as torch
        return np.true_divide(a, b).astype(dtypes.default_float.np)
    return np.true_divide(a, b)


def div_rounded(input, other, rounding_mode):
    """div(a, b, rounding_mode=...): torch records DivBackward2 whenever the keyword is
    given, None included."""
    rounding = {None: _true_divide, "floor": np.floor_divide, "trunc": _trunc_divide}.get(
        rounding_mode)
    if rounding is None:
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return DivBackward2.apply(input, as_tensor(other, input), rounding=rounding)


def _modulo(ufunc, a, b):
    da, db = arrays(a, b)
    if da.dtype.kind in "iu" and np.any(db == 0):
        raise RuntimeError("ZeroDivisionError")
    return binary(ufunc, a, b)


def _torch_remainder(a, b):
    """a - floor(a / b) * b for floats as torch computes it: fmod, then shifted by b where
    the signs differ; a zero result keeps fmod's sign (NumPy's takes b's)."""
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        return np.remainder(a, b)
    mod = np.fmod(a, b)
    shift = (mod != 0) & ((b < 0) != (mod < 0))
    return np.where(shift, mod + b, mod)


def _trunc_divide(a, b):
    return np.trunc(a / b) if a.dtype.kind == "f" else np.fix(a / b).astype(a.dtype)


class RemainderBackward0(_ModScalar):
    aten = "aten::remainder"
    ufunc = staticmethod(_torch_remainder)  # the sign of the divisor, as Python's %


class RemainderBackward1(_ModTensor):
    aten = "aten::remainder"
    ufunc = staticmethod(_torch_remainder)
    quotient = staticmethod(np.floor_divide)


class FmodBackward0(_ModScalar):
    aten = "aten::fmod"
    ufunc = staticmethod(np.fmod)  # the sign of the dividend, as C's fmod


class FmodBackward1(_ModTensor):
    aten = "aten::fmod"
    ufunc = staticmethod(np.fmod)
    quotient = staticmethod(_trunc_divide)


class NotImplemented(Node):
    """What torch records for an op it has no derivative for (floor_divide, heaviside,
    a number % tensor): the graph goes on, but backward through it is an error.
    One subclass per op (see `not_implemented`), all named as torch names them;
    numbers among the operands are attributes, not inputs (no edge for them)."""

    def name(self):
        return "torch::autograd::NotImplemented"

    @staticmethod
    def forward(*inputs, fn):
        return fn(*inputs)

    def backward(self, grad):
        raise RuntimeError(f"derivative for {self.aten} is not implemented")


_NOT_IMPLEMENTED = {}


def not_implemented(aten):
    """The NotImplemented node class for op `aten` (its name in the profiler and errors)."""
    cls = _NOT_IMPLEMENTED.get(aten)
    if cls is None:
        cls = _NOT_IMPLEMENTED[aten] = type("NotImplemented", (NotImplemented,), {"aten": aten})
    return cls


def _not_differentiable(fn, aten, input, other):
    """fn(input, other) recorded on a NotImplemented node: Python numbers as attributes."""
    node = not_implemented(aten)
    if isinstance(other, Tensor) and isinstance(input, Tensor):
        return node.apply(input, other, fn=fn)
    if isinstance(input, Tensor):
        return node.apply(input, fn=lambda a: fn(a, as_tensor(other, a)))
    return node.apply(other, fn=lambda b: fn(as_tensor(input, b), b))


def _floor_divide(a, b):
    return _modulo(np.floor_divide, a, b)


def _heaviside(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    binary(np.add, a, b)  # torch's error for shapes that do not broadcast
    da, db = a._data, b._data
    return np.where(da == 0, db, da > 0).astype(da.dtype, copy=False)


class _ClampByNumber(Node):
    """clamp_min / clamp_max with a number: grad where the input was kept (bound included)."""
    saved_names = ("self",)
    ufunc = keeps = None

    @classmethod
    def forward(cls, a, bound):
        return binary(cls.ufunc, a, as_tensor(bound, a))

    def save(self, a, bound):
        self._bound = bound
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (where(constant(type(self).keeps(a._data, self._bound)), grad, 0.0),)


class ClampMinBackward0(_ClampByNumber):
    aten = "aten::clamp_min"
    ufunc = staticmethod(np.maximum)
    keeps = staticmethod(np.greater_equal)

    def save(self, a, bound):
        super().save(a, bound)
        self._saved_min = bound


class ClampMaxBackward0(_ClampByNumber):
    aten = "aten::clamp_max"
    ufunc = staticmethod(np.minimum)
    keeps = staticmethod(np.less_equal)

    def save(self, a, bound):
        super().save(a, bound)
        self._saved_max = bound


class _ClampByTensor(Node):
    """clamp_min / clamp_max with a tensor bound: the input gets grad where it was kept,
    the bound where it was taken instead."""
    ufunc = keeps = None

    @classmethod
    def forward(cls, a, bound):
        return binary(cls.ufunc, a, bound)

    def save(self, a, bound):
        self.save_for_backward(a, bound)
        self.shapes = input_shapes(a, bound)

    def backward(self, grad):
        a, bound = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        kept = constant(type(self).keeps(*arrays(a, bound)))
        return (unbroadcast(where(kept, grad, 0.0), shape_a) if need_a else None,
                unbroadcast(where(kept, 0.0, grad), shape_b) if need_b else None)


class ClampMinBackward1(_ClampByTensor):
    aten = "aten::clamp_min"
    saved_names = ("self", "min")
    ufunc = staticmethod(np.maximum)
    keeps = staticmethod(np.greater_equal)


class ClampMaxBackward1(_ClampByTensor):
    aten = "aten::clamp_max"
    saved_names = ("self", "max")
    ufunc = staticmethod(np.minimum)
    keeps = staticmethod(np.less_equal)


# -- the functions users call -------------------------------------------------

def atan2(input, other):
    return Atan2Backward0.apply(input, other)


def hypot(input, other):
    return HypotBackward0.apply(input, other)


def logaddexp(input, other):
    return LogaddexpBackward0.apply(input, other)


def logaddexp2(input, other):
    return Logaddexp2Backward0.apply(input, other)


def xlogy(input, other):
    if not isinstance(input, Tensor):
        return XlogyBackward1.apply(other, self_value=input)
    if not isinstance(other, Tensor):
        return XlogyBackward2.apply(input, other=other)
    return XlogyBackward0.apply(input, other)


def remainder(input, other):
    if not isinstance(input, Tensor):  # number % tensor: torch has no derivative for it
        return _not_differentiable(lambda a, b: _modulo(_torch_remainder, a, b), "aten::remainder",
                                   input, other)
    if isinstance(other, Tensor):
        return RemainderBackward1.apply(input, other)
    return RemainderBackward0.apply(input, other=other)


def rremainder(input, other):
    """other % input for a Python number `other` (what `2 % x` calls)."""
    return remainder(other, input)


def fmod(input, other):
    if isinstance(other, Tensor):
        return FmodBackward1.apply(input, other)
    return FmodBackward0.apply(input, other=other)


def floor_divide(input, other):
    return _not_differentiable(_floor_divide, "aten::floor_divide", input, other)


def rfloor_divide(input, other):
    """other // input for a Python number `other` (what `2 // x` calls)."""
    return floor_divide(other, input)


def heaviside(input, values):
    return _not_differentiable(_heaviside, "aten::heaviside", input, values)


# The in-place forms name their own aten op in the error backward raises.
def floor_divide_(input, other):
    from ..inplace import apply_inplace
    return apply_inplace(input, lambda a, b: _not_differentiable(
        _floor_divide, "aten::floor_divide_", a, b), other)


def heaviside_(input, values):
    from ..inplace import apply_inplace
    return apply_inplace(input, lambda a, b: _not_differentiable(
        _heaviside, "aten::heaviside_", a, b), values)


def clamp_min(input, min):
    if isinstance(min, Tensor):
        return ClampMinBackward1.apply(input, min)
    return ClampMinBackward0.apply(input, bound=min)


def clamp_max(input, max):
    if isinstance(max, Tensor):
        return ClampMaxBackward1.apply(input, max)
    return ClampMaxBackward0.apply(input, bound=max)


arctan2 = atan2  # torch's other name
