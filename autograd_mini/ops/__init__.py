"""The registry: every operation is written once, as a function in one of the
modules here, and becomes both `autograd_mini.<name>` and `Tensor.<name>` from
the tables below (plus the Python operators and the in-place `<name>_` forms)."""
import numpy as np

from ..tensor import Tensor, refuse_writes as _refuse_writes
from . import arithmetic, elementwise, indexing, linalg, reduction, shape
from . import nn_ops, pointwise, random_fill
from . import binary_math, unary_math
from . import logical

# name -> function, each both `autograd_mini.name(x, ...)` and `x.name(...)`
FUNCTIONS = {
    **{n: getattr(arithmetic, n) for n in (
        "add", "sub", "rsub", "mul", "div", "pow", "neg", "reciprocal", "square")},
    **{n: getattr(elementwise, n) for n in (
        "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sign",
        "clamp", "clip", "maximum", "minimum")},
    **{n: getattr(reduction, n) for n in ("sum", "mean", "max", "min", "norm", "argmax", "argmin")},
    **{n: getattr(shape, n) for n in (
        "reshape", "view", "flatten", "t", "transpose", "permute", "squeeze", "unsqueeze",
        "expand", "expand_as", "clone", "to", "view_as", "reshape_as", "ravel", "contiguous",
        "unflatten", "movedim", "diagonal")},
    **{n: getattr(linalg, n) for n in ("matmul", "mm", "mv", "bmm", "dot")},
    **{n: getattr(indexing, n) for n in (
        "select", "narrow", "split", "split_with_sizes", "chunk", "unbind")},
    **{n: getattr(nn_ops, n) for n in ("addmm", "softmax", "log_softmax")},
    **{n: getattr(pointwise, n) for n in ("addcmul", "addcdiv", "lerp")},
    **{n: getattr(unary_math, n) for n in (
        "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin",
        "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "erf", "erfc", "log1p", "expm1",
        "log2", "log10", "rsqrt", "exp2", "floor", "ceil", "round", "trunc", "fix", "frac",
        "sinc", "nan_to_num")},
    **{n: getattr(binary_math, n) for n in (
        "atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "remainder", "fmod",
        "floor_divide", "heaviside", "clamp_min", "clamp_max")},
}
FUNCTIONS["multiply"], FUNCTIONS["divide"], FUNCTIONS["subtract"] = (
    FUNCTIONS["mul"], FUNCTIONS["div"], FUNCTIONS["sub"])
FUNCTIONS["true_divide"] = FUNCTIONS["div"]
FUNCTIONS["swapaxes"] = FUNCTIONS["swapdims"] = FUNCTIONS["transpose"]
FUNCTIONS["moveaxis"] = FUNCTIONS["movedim"]

# Functions that exist only as `autograd_mini.name`.
MODULE_ONLY = {"where": elementwise.where, "cat": shape.cat, "concat": shape.concat,
               "stack": shape.stack}

# Operations that also have an in-place form `x.name_()` (and `autograd_mini.name_(x)`).
INPLACE = ("add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "sin", "cos",
           "tanh", "sigmoid", "relu", "abs", "clamp", "reciprocal", "square",
           "addcmul", "addcdiv", "lerp",
           "tan", "asin", "acos", "atan", "sinh", "cosh", "erf", "erfc", "log1p", "expm1", "log2",
           "log10", "rsqrt", "exp2", "floor", "ceil", "round", "trunc", "fix", "frac", "sinc",
           "nan_to_num", "atan2", "hypot", "xlogy", "remainder", "fmod", "clamp_min", "clamp_max",
           "sign")
# In-place forms that torch records on a node of their own (asinh_ ... floor_divide_).
INPLACE_OWN = {**{n: getattr(unary_math, n) for n in (
    "asinh_", "acosh_", "atanh_", "arcsinh_", "arccosh_", "arctanh_")},
    "floor_divide_": binary_math.floor_divide_, "heaviside_": binary_math.heaviside_}


def _flip(fn):
    def reflected(self, other):
        return fn(other, self)
    return reflected


OPERATORS = {
    "__add__": arithmetic.add, "__radd__": arithmetic.add,
    "__sub__": arithmetic.sub, "__rsub__": arithmetic.rsub,
    "__mul__": arithmetic.mul, "__rmul__": arithmetic.mul,
    "__truediv__": arithmetic.div, "__rtruediv__": arithmetic.rdiv,
    "__pow__": arithmetic.pow, "__rpow__": arithmetic.rpow,
    "__matmul__": linalg.matmul, "__rmatmul__": _flip(linalg.matmul),
    "__floordiv__": binary_math.floor_divide, "__rfloordiv__": binary_math.rfloor_divide,
    "__mod__": binary_math.remainder, "__rmod__": binary_math.rremainder,
    "__neg__": arithmetic.neg, "__abs__": elementwise.abs,
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
    "__lt__": logical.lt, "__le__": logical.le, "__gt__": logical.gt, "__ge__": logical.ge,
    "__eq__": logical.eq, "__ne__": logical.ne,
    "__and__": logical.relation(np.logical_and), "__or__": logical.relation(np.logical_or),
    "__xor__": logical.relation(np.logical_xor),
}


def _invert(self):
    return Tensor._make(~self._data)


def _iter(self):
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self._data.shape[0]))


def _make_inplace(fn, name):
    from ..inplace import apply_inplace

    def method(self, *args, **kwargs):
        return apply_inplace(self, fn, *args, **kwargs)
    method.__name__ = name
    return method


def bind(namespace):
    """Attach every operation to Tensor and to the package namespace."""
    from .. import inplace
    for name, fn in FUNCTIONS.items():
        setattr(Tensor, name, fn)
        namespace[name] = fn
    namespace.update(MODULE_ONLY)
    for name, fn in OPERATORS.items():
        setattr(Tensor, name, fn)
    for name in INPLACE:
        method = _make_inplace(FUNCTIONS[name], name + "_")
        setattr(Tensor, name + "_", method)
        namespace[name + "_"] = method
    for name, method in INPLACE_OWN.items():
        setattr(Tensor, name, method)
        namespace[name] = method
    Tensor.__iadd__, Tensor.__isub__ = Tensor.add_, Tensor.sub_
    Tensor.__imul__, Tensor.__itruediv__ = Tensor.mul_, Tensor.div_
    Tensor.__ifloordiv__, Tensor.__imod__ = Tensor.floor_divide_, Tensor.remainder_
    Tensor.zero_, Tensor.fill_, Tensor.copy_ = inplace.zero_, inplace.fill_, inplace.copy_
    for name in ("uniform_", "normal_", "random_", "bernoulli_", "bernoulli", "exponential_",
                 "cauchy_", "log_normal_", "geometric_", "multinomial"):
        setattr(Tensor, name, getattr(random_fill, name))
    namespace.update(bernoulli=random_fill.bernoulli, normal=random_fill.normal,
                     randint_like=random_fill.randint_like, multinomial=random_fill.multinomial,
                     poisson=random_fill.poisson)
    Tensor.__invert__ = _invert
    Tensor.__iter__ = _iter
    Tensor.T = property(lambda self: self.permute(*reversed(range(self._data.ndim))))
    Tensor.mT = Tensor.mH = property(lambda self: self.transpose(-2, -1))
    Tensor.H = property(lambda self: self.transpose(0, 1) if self._data.ndim == 2 else self.t())
    _refuse_writes(Tensor)  # T, mT, mH, H: read-only, in torch's words
    Tensor.adjoint = lambda self: self.transpose(-2, -1)
    Tensor.float = lambda self: shape.to(self, np.float32)
    Tensor.double = lambda self: shape.to(self, np.float64)
    Tensor.half = lambda self: shape.to(self, np.float16)
    Tensor.long = lambda self: shape.to(self, np.int64)
    Tensor.int = lambda self: shape.to(self, np.int32)
    Tensor.short = lambda self: shape.to(self, np.int16)
    Tensor.char = lambda self: shape.to(self, np.int8)
    Tensor.byte = lambda self: shape.to(self, np.uint8)
    Tensor.bool = lambda self: shape.to(self, np.bool_)
    Tensor.type_as = lambda self, other: shape.to(self, other._data.dtype)
    Tensor.cpu = lambda self: self


# Reductions, scans, sorting, indexing by tensors, rearranging and contractions (issue 12).
from . import combine, contraction, gather_scatter, masked, rearrange  # noqa: E402
from . import _numpy_names, order_statistics, scans, sorting, statistics  # noqa: E402
from . import paired_reductions, splitting  # noqa: E402
FUNCTIONS.update({
    **{n: getattr(statistics, n) for n in (
        "prod", "std", "var", "logsumexp", "amax", "amin", "all", "any", "count_nonzero",
        "nonzero", "argwhere", "nansum", "nanmean")},
    **{n: getattr(order_statistics, n) for n in ("median", "nanmedian", "kthvalue", "mode")},
    **{n: getattr(scans, n) for n in ("cumsum", "cumprod", "logcumsumexp", "cummax", "cummin")},
    **{n: getattr(sorting, n) for n in ("sort", "argsort", "topk", "msort", "unique")},
    **{n: getattr(gather_scatter, n) for n in (
        "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
        "index_fill", "index_copy", "take", "take_along_dim")},
    **{n: getattr(masked, n) for n in ("masked_fill", "masked_select", "masked_scatter")},
    **{n: getattr(rearrange, n) for n in (
        "flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "tile", "diff", "trace",
        "diag", "diagflat", "diag_embed")},
    **{n: getattr(contraction, n) for n in ("outer", "ger", "kron")},
    "aminmax": paired_reductions.aminmax,
    **{n: getattr(splitting, n) for n in (
        "tensor_split", "hsplit", "vsplit", "dsplit", "unsafe_split", "unsafe_split_with_sizes",
        "unsafe_chunk")},
})
MODULE_ONLY.update({"where": masked.where, "tensordot": contraction.tensordot,
                    "einsum": contraction.einsum, **{n: getattr(combine, n) for n in (
                        "block_diag", "vstack", "hstack", "column_stack", "row_stack",
                        "meshgrid", "cartesian_prod", "atleast_1d", "atleast_2d",
                        "atleast_3d", "dstack")},
                    "tril_indices": rearrange.tril_indices,
                    "triu_indices": rearrange.triu_indices, "searchsorted": sorting.searchsorted,
                    "bucketize": sorting.bucketize, "var_mean": paired_reductions.var_mean,
                    "std_mean": paired_reductions.std_mean})
Tensor.where = masked.tensor_where
_TAKE_AXIS = ("prod", "std", "var", "logsumexp", "amax", "amin", "median", "kthvalue", "mode",
              "all", "any", "count_nonzero", "cumsum", "cumprod", "cummax", "cummin", "sort",
              "argsort", "topk", "gather", "scatter", "scatter_add", "index_select",
              "index_add", "diff", "nansum", "nanmean", "nanmedian", "logcumsumexp",
              "index_fill", "index_copy", "take_along_dim", "scatter_reduce")
FUNCTIONS.update({n: _numpy_names.numpy_names(FUNCTIONS[n]) for n in _TAKE_AXIS})
Tensor.repeat, Tensor.unfold = rearrange.repeat, rearrange.unfold  # methods only, as in torch
for _name in ("masked_fill", "scatter", "scatter_add", "scatter_reduce", "index_add",
              "index_fill", "index_copy", "masked_scatter"):
    setattr(Tensor, _name + "_", _make_inplace(FUNCTIONS[_name], _name + "_"))

# Tests of values and logical operations (booleans, never recorded): eq, isnan, ...
FUNCTIONS.update(logical.NAMES)

# Convolution and pooling (module-level only, as in torch: no Tensor methods).
from . import convolution, pooling  # noqa: E402
MODULE_ONLY.update({"conv1d": convolution.conv1d, "conv2d": convolution.conv2d,
                    "max_pool1d": pooling.max_pool1d, "max_pool2d": pooling.max_pool2d,
                    "avg_pool1d": pooling.avg_pool1d})

# Broadcasting, repeating and counting utilities (utility.py); sum_to_size is a method only.
from . import cov, quantile, renorm, utility  # noqa: E402
FUNCTIONS.update({**utility.FUNCTIONS, **quantile.FUNCTIONS, **cov.FUNCTIONS, **renorm.FUNCTIONS})
MODULE_ONLY.update(utility.MODULE_ONLY)
Tensor.sum_to_size, Tensor.fill_diagonal_ = utility.sum_to_size, utility.fill_diagonal_
Tensor.renorm_ = _make_inplace(renorm.renorm, "renorm_")
Tensor.put_ = _make_inplace(utility.put, "put_")
Tensor.index_put_ = _make_inplace(utility.index_put, "index_put_")

# Special functions (lgamma, digamma, erfinv, ...) and more linear algebra (det, inverse, ...).
from . import linalg_more, special_math  # noqa: E402
FUNCTIONS.update({**special_math.FUNCTIONS, **linalg_more.FUNCTIONS})
MODULE_ONLY.update(linalg_more.MODULE_ONLY)  # cdist, chain_matmul: no Tensor methods in torch
