"""torch.linalg: the same functions as autograd_mini.det, inverse, slogdet, cross, under
torch.linalg's names, plus vector_norm, matrix_norm and norm (on torch's
LinalgVectorNormBackward0). Matrix norms that need an SVD (2, -2, 'nuc') are not here."""
from .ops import linalg_more as _more
from .ops.reduction import LinalgVectorNormBackward0 as _VectorNorm

det, inv, slogdet, multi_dot = _more.det, _more.inverse, _more.linalg_slogdet, _more.multi_dot
cross = _more.linalg_cross


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    return _VectorNorm.apply(x, ord=ord, dim=dim, keepdim=keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """'fro' is the vector 2-norm of the matrix; 1 / -1 (inf / -inf) are the largest /
    smallest column (row) sums of |A|, as torch computes them: a vector norm, then amax."""
    if dtype is not None:
        A = A.to(dtype)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in (1, -1, float("inf"), float("-inf")):
        nd = A._data.ndim
        first, second = (d % nd for d in (dim if ord in (1, -1) else dim[::-1]))
        sums = vector_norm(A, 1, (first,), keepdim)
        if not keepdim and first < second:
            second -= 1  # the summed dimension is gone
        return (sums.amax if ord > 0 else sums.amin)(second, keepdim=keepdim)
    raise NotImplementedError(f"autograd_mini.linalg.matrix_norm: ord={ord!r} needs an SVD, "
                              "which this engine does not have")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """ord None: the 2-norm of all elements (or along dim); otherwise a vector norm for
    1-D input or an int dim, a matrix norm for 2-D input or a pair of dims."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if (dim is not None and len(dim) == 2) or (dim is None and A._data.ndim == 2):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)
