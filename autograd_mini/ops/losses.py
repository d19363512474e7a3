"""More losses that torch records as one node each: binary_cross_entropy, huber_loss,
smooth_l1_loss, and nll_loss on inputs with extra (spatial) dims, which torch runs as
nll_loss2d. As in nn_ops, each node does its own reduction (0 none, 1 mean, 2 sum) and
its backward is written in the engine's ops, so it can be differentiated again."""
import numpy as np

from ..node import Node
from .nn_ops import NllLossBackward0, _reduce, _scalar_name, _spread, reduction_enum


class BinaryCrossEntropyBackward0(Node):
    """loss = -w (y log x + (1 - y) log(1 - x)), each log clamped at -100 as torch
    clamps it (so x = 0 or 1 gives 100, not inf)."""
    aten = "aten::binary_cross_entropy"
    saved_names = ("self", "target", "weight")

    @staticmethod
    def forward(a, target, weight=None, reduction=1):
        x, y = a._data, target._data
        if not ((x >= 0) & (x <= 1)).all():
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not ((y >= 0) & (y <= 1)).all():
            raise RuntimeError("all elements of target should be between 0 and 1")
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight._data
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    def save(self, a, target, weight=None, reduction=1):
        self._saved_reduction = reduction
        self.save_for_backward(a, target, weight)

    def backward(self, grad):
        a, target, weight = self.saved_tensors
        grad = _spread(grad, a._data.shape, self._saved_reduction)
        if weight is not None:
            grad = grad * weight
        need_a, need_target = self.needs_input_grad
        # torch keeps the denominator off zero with the same 1e-12.
        grad_a = grad * (a - target) / ((1 - a) * a).clamp_min(1e-12) if need_a else None
        # d/dy is -logit(x), unclamped, as torch's binary_cross_entropy_target_backward.
        grad_target = grad * ((1 - a).log() - a.log()) if need_target else None
        return grad_a, grad_target


class HuberLossBackward0(Node):
    """z = |x - y|: 0.5 z^2 below delta, delta (z - 0.5 delta) above."""
    aten = "aten::huber_loss"
    saved_names = ("self", "target")

    @staticmethod
    def forward(a, target, reduction=1, delta=1.0):
        z = np.abs(a._data - target._data)
        loss = np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
        return _reduce(loss.astype(a._data.dtype, copy=False), reduction)

    def save(self, a, target, reduction=1, delta=1.0):
        self._saved_reduction, self._saved_delta = reduction, delta
        self.save_for_backward(a, target)

    def backward(self, grad):
        a, target = self.saved_tensors
        delta = self._saved_delta
        grad_a = _spread(grad, a._data.shape, self._saved_reduction) * (a - target).clamp(-delta, delta)
        need_a, need_target = self.needs_input_grad
        return (grad_a if need_a else None, -grad_a if need_target else None)


class SmoothL1LossBackward0(Node):
    """z = |x - y|: 0.5 z^2 / beta below beta, z - 0.5 beta above (Huber / beta)."""
    aten = "aten::smooth_l1_loss"
    saved_names = ("self", "target")

    @staticmethod
    def forward(a, target, reduction=1, beta=1.0):
        z = np.abs(a._data - target._data)
        loss = np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)
        return _reduce(loss.astype(a._data.dtype, copy=False), reduction)

    def save(self, a, target, reduction=1, beta=1.0):
        self._saved_reduction, self._saved_beta = reduction, beta
        self.save_for_backward(a, target)

    def backward(self, grad):
        a, target = self.saved_tensors
        grad_a = _spread(grad, a._data.shape, self._saved_reduction) * \
            ((a - target) / self._saved_beta).clamp(-1, 1)
        need_a, need_target = self.needs_input_grad
        return (grad_a if need_a else None, -grad_a if need_target else None)


class NllLoss2DBackward0(NllLossBackward0):
    """nll_loss on N x C x H x W: the class dim is 1, one loss per (n, h, w)."""
    aten = "aten::nll_loss2d"


# -- the functions nn.functional calls ----------------------------------------

def _size(t):
    return f"torch.Size({list(t._data.shape)})"


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({_size(target)}) that is different to the input "
                         f"size ({_size(input)}) is deprecated. Please ensure they have the same size.")
    if input._data.dtype != target._data.dtype:
        raise RuntimeError(f"Found dtype {_scalar_name(target._data)} but expected "
                           f"{_scalar_name(input._data)}")
    if weight is not None and weight._data.shape != target._data.shape:
        weight = weight.expand(*_broadcast_shapes(target._data.shape, weight._data.shape))
    return BinaryCrossEntropyBackward0.apply(input, target, weight=weight,
                                             reduction=reduction_enum(reduction))


def _broadcast_shapes(shape, other):
    """torch.broadcast_shapes(shape, other), with its message."""
    try:
        return np.broadcast_shapes(shape, other)
    except ValueError:
        pass
    for i in range(1, min(len(shape), len(other)) + 1):
        if other[-i] not in (1, shape[-i]) and shape[-i] != 1:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {other[-i]} at {-i}! Mismatching "
                f"argument at index 1 had torch.Size({list(other)}); but expected shape should be "
                f"broadcastable to {list(shape)}")
    raise RuntimeError(f"shape mismatch: {list(shape)} and {list(other)}")


def huber_loss(input, target, reduction="mean", delta=1.0):
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return HuberLossBackward0.apply(input, target, reduction=reduction_enum(reduction),
                                    delta=delta)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return SmoothL1LossBackward0.apply(input, target, reduction=reduction_enum(reduction),
                                       beta=beta)


def nll_loss2d(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """N x C x H x W input, N x H x W target; a 3-D or 5-D+ input goes through here as
    N x C x 1 x L (torch's nll_loss_nd), its 'none' result viewed back."""
    x, t = input._data, target._data
    if x.ndim == 4:
        if t.ndim != 3:
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {t.ndim}")
        if (x.shape[0], *x.shape[2:]) != t.shape:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
        _check_targets(t, x.shape[1], ignore_index)
        return NllLoss2DBackward0.apply(input, target=target, weight=weight,
                                        reduction=reduction_enum(reduction),
                                        ignore_index=ignore_index)
    n, c = x.shape[:2]
    expected = (n, *x.shape[2:])
    if t.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    flat = nll_loss2d(input.contiguous().view(n, c, 1, -1), target.contiguous().view(n, 1, -1),
                      weight, ignore_index, reduction)
    return flat.view(*expected) if reduction == "none" else flat


def _check_targets(t, n_classes, ignore_index):
    bad = t[(t != ignore_index) & ((t < 0) | (t >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {bad.flat[0]} is out of bounds.")


__all__ = ["binary_cross_entropy", "huber_loss", "smooth_l1_loss", "nll_loss2d"]
