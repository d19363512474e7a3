"""Element-wise functions: exp, log, sin, relu, clamp, maximum, where, ..."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import arrays, as_tensor, binary, constant, input_shapes, unbroadcast


def _float(a):
    """Torch computes these on floats; an integer tensor is promoted to float32."""
    data = a._data
    return data if data.dtype.kind == "f" else data.astype(np.float32)


class ExpBackward0(Node):
    aten = "aten::exp"
    saves_result = True  # d/dx e^x = e^x: the result is all backward needs

    @staticmethod
    def forward(a):
        return np.exp(_float(a))

    def backward(self, grad):
        return (grad * self.saved_output,)


class LogBackward0(Node):
    aten = "aten::log"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(_float(a))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad / a,)


class SqrtBackward0(Node):
    aten = "aten::sqrt"
    saves_result = True

    @staticmethod
    def forward(a):
        with np.errstate(invalid="ignore"):
            return np.sqrt(_float(a))

    def backward(self, grad):
        return (grad / (2 * self.saved_output),)


class SinBackward0(Node):
    aten = "aten::sin"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        return np.sin(_float(a))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * a.cos(),)


class CosBackward0(Node):
    aten = "aten::cos"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        return np.cos(_float(a))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * -a.sin(),)


class TanhBackward0(Node):
    aten = "aten::tanh"
    saves_result = True

    @staticmethod
    def forward(a):
        return np.tanh(_float(a))

    def backward(self, grad):
        result = self.saved_output
        return (grad * (1 - result * result),)


class SigmoidBackward0(Node):
    aten = "aten::sigmoid"
    saves_result = True

    @staticmethod
    def forward(a):
        data = _float(a)
        # Two branches so that exp never overflows, as torch's kernel does.
        e = np.exp(-np.abs(data))
        return np.where(data >= 0, 1 / (1 + e), e / (1 + e)).astype(data.dtype, copy=False)

    def backward(self, grad):
        result = self.saved_output
        return (grad * result * (1 - result),)


class ReluBackward0(Node):
    aten = "aten::relu"
    saves_result = True

    @staticmethod
    def forward(a):
        return np.maximum(a._data, 0, dtype=a._data.dtype)

    def backward(self, grad):
        return (ThresholdBackwardBackward0.apply(grad, self.saved_output, threshold=0),)


class ThresholdBackwardBackward0(Node):
    """relu's backward as an op of its own, as in torch: grad where result > threshold.
    Recorded under create_graph, it keeps relu's second derivative (zero) in the graph."""
    aten = "aten::threshold_backward"
    saved_names = ("self",)

    @staticmethod
    def forward(grad, result, threshold):
        return grad._data * (result._data > threshold)

    def save(self, grad, result, threshold):
        self._saved_threshold = threshold
        self.save_for_backward(result)

    def backward(self, grad):
        (result,) = self.saved_tensors
        return (ThresholdBackwardBackward0.apply(grad, result, threshold=self._saved_threshold),
                constant(np.zeros_like(grad._data)))


class AbsBackward0(Node):
    aten = "aten::abs"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        return np.abs(a._data)

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (grad * a.sign(),)


class SignBackward0(Node):
    aten = "aten::sign"

    @staticmethod
    def forward(a):
        return np.sign(a._data)

    def backward(self, grad):
        return (grad * 0,)


class ClampBackward1(Node):
    """clamp with Python numbers as bounds: gradient flows where min <= x <= max."""
    aten = "aten::clamp"
    saved_names = ("self",)

    @staticmethod
    def forward(a, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return np.clip(a._data, min, max).astype(a._data.dtype, copy=False)

    def save(self, a, min=None, max=None):
        self._saved_min, self._saved_max = min, max
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        inside = np.ones(a._data.shape, dtype=bool)
        if self._saved_min is not None:
            inside &= a._data >= self._saved_min
        if self._saved_max is not None:
            inside &= a._data <= self._saved_max
        return (grad * constant(inside),)


class ClampBackward0(Node):
    """clamp with tensors as bounds (both given)."""
    aten = "aten::clamp"
    saved_names = ("self", "min", "max")

    @staticmethod
    def forward(a, lo, hi):
        da, dlo = arrays(a, lo)
        return np.minimum(np.maximum(da, dlo), arrays(a, hi)[1])

    def save(self, a, lo, hi):
        self.save_for_backward(a, lo, hi)
        self.shapes = input_shapes(a, lo, hi)

    def backward(self, grad):
        shapes = self.shapes
        a, lo, hi = self.saved_tensors
        below = a._data < lo._data
        above = (a._data > hi._data) & ~below
        need = self.needs_input_grad
        return (
            unbroadcast(grad * constant(~below & ~above), shapes[0]) if need[0] else None,
            unbroadcast(grad * constant(below), shapes[1]) if need[1] else None,
            unbroadcast(grad * constant(above), shapes[2]) if need[2] else None,
        )


class _PairwiseExtremum(Node):
    """maximum / minimum: the larger (smaller) input gets the gradient; ties share it."""
    saved_names = ("self", "other")
    pick = None  # np.maximum or np.minimum

    @classmethod
    def forward(cls, a, b):
        return binary(cls.pick, a, b)

    def save(self, a, b):
        self.save_for_backward(a, b)
        self.shapes = input_shapes(a, b)

    def backward(self, grad):
        shapes = self.shapes
        a, b = self.saved_tensors
        wins = type(self).pick(a._data, b._data) == a._data
        tie = a._data == b._data
        share_a = np.where(tie, 0.5, wins).astype(grad._data.dtype)
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(grad * constant(share_a), shapes[0]) if need_a else None,
                unbroadcast(grad * constant(1 - share_a), shapes[1]) if need_b else None)


class MaximumBackward0(_PairwiseExtremum):
    aten = "aten::maximum"
    pick = staticmethod(np.maximum)


class MinimumBackward0(_PairwiseExtremum):
    aten = "aten::minimum"
    pick = staticmethod(np.minimum)


class WhereBackward0(Node):
    """where(condition, self, other): each side gets the gradient where it was chosen."""
    aten = "aten::where"

    @staticmethod
    def forward(a, b, condition):
        da, db = arrays(a, b)
        return np.where(condition._data, da, db)

    def save(self, a, b, condition):
        self._saved_condition = condition
        self.shapes = input_shapes(a, b, condition)  # the condition may broadcast them too

    def backward(self, grad):
        shapes = self.shapes
        cond = self._saved_condition._data
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(grad * constant(cond), shapes[0]) if need_a else None,
                unbroadcast(grad * constant(~cond), shapes[1]) if need_b else None)


# -- the functions users call -------------------------------------------------

def exp(input):
    return ExpBackward0.apply(input)


def log(input):
    return LogBackward0.apply(input)


def sqrt(input):
    return SqrtBackward0.apply(input)


def sin(input):
    return SinBackward0.apply(input)


def cos(input):
    return CosBackward0.apply(input)


def tanh(input):
    return TanhBackward0.apply(input)


def sigmoid(input):
    return SigmoidBackward0.apply(input)


def relu(input):
    return ReluBackward0.apply(input)


def abs(input):
    return AbsBackward0.apply(input)


def sign(input):
    return SignBackward0.apply(input)


def clamp(input, min=None, max=None):
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = as_tensor(-np.inf if min is None else min, input)
        hi = as_tensor(np.inf if max is None else max, input)
        return ClampBackward0.apply(input, lo, hi)
    return ClampBackward1.apply(input, min=min, max=max)


clip = clamp


def maximum(input, other):
    return MaximumBackward0.apply(input, other)


def minimum(input, other):
    return MinimumBackward0.apply(input, other)


def where(condition, input, other):
    ref = input if isinstance(input, Tensor) else other
    return WhereBackward0.apply(as_tensor(input, ref), as_tensor(other, ref),
                                condition=as_tensor(condition, ref))
