"""Matrix products. `matmul` picks torch's node for each shape combination:
dot (1-D @ 1-D), mv (2-D @ 1-D), mm (2-D @ 2-D), and for batches the same
reshape-to-2-D or bmm route torch takes, so the recorded graphs match."""
import numpy as np

from ..node import Node


def _check_mm(a, b):
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        return RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[-2] if a.ndim > 1 else 1}x"
            f"{a.shape[-1]} and {b.shape[-2] if b.ndim > 1 else b.shape[0]}x{b.shape[-1]})")
    return None


class DotBackward0(Node):
    aten = "aten::dot"
    saved_names = ("self", "tensor")

    @staticmethod
    def forward(a, b):
        if a._data.shape != b._data.shape:
            raise RuntimeError("inconsistent tensor size, expected tensor [%d] and src [%d] to "
                               "have the same number of elements, but got %d and %d elements "
                               "respectively" % (a._data.size, b._data.size, a._data.size, b._data.size))
        return np.asarray(np.dot(a._data, b._data))

    def save(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad * b if b is not None else None, grad * a if a is not None else None)


class MvBackward0(Node):
    aten = "aten::mv"
    saved_names = ("self", "vec")

    @staticmethod
    def forward(m, v):
        if m._data.shape[1] != v._data.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({m._data.shape[0]}), mat "
                               f"({m._data.shape[0]}x{m._data.shape[1]}), vec ({v._data.shape[0]})")
        return m._data @ v._data

    def save(self, m, v):
        need_m, need_v = self.needs_input_grad
        self.save_for_backward(m if need_v else None, v if need_m else None)

    def backward(self, grad):
        m, v = self.saved_tensors
        return (grad.unsqueeze(1) * v if v is not None else None,   # outer(grad, v)
                m.t().mv(grad) if m is not None else None)


class MmBackward0(Node):
    aten = "aten::mm"
    saved_names = ("self", "mat2")

    @staticmethod
    def forward(a, b):
        err = _check_mm(a._data, b._data)
        if err:
            raise err
        return a._data @ b._data

    def save(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad.mm(b.t()) if b is not None else None,
                a.t().mm(grad) if a is not None else None)


class BmmBackward0(Node):
    aten = "aten::bmm"
    saved_names = ("self", "mat2")

    @staticmethod
    def forward(a, b):
        return np.matmul(a._data, b._data)

    def save(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad.bmm(b.transpose(1, 2)) if b is not None else None,
                a.transpose(1, 2).bmm(grad) if a is not None else None)


# -- the functions users call -------------------------------------------------

def dot(input, other):
    return DotBackward0.apply(input, other)


def mv(input, vec):
    return MvBackward0.apply(input, vec)


def mm(input, mat2):
    return MmBackward0.apply(input, mat2)


def bmm(input, mat2):
    return BmmBackward0.apply(input, mat2)


def matmul(input, other):
    from .shape import SqueezeBackward4, UnsafeViewBackward0
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.ndim == 1 and b.ndim == 1:
        return dot(input, other)
    if a.ndim == 2 and b.ndim == 1:
        return mv(input, other)
    if a.ndim == 1 and b.ndim == 2:
        return SqueezeBackward4.apply(mm(input.unsqueeze(0), other), dim=0)
    if a.ndim == 2 and b.ndim == 2:
        return mm(input, other)
    if b.ndim <= 2:
        # Fold the batch into rows: (..., n, k) -> (B*n, k), one mm or mv, unfold.
        err = _check_mm(a, b)
        if err:
            raise err
        rows = input.reshape(-1, a.shape[-1])
        out = mm(rows, other) if b.ndim == 2 else mv(rows, other)
        shape = a.shape[:-1] + ((b.shape[-1],) if b.ndim == 2 else ())
        return UnsafeViewBackward0.apply(out, shape=shape)
    # Both batched: broadcast the batch dimensions, then one bmm.
    a2 = input.unsqueeze(0) if a.ndim == 1 else input
    batch = np.broadcast_shapes(a2._data.shape[:-2], b.shape[:-2])
    n, k, m = a2._data.shape[-2], a2._data.shape[-1], b.shape[-1]
    if b.shape[-2] != k:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{int(np.prod(batch))}, {k}] but got: [{int(np.prod(batch))}, {b.shape[-2]}].")
    lhs = a2.expand(*batch, n, k).reshape(-1, n, k)
    rhs = other.expand(*batch, k, m).reshape(-1, k, m)
    out = UnsafeViewBackward0.apply(bmm(lhs, rhs), shape=batch + (n, m))
    return out.squeeze(-2) if a.ndim == 1 else out
