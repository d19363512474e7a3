"""renorm: each slice along dim whose p-norm exceeds maxnorm scaled down to maxnorm
(RenormBackward0). The norm is summed in float64 (torch's accumulate type), the scale
computed from it in the tensor's own dtype, as torch's CPU kernel does."""
import numpy as np

from ..node import Node
from ._util import wrap_dim
from .masked import where


def _number(value):
    return f"{float(value):g}"


def _norm(data, p, axes):
    values = np.abs(data.astype(np.float64))
    if p == np.inf:
        return values.max(axis=axes, keepdims=True)
    return (values ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)


class RenormBackward0(Node):
    aten = "aten::renorm"

    @staticmethod
    def forward(a, p, dim, maxnorm):
        data = a._data
        axes = tuple(i for i in range(data.ndim) if i != dim)
        norm, kind = _norm(data, p, axes).astype(data.dtype), data.dtype.type
        scale = np.where(norm > maxnorm, kind(maxnorm) / (norm + kind(1e-7)), kind(1))
        return data * scale

    def save(self, a, p, dim, maxnorm):
        self.save_for_backward(a)
        self._saved_p, self._saved_dim, self._saved_maxnorm = p, dim, maxnorm

    def backward(self, grad):
        # torch's renorm_backward: where the slice was scaled, the scale's own derivative
        # (through the norm's) is taken off; elsewhere the gradient passes unchanged
        (x,) = self.saved_tensors
        p, maxnorm = self._saved_p, self._saved_maxnorm
        axes = [i for i in range(x._data.ndim) if i != self._saved_dim]
        absolute = x.abs()
        norm = absolute.amax(axes, keepdim=True) if p == np.inf else \
            (absolute ** p).sum(axes, keepdim=True) ** (1.0 / p)
        inner = (x * grad).sum(axes, keepdim=True)
        if p == np.inf:
            ties = (absolute == norm).to(x.dtype)
            through_norm = x.sign() * ties * inner / ties.sum(axes, keepdim=True)
        elif p == 1:
            through_norm = x.sign() * inner
        else:
            safe = where(norm == 0, norm + 1, norm)
            through_norm = where(norm == 0, norm * 0,
                                 x * absolute ** (p - 2) * inner / safe ** (p - 1))
        inverse = (norm + 1e-7).reciprocal()
        factor = inverse * maxnorm
        return (where(norm > maxnorm, factor * grad - factor * inverse * through_norm, grad),)


def renorm(input, p, dim, maxnorm):
    if input._data.dtype.kind != "f":
        from .. import dtypes
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {dtypes.scalar_type(dtypes.from_numpy(input._data.dtype))}")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_number(maxnorm)}")
    if input._data.ndim < 2:
        raise RuntimeError("renorm: input needs at least 2 dimensions, got "
                           f"{input._data.ndim} dimensions")
    dim = wrap_dim(dim, input._data.ndim)
    return RenormBackward0.apply(input, p=float(p), dim=dim, maxnorm=float(maxnorm))


FUNCTIONS = {"renorm": renorm}
