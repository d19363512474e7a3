"""The nodes of prelu, glu and the reflect / replicate pads, named as torch records them
(PreluKernelBackward0, GluBackward0, ReflectionPad1DBackward0, ReplicationPad2DBackward0,
...). Each backward is written in the engine's ops, so it can be differentiated again
(the second-order nodes are the engine's, not torch's *BackwardBackward0)."""
import numpy as np

from ..node import Node
from ..ops._util import constant, unbroadcast
from ..ops.elementwise import sigmoid, where
from ..ops.gather_scatter import index_add
from ..ops.shape import cat


class PreluKernelBackward0(Node):
    """where(x > 0, x, weight * x), weight already shaped to broadcast over x."""
    aten = "aten::_prelu_kernel"
    saved_names = ("self", "weight")

    @staticmethod
    def forward(a, weight):
        return np.where(a._data > 0, a._data, weight._data * a._data)

    def save(self, a, weight):
        self.save_for_backward(a, weight)

    def backward(self, grad):
        a, weight = self.saved_tensors
        positive = constant(a._data > 0)
        grad_self = where(positive, grad, weight * grad)
        grad_weight = unbroadcast(where(positive, 0.0, a * grad), weight._data.shape)
        return grad_self, grad_weight


class GluBackward0(Node):
    """a * sigmoid(b), a and b the two halves of the input along dim."""
    aten = "aten::glu"
    saved_names = ("self",)

    @staticmethod
    def forward(x, dim):
        a, b = np.split(x._data, 2, axis=dim)
        return a * (1 / (1 + np.exp(-b)))

    def save(self, x, dim):
        self._saved_dim = dim
        self.save_for_backward(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        dim = self._saved_dim
        half = x._data.shape[dim] // 2
        a, b = x.narrow(dim, 0, half), x.narrow(dim, half, half)
        gate = sigmoid(b)
        grad_a = grad * gate
        return (cat([grad_a, grad_a * a * (1 - gate)], dim),)


def reflect_indices(size, before, after):
    """For each output position along a dim, the input position it copies (reflected
    about the edges, the edge itself not repeated)."""
    period = 2 * size - 2
    positions = np.abs(np.arange(-before, size + after)) % max(period, 1)
    return np.where(positions >= size, period - positions, positions)


def replicate_indices(size, before, after):
    """... the input position it copies (the edge repeated)."""
    return np.clip(np.arange(-before, size + after), 0, size - 1)


class _IndexPad(Node):
    """A pad that copies input elements: along each padded dim (the last len(pad) // 2,
    pad listing them from the last), an index array picks the input position for every
    output position; the backward adds the gradient back onto those positions."""
    indices = None
    saved_names = ("self",)

    @classmethod
    def forward(cls, a, padding):
        out = a._data
        for dim, idx in cls._per_dim(a._data.shape, padding):
            out = np.take(out, idx, axis=dim)
        return out

    @classmethod
    def _per_dim(cls, shape, padding):
        for k in range(len(padding) // 2):
            dim = len(shape) - 1 - k
            yield dim, cls.indices(shape[dim], padding[2 * k], padding[2 * k + 1])

    def save(self, a, padding):
        self._saved_padding = list(padding)
        self._shape = a._data.shape
        self.save_for_backward(a)

    def backward(self, grad):
        for dim, idx in self._per_dim(self._shape, self._saved_padding):
            shape = list(grad._data.shape)
            shape[dim] = self._shape[dim]
            zeros = constant(np.zeros(shape, grad._data.dtype))
            grad = index_add(zeros, dim, constant(idx.astype(np.int64)), grad)
        return (grad,)


def _pad_node(mode, dims):
    base = {"reflect": ("Reflection", reflect_indices),
            "replicate": ("Replication", replicate_indices)}[mode]
    name = f"{base[0]}Pad{dims}DBackward0"
    return type(name, (_IndexPad,), {"indices": staticmethod(base[1]),
                                     "aten": f"aten::{base[0].lower()}_pad{dims}d",
                                     "__module__": __name__, "__qualname__": name})


PAD_NODES = {(mode, dims): _pad_node(mode, dims)
             for mode in ("reflect", "replicate") for dims in (1, 2, 3)}
