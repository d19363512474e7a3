"""Pooling: max_pool2d (MaxPool2DWithIndicesBackward0), avg_pool2d (AvgPool2DBackward0),
adaptive_avg_pool2d (AdaptiveAvgPool2DBackward0, or a mean for a 1x1 output, as torch
does), and the 1-d forms that torch runs as the 2-d ones between unsqueeze and squeeze.

Windows run over the last two dimensions, so a 3-D (unbatched) input works unchanged.
As for convolution, the backwards compute on arrays: no double backward through pooling."""
import numpy as np

from ..grad_mode import state as _grad_state
from ..node import Node
from ..tensor import Tensor
from . import _windows as W
from ._util import constant


def _not_recording(node, grad):
    if _grad_state.enabled and (grad._requires_grad or node.saved_tensors[0]._requires_grad):
        raise NotImplementedError(f"autograd_mini: the backward of {node.name()} is not "
                                  "differentiable (no double backward through pooling)")


def _geometry(x, kernel, stride, padding, dilation, ceil_mode):
    """Output sizes and the right padding that lets the last (ceil_mode) window fit."""
    spatial = x.shape[-2:]
    out = tuple(W.out_size(n, k, s, p, dl, ceil_mode) for n, k, s, p, dl in
                zip(spatial, kernel, stride, padding, dilation))
    if any(o <= 0 for o in out):
        lead = x.shape[-3] if x.ndim > 2 else 1
        raise RuntimeError(f"Given input size: ({lead}x{spatial[0]}x{spatial[1]}). Calculated "
                           f"output size: ({lead}x{out[0]}x{out[1]}). Output size is too small")
    right = tuple(max(p, (o - 1) * s + dl * (k - 1) + 1 - n - p) for n, k, s, p, dl, o in
                  zip(spatial, kernel, stride, padding, dilation, out))
    return out, right


def _max_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """Each window's max as its flat index into the (unpadded) H*W plane: the first
    largest (a NaN wins), as torch's kernel scans."""
    out, right = _geometry(x, kernel, stride, padding, dilation, ceil_mode)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    values = W.windows(W.pad(x, padding, right, fill), kernel, stride, dilation, out)
    pick = values.reshape(values.shape[:-2] + (-1,)).argmax(axis=-1)  # (..., *out)
    plane = np.arange(x.shape[-2] * x.shape[-1]).reshape(x.shape[-2:])
    where = W.windows(W.pad(plane, padding, right, -1), kernel, stride, dilation, out)
    rows, cols = np.indices(out)
    return where.reshape(out + (-1,))[rows, cols, pick]


class MaxPool2DWithIndicesBackward0(Node):
    aten = "aten::max_pool2d_with_indices"
    saved_names = ("self",)

    @staticmethod
    def forward(input, indices, kernel_size, stride, padding, dilation, ceil_mode):
        # The maxima are the input at their indices (found by _max_indices). indices is an
        # argument, not an input: torch's node has the one edge, to input.
        x, idx = input._data, indices._data
        flat, flat_idx = x.reshape(x.shape[:-2] + (-1,)), idx.reshape(idx.shape[:-2] + (-1,))
        return np.take_along_axis(flat, flat_idx, -1).reshape(idx.shape)

    def save(self, input, indices, kernel_size, stride, padding, dilation, ceil_mode):
        self.save_for_backward(input)
        self._saved_result1 = indices
        self._saved_kernel_size, self._saved_stride = kernel_size, stride
        self._saved_padding, self._saved_dilation = padding, dilation
        self._saved_ceil_mode = ceil_mode

    def backward(self, grad):
        _not_recording(self, grad)
        (input,) = self.saved_tensors
        x, g, idx = input._data, grad._data, self._saved_result1._data
        windows = g.shape[-2] * g.shape[-1]
        g2, idx2 = g.reshape(-1, windows), idx.reshape(-1, windows)
        out = np.zeros((g2.shape[0], x.shape[-2] * x.shape[-1]), g.dtype)
        # windows overlap when stride < kernel: add every window's gradient at its max
        np.add.at(out, (np.arange(g2.shape[0])[:, None], idx2), g2)
        return (constant(out.reshape(x.shape)),)


class AvgPool2DBackward0(Node):
    aten = "aten::avg_pool2d"
    saved_names = ("self",)

    @staticmethod
    def forward(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, geometry):
        x = input._data
        out, right, divisor = geometry
        patches = W.windows(W.pad(x, padding, right), kernel_size,
                            geometry_stride(stride, kernel_size), (1, 1), out)
        return (patches.sum(axis=(-2, -1)) / divisor).astype(x.dtype)

    def save(self, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
             divisor_override, geometry):
        self.save_for_backward(input)
        self._saved_kernel_size, self._saved_stride, self._saved_padding = (
            kernel_size, stride, padding)
        self._saved_ceil_mode, self._saved_count_include_pad = ceil_mode, count_include_pad
        self._saved_divisor_override = divisor_override
        self.geometry = geometry

    def backward(self, grad):
        _not_recording(self, grad)
        (input,) = self.saved_tensors
        x, g = input._data, grad._data
        out, right, divisor = self.geometry
        kernel, padding = self._saved_kernel_size, self._saved_padding
        share = (g / divisor).astype(g.dtype)[..., None, None]
        patch_grads = np.broadcast_to(share, share.shape[:-2] + kernel)
        padded = x.shape[:-2] + tuple(n + p + r for n, p, r in zip(x.shape[-2:], padding, right))
        folded = W.fold(patch_grads, padded, kernel, geometry_stride(self._saved_stride, kernel),
                        (1, 1))
        return (constant(np.ascontiguousarray(W.crop(folded, padding, x.shape[-2:]))),)


def geometry_stride(stride, kernel):
    return stride if stride else kernel  # torch saves stride () when it defaults to kernel


def _avg_divisor(n, k, s, p, o, count_include_pad):
    """Per output position along one dimension: the window's length counting padding
    (but not ceil_mode's overhang), or only the input elements it covers."""
    start = np.arange(o) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


class AdaptiveAvgPool2DBackward0(Node):
    aten = "aten::_adaptive_avg_pool2d"
    saved_names = ("self",)

    @staticmethod
    def forward(input, output_size):
        x = input._data
        out = np.empty(x.shape[:-2] + output_size, x.dtype)
        for (i, j), (rows, cols) in _adaptive_bins(x.shape[-2:], output_size):
            out[..., i, j] = x[..., rows, cols].mean(axis=(-2, -1))
        return out

    def save(self, input, output_size):
        self.save_for_backward(input)
        self.output_size = output_size

    def backward(self, grad):
        _not_recording(self, grad)
        (input,) = self.saved_tensors
        g = grad._data
        out = np.zeros(input._data.shape, g.dtype)
        for (i, j), (rows, cols) in _adaptive_bins(out.shape[-2:], self.output_size):
            count = (rows.stop - rows.start) * (cols.stop - cols.start)
            out[..., rows, cols] += (g[..., i, j] / count)[..., None, None]
        return (constant(out),)


def _adaptive_bins(size, output_size):
    """Output (i, j) averages rows floor(i*H/oh) .. ceil((i+1)*H/oh), as torch's kernel."""
    def bins(n, o):
        return [slice(i * n // o, -(-(i + 1) * n // o)) for i in range(o)]
    for i, rows in enumerate(bins(size[0], output_size[0])):
        for j, cols in enumerate(bins(size[1], output_size[1])):
            yield (i, j), (rows, cols)


def _check_pool_input(input):
    if input._data.ndim not in (3, 4) or input._data.size == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")


def _pool_args(kernel_size, stride, padding):
    kernel = W.tuple_of(kernel_size, 2)
    saved_stride = () if stride is None or stride == [] or stride == () else W.tuple_of(stride, 2)
    return kernel, saved_stride, W.tuple_of(padding, 2)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    _check_pool_input(input)
    kernel, saved_stride, padding = _pool_args(kernel_size, stride, padding)
    dilation = W.tuple_of(dilation, 2)
    for k, p, dl in zip(kernel, padding, dilation):
        if p > ((k - 1) * dl + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={dl}")
    indices = Tensor._make(_max_indices(input._data, kernel, geometry_stride(saved_stride, kernel),
                                        padding, dilation, ceil_mode))
    out = MaxPool2DWithIndicesBackward0.apply(
        input, indices=indices, kernel_size=kernel, stride=saved_stride, padding=padding,
        dilation=dilation, ceil_mode=ceil_mode)
    return (out, indices) if return_indices else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    _check_pool_input(input)
    kernel, saved_stride, padding = _pool_args(kernel_size, stride, padding)
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation=1")
    stride = geometry_stride(saved_stride, kernel)
    out, right = _geometry(input._data, kernel, stride, padding, (1, 1), ceil_mode)
    if divisor_override:
        divisor = divisor_override
    else:
        rows, cols = (_avg_divisor(n, k, s, p, o, count_include_pad) for n, k, s, p, o in
                      zip(input._data.shape[-2:], kernel, stride, padding, out))
        divisor = np.outer(rows, cols).astype(input._data.dtype)
    return AvgPool2DBackward0.apply(input, kernel_size=kernel, stride=saved_stride,
                                    padding=padding, ceil_mode=ceil_mode,
                                    count_include_pad=count_include_pad,
                                    divisor_override=divisor_override,
                                    geometry=(out, right, divisor))


def adaptive_avg_pool2d(input, output_size):
    if input._data.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"[{', '.join(map(str, input._data.shape))}]")
    size = tuple(n if o is None else o for n, o in
                 zip(input._data.shape[-2:], W.tuple_of(output_size, 2)))
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)  # torch's shortcut: a MeanBackward1
    return AdaptiveAvgPool2DBackward0.apply(input, output_size=size)


def _as_1d(value, fill):
    """A 1-d pooling argument as the 2-d one over a height of 1."""
    return (fill, W.tuple_of(value, 1)[0])


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    stride = None if stride is None or stride == [] else _as_1d(stride, 1)
    out = max_pool2d(input.unsqueeze(-2), _as_1d(kernel_size, 1), stride,
                     _as_1d(padding, 0), _as_1d(dilation, 1), ceil_mode, return_indices=True)
    values, indices = out[0].squeeze(-2), out[1].squeeze(-2)
    return (values, indices) if return_indices else values


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    stride = None if stride is None or stride == [] else _as_1d(stride, 1)
    return avg_pool2d(input.unsqueeze(-2), _as_1d(kernel_size, 1), stride, _as_1d(padding, 0),
                      ceil_mode, count_include_pad).squeeze(-2)
