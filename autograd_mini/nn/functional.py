"""nn.functional: the layers and losses as plain functions (what the modules call)."""
import warnings

import numpy as np

from .. import factories
from ..grad_mode import no_grad as _no_grad
from ..ops import activations as _act
from ..ops import binary_math as _binary_math
from ..ops import elementwise as _elementwise
from ..ops import losses as _losses
from ..ops import nn_ops as _nn
from ..ops import convolution as _conv, pooling as _pool
from ..ops._util import constant as _constant, wrap_dim as _wrap_dim
from ..ops.unary_math import require_float as _require_float
from ..tensor import Tensor
from . import _activation_pad_ops as _pad_ops, _norm_ops
from ..ops.scalar_nodes import AddBackward1 as _AddBackward1, MulBackward1 as _MulBackward1

tanh = _elementwise.tanh
sigmoid = _elementwise.sigmoid
softmax = _nn.softmax
log_softmax = _nn.log_softmax
gelu, silu, mish, leaky_relu = _act.gelu, _act.silu, _act.mish, _act.leaky_relu
elu, selu, celu, softplus = _act.elu, _act.selu, _act.celu, _act.softplus
hardtanh, relu6, logsigmoid = _act.hardtanh, _act.relu6, _act.logsigmoid
hardsigmoid, hardswish = _act.hardsigmoid, _act.hardswish
conv1d, conv2d = _conv.conv1d, _conv.conv2d
max_pool1d, max_pool2d, avg_pool1d, avg_pool2d = (_pool.max_pool1d, _pool.max_pool2d,
                                                  _pool.avg_pool1d, _pool.avg_pool2d)
adaptive_avg_pool2d = _pool.adaptive_avg_pool2d


def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


def softmin(input, dim=None, dtype=None):
    return _nn.softmax(-input, dim, dtype)


_PAD_SIZES = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input, pad, mode="constant", value=None):
    """Constant padding (negative amounts crop), or 'reflect' / 'replicate' over the last
    1, 2 or 3 dims (one node each, torch's ReflectionPadND / ReplicationPadND); torch's
    checks in its order. 'circular' is not here."""
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    ndim = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{ndim}")
    if mode == "constant":
        return _act.constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode == "circular":
        raise NotImplementedError("autograd_mini's pad has no mode 'circular'")
    dims = len(pad) // 2
    if dims not in (1, 2, 3) or ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {ndim}D input "
                                  f"tensor.\n{_PAD_SIZES}")
    shape = input._data.shape
    if 0 in shape[1 if ndim == dims + 2 else 0:]:  # only a batch dim may be empty
        raise RuntimeError(f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with "
                           "possibly 0 batch size and other non-zero dimensions for input, but "
                           f"got: {list(shape)}")
    if dims == 1 and shape[-1] + pad[0] + pad[1] < 0:
        raise RuntimeError(f"input (W: {shape[-1]}) is too small. Calculated output W: "
                           f"{shape[-1] + pad[0] + pad[1]}")
    for k in range(dims):  # the last dim first, as torch checks them
        before, after, size = pad[2 * k], pad[2 * k + 1], shape[ndim - 1 - k]
        if mode == "reflect" and not (before < size and after < size):
            raise RuntimeError(
                f"Argument #{4 + 2 * k}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({before}, {after}) at dimension "
                f"{ndim - 1 - k} of input {list(shape)}")
    return _pad_ops.PAD_NODES[mode, dims].apply(input, padding=tuple(pad))


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), weight one value or one per channel (dim 1),
    reshaped to broadcast as torch reshapes it (a ViewBackward0 before the kernel)."""
    if input.dtype != weight.dtype:
        raise RuntimeError("prelu: Type promoting not supported. Got "
                           f"{input.dtype.legacy_name[:-6]} and {weight.dtype.legacy_name[:-6]}")
    ndim = input._data.ndim
    if weight._data.size != 1:
        if ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input._data.shape[1] if ndim > 1 else 1
        if channels != weight._data.size:
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight._data.size} and channel size = "
                               f"{channels}.")
    if weight._data.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight._data.ndim}")
    if ndim != weight._data.ndim:
        shape = [1] * ndim
        if ndim > 1:
            shape[1] = weight._data.size
        weight = weight.reshape(shape)
    _require_float(input._data, "prelu_cpu")
    return _pad_ops.PreluKernelBackward0.apply(input, weight)


def glu(input, dim=-1):
    """a * sigmoid(b), a and b the first and second half of input along dim."""
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{input._data.shape[dim]}")
    _require_float(input._data, "glu_cpu")
    return _pad_ops.GluBackward0.apply(input, dim=dim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps), recorded as torch records it."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The sum along `dim` of x1 / |x1| * x2 / |x2|: each divided by its norm first, as
    torch does (it keeps the result in [-1, 1]); the norms are clamped at eps outside the
    graph, on a clone, as in torch."""
    if tuple(x1.shape) != tuple(x2.shape):  # torch's expand_outplace: both, or neither
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
        x1, x2 = x1.expand(*shape), x2.expand(*shape)
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with _no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def one_hot(tensor, num_classes=-1):
    """A class index tensor (int64) as rows of zeros with a one at each index."""
    data = tensor._data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(data.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, data[..., None], 1, axis=-1)
    return Tensor._make(out)


def linear(input, weight, bias=None):
    """input @ weight.T + bias, recorded as torch records it: one addmm for a 2-D input;
    a contiguous input of any other shape is flattened to 2-D around that addmm."""
    if bias is None:
        return input.matmul(weight.t())
    data = input._data
    if data.ndim == 2:
        return _nn.addmm(bias, input, weight.t())
    if data.flags.c_contiguous and data.ndim > 0:
        out = _nn.addmm(bias, input.reshape(-1, data.shape[-1]), weight.t())
        return out.view(*data.shape[:-1], out._data.shape[-1])
    return input.matmul(weight.t()) + bias


def dropout(input, p=0.5, training=True, inplace=False):
    """In training, zero each element with probability p and scale the rest by 1/(1-p),
    so the expected value is unchanged; in eval mode, the input itself."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    dtype = input._data.dtype
    # torch draws the mask with bernoulli_(1 - p): keep where a uniform is below 1 - p
    keep = factories._generator(None).bernoulli(input._data.shape, 1 - p)
    noise = np.zeros(input._data.shape, dtype) if p == 1 else \
        keep.astype(dtype) / np.asarray(1 - p, dtype=dtype)
    return input.mul_(_constant(noise)) if inplace else input * _constant(noise)


def _legacy_reduction(size_average, reduce, reduction):
    """The old size_average / reduce flags, mapped to `reduction` as torch maps them."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    return reduction


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _nn.mse_loss(input, target, _legacy_reduction(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """|input - target|, reduced: torch records it as sub, abs and mean (or sum)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _nn.warn_if_sizes_differ(input, target)
    enum = _nn.reduction_enum(reduction)
    input, target = _nn.broadcast_pair(input, target)
    loss = (input - target).abs()
    return loss if enum == 0 else loss.mean() if enum == 1 else loss.sum()


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    return _nn.binary_cross_entropy_with_logits(
        input, target, weight, _legacy_reduction(size_average, reduce, reduction), pos_weight)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    return _nn.nll_loss(input, target, weight, ignore_index,
                        _legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    return _losses.binary_cross_entropy(input, target, weight,
                                        _legacy_reduction(size_average, reduce, reduction))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """One HuberLossBackward0; with a weight, torch multiplies its unreduced result
    and reduces that with sum or mean."""
    _nn.warn_if_sizes_differ(input, target)
    input, target = _nn.broadcast_pair(input, target)
    if weight is None:
        return _losses.huber_loss(input, target, reduction, delta)
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = _losses.huber_loss(input, target, "none", delta) * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """One SmoothL1LossBackward0; beta = 0 is plain l1_loss, as torch has it."""
    _nn.warn_if_sizes_differ(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    input, target = _nn.broadcast_pair(input, target)
    if beta == 0.0:
        loss = (input - target).abs()
        enum = _nn.reduction_enum(reduction)
        return loss if enum == 0 else loss.mean() if enum == 1 else loss.sum()
    return _losses.smooth_l1_loss(input, target, reduction, beta)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log target - input), input being log-probabilities: torch composes it
    from xlogy, mul and sub (exp, sub and mul for a log_target), then sum or mean;
    'batchmean' is the sum over the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    enum = _nn.reduction_enum("sum" if reduction == "batchmean" else reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _binary_math.xlogy(target, target) - target * input
    loss = loss if enum == 0 else loss.mean() if enum == 1 else loss.sum()
    if reduction == "batchmean" and input._data.ndim != 0:
        loss = loss / input._data.shape[0]
    return loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the classes, then nll_loss (class indices) or, for a float
    target of class probabilities, minus their weighted sum. label_smoothing mixes the
    target with the uniform distribution, composed as torch's C++ composes it."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing:g}")
        n_classes = input._data.shape[0 if input._data.ndim == 1 else 1]
        if target._data.dtype.kind == "f":
            target = _AddBackward1.apply(_MulBackward1.apply(target, other=1 - label_smoothing),
                                         other=label_smoothing / n_classes)
        else:
            return _label_smoothed_cross_entropy(input, target, weight, ignore_index,
                                                 reduction, label_smoothing, n_classes)
    return _nn.cross_entropy(input, target, weight, ignore_index, reduction)


def _label_smoothed_cross_entropy(input, target, weight, ignore_index, reduction,
                                  label_smoothing, n_classes):
    """(1 - s) * nll_loss + s / C * (minus the (weighted) sum of all log-probabilities),
    the ignored targets counting nothing; 'mean' divides that second term by the count (or
    the weights) of the targets not ignored, as nll_loss does."""
    class_dim = 0 if input._data.ndim == 1 else 1
    logp = _nn.log_softmax(input, class_dim)
    nll = _nn.nll_loss(logp, target, weight, ignore_index, reduction)
    ignore_mask = target._data == ignore_index
    if weight is not None:
        shape = [1] * logp._data.ndim
        shape[class_dim] = weight._data.shape[0]
        smooth_loss = -(logp * weight.view(shape)).sum(class_dim)
    else:
        smooth_loss = -logp.sum(class_dim)
    smooth_loss.masked_fill_(_constant(ignore_mask), 0.0)
    enum = _nn.reduction_enum(reduction)
    if enum == 1:
        kept = target._data[~ignore_mask]
        count = (weight._data[kept].sum() if weight is not None
                 else np.int64(np.count_nonzero(~ignore_mask)))
        ret = smooth_loss.sum() / _constant(np.asarray(count))
    elif enum == 2:
        ret = smooth_loss.sum()
    else:
        ret = smooth_loss
    return (_MulBackward1.apply(nll, other=1 - label_smoothing)
            + _MulBackward1.apply(ret, other=label_smoothing / n_classes))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last len(normalized_shape) dims: one NativeLayerNormBackward0."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) \
        else tuple(normalized_shape)
    shape = input._data.shape
    if len(normalized_shape) == 0 or shape[len(shape) - len(normalized_shape):] != normalized_shape \
            or len(normalized_shape) > len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in normalized_shape)}], but got input of size"
            f"{list(shape)}")
    return _norm_ops.NativeLayerNormBackward0.apply(
        input, weight if weight is not None else _norm_ops.absent(input),
        bias if bias is not None else _norm_ops.absent(input),
        normalized_shape=normalized_shape, eps=eps)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Per channel (dim 1); training uses the batch's statistics and moves the running
    ones (when given) towards them by momentum."""
    if training:
        size = input._data.shape
        if size[0] * int(np.prod(size[2:])) == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size torch.Size({list(size)})")
        if running_mean is not None or running_var is not None:
            with _no_grad():
                _norm_ops.update_running_stats(input, running_mean, running_var, momentum)
    else:
        for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
            if stat is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    return _norm_ops.NativeBatchNormBackward0.apply(
        input, weight if weight is not None else _norm_ops.absent(input),
        bias if bias is not None else _norm_ops.absent(input),
        running_mean=running_mean, running_var=running_var, training=training, eps=eps)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of weight at the indices in input; padding_idx's row gets no gradient.
    With max_norm, the rows looked up are first renormalised in place (torch's way)."""
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"torch.{input.dtype.legacy_name} instead (while checking arguments "
                           "for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= weight._data.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    return _norm_ops.EmbeddingBackward0.apply(weight, indices=input, padding_idx=padding_idx,
                                              scale_grad_by_freq=scale_grad_by_freq,
                                              sparse=sparse)


def _embedding_renorm_(weight, indices, max_norm, norm_type):
    """torch's embedding_renorm_, under no_grad: each row looked up whose norm is above
    max_norm is scaled in place to max_norm / (norm + 1e-7) of itself (the norm in float32,
    the scale a double applied in the weight's dtype), so the weight itself changes."""
    with _no_grad():
        data = weight._data
        for row in np.unique(indices):
            norm = float(np.linalg.norm(data[row], ord=norm_type))
            if norm > max_norm:
                data[row] *= data.dtype.type(max_norm / (norm + 1e-7))
        weight._bump_version()


__all__ = ["relu", "tanh", "sigmoid", "softmax", "log_softmax", "linear", "dropout", "mse_loss",
           "l1_loss", "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "huber_loss", "smooth_l1_loss", "kl_div",
           "gelu", "silu", "mish", "leaky_relu", "elu", "selu", "celu", "softplus", "hardtanh",
           "relu6", "logsigmoid", "hardsigmoid", "hardswish", "softsign", "tanhshrink", "softmin",
           "pad", "prelu", "glu", "normalize", "cosine_similarity", "one_hot", "layer_norm",
           "batch_norm",
           "embedding", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "adaptive_avg_pool2d"]
