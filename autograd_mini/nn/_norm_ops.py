"""The nodes of layer_norm, batch_norm and embedding, named as torch records them
(NativeLayerNormBackward0, NativeBatchNormBackward0, EmbeddingBackward0). Each
backward is written in the engine's ops, so it can be differentiated again."""
import numpy as np

from .. import factories
from ..node import Node
from ..ops.gather_scatter import index_add
from ..ops._util import constant
from ..tensor import Tensor


def absent(like):
    """Stands for a missing weight or bias: an input that records no edge ((None, 0))."""
    return Tensor._make(np.zeros(0, like._data.dtype))


def _statistics(x, dims, eps):
    """The mean and 1/std over dims, recomputed in the engine's ops: they depend on x,
    which a gradient of the gradient must see."""
    mean = x.mean(dims, keepdim=True)
    centred = x - mean
    return mean, ((centred * centred).mean(dims, keepdim=True) + eps) ** -0.5


def _normalize_backward(grad, x, eps, weight, dims, need):
    """d(x_hat * w) / dx for x_hat = (x - mean) * rstd, the statistics over `dims`."""
    mean, rstd = _statistics(x, dims, eps)
    x_hat = (x - mean) * rstd
    g = grad * weight if weight is not None else grad
    if need:
        grad_x = rstd * (g - g.mean(dims, keepdim=True) - x_hat * (g * x_hat).mean(dims, keepdim=True))
    else:
        grad_x = None
    return grad_x, x_hat


class NativeLayerNormBackward0(Node):
    aten = "aten::native_layer_norm"
    saved_names = ("input", "weight", "bias")

    @staticmethod
    def forward(x, weight, bias, normalized_shape=(), eps=1e-5):
        data = x._data
        dims = tuple(range(data.ndim - len(normalized_shape), data.ndim))
        mean = data.mean(axis=dims, keepdims=True)
        rstd = 1 / np.sqrt(((data - mean) ** 2).mean(axis=dims, keepdims=True) + eps)
        out = (data - mean) * rstd
        if weight._data.size:
            out = out * weight._data
        if bias._data.size:
            out = out + bias._data
        return out.astype(data.dtype, copy=False)

    def save(self, x, weight, bias, normalized_shape=(), eps=1e-5):
        data = x._data
        self._saved_normalized_shape, self._eps = tuple(normalized_shape), eps
        self._dims = tuple(range(data.ndim - len(normalized_shape), data.ndim))
        mean = data.mean(axis=self._dims, keepdims=True)
        rstd = 1 / np.sqrt(((data - mean) ** 2).mean(axis=self._dims, keepdims=True) + eps)
        self._saved_result1 = Tensor._make(mean.astype(data.dtype))
        self._saved_result2 = Tensor._make(rstd.astype(data.dtype))
        self.save_for_backward(x, weight if weight._data.size else None,
                               bias if bias._data.size else None)

    def backward(self, grad):
        x, weight, _ = self.saved_tensors
        need_x, need_w, need_b = self.needs_input_grad
        dims = self._dims
        grad_x, x_hat = _normalize_backward(grad, x, self._eps, weight, dims, need_x)
        lead = tuple(range(x._data.ndim - len(dims)))
        grad_w = (grad * x_hat).sum(lead) if need_w else None
        grad_b = grad.sum(lead) if need_b else None
        return grad_x, grad_w, grad_b


class NativeBatchNormBackward0(Node):
    """Per channel (dim 1): batch statistics when training, the running ones otherwise."""
    aten = "aten::native_batch_norm"
    saved_names = ("input", "weight", "running_mean", "running_var")

    @staticmethod
    def forward(x, weight, bias, running_mean=None, running_var=None, training=True, eps=1e-5):
        out, _, _ = _batch_norm_arrays(x._data, running_mean, running_var, training, eps)
        shape = (1, -1) + (1,) * (x._data.ndim - 2)
        if weight._data.size:
            out = out * weight._data.reshape(shape)
        if bias._data.size:
            out = out + bias._data.reshape(shape)
        return out.astype(x._data.dtype, copy=False)

    def save(self, x, weight, bias, running_mean=None, running_var=None, training=True, eps=1e-5):
        _, mean, invstd = _batch_norm_arrays(x._data, running_mean, running_var, training, eps)
        self._saved_training, self._saved_eps = training, eps
        self._saved_running_mean, self._saved_running_var = running_mean, running_var
        dtype = x._data.dtype
        # torch keeps the batch's mean and 1/std when training, empty tensors otherwise.
        self._saved_result1 = Tensor._make(mean.astype(dtype) if training else np.zeros(0, dtype))
        self._saved_result2 = Tensor._make(invstd.astype(dtype) if training else np.zeros(0, dtype))
        self._stats = mean.astype(dtype), invstd.astype(dtype)
        self.save_for_backward(x, weight if weight._data.size else None)

    def backward(self, grad):
        x, weight = self.saved_tensors
        need_x, need_w, need_b = self.needs_input_grad
        ndim = x._data.ndim
        shape = (1, -1) + (1,) * (ndim - 2)
        dims = (0,) + tuple(range(2, ndim))
        w = weight.reshape(shape) if weight is not None else None
        if self._saved_training:
            grad_x, x_hat = _normalize_backward(grad, x, self._saved_eps, w, dims, need_x)
        else:
            # The running statistics are constants of the graph.
            mean = constant(self._stats[0].reshape(shape))
            invstd = constant(self._stats[1].reshape(shape))
            x_hat = (x - mean) * invstd
            grad_x = (grad * w if w is not None else grad) * invstd if need_x else None
        grad_w = (grad * x_hat).sum(dims) if need_w else None
        grad_b = grad.sum(dims) if need_b else None
        return grad_x, grad_w, grad_b


def _batch_norm_arrays(data, running_mean, running_var, training, eps):
    """x_hat, and the per-channel mean and 1/std it used."""
    dims = (0,) + tuple(range(2, data.ndim))
    shape = (1, -1) + (1,) * (data.ndim - 2)
    if training:
        mean = data.mean(axis=dims)
        invstd = 1 / np.sqrt(data.var(axis=dims) + eps)
    else:
        mean = running_mean._data
        invstd = 1 / np.sqrt(running_var._data + eps)
    return (data - mean.reshape(shape)) * invstd.reshape(shape), mean, invstd


def update_running_stats(x, running_mean, running_var, momentum):
    """running = (1 - momentum) running + momentum batch (the variance unbiased), in
    place on the buffers, as native_batch_norm does."""
    data = x._data
    dims = (0,) + tuple(range(2, data.ndim))
    n = data.size // data.shape[1]
    if running_mean is not None:
        new = (1 - momentum) * running_mean._data + momentum * data.mean(axis=dims)
        running_mean.copy_(factories.tensor(new.astype(running_mean._data.dtype)))
    if running_var is not None:
        unbiased = data.var(axis=dims) * n / max(n - 1, 1)
        new = (1 - momentum) * running_var._data + momentum * unbiased
        running_var.copy_(factories.tensor(new.astype(running_var._data.dtype)))


class EmbeddingBackward0(Node):
    """weight[indices]; the indices are not an input of the graph (one edge, to weight)."""
    aten = "aten::embedding"

    @staticmethod
    def forward(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
        return weight._data[indices._data]

    def save(self, weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
        # torch shows a padding_idx of -1 (none) as the unsigned 2**64 - 1.
        self._saved_padding_idx = padding_idx if padding_idx >= 0 else 2 ** 64 - 1
        self._padding_idx = padding_idx
        self._saved_scale_grad_by_freq, self._saved_sparse = scale_grad_by_freq, sparse
        self._saved_weight_sym_argsize_0 = weight._data.shape[0]
        self._saved_indices = indices
        self._width = weight._data.shape[1:]

    def backward(self, grad):
        flat = self._saved_indices.reshape(-1)
        rows = grad.reshape(-1, *self._width)
        idx = flat._data
        if self._saved_scale_grad_by_freq:
            counts = np.bincount(idx, minlength=self._saved_weight_sym_argsize_0)[idx]
            rows = rows / constant(counts.astype(grad._data.dtype).reshape(-1, *([1] * len(self._width))))
        if self._padding_idx >= 0:
            keep = (idx != self._padding_idx).astype(grad._data.dtype)
            rows = rows * constant(keep.reshape(-1, *([1] * len(self._width))))
        zeros = constant(np.zeros((self._saved_weight_sym_argsize_0, *self._width), grad._data.dtype))
        return (index_add(zeros, 0, flat, rows),)
