"""Linear algebra beyond the matrix products: det, inverse, slogdet / logdet, cross,
inner, vdot, dist, cdist, chain_matmul, baddbmm, matrix_power. Backwards are torch's
formulas (derivatives.yaml) on tensors, so they can be differentiated again; det and
slogdet go through the inverse, so their gradient needs an invertible matrix."""
import collections
import math

import numpy as np

from .. import _cpp_warnings
from ..node import Node
from ._util import binary, constant, input_shapes, unbroadcast, wrap_dim
from .elementwise import where
from .linalg import DotBackward0, mm
from .paired_reductions import _Paired, _results


def _square(data, name):
    if data.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if data.shape[-1] != data.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{data.shape[-2]} by {data.shape[-1]} matrices")


def _zero_pivot(matrix):
    """The 1-based index of LU's first zero pivot (partial pivoting), as torch names it."""
    u = matrix.astype(np.float64).copy()
    for k in range(u.shape[0]):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:] -= np.outer(u[k + 1:, k] / u[k, k], u[k])
    return u.shape[0]


def _cofactor_direction(a, grad):
    """d logabsdet / dA = A^-T, times grad with two new trailing dimensions."""
    return grad.unsqueeze(-1).unsqueeze(-1) * a.inverse().mT


class LinalgDetBackward0(Node):
    aten = "aten::linalg_det"
    saved_names = ("A",)
    saves_result = True

    @staticmethod
    def forward(a):
        _square(a._data, "det")
        return np.asarray(np.linalg.det(a._data))

    def save(self, a):
        self.save_for_backward(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        det = self.saved_output
        singular = det._data == 0
        if np.any(singular):  # torch's gradient there is 0 (det times anything): an
            # identity stands in for the singular matrices, so the inverse exists
            eye = np.broadcast_to(np.eye(a._data.shape[-1], dtype=a._data.dtype), a._data.shape)
            a = where(constant(singular[..., None, None]), constant(eye), a)
        return (_cofactor_direction(a, grad * det),)


class LinalgInvExBackward0(Node):
    aten = "aten::linalg_inv_ex"
    saves_result = True

    @staticmethod
    def forward(a):
        data = a._data
        _square(data, "inv")
        try:
            return np.linalg.inv(data)
        except np.linalg.LinAlgError:
            flat = data.reshape((-1,) + data.shape[-2:])
            for i, m in enumerate(flat):
                if np.linalg.matrix_rank(m) < m.shape[0] or np.linalg.det(m) == 0:
                    where_ = f"(Batch element {i}): " if data.ndim > 2 else ""
                    raise RuntimeError(
                        f"linalg.inv: {where_}The diagonal element {_zero_pivot(m)} is zero, "
                        "the inversion could not be completed because the input matrix is "
                        "singular.") from None
            raise

    def backward(self, grad):
        inv_t = self.saved_output.mT
        return (-inv_t.matmul(grad).matmul(inv_t),)


class LinalgSlogdetBackward0(_Paired):
    """(sign, logabsdet) on one node; only logabsdet carries a gradient (sign is a step)."""
    aten = "aten::linalg_slogdet"
    saved_names = ("A",)

    def part(self, grad, nr):
        (a,) = self.saved_tensors
        if nr == 0:
            return constant(np.zeros_like(a._data))
        return _cofactor_direction(a, grad)


def _slogdet_type(name):
    """torch.return_types.slogdet / linalg_slogdet: (sign, logabsdet), printed like torch's."""
    def __repr__(self):
        return (f"autograd_mini.return_types.{name}(\nsign={self.sign!r},\n"
                f"logabsdet={self.logabsdet!r})")
    base = collections.namedtuple(name, ["sign", "logabsdet"])
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


slogdet_return, linalg_slogdet_return = _slogdet_type("slogdet"), _slogdet_type("linalg_slogdet")


class LinalgCrossBackward0(Node):
    aten = "aten::linalg_cross"
    saved_names = ("self", "other")

    @staticmethod
    def forward(a, b, dim):
        return binary(lambda x, y: np.cross(x, y, axis=dim), a, b)

    def save(self, a, b, dim):
        self.save_for_backward(a, b)
        self.shapes, self._saved_dim = input_shapes(a, b), dim

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        shape_a, shape_b = self.shapes
        dim = self._saved_dim
        return (unbroadcast(cross(b, grad, dim=dim), shape_a) if need_a else None,
                unbroadcast(cross(grad, a, dim=dim), shape_b) if need_b else None)


class VdotBackward0(DotBackward0):
    """vdot conjugates its first operand: for real tensors, dot on a node of its own."""
    aten = "aten::vdot"


def _norm_direction(diff, result, p, grad):
    """d ||diff||_p / d diff, times grad, 0 where the norm is 0 (torch's norm_backward)."""
    zero = constant(result._data == 0)
    if p == 0:
        return diff * 0
    if p == math.inf:
        hits = constant((np.abs(diff._data) == result._data).astype(diff._data.dtype))
        return grad * diff.sign() * hits / hits.sum()
    if p == 1:
        return grad * diff.sign()
    if p == 2:
        return grad * diff / where(zero, 1.0, result) * constant(~zero._data)
    scaled = diff * diff.abs() ** (p - 2) / where(zero, 1.0, result) ** (p - 1)
    return where(zero, 0.0, grad * scaled)


def _pnorm(diff, p, axis=None):
    absd = np.abs(diff)
    if p == math.inf:
        return absd.max(axis=axis, initial=0)
    if p == 0:
        return (absd != 0).sum(axis=axis).astype(diff.dtype)
    return np.power(np.power(absd, p).sum(axis=axis), 1 / p)


class DistBackward0(Node):
    aten = "aten::dist"
    saved_names = ("self", "other")
    saves_result = True

    @staticmethod
    def forward(a, b, p):
        return np.asarray(_pnorm(binary(np.subtract, a, b), p), dtype=a._data.dtype)

    def save(self, a, b, p):
        self.save_for_backward(a, b)
        self.shapes, self._saved_p = input_shapes(a, b), p

    def backward(self, grad):
        a, b = self.saved_tensors
        shape_a, shape_b = self.shapes
        g = _norm_direction(a - b, self.saved_output, self._saved_p, grad)
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, shape_a) if need_a else None,
                unbroadcast(-g, shape_b) if need_b else None)


class CdistBackward0(Node):
    """Distances between the rows of x1 (.., P, M) and of x2 (.., R, M), computed
    directly (torch switches to a matrix-product formula for p=2 past 25 rows)."""
    aten = "aten::_cdist_forward"
    saved_names = ("x1", "x2")
    saves_result = True

    @staticmethod
    def forward(x1, x2, p):
        a, b = x1._data, x2._data
        if a.shape[-1] != b.shape[-1]:
            raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                               f"{a.shape[-1]} X2: {b.shape[-1]}")
        return np.asarray(_pnorm(a[..., :, None, :] - b[..., None, :, :], p, axis=-1),
                          dtype=a.dtype)

    def save(self, x1, x2, p):
        self.save_for_backward(x1, x2)
        self._saved_p = p

    def backward(self, grad):
        x1, x2 = self.saved_tensors
        result, p = self.saved_output, self._saved_p
        need_1, need_2 = self.needs_input_grad
        return (CdistBackwardBackward0.apply(grad, x1, x2, result, p=p) if need_1 else None,
                CdistBackwardBackward0.apply(grad.mT, x2, x1, result.mT, p=p) if need_2 else None)


class CdistBackwardBackward0(Node):
    """torch's _cdist_backward: x1's gradient (x2's is the same with the roles swapped),
    computed on arrays; torch has no derivative for it, nor does this engine."""
    aten = "aten::_cdist_backward"

    @staticmethod
    def forward(grad, x1, x2, result, p):
        diff = constant(x1._data[..., :, None, :] - x2._data[..., None, :, :])
        res, g = constant(result._data[..., None]), constant(grad._data[..., None])
        if p == math.inf:  # per pair: the largest coordinates share the gradient
            hits = (np.abs(diff._data) == res._data).astype(diff._data.dtype)
            out = g._data * np.sign(diff._data) * hits / hits.sum(-1, keepdims=True)
        else:
            out = _norm_direction(diff, res, p, g)._data
        return out.sum(-2)

    def backward(self, grad):
        raise RuntimeError("the derivative for '_cdist_backward' is not implemented.")


class BaddbmmBackward0(Node):
    aten = "aten::baddbmm"
    saved_names = ("batch1", "batch2")

    @staticmethod
    def forward(a, b1, b2, beta, alpha):
        prod = np.matmul(b1._data, b2._data)
        shape, own = prod.shape, a._data.shape
        try:
            base = np.broadcast_to(a._data, shape)
        except ValueError:
            dim = next(i for i in range(1, len(own) + 1) if own[-i] not in (1, shape[-i]))
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[-dim]}) must match the existing size "
                f"({own[-dim]}) at non-singleton dimension {len(shape) - dim}.  Target sizes: "
                f"{list(shape)}.  Tensor sizes: {list(own)}") from None
        scaled = prod if alpha == 1 else prod * alpha
        return scaled if beta == 0 else base * beta + scaled if beta != 1 else base + scaled

    def save(self, a, b1, b2, beta, alpha):
        self.save_for_backward(b1, b2)
        self._shape, self._saved_beta, self._saved_alpha = a._data.shape, beta, alpha

    def backward(self, grad):
        b1, b2 = self.saved_tensors
        beta, alpha = self._saved_beta, self._saved_alpha
        need_a, need_1, need_2 = self.needs_input_grad
        return (unbroadcast(grad if beta == 1 else grad * beta, self._shape) if need_a else None,
                grad.bmm(b2.transpose(1, 2)) * alpha if need_1 else None,
                b1.transpose(1, 2).bmm(grad) * alpha if need_2 else None)


# -- the functions users call -------------------------------------------------

def det(input):
    return LinalgDetBackward0.apply(input)


def inverse(input):
    return LinalgInvExBackward0.apply(input)


def slogdet(input, *, _type=slogdet_return):
    data = input._data
    _square(data, "slogdet")
    sign, logabsdet = np.linalg.slogdet(data)
    return _results(LinalgSlogdetBackward0, _type, input,
                    (np.asarray(sign, data.dtype), np.asarray(logabsdet, data.dtype)), {})


def linalg_slogdet(A):
    return slogdet(A, _type=linalg_slogdet_return)


def logdet(input):
    sign, logabsdet = slogdet(input)
    return where(constant(sign._data == -1), math.nan, logabsdet)


def _cross_dim(a, b):
    """torch.cross without dim: the first dimension of size 3, with torch's warning."""
    _cpp_warnings.warn_once(
        "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
        "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
        "change to agree with that of linalg.cross in a future release.",
        "aten/src/ATen/native/Cross.cpp:63", stacklevel=3)
    shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    return next((i for i, n in enumerate(shape) if n == 3), -1)


def cross(input, other, dim=None):
    from ._util import as_tensor
    other = as_tensor(other, input)
    if dim is None:
        dim = _cross_dim(input, other)
    nd = max(input._data.ndim, other._data.ndim)
    dim = wrap_dim(dim, nd)
    sa = input._data.shape[dim - nd + input._data.ndim] if input._data.ndim else 1
    sb = other._data.shape[dim - nd + other._data.ndim] if other._data.ndim else 1
    if sa != 3 or sb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. "
                           f"Got {sa} and {sb}")
    return LinalgCrossBackward0.apply(input, other, dim=dim - nd)


def linalg_cross(input, other, *, dim=-1):
    return cross(input, other, dim=dim)


def inner(input, other):
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        return input * other
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a.shape)} and {list(b.shape)}")
    from .contraction import tensordot
    return tensordot(input, other, ([-1], [-1]))


def vdot(input, other):
    return VdotBackward0.apply(input, other)


def dist(input, other, p=2):
    from ._util import as_tensor
    return DistBackward0.apply(input, as_tensor(other, input), p=float(p))


def cdist(x1, x2, p=2.0, compute_mode=None):
    return CdistBackward0.apply(x1, x2, p=float(p))


def _chain(tensors, order, i, j):
    if i == j:
        return tensors[i]
    k = order[i][j]
    return mm(_chain(tensors, order, i, k), _chain(tensors, order, k + 1, j))


def multi_dot(tensors):
    """torch's multi_dot for matrices: the cheapest order of products (dynamic
    programming), then a view to the result's shape, as torch records it."""
    for i in range(len(tensors) - 1):
        sa, sb = tensors[i]._data.shape, tensors[i + 1]._data.shape
        if sa[-1] != sb[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(sa)} "
                               f"and {list(sb)} cannot be multiplied")
    n = len(tensors)
    if n == 2:
        out = mm(tensors[0], tensors[1])
    elif n == 3:
        a, b = tensors[0]._data.shape
        c, d = tensors[2]._data.shape
        A, B, C = tensors
        out = mm(A, mm(B, C)) if (a * c) * (b + d) > (b * d) * (a + c) else mm(mm(A, B), C)
    else:
        dims = [t._data.shape[0] for t in tensors] + [tensors[-1]._data.shape[1]]
        cost = [[0] * n for _ in range(n)]
        order = [[0] * n for _ in range(n)]
        for length in range(1, n):
            for i in range(n - length):
                j = i + length
                cost[i][j] = None
                for k in range(i, j):
                    c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                    if cost[i][j] is None or c < cost[i][j]:
                        cost[i][j], order[i][j] = c, k
        out = _chain(tensors, order, 0, n - 1)
    return out.view(out._data.shape)


def chain_matmul(*matrices):
    _cpp_warnings.warn_once(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
        "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather "
        "than multiple parameters.", "aten/src/ATen/native/LinearAlgebra.cpp:1102",
        stacklevel=2)
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return BaddbmmBackward0.apply(input, batch1, batch2, beta=beta, alpha=alpha)


def matrix_power(input, n):
    """torch's steps: the inverse for n < 0, then products by repeated squaring."""
    data = input._data
    if data.ndim < 2 or data.shape[-1] != data.shape[-2]:
        _square(data, "matrix_power")
    if n == 0:
        out = input.clone()
        return out.copy_(constant(np.broadcast_to(np.eye(data.shape[-1], dtype=data.dtype),
                                                  data.shape)))
    a = input.inverse() if n < 0 else input
    if n == 1:
        return a.clone()
    n = abs(n)
    if n == 1:
        return a
    if n == 2:
        return a.matmul(a)
    if n == 3:
        return a.matmul(a).matmul(a)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else z.matmul(z)
        if bit:
            result = z if result is None else result.matmul(z)
    return result


FUNCTIONS = {n: globals()[n] for n in (
    "det", "inverse", "slogdet", "logdet", "cross", "inner", "vdot", "dist", "baddbmm",
    "matrix_power")}
MODULE_ONLY = {"cdist": cdist, "chain_matmul": chain_matmul}
