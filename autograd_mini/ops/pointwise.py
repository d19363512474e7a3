"""addcmul, addcdiv and lerp: the fused updates optimizers are written with
(exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2), ...).
Each forward does its float arithmetic in torch's order, so that an optimizer
step rounds as torch's does."""
import numpy as np

from ..node import Node
from ._util import arrays, input_shapes, unbroadcast


def _scalar(value, like):
    """torch casts the scalar `value` to the tensors' dtype before it multiplies."""
    return np.asarray(value, dtype=like.dtype)


class AddcmulBackward0(Node):
    """out = self + value * tensor1 * tensor2"""
    aten = "aten::addcmul"
    saved_names = ("tensor1", "tensor2")

    @staticmethod
    def forward(a, t1, t2, value=1):
        d1, d2 = arrays(t1, t2)
        return arrays(a, t1)[0] + _scalar(value, d1) * d1 * d2

    def save(self, a, t1, t2, value=1):
        self._saved_value = value
        need_a, need_1, need_2 = self.needs_input_grad
        self.save_for_backward(t1 if need_2 else None, t2 if need_1 else None)
        self.shapes = input_shapes(a, t1, t2)

    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value, shapes = self._saved_value, self.shapes
        return (unbroadcast(grad, shapes[0]) if self.needs_input_grad[0] else None,
                unbroadcast(grad * t2 * value, shapes[1]) if t2 is not None else None,
                unbroadcast(grad * t1 * value, shapes[2]) if t1 is not None else None)


class AddcdivBackward0(Node):
    """out = self + value * tensor1 / tensor2"""
    aten = "aten::addcdiv"
    saved_names = ("tensor1", "tensor2")

    @staticmethod
    def forward(a, t1, t2, value=1):
        d1, d2 = arrays(t1, t2)
        return arrays(a, t1)[0] + _scalar(value, d1) * d1 / d2

    def save(self, a, t1, t2, value=1):
        self._saved_value = value
        self.save_for_backward(t1 if self.needs_input_grad[2] else None, t2)
        self.shapes = input_shapes(a, t1, t2)

    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value, shapes = self._saved_value, self.shapes
        need_a, need_1, need_2 = self.needs_input_grad
        return (unbroadcast(grad, shapes[0]) if need_a else None,
                unbroadcast(grad * value / t2, shapes[1]) if need_1 else None,
                unbroadcast(-grad * value * t1 / (t2 * t2), shapes[2]) if need_2 else None)


class LerpBackward0(Node):
    """out = self + weight * (end - self), for a Python number `weight`."""
    aten = "aten::lerp"

    @staticmethod
    def forward(a, end, weight):
        da, de = arrays(a, end)
        w = _scalar(weight, da)
        # torch's kernel: from whichever end is nearer, so both ends come out exact.
        if abs(weight) < 0.5:
            return da + w * (de - da)
        return de - (de - da) * (1 - w)

    def save(self, a, end, weight):
        self._saved_weight = weight
        self.shapes = input_shapes(a, end)

    def backward(self, grad):
        w, shapes = self._saved_weight, self.shapes
        need_a, need_end = self.needs_input_grad
        return (unbroadcast(grad * (1 - w), shapes[0]) if need_a else None,
                unbroadcast(grad * w, shapes[1]) if need_end else None)


# -- the functions users call -------------------------------------------------

def addcmul(input, tensor1, tensor2, *, value=1):
    return AddcmulBackward0.apply(input, tensor1, tensor2, value=value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return AddcdivBackward0.apply(input, tensor1, tensor2, value=value)


def lerp(input, end, weight):
    return LerpBackward0.apply(input, end, weight=weight)
