"""Nodes that torch's C++ code records and the engine's Python operators cannot:
`tensor * 0.9` in Python records MulBackward0 (the number becomes a tensor), but C++ code
that multiplies by (or adds) a double records MulBackward1 (AddBackward1): cross_entropy's
label smoothing, trapezoid's spacing."""
import numpy as np

from ..node import Node


class MulBackward1(Node):
    """out = self * a Python number (other), as torch's C++ code records it."""
    aten = "aten::mul"

    @staticmethod
    def forward(a, other):
        return a._data * np.asarray(other, dtype=a._data.dtype)

    def save(self, a, other):
        self._saved_other = other

    def backward(self, grad):
        return (grad * self._saved_other,)


class AddBackward1(Node):
    """out = self + a Python number (other), as torch's C++ code records it."""
    aten = "aten::add"

    @staticmethod
    def forward(a, other):
        return a._data + np.asarray(other, dtype=a._data.dtype)

    def save(self, a, other):
        pass

    def backward(self, grad):
        return (grad,)
