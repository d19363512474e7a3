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

_LETTERS = "ijklmn"  # spatial output positions (patch offsets use the upper case)


def _sizes(shape):
    return ", ".join(map(str, shape))


def _by(sizes):
    return " x ".join(map(str, sizes))


def _contract(spec, a, b):
    """np.einsum with its BLAS-backed path search: the one speed trick (a loop-free
    contraction that NumPy turns into tensordot/matmul where it can)."""
    return np.einsum(spec, a, b, optimize=True)


def _specs(d):
    """einsum subscripts for d spatial dimensions: patches (n, group, channel, *out,
    *kernel), weight (group, filter, channel, *kernel), output (n, group, filter, *out)."""
    out, k = _LETTERS[:d], _LETTERS[:d].upper()
    return f"ngc{out}{k}", f"gfc{k}", f"ngf{out}"


def _grouped_patches(x, weight_shape, groups, stride, padding, dilation):
    """The padded input's patches, shaped (n, groups, channels per group, *out, *kernel)."""
    kernel = weight_shape[2:]
    xp = W.pad(x, padding, padding)
    out = tuple(W.out_size(n, k, s, p, dl) for n, k, s, p, dl in
                zip(x.shape[2:], kernel, stride, padding, dilation))
    patches = W.windows(xp, kernel, stride, dilation, out)
    n, c = x.shape[:2]
    return patches.reshape((n, groups, c // groups) + patches.shape[2:]), xp.shape


class ConvolutionBackward0(Node):
    aten = "aten::convolution"
    saved_names = ("input", "weight")

    @staticmethod
    def forward(input, weight, bias, stride, padding, dilation, groups):
        x, w = input._data, weight._data
        patches, _ = _grouped_patches(x, w.shape, groups, stride, padding, dilation)
        p_spec, w_spec, o_spec = _specs(x.ndim - 2)
        wg = w.reshape((groups, w.shape[0] // groups) + w.shape[1:])
        out = _contract(f"{p_spec},{w_spec}->{o_spec}", patches, wg)
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
        p_spec, w_spec, o_spec = _specs(x.ndim - 2)
        gg = g.reshape((g.shape[0], groups, g.shape[1] // groups) + g.shape[2:])
        grad_w = grad_x = grad_b = None
        if need_w:
            grad_w = _contract(f"{p_spec},{o_spec}->{w_spec}", patches, gg).reshape(w.shape)
            grad_w = constant(np.ascontiguousarray(grad_w, dtype=w.dtype))
        if need_x:
            wg = w.reshape((groups, w.shape[0] // groups) + w.shape[1:])
            patch_grads = _contract(f"{o_spec},{w_spec}->{p_spec}", gg, wg)
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
    stride, dilation = W.tuple_of(stride, d), W.tuple_of(dilation, d)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * d
        elif padding == "same":
            input, padding = _same_padding(input, weight, stride, dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = W.tuple_of(padding, d)
    _check(input, weight, bias, groups, padding, dilation, d)
    if bias is None:
        bias = Tensor._make(np.zeros(0, weight._data.dtype))  # no edge: (None, 0)
    out = ConvolutionBackward0.apply(input, weight, bias, stride=stride, padding=padding,
                                     dilation=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution(input, weight, bias, stride, padding, dilation, groups, 2)
