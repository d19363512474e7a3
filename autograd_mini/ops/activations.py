"""Activations and the element-wise helpers of nn.functional: gelu, silu, leaky_relu,
elu / selu / celu, softplus, hardtanh / relu6, logsigmoid, mish, hardsigmoid,
hardswish, and constant padding. Each backward is torch's formula on tensors (so it
can be differentiated again); the in-place forms record torch's `...Backward1` nodes,
which read the result instead of the overwritten input."""
import math

import numpy as np

from ..node import Node
from ._util import constant
from .binary_math import not_implemented
from .elementwise import _float, where
from .unary_math import require_float, special_array

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_KAPPA = 0.044715
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _floats(a, kernel):
    require_float(a._data, kernel)
    return a._data


def _mask(t, condition):
    return constant(condition(t._data))


def _number(data, value):
    return np.asarray(value, dtype=data.dtype)


class GeluBackward0(Node):
    """x * Phi(x), Phi the normal CDF; approximate='tanh' uses torch's tanh formula."""
    aten = "aten::gelu"
    saved_names = ("self",)

    @staticmethod
    def forward(a, approximate="none"):
        x = _floats(a, "GeluKernelImpl")
        if approximate == "tanh":
            inner = _number(x, _SQRT_2_OVER_PI) * (x + _number(x, _KAPPA) * x * x * x)
            return _number(x, 0.5) * x * (1 + np.tanh(inner))
        erf = special_array(math.erf, x * _number(x, _SQRT1_2))
        return x * _number(x, 0.5) * (1 + erf)

    def save(self, a, approximate="none"):
        self._saved_approximate = approximate
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        if self._saved_approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (a + _KAPPA * a * a * a)
            t = inner.tanh()
            left = 0.5 * a
            right = 1 + t
            left_derivative = 0.5 * right
            right_derivative = left * (1 - t * t) * (_SQRT_2_OVER_PI * (1 + 3 * _KAPPA * a * a))
            return (grad * (left_derivative + right_derivative),)
        cdf = 0.5 * (1 + (a * _SQRT1_2).erf())
        pdf = (-0.5 * a * a).exp() * _INV_SQRT_2PI
        return (grad * (cdf + a * pdf),)


class SiluBackward0(Node):
    """x * sigmoid(x)."""
    aten = "aten::silu"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        x = _floats(a, "silu_cpu")
        return x / (1 + np.exp(-x))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = a.sigmoid()
        return (grad * s * (1 + a * (1 - s)),)


class MishBackward0(Node):
    """x * tanh(softplus(x))."""
    aten = "aten::mish"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        x = _floats(a, "mish_cpu")
        return x * np.tanh(np.logaddexp(0, x))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = a.sigmoid()
        t = softplus(a).tanh()
        return (grad * (t + a * s * (1 - t * t)),)


class LeakyReluBackward0(Node):
    aten = "aten::leaky_relu"
    saved_names = ("self",)

    @staticmethod
    def forward(a, negative_slope=0.01):
        x = _floats(a, "leaky_relu_cpu")
        return np.where(x > 0, x, x * _number(x, negative_slope))

    def save(self, a, negative_slope=0.01):
        self._saved_negative_slope = negative_slope
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return (where(_mask(a, lambda x: x > 0), grad, grad * self._saved_negative_slope),)


class LeakyReluBackward1(LeakyReluBackward0):
    """leaky_relu_: the sign of the result is the sign of the input."""
    saved_names = ()
    saves_result = True

    def save(self, a, negative_slope=0.01):
        self._saved_negative_slope = negative_slope

    def backward(self, grad):
        result = self.saved_output
        return (where(_mask(result, lambda x: x > 0), grad, grad * self._saved_negative_slope),)


class EluBackward0(Node):
    """scale * x for x > 0, else alpha * scale * (exp(input_scale * x) - 1); selu is
    this with torch's two constants, celu with input_scale = 1 / alpha."""
    aten = "aten::elu"
    saved_names = ("self",)

    @staticmethod
    def forward(a, alpha=1.0, scale=1.0, input_scale=1.0):
        x = _floats(a, "elu_cpu")
        negative = np.expm1(x * _number(x, input_scale)) * _number(x, alpha * scale)
        return np.where(x > 0, x * _number(x, scale), negative)

    def save(self, a, alpha=1.0, scale=1.0, input_scale=1.0):
        self._saved_alpha, self._saved_scale, self._saved_input_scale = alpha, scale, input_scale
        self._params = alpha, scale, input_scale
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        alpha, scale, input_scale = self._params
        # exp taken as the constant 1 at 0 itself: the value is the same, and the second
        # derivative there is 0, as in torch (its double backward masks x < 0).
        e = where(_mask(a, lambda x: x < 0), (a * input_scale).exp(), 1.0)
        negative = grad * (input_scale * alpha * scale) * e
        return (where(_mask(a, lambda x: x <= 0), negative, grad * scale),)


class EluBackward1(EluBackward0):
    """elu_ (and selu_): the derivative from the result, as the input is gone."""
    saved_names = ()
    saves_result = True

    def save(self, a, alpha=1.0, scale=1.0, input_scale=1.0):
        self._saved_alpha, self._saved_scale, self._saved_input_scale = alpha, scale, input_scale
        self._params = alpha, scale, input_scale

    def backward(self, grad):
        result = self.saved_output
        alpha, scale, input_scale = self._params
        negative = grad * input_scale * (where(_mask(result, lambda x: x < 0), result, 0.0)
                                         + alpha * scale)
        return (where(_mask(result, lambda x: x <= 0), negative, grad * scale),)


class CeluBackward1(EluBackward1):
    """celu_: elu with scale 1 and input scale 1 / alpha; torch shows only _saved_alpha."""
    aten = "aten::celu"

    @staticmethod
    def forward(a, alpha=1.0):
        return EluBackward0.forward(a, alpha, 1.0, 1.0 / alpha)

    def save(self, a, alpha=1.0):
        self._saved_alpha, self._params = alpha, (alpha, 1.0, 1.0 / alpha)


class CeluBackward0(EluBackward0):
    """celu: as celu_, from the input."""
    aten = "aten::celu"
    forward = staticmethod(CeluBackward1.forward)

    def save(self, a, alpha=1.0):
        CeluBackward1.save(self, a, alpha)
        self.save_for_backward(a)


class SoftplusBackward0(Node):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    aten = "aten::softplus"
    saved_names = ("self",)

    @staticmethod
    def forward(a, beta=1.0, threshold=20.0):
        x = _floats(a, "softplus_cpu")
        bx = x * _number(x, beta)
        return np.where(bx > threshold, x, np.log1p(np.exp(bx)) / _number(x, beta))

    def save(self, a, beta=1.0, threshold=20.0):
        self._saved_beta, self._saved_threshold = beta, threshold
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        beta, threshold = self._saved_beta, self._saved_threshold
        # exp(bx) / (exp(bx) + 1) written as sigmoid(bx): no overflow, no NaN to mask
        return (where(_mask(a, lambda x: x * beta > threshold), grad, grad * (a * beta).sigmoid()),)


class HardtanhBackward0(Node):
    """clamp to [min_val, max_val]; the gradient is zero at the bounds themselves."""
    aten = "aten::hardtanh"
    saved_names = ("self",)

    @staticmethod
    def forward(a, min_val=-1.0, max_val=1.0):
        x = a._data
        return np.clip(x, min_val, max_val).astype(x.dtype, copy=False)

    def save(self, a, min_val=-1.0, max_val=1.0):
        self._saved_min_val, self._saved_max_val = min_val, max_val
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        lo, hi = self._saved_min_val, self._saved_max_val
        return (where(_mask(a, lambda x: (x > lo) & (x < hi)), grad, 0.0),)


class HardsigmoidBackward0(Node):
    """relu6(x + 3) / 6."""
    aten = "aten::hardsigmoid"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        x = _floats(a, "hardsigmoid_cpu")
        return np.clip(x + 3, 0, 6).astype(x.dtype, copy=False) / _number(x, 6)

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        # torch has no second derivative here: its backward is recorded as NotImplemented.
        return (_HardsigmoidBackwardNode.apply(grad, a, fn=_hardsigmoid_backward),)


def _hardsigmoid_backward(grad, a):
    g = grad._data
    # torch's kernel multiplies by 1/6 rounded to float32, in float64 too
    return np.where((a._data > -3) & (a._data < 3), g * _number(g, np.float32(1 / 6)),
                    _number(g, 0))


_HardsigmoidBackwardNode = not_implemented("aten::hardsigmoid_backward")


class HardswishBackward0(Node):
    """x * relu6(x + 3) / 6."""
    aten = "aten::hardswish"
    saved_names = ("self",)

    @staticmethod
    def forward(a):
        x = _floats(a, "hardswish_cpu")
        return x * np.clip(x + 3, 0, 6).astype(x.dtype, copy=False) / _number(x, 6)

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        middle = where(_mask(a, lambda x: x < 3), grad * (a / 3 + 0.5), grad)
        return (where(_mask(a, lambda x: x <= -3), 0.0, middle),)


class LogSigmoidBackward0(Node):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), without overflow."""
    aten = "aten::log_sigmoid_forward"
    saved_names = ("self", "buffer")

    @staticmethod
    def forward(a):
        x = _floats(a, "log_sigmoid_cpu")
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def save(self, a):
        # torch's forward also keeps exp(-|x|), its `buffer`; shown, not needed here
        self.save_for_backward(a, constant(np.exp(-np.abs(_float(a)))))

    def backward(self, grad):
        a, _ = self.saved_tensors
        return (grad * (-a).sigmoid(),)


class ConstantPadNdBackward0(Node):
    """Pad (or, for negative amounts, crop) the last dimensions with `value`; `pad` goes
    (left, right) of the last dimension first, as torch orders it."""
    aten = "aten::constant_pad_nd"

    @staticmethod
    def forward(a, pad, value=0):
        x = a._data
        n = len(pad) // 2
        crop = [slice(None)] * x.ndim
        widths = [(0, 0)] * x.ndim
        for i in range(n):
            dim = x.ndim - 1 - i
            before, after = pad[2 * i], pad[2 * i + 1]
            size = x.shape[dim]
            crop[dim] = slice(max(-before, 0), size - max(-after, 0))
            widths[dim] = (max(before, 0), max(after, 0))
            if size + min(before, 0) + min(after, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return np.pad(x[tuple(crop)], widths, constant_values=_number(x, value))

    def save(self, a, pad, value=0):
        self._saved_pad = tuple(pad)

    def backward(self, grad):
        return (ConstantPadNdBackward0.apply(grad, pad=tuple(-p for p in self._saved_pad)),)


# -- the functions nn.functional calls ----------------------------------------

def _inplace(input, node, **attrs):
    from ..inplace import apply_inplace
    return apply_inplace(input, lambda t: node.apply(t, **attrs))


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return GeluBackward0.apply(input, approximate=approximate)


def silu(input, inplace=False):
    return _inplace(input, SiluBackward0) if inplace else SiluBackward0.apply(input)


def mish(input, inplace=False):
    return _inplace(input, MishBackward0) if inplace else MishBackward0.apply(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return _inplace(input, LeakyReluBackward1, negative_slope=negative_slope)
    return LeakyReluBackward0.apply(input, negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    if inplace:
        return _inplace(input, EluBackward1, alpha=alpha)
    return EluBackward0.apply(input, alpha=alpha)


def selu(input, inplace=False):
    if inplace:
        return _inplace(input, EluBackward1, alpha=SELU_ALPHA, scale=SELU_SCALE)
    return EluBackward0.apply(input, alpha=SELU_ALPHA, scale=SELU_SCALE)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return _inplace(input, CeluBackward1, alpha=alpha)
    return CeluBackward0.apply(input, alpha=alpha)


def softplus(input, beta=1.0, threshold=20.0):
    return SoftplusBackward0.apply(input, beta=beta, threshold=threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(input, HardtanhBackward0, min_val=min_val, max_val=max_val)
    return HardtanhBackward0.apply(input, min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    return _inplace(input, HardsigmoidBackward0) if inplace else HardsigmoidBackward0.apply(input)


def hardswish(input, inplace=False):
    return _inplace(input, HardswishBackward0) if inplace else HardswishBackward0.apply(input)


def logsigmoid(input):
    return LogSigmoidBackward0.apply(input)


def constant_pad_nd(input, pad, value=0):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input._data.ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input._data.ndim}")
    return ConstantPadNdBackward0.apply(input, pad=tuple(pad), value=value)
