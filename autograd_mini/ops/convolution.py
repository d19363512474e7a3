"""conv1d / conv2d: one ConvolutionBackward0 node, as torch records them, with edges to
input, weight and bias ((None, 0) without a bias).

The forward views every kernel-sized patch of the padded input (`_windows.windows`, im2col
without a copy) and contracts patches with the weight per group; the backward contracts
the output's gradient with the same patches (weight) or with the weight and folds the
patches back (input).

The backward computes on arrays: its results are not recorded, so a second derivative
through a convolution (create_graph=True, then backward again) is not supported here
(torch supports it); the backward raises NotImplementedError when asked to record (grad
mode on while an input or the incoming gradient requires grad: create_graph=True, or calling
the node, `out.grad_fn(g)`, with grad mode on) rather than give a wrong second derivative."""
import numpy as np

from .. import _cpp_warnings as _cpp
from ..grad_mode import state as _grad_state
from ..node import Node
from ..tensor import Tensor
from . import _windows as W
from ._util import constant

def _sizes(shape):
    return ", ".join(map(str, shape))


def _type(tensor, scalar_type=False):
    """The dtype's name in torch's messages: its C++ type (float, double, c10::Half), or its
    ScalarType (Float, Double, Half)."""
    names = {"float32": ("float", "Float"), "float64": ("double", "Double"),
             "float16": ("c10::Half", "Half")}
    name = tensor._data.dtype.name
    return names[name][scalar_type] if name in names else name


def _by(sizes):
    return " x ".join(map(str, sizes))


# The three contractions, per group g: patches (n, g, c, *out, *k), weight (g, f, c, *k),
# output and its gradient (n, g, f, *out). In einsum terms (2-d, readable but some 30x
# slower in NumPy's own path for them):
#   output       = einsum("ngcijIJ,gfcIJ->ngfij", patches, weight)
#   weight grad  = einsum("ngcijIJ,ngfij->gfcIJ", patches, grad)
#   patch grads  = einsum("ngfij,gfcIJ->ngcijIJ", grad, weight)
# The speed trick: each is one batched matrix product (over groups) on im2col matrices,
# in the layout BLAS wants.

def _columns(patches):
    """im2col: patches (n, g, c, *out, *k) as (g, n * out, c * k) matrices (a copy)."""
    g, c, d = patches.shape[1], patches.shape[2], (patches.ndim - 3) // 2
    order = (1, 0) + tuple(range(3, 3 + d)) + (2,) + tuple(range(3 + d, 3 + 2 * d))
    return patches.transpose(order).reshape(g, -1, c * int(np.prod(patches.shape[3 + d:])))


def _rows(grad):
    """An output-shaped (n, g, f, *out) array as (g, n * out, f) matrices (contiguous: a
    gradient expanded from a sum has zero strides, which BLAS does not take)."""
    d = grad.ndim - 3
    order = (1, 0) + tuple(range(3, 3 + d)) + (2,)
    return np.ascontiguousarray(grad.transpose(order)).reshape(grad.shape[1], -1, grad.shape[2])


def _matmul(a, b):
    """a @ b per group: 2-d products, which BLAS takes transposed operands for as they are
    (a batched 3-d matmul copies them, or loops without BLAS)."""
    return np.stack([a[i] @ b[i] for i in range(a.shape[0])])


def _correlate(patches, weight):
    n, d = patches.shape[0], (patches.ndim - 3) // 2
    g, f = weight.shape[:2]
    rows = _matmul(_columns(patches), weight.reshape(g, f, -1).transpose(0, 2, 1))
    rows = rows.reshape((g, n) + patches.shape[3:3 + d] + (f,))
    return rows.transpose((1, 0, 2 + d) + tuple(range(2, 2 + d)))


def _weight_grad(patches, grad, weight_shape):
    return _matmul(_rows(grad).transpose(0, 2, 1), _columns(patches)).reshape(weight_shape)


def _patch_grads(grad, weight):
    n, d = grad.shape[0], grad.ndim - 3
    g, f, c = weight.shape[:3]
    cols = _matmul(_rows(grad), weight.reshape(g, f, -1))
    cols = cols.reshape((g, n) + grad.shape[3:] + (c,) + weight.shape[3:])
    return cols.transpose((1, 0, 2 + d) + tuple(range(2, 2 + d))
                          + tuple(range(3 + d, 3 + 2 * d)))


def _grouped_patches(x, weight_shape, groups, stride, padding, dilation):
    """The padded input's patches, shaped (n, groups, channels per group, *out, *kernel)."""
    kernel = weight_shape[2:]
    xp = W.pad(x, padding, padding)
    out = tuple(W.out_size(n, k, s, p, dl) for n, k, s, p, dl in
                zip(x.shape[2:], kernel, stride, padding, dilation))
    patches = W.windows(xp, kernel, stride, dilation, out)
    n, c = x.shape[:2]
    return patches.reshape((n, groups, c // groups) + patches.shape[2:]), xp.shape


def _grouped(w, groups):
    """(O, ...) as (groups, O / groups, ...)."""
    return w.reshape((groups, w.shape[0] // groups) + w.shape[1:])


class ConvolutionBackward0(Node):
    aten = "aten::convolution"
    saved_names = ("input", "weight")

    @staticmethod
    def forward(input, weight, bias, stride, padding, dilation, groups):
        x, w = input._data, weight._data
        patches, _ = _grouped_patches(x, w.shape, groups, stride, padding, dilation)
        out = _correlate(patches, _grouped(w, groups))
        out = out.reshape((x.shape[0], w.shape[0]) + out.shape[3:])
        if bias._data.size:
            out = out + bias._data.reshape((-1,) + (1,) * (x.ndim - 2))
        return np.ascontiguousarray(out, dtype=x.dtype)

    def save(self, input, weight, bias, stride, padding, dilation, groups):
        self.save_for_backward(input, weight)
        d = input._data.ndim - 2
        self._saved_stride, self._saved_padding = stride, padding
        self._saved_dilation, self._saved_groups = dilation, groups
        self._saved_transposed, self._saved_output_padding = False, (0,) * d
        self._saved_bias_sym_sizes_opt = bias._data.shape  # (0,) without a bias, as in torch

    def backward(self, grad):
        input, weight = self.saved_tensors
        if _grad_state.enabled and (grad._requires_grad or input._requires_grad
                                    or weight._requires_grad):
            raise NotImplementedError("autograd_mini: the backward of a convolution is not "
                                      "differentiable (no double backward through conv)")
        x, w, g = input._data, weight._data, grad._data
        groups, stride, dilation = self._saved_groups, self._saved_stride, self._saved_dilation
        padding = self._saved_padding
        need_x, need_w, need_b = self.needs_input_grad
        patches, padded_shape = _grouped_patches(x, w.shape, groups, stride, padding, dilation)
        gg = g.reshape((g.shape[0], groups, g.shape[1] // groups) + g.shape[2:])
        grad_w = grad_x = grad_b = None
        if need_w:
            grad_w = _weight_grad(patches, gg, w.shape)
            grad_w = constant(np.ascontiguousarray(grad_w, dtype=w.dtype))
        if need_x:
            patch_grads = _patch_grads(gg, _grouped(w, groups))
            patch_grads = patch_grads.reshape(x.shape[:2] + patch_grads.shape[3:])
            folded = W.fold(patch_grads, padded_shape, w.shape[2:], stride, dilation)
            grad_x = constant(np.ascontiguousarray(W.crop(folded, padding, x.shape[2:]),
                                                   dtype=x.dtype))
        if need_b:
            grad_b = constant(g.sum(axis=(0,) + tuple(range(2, g.ndim))).astype(g.dtype))
        return grad_x, grad_w, grad_b


def _check(input, weight, bias, groups, padding, dilation, d):
    """torch's checks, in its order, with its messages."""
    xs, ws = input._data.shape, weight._data.shape
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [[{_sizes(ws)}]] instead")
    if xs[1] != ws[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size [{_sizes(ws)}], expected "
                           f"input[{_sizes(xs)}] to have {ws[1] * groups} channels, but got "
                           f"{xs[1]} channels instead")
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != ws[0]):
        raise RuntimeError(f"Given weight of size [{_sizes(ws)}], expected bias to be "
                           f"1-dimensional with {ws[0]} elements, but got bias of size "
                           f"[{_sizes(bias._data.shape)}] instead")
    padded = tuple(n + 2 * p for n, p in zip(xs[2:], padding))
    kernel = tuple((k - 1) * dl + 1 for k, dl in zip(ws[2:], dilation))
    if any(k > n for k, n in zip(kernel, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_by(padded)}). Kernel "
                           f"size: ({_by(kernel)}). Kernel size can't be greater than actual "
                           "input size")


def _same_padding(input, weight, stride, dilation):
    """padding='same' as torch resolves it: half the dilated kernel on each side; an odd
    total puts the extra element on the right, padded first by a ConstantPadNd node."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    totals = [dl * (k - 1) for dl, k in zip(dilation, weight._data.shape[2:])]
    left = tuple(t // 2 for t in totals)
    if all(t % 2 == 0 for t in totals):
        return input, left
    _cpp.warn_once("Using padding='same' with even kernel lengths and odd dilation may require "
                   "a zero-padded copy of the input be created",
                   "aten/src/ATen/native/Convolution.cpp:1101", stacklevel=4)
    from .activations import constant_pad_nd
    extra = []
    for t in reversed(totals):  # F.pad's order: last dimension first
        extra += [0, t % 2]
    return constant_pad_nd(input, extra, 0), left


def convolution(input, weight, bias, stride, padding, dilation, groups, d):
    """conv{d}d: torch's argument handling around one ConvolutionBackward0."""
    if input._data.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to "
                           f"conv{d}d, but got input of size: [{_sizes(input._data.shape)}]")
    unbatched = input._data.ndim == d + 1
    if unbatched:
        input = input.unsqueeze(0)
    if bias is not None and bias._data.dtype != input._data.dtype:
        raise RuntimeError(f"Input type ({_type(input)}) and bias type ({_type(bias)}) should "
                           "be the same")
    stride, dilation = W.tuple_of(stride, d), W.tuple_of(dilation, d)
    if weight._data.ndim != d + 2:
        raise RuntimeError(f"expected stride to be a single integer value or a list of "
                           f"{weight._data.ndim - 2} values to match the convolution dimensions,"
                           f" but got stride=[{_sizes(stride)}]")
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * d
        elif padding == "same":
            input, padding = _same_padding(input, weight, stride, dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = W.tuple_of(padding, d)
    _check(input, weight, bias, groups, padding, dilation, d)
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"expected scalar type {_type(input, True)} but found "
                           f"{_type(weight, True)}")
    if bias is None:
        bias = Tensor._make(np.zeros(0, weight._data.dtype))  # no edge: (None, 0)
    out = ConvolutionBackward0.apply(input, weight, bias, stride=stride, padding=padding,
                                     dilation=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution(input, weight, bias, stride, padding, dilation, groups, 2)
