"""The operations behind torch.nn: addmm (a Linear layer), softmax and log_softmax,
and the losses that torch records as one node each (mse_loss, nll_loss,
binary_cross_entropy_with_logits). Each loss node does its own reduction, as
torch's do: `reduction` is kept as torch's number for it (0 none, 1 mean, 2 sum)."""
import warnings

import numpy as np

from ..node import Node
from ..tensor import Tensor
from ._util import constant, unbroadcast, wrap_dim
from .linalg import _check_mm

REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def reduction_enum(reduction):
    try:
        return REDUCTIONS[reduction]
    except KeyError:
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def _reduce(loss, reduction):
    """A loss node's forward on arrays: mean, sum or every element."""
    if reduction == 1:
        return np.asarray(loss.mean(), dtype=loss.dtype)
    if reduction == 2:
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return loss


def _spread(grad, shape, reduction):
    """The backward of `_reduce`: the incoming gradient for every element."""
    if reduction == 0:
        return grad
    grad = grad.expand(shape)
    return grad / int(np.prod(shape)) if reduction == 1 else grad


class AddmmBackward0(Node):
    """beta * self + alpha * (mat1 @ mat2): what Linear records for a 2-D input."""
    aten = "aten::addmm"
    saved_names = ("mat1", "mat2")

    @staticmethod
    def forward(bias, mat1, mat2, beta=1, alpha=1):
        m1, m2 = mat1._data, mat2._data
        if m1.ndim != 2 or m2.ndim != 2:
            raise RuntimeError(f"{'mat1' if m1.ndim != 2 else 'mat2'} must be a matrix, "
                               f"got {(m1 if m1.ndim != 2 else m2).ndim}-D tensor")
        err = _check_mm(m1, m2)
        if err:
            raise err
        if m1.dtype != m2.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{_scalar_name(m1)} and {_scalar_name(m2)}")
        product = m1 @ m2
        if alpha != 1:
            product *= alpha
        product += bias._data if beta == 1 else beta * bias._data  # a fresh array: in place
        return product

    def save(self, bias, mat1, mat2, beta=1, alpha=1):
        need_bias, need_1, need_2 = self.needs_input_grad
        self.save_for_backward(mat1 if need_2 else None, mat2 if need_1 else None)
        self._saved_alpha, self._saved_beta = alpha, beta
        self.bias_shape = bias._data.shape
        strides = mat2._data.strides
        self.mat2_transposed = strides[0] < strides[1]

    def backward(self, grad):
        mat1, mat2 = self.saved_tensors
        need_bias = self.needs_input_grad[0]
        alpha, beta = self._saved_alpha, self._saved_beta
        if alpha != 1:
            grad_product = grad * alpha
        else:
            grad_product = grad
        return (unbroadcast(grad if beta == 1 else grad * beta, self.bias_shape) if need_bias else None,
                grad_product.mm(mat2.t()) if mat2 is not None else None,
                _mat2_grad(mat1, grad_product, self.mat2_transposed) if mat1 is not None else None)


def _mat2_grad(mat1, grad, transposed):
    """mat1^T @ grad, laid out as mat2 was. Linear's mat2 is weight.t(), a transposed
    view: computing (grad^T @ mat1)^T gives the weight's gradient in the weight's own
    row-major layout, so nothing is copied on the way into weight.grad (torch does the same)."""
    if transposed:
        return grad.t().mm(mat1).t()
    return mat1.t().mm(grad)


def _scalar_name(array):
    return {"float32": "Float", "float64": "Double"}.get(array.dtype.name, array.dtype.name)


class SoftmaxBackward0(Node):
    aten = "aten::_softmax"
    saves_result = True

    @staticmethod
    def forward(a, dim):
        x = a._data
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)

    def save(self, a, dim):
        self._saved_dim = dim

    def backward(self, grad):
        # d softmax_i / d x_j = s_i (delta_ij - s_j)
        s = self.saved_output
        return (s * (grad - (grad * s).sum(self._saved_dim, keepdim=True)),)


class LogSoftmaxBackward0(Node):
    aten = "aten::_log_softmax"
    saves_result = True

    @staticmethod
    def forward(a, dim):
        shifted = a._data - a._data.max(axis=dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    def save(self, a, dim):
        self._saved_dim = dim

    def backward(self, grad):
        # softmax is exp(result): each output pulls every input down by its probability.
        return (grad - self.saved_output.exp() * grad.sum(self._saved_dim, keepdim=True),)


class MseLossBackward0(Node):
    aten = "aten::mse_loss"
    saved_names = ("self", "target")

    @staticmethod
    def forward(a, target, reduction=1):
        diff = a._data - target._data
        return _reduce(diff * diff, reduction)

    def save(self, a, target, reduction=1):
        self._saved_reduction = reduction
        self.save_for_backward(a, target)

    def backward(self, grad):
        a, target = self.saved_tensors
        grad_a = _spread(grad, a._data.shape, self._saved_reduction) * 2 * (a - target)
        need_a, need_target = self.needs_input_grad
        return (grad_a if need_a else None, -grad_a if need_target else None)


class BinaryCrossEntropyWithLogitsBackward0(Node):
    """loss = (1 - y) x - log(sigmoid(x)), the log taken without overflow; with
    pos_weight p the log term is scaled by 1 + (p - 1) y, with weight w all of it by w."""
    aten = "aten::binary_cross_entropy_with_logits"
    saved_names = ("self", "target", "weight", "pos_weight")

    @staticmethod
    def forward(a, target, weight=None, pos_weight=None, reduction=1):
        x, y = a._data, target._data
        log_sigmoid = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        if pos_weight is not None:
            log_sigmoid = log_sigmoid * ((pos_weight._data - 1) * y + 1)
        loss = (1 - y) * x - log_sigmoid
        if weight is not None:
            loss = loss * weight._data
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    def save(self, a, target, weight=None, pos_weight=None, reduction=1):
        self._saved_reduction = reduction
        self.save_for_backward(a, target, weight, pos_weight)

    def backward(self, grad):
        a, target, weight, pos_weight = self.saved_tensors
        grad = _spread(grad, a._data.shape, self._saved_reduction)
        if weight is not None:
            grad = grad * weight
        need_a, need_target = self.needs_input_grad
        grad_a = grad_target = None
        if need_a:
            if pos_weight is None:
                grad_a = grad * (a.sigmoid() - target)
            else:
                py = pos_weight * target
                grad_a = grad * ((py + 1 - target) * a.sigmoid() - py)
        if need_target:
            if pos_weight is None:
                grad_target = grad * -a
            else:
                grad_target = grad * (-a - (pos_weight - 1) * a.sigmoid().log())
        return grad_a, grad_target


class NllLossBackward0(Node):
    """loss_i = -weight[t_i] * input[i, t_i]; the mean divides by the sum of the weights
    picked (not by the batch size), and targets equal to ignore_index count for nothing."""
    aten = "aten::nll_loss"
    saved_names = ("self", "target", "weight")

    @staticmethod
    def forward(a, target, weight=None, reduction=1, ignore_index=-100):
        # `target` (class indices) is an attribute, not an input: no edge in the graph.
        x = a._data
        dim, idx, coeff = _nll_picks(x.shape, target._data, weight, ignore_index, x.dtype)
        loss = -(np.take_along_axis(x, idx, axis=dim).squeeze(dim) * coeff)
        if reduction == 0:
            return loss
        total = loss.sum(dtype=x.dtype)
        return np.asarray(total / coeff.sum(dtype=x.dtype) if reduction == 1 else total)

    def save(self, a, target, weight=None, reduction=1, ignore_index=-100):
        self._saved_reduction, self._saved_ignore_index = reduction, ignore_index
        self.save_for_backward(None, target, weight)
        self.input_shape, self.dtype = a._data.shape, a._data.dtype

    def backward(self, grad):
        _, target, weight = self.saved_tensors
        shape, reduction = self.input_shape, self._saved_reduction
        dim, idx, coeff = _nll_picks(shape, target._data, weight, self._saved_ignore_index,
                                     self.dtype)
        if reduction == 1:
            coeff = coeff / coeff.sum(dtype=self.dtype)
        # The loss is linear in the input: its gradient is -coeff at each picked element.
        picks = np.zeros(shape, dtype=self.dtype)
        np.put_along_axis(picks, idx, -np.expand_dims(coeff, dim), axis=dim)
        if reduction == 0 and len(shape) > 1:
            grad = grad.unsqueeze(dim)
        return (grad * constant(picks),)


def _nll_picks(shape, target, weight, ignore_index, dtype):
    """The class dim, the target indices along it, and each pick's weight (0 where ignored)."""
    dim = 0 if len(shape) == 1 else 1
    ignored = target == ignore_index
    safe = np.where(ignored, 0, target)
    w = np.ones(shape[dim], dtype=dtype) if weight is None else weight._data.reshape(-1)
    coeff = np.where(ignored, 0, w[safe]).astype(dtype)
    return dim, np.expand_dims(safe, dim), coeff


class DivBackward1(Node):
    """out = self / a Python number, as torch's own C++ code records it (cross_entropy's mean)."""
    aten = "aten::div"

    @staticmethod
    def forward(a, other):
        return a._data / np.asarray(other, dtype=a._data.dtype)

    def save(self, a, other):
        self._saved_other = other

    def backward(self, grad):
        return (grad / self._saved_other,)


# -- the functions users call -------------------------------------------------

def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return AddmmBackward0.apply(input, mat1, mat2, beta=beta, alpha=alpha)


def _softmax_dim(ndim, dim, name):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                      "to include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return wrap_dim(dim, ndim)


def softmax(input, dim=None, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return SoftmaxBackward0.apply(input, dim=_softmax_dim(input._data.ndim, dim, "softmax"))


def log_softmax(input, dim=None, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmaxBackward0.apply(input, dim=_softmax_dim(input._data.ndim, dim, "log_softmax"))


def _size(t):
    return f"torch.Size({list(t._data.shape)})"  # as torch's messages print a shape


def warn_if_sizes_differ(input, target):
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3)


def broadcast_pair(input, target):
    """Both expanded to their common shape (torch.broadcast_tensors), or torch's error."""
    if input._data.shape == target._data.shape:
        return input, target
    from ._util import broadcast_error
    try:
        shape = np.broadcast_shapes(input._data.shape, target._data.shape)
    except ValueError:
        raise broadcast_error(input._data.shape, target._data.shape) from None
    return (input if input._data.shape == shape else input.expand(*shape),
            target if target._data.shape == shape else target.expand(*shape))


def mse_loss(input, target, reduction="mean"):
    warn_if_sizes_differ(input, target)
    input, target = broadcast_pair(input, target)
    return MseLossBackward0.apply(input, target, reduction=reduction_enum(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({_size(target)}) must be the same as input size "
                         f"({_size(input)})")
    return BinaryCrossEntropyWithLogitsBackward0.apply(
        input, target, weight=weight, pos_weight=pos_weight, reduction=reduction_enum(reduction))


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_scalar_name(target._data)}")
    if input._data.ndim > 1 and input._data.shape[0] != target._data.shape[0]:
        raise ValueError(f"Expected input batch_size ({input._data.shape[0]}) to match target "
                         f"batch_size ({target._data.shape[0]}).")
    n_classes = input._data.shape[0 if input._data.ndim == 1 else 1]
    if input._data.ndim > 2:  # torch's nll_loss_nd: spatial dims go to nll_loss2d
        if weight is not None and weight._data.size != n_classes:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        from .losses import nll_loss2d
        return nll_loss2d(input, target, weight, ignore_index, reduction)
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: {list(weight._data.shape)}")
    bad = target._data[(target._data != ignore_index) & ((target._data < 0) | (target._data >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {bad.flat[0]} is out of bounds.")
    return NllLossBackward0.apply(input, target=target, weight=weight,
                                  reduction=reduction_enum(reduction), ignore_index=ignore_index)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean"):
    logp = log_softmax(input, 0 if input._data.ndim == 1 else 1)
    if target._data.dtype.kind == "f":  # class probabilities, as torch computes them
        class_dim = 0 if input._data.ndim == 1 else 1
        terms = logp * target if weight is None else logp * target * weight
        if reduction == "none":
            return -terms.sum(class_dim)
        total = -terms.sum()
        if reduction == "sum":
            return total
        reduction_enum(reduction)
        return total if input._data.ndim == 1 else DivBackward1.apply(total, other=input._data.shape[0])
    return nll_loss(logp, target, weight, ignore_index, reduction)

