"""+ - * / ** and negation. Each node: the forward on arrays, the backward on tensors."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import as_tensor, binary, constant, input_shapes, unbroadcast


class AddBackward0(Node):
    """out = self + alpha * other"""
    aten = "aten::add"

    @staticmethod
    def forward(a, b, alpha=1):
        return binary(np.add, a, b) if alpha == 1 else binary(np.add, a, b * alpha)

    def save(self, a, b, alpha=1):
        self._saved_alpha = alpha
        self.shapes = input_shapes(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        alpha = self._saved_alpha
        return (unbroadcast(grad, shape_a) if need_a else None,
                unbroadcast(grad if alpha == 1 else grad * alpha, shape_b) if need_b else None)


class SubBackward0(Node):
    """out = self - alpha * other"""
    aten = "aten::sub"

    @staticmethod
    def forward(a, b, alpha=1):
        return binary(np.subtract, a, b) if alpha == 1 else binary(np.subtract, a, b * alpha)

    def save(self, a, b, alpha=1):
        self._saved_alpha = alpha
        self.shapes = input_shapes(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        return (unbroadcast(grad, shape_a) if need_a else None,
                unbroadcast(-grad * self._saved_alpha, shape_b) if need_b else None)


class RsubBackward1(Node):
    """out = other - alpha * self, for a Python number `other` (2 - x)."""
    aten = "aten::rsub"

    @staticmethod
    def forward(a, other, alpha=1):
        return other - alpha * a._data

    def save(self, a, other, alpha=1):
        self._saved_alpha = alpha

    def backward(self, grad):
        return (-grad * self._saved_alpha,)


class MulBackward0(Node):
    """out = self * other"""
    aten = "aten::mul"
    saved_names = ("self", "other")
    saved_order = (1, 0)  # torch saves other first: self's gradient formula comes first

    @staticmethod
    def forward(a, b):
        return binary(np.multiply, a, b)

    def save(self, a, b):
        need_a, need_b = self.needs_input_grad
        # Each factor is needed only for the *other* one's gradient.
        self.save_for_backward(a if need_b else None, b if need_a else None)
        self.shapes = input_shapes(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        shape_a, shape_b = self.shapes
        return (unbroadcast(grad * b, shape_a) if b is not None else None,
                unbroadcast(grad * a, shape_b) if a is not None else None)


class DivBackward0(Node):
    """out = self / other"""
    aten = "aten::div"
    saved_names = ("self", "other")
    saved_order = (1, 0)  # torch saves other first: self's gradient formula comes first

    @staticmethod
    def forward(a, b):
        if a._data.dtype.kind != "f" and b._data.dtype.kind != "f":
            a = Tensor._make(a._data.astype(np.float32))  # torch's true division of ints
        return binary(np.true_divide, a, b)

    def save(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b)
        self.shapes = input_shapes(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        grad_over_b = grad / b
        # d(a/b)/db = -a/b^2, written so that grad / b is computed once.
        return (unbroadcast(grad_over_b, shape_a) if need_a else None,
                unbroadcast(-grad_over_b * a / b, shape_b) if need_b else None)


class ReciprocalBackward0(Node):
    """out = 1 / self  (how torch records 2 / x: reciprocal, then a multiplication)"""
    aten = "aten::reciprocal"
    saves_result = True

    @staticmethod
    def forward(a):
        data = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        return np.reciprocal(data)

    def backward(self, grad):
        result = self.saved_output
        return (-grad * result * result,)


class NegBackward0(Node):
    aten = "aten::neg"

    @staticmethod
    def forward(a):
        return np.negative(a._data)

    def backward(self, grad):
        return (-grad,)


class PowBackward0(Node):
    """out = self ** exponent, for a Python number `exponent`."""
    aten = "aten::pow"
    saved_names = ("self",)

    @staticmethod
    def forward(a, exponent):
        data = a._data
        if isinstance(exponent, float) and data.dtype.kind != "f":
            data = data.astype(np.float32)
        return np.power(data, np.asarray(exponent, dtype=data.dtype))

    def save(self, a, exponent):
        self._saved_exponent = exponent
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        p = self._saved_exponent
        if p == 0:
            return (grad * 0,)
        return (grad * p * a ** (p - 1),)


class PowBackward1(Node):
    """out = self ** exponent, both tensors."""
    aten = "aten::pow"
    saved_names = ("self", "exponent")
    saves_result = True

    @staticmethod
    def forward(a, b):
        return binary(np.power, a, b)

    def save(self, a, b):
        self.save_for_backward(a, b)
        self.shapes = input_shapes(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        grad_a = grad_b = None
        # torch's choices where a ** b is not differentiable, masked as torch masks
        # them (so that gradients of gradients agree too): d/da is 0 where b == 0,
        # and d/db = a^b log a is 0 where a == 0 and b >= 0.
        if need_a:
            grad_a = unbroadcast(where(constant(b._data == 0), 0.0, grad * b * a ** (b - 1)),
                                 shape_a)
        if need_b:
            flat = constant((a._data == 0) & (b._data >= 0))
            grad_b = unbroadcast(grad * where(flat, 0.0, self.saved_output * a.log()), shape_b)
        return grad_a, grad_b


class PowBackward2(Node):
    """out = self ** exponent, for a Python number `self` (2 ** x)."""
    aten = "aten::pow"
    saved_names = ("exponent",)
    saves_result = True

    @staticmethod
    def forward(exponent, base):
        data = exponent._data
        return np.power(np.asarray(base, dtype=data.dtype if data.dtype.kind == "f" else np.float32), data)

    def save(self, exponent, base):
        self._saved_self = base
        self.save_for_backward(exponent)

    def backward(self, grad):
        base = self._saved_self
        if base == 0:  # 0 ** x: torch takes the gradient as 0 where x >= 0
            (exponent,) = self.saved_tensors
            return (grad * where(constant(exponent._data >= 0), 0.0, self.saved_output * -np.inf),)
        return (grad * self.saved_output * float(np.log(base)),)


# -- the functions users call -------------------------------------------------

def add(input, other, *, alpha=1):
    return AddBackward0.apply(input, as_tensor(other, input), alpha=alpha)


def sub(input, other, *, alpha=1):
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    return SubBackward0.apply(input, as_tensor(other, input), alpha=alpha)


def rsub(input, other, *, alpha=1):
    """other - alpha * input (what `2 - x` calls)."""
    if isinstance(other, Tensor):
        return SubBackward0.apply(other, input, alpha=alpha)
    return RsubBackward1.apply(input, other=other, alpha=alpha)


def mul(input, other):
    return MulBackward0.apply(input, as_tensor(other, input))


_NOT_GIVEN = object()


def div(input, other, *, rounding_mode=_NOT_GIVEN):
    if rounding_mode is not _NOT_GIVEN:
        from .binary_math import div_rounded  # binary_math builds on this module
        return div_rounded(input, other, rounding_mode)
    return DivBackward0.apply(input, as_tensor(other, input))


def rdiv(input, other):
    """other / input for a Python number `other`: torch records reciprocal, then mul."""
    return mul(reciprocal(input), other)


def reciprocal(input):
    return ReciprocalBackward0.apply(input)


def neg(input):
    return NegBackward0.apply(input)


def pow(input, exponent):
    if not isinstance(input, Tensor):
        return PowBackward2.apply(exponent, base=input)
    if isinstance(exponent, Tensor):
        return PowBackward1.apply(input, exponent)
    return PowBackward0.apply(input, exponent=exponent)


def rpow(input, base):
    return pow(base, input)


def square(input):
    return pow(input, 2)


from .elementwise import where  # noqa: E402  (PowBackward1 needs it; elementwise imports nothing from here)
