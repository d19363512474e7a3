"""quantile and nanquantile, in the steps of torch's quantile_impl: sort along dim, look
up the values at the ranks below and above q * (n - 1), lerp_ between them, then the
in-place squeeze_ (and unsqueeze_ / transpose_ for a tensor of q) that torch records as
SqueezeBackward4, UnsqueezeBackward1 and TransposeBackward1."""
import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import wrap_dim
from .shape import SqueezeBackward4, TransposeBackward0, UnsqueezeBackward0

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


class UnsqueezeBackward1(UnsqueezeBackward0):
    """unsqueeze_ (in place), as quantile_impl calls it"""


class TransposeBackward1(TransposeBackward0):
    """transpose_ (in place), as quantile_impl calls it"""


class LerpBackward1(Node):
    """lerp with a tensor weight: torch's two-sided formula, exact at both ends."""
    aten = "aten::lerp"

    @staticmethod
    def forward(a, b, weight):
        x, y, w = a._data, b._data, weight._data
        return np.where(w < 0.5, x + w * (y - x), y - (y - x) * (1 - w)).astype(x.dtype)

    def save(self, a, b, weight):
        self.save_for_backward(a, b, weight)

    def backward(self, grad):
        a, b, weight = self.saved_tensors
        need_a, need_b, need_w = self.needs_input_grad
        return (grad * (1 - weight) if need_a else None, grad * weight if need_b else None,
                grad * (b - a) if need_w else None)


def _checks(input, q, interpolation):
    if input._data.dtype.kind != "f":
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        if not ((q._data >= 0) & (q._data <= 1)).all():
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
    elif not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q:g}")
    if input._data.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if interpolation not in _MODES:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    _checks(input, q, interpolation)
    shape, ndim = input._data.shape, input._data.ndim
    if dim is None:
        reduced = [1] * ndim if keepdim else []
        ordered = input.flatten().sort()[0]
    else:
        dim = wrap_dim(dim, ndim)
        reduced = [1 if i == dim else s for i, s in enumerate(shape) if keepdim or i != dim]
        ordered = input.sort()[0] if dim == ndim - 1 else \
            input.unsqueeze(-1).transpose(dim, -1).sort()[0]
    n = ordered._data.shape[-1]
    ordered = ordered.view(*(reduced or ([1] if ndim == 0 else [])), n) if reduced else \
        ordered.view(n)
    data = ordered._data
    qs = np.asarray(q._data if isinstance(q, Tensor) else q, data.dtype).reshape(-1)
    nan = np.isnan(data)
    if ignore_nan:  # ranks among the values that are not NaN (0 when all are NaN)
        ranks = qs * ((~nan).sum(-1, keepdims=True) - 1).astype(data.dtype)
        ranks = np.where(ranks < 0, data.dtype.type(0), ranks)
    else:  # a NaN anywhere makes the rank the last one, so the quantile NaN
        ranks = np.where(nan.any(-1, keepdims=True), data.dtype.type(n - 1),
                         data.dtype.type(n - 1) * qs)
    ranks = np.broadcast_to(ranks, data.shape[:-1] + qs.shape).astype(data.dtype)
    ranks = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(
        interpolation, lambda r: r)(ranks)
    below = ranks.astype(np.int64)
    values = ordered.gather(-1, Tensor._make(below))
    if interpolation in ("linear", "midpoint"):
        weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
        above = ordered.gather(-1, Tensor._make(np.ceil(ranks).astype(np.int64)))
        values = LerpBackward1.apply(values, above, Tensor._make(weights.astype(data.dtype)))
    if not isinstance(q, Tensor) or q._data.ndim == 0:
        return SqueezeBackward4.apply(values, dim=-1)
    values = TransposeBackward1.apply(UnsqueezeBackward1.apply(values, dim=0), dim0=0, dim1=-1)
    return SqueezeBackward4.apply(values, dim=-1)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


FUNCTIONS = {"quantile": quantile, "nanquantile": nanquantile}
