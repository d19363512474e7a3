"""Sliding windows over the last spatial dimensions: what convolution and pooling share.

`windows` shows every kernel-sized patch of an (already padded) array as a view, without
copying (im2col as a strided view); `fold` is its backward, adding each patch's gradient
back where the patch came from. Both work for any number of spatial dimensions."""
import numpy as np


def out_size(size, kernel, stride, padding, dilation, ceil_mode=False):
    """Output length along one dimension, as torch computes it (pooling's ceil_mode
    included: the last window must start inside the input or its left padding)."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    n = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (n - 1) * stride >= size + padding:
        n -= 1
    return n


def pad(x, before, after, value=0):
    """Pad the last len(before) dimensions of x with `value`."""
    lead = [(0, 0)] * (x.ndim - len(before))
    return np.pad(x, lead + list(zip(before, after)), constant_values=value)


def windows(x, kernel, stride, dilation, out):
    """The patches of x (..., *spatial) as a view of shape (..., *out, *kernel): patch
    o holds x[o*stride + k*dilation] for each kernel offset k."""
    d = len(kernel)
    axes = tuple(range(x.ndim - d, x.ndim))
    span = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    view = np.lib.stride_tricks.sliding_window_view(x, span, axis=axes)
    lead = (slice(None),) * (x.ndim - d)
    starts = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out, stride))
    taps = tuple(slice(None, None, dl) for dl in dilation)
    return view[lead + starts + taps]


def fold(patch_grads, shape, kernel, stride, dilation):
    """The backward of `windows`: patch_grads (..., *out, *kernel) summed into an array
    of `shape` (..., *spatial). One strided add per kernel offset (few: 25 for a 5x5)."""
    d = len(kernel)
    out = patch_grads.shape[-2 * d:-d]
    grad = np.zeros(shape, patch_grads.dtype)
    lead = (slice(None),) * (len(shape) - d)
    for offset in np.ndindex(*kernel):
        target = tuple(slice(k * dl, k * dl + (o - 1) * s + 1, s)
                       for k, dl, o, s in zip(offset, dilation, out, stride))
        grad[lead + target] += patch_grads[(Ellipsis,) + offset]
    return grad


def crop(x, before, sizes):
    """x's last dimensions from `before` on, `sizes` long: undoes `pad`."""
    return x[(Ellipsis,) + tuple(slice(b, b + n) for b, n in zip(before, sizes))]


def tuple_of(value, n):
    """An int or a sequence as an n-tuple (torch's _pair / _single)."""
    if isinstance(value, (tuple, list)):
        return tuple(value) if len(value) != 1 else tuple(value) * n
    return (value,) * n
