"""gradcheck (and gradgradcheck) on every operation of the engine.

The cases are keyed by the operation's name; `test_every_operation_has_a_case` reads
the names from the engine's registry (`autograd_mini.ops`), so an operation added
later without a case here fails that test. Inputs are float64 and chosen away from
the points where an operation has a kink (relu and abs at 0, clamp at its bounds,
ties for max/min/maximum), where finite differences and the backward legitimately
disagree.
"""
import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import ops
from autograd_mini.autograd import gradcheck, gradgradcheck

_rng = np.random.default_rng(12)


def _signed(*shape):
    """Magnitudes in [0.3, 1.2] with random signs: no zeros."""
    return _rng.uniform(0.3, 1.2, shape) * _rng.choice([-1.0, 1.0], shape)


def _positive(*shape):
    return _rng.uniform(0.5, 2.0, shape)


def _distinct(*shape):
    """Well-separated values (no ties for max/min/argmax), in a shuffled order."""
    n = int(np.prod(shape))
    return (_rng.permutation(n) * 0.37 - 0.9).reshape(shape)


_A, _B = _signed(2, 3), _signed(2, 3)
# Pairs for maximum/minimum: never equal, always at least 0.2 apart.
_GAP = _A + _rng.choice([-1.0, 1.0], (2, 3)) * _rng.uniform(0.2, 0.6, (2, 3))
_CLAMPED = np.array([[-1.3, -0.2, 0.4], [0.9, -0.7, 1.6]])  # bounds -0.5, 0.5: in and out
_MASK = np.array([[True, False, True], [False, False, True]])


def _setitem(x, v):
    y = x.clone()
    y[0, 1:] = v
    return y


# name -> list of (function, input arrays, extra gradcheck arguments)
CASES = {
    "add": [(lambda a, b: am.add(a, b, alpha=2.0), [_A, _B], {}),
            (lambda a, b: a + b, [_A, _signed(3)], {})],
    "sub": [(lambda a, b: am.sub(a, b, alpha=0.5), [_A, _signed(1, 3)], {})],
    "rsub": [(lambda a: am.rsub(a, 2.0), [_A], {}), (lambda a, b: am.rsub(a, b), [_A, _B], {})],
    "mul": [(lambda a, b: a * b, [_A, _signed(2, 1)], {}), (lambda a: 3.0 * a, [_A], {})],
    "div": [(lambda a, b: a / b, [_A, _signed(3)], {}), (lambda a: 2.0 / a, [_A], {})],
    "pow": [(lambda a: a ** 3, [_A], {}), (lambda a, b: a ** b, [_positive(2, 3), _B], {}),
            (lambda a: 2.0 ** a, [_A], {}), (lambda a: a.pow(0), [_A], {})],
    "neg": [(lambda a: -a, [_A], {})],
    "reciprocal": [(am.reciprocal, [_A], {})],
    "square": [(am.square, [_A], {})],
    "exp": [(am.exp, [_A], {})],
    "log": [(am.log, [_positive(2, 3)], {})],
    "sqrt": [(am.sqrt, [_positive(2, 3)], {})],
    "sin": [(am.sin, [_A], {})],
    "cos": [(am.cos, [_A], {})],
    "tanh": [(am.tanh, [_A], {})],
    "sigmoid": [(am.sigmoid, [_A], {})],
    "relu": [(am.relu, [_A], {})],
    "abs": [(am.abs, [_A], {})],
    "sign": [(am.sign, [_A], {})],
    "clamp": [(lambda a: am.clamp(a, -0.5, 0.5), [_CLAMPED], {}),
              (lambda a: a.clamp(min=0.0), [_CLAMPED], {}),
              (lambda a, lo, hi: am.clamp(a, lo, hi),
               [_CLAMPED, np.full((2, 3), -0.5), np.full((1, 3), 0.5)], {})],
    "clip": [(lambda a: am.clip(a, max=0.5), [_CLAMPED], {})],
    "maximum": [(am.maximum, [_A, _GAP], {})],
    "minimum": [(am.minimum, [_A, _GAP], {})],
    "sum": [(am.sum, [_A], {}), (lambda a: a.sum(1, keepdim=True), [_A], {}),
            (lambda a: a.sum((0, 1)), [_A], {})],
    "mean": [(am.mean, [_A], {}), (lambda a: a.mean(0), [_A], {})],
    "max": [(am.max, [_distinct(2, 3)], {}), (lambda a: a.max(1), [_distinct(2, 3)], {}),
            (lambda a: a.max(0, keepdim=True).values, [_distinct(2, 3)], {}),
            (lambda a, b: am.max(a, b), [_A, _GAP], {})],
    "min": [(am.min, [_distinct(2, 3)], {}), (lambda a: a.min(1).values, [_distinct(2, 3)], {})],
    "norm": [(am.norm, [_A], {}), (lambda a: a.norm(1), [_A], {}),
             (lambda a: a.norm(3, dim=1), [_A], {}),
             (lambda a: a.norm(float("inf")), [_distinct(2, 3)], {}),
             (lambda a: a.norm(dim=0, keepdim=True), [_A], {})],
    "argmax": [(lambda a: a.argmax(), [_distinct(2, 3)], {}),
               (lambda a: a.argmax(1), [_distinct(2, 3)], {})],
    "argmin": [(lambda a: a.argmin(0), [_distinct(2, 3)], {})],
    "reshape": [(lambda a: a.reshape(3, 2), [_A], {}), (lambda a: a.reshape(-1), [_A], {})],
    "view": [(lambda a: a.view(6), [_A], {})],
    "flatten": [(am.flatten, [_signed(2, 1, 3)], {})],
    "t": [(am.t, [_A], {})],
    "transpose": [(lambda a: a.transpose(0, 2), [_signed(2, 3, 2)], {})],
    "permute": [(lambda a: a.permute(2, 0, 1), [_signed(2, 3, 2)], {})],
    "squeeze": [(am.squeeze, [_signed(2, 1, 3)], {}),
                (lambda a: a.squeeze(1), [_signed(2, 1, 3)], {})],
    "unsqueeze": [(lambda a: a.unsqueeze(-1), [_A], {})],
    "expand": [(lambda a: a.expand(2, 3, 4), [_signed(3, 1)], {})],
    "expand_as": [(lambda a: a.expand_as(am.zeros(2, 3)), [_signed(3)], {})],
    "clone": [(am.clone, [_A], {})],
    # float32 in the middle: a coarser step keeps the rounding error below the tolerance.
    "to": [(lambda a: a.to(am.float32).to(am.float64), [_A], {"eps": 1e-3, "atol": 1e-4}),
           (lambda a: a.to(am.float64), [_A], {})],
    "matmul": [(am.matmul, [_signed(3), _signed(3)], {}), (am.matmul, [_A, _signed(3)], {}),
               (am.matmul, [_signed(2), _A], {}), (am.matmul, [_A, _signed(3, 2)], {}),
               (am.matmul, [_signed(2, 2, 3), _signed(3, 2)], {}),
               (am.matmul, [_signed(2, 2, 3), _signed(1, 3, 2)], {}),
               (lambda a, b: a @ b, [_signed(3), _signed(2, 3, 2)], {})],
    "mm": [(am.mm, [_A, _signed(3, 2)], {})],
    "mv": [(am.mv, [_A, _signed(3)], {})],
    "bmm": [(am.bmm, [_signed(2, 2, 3), _signed(2, 3, 2)], {})],
    "dot": [(am.dot, [_signed(3), _signed(3)], {})],
    "select": [(lambda a: a.select(1, 2), [_A], {}), (lambda a: a[1], [_A], {}),
               (lambda a: a[-1, 0], [_A], {})],
    "narrow": [(lambda a: a.narrow(1, 1, 2), [_A], {}), (lambda a: a[:, ::2], [_A], {}),
               (lambda a: a[None, 1:], [_A], {})],
    "multiply": [(am.multiply, [_A, _B], {})],
    "divide": [(am.divide, [_A, _B], {})],
    "subtract": [(am.subtract, [_A, _B], {})],
    "true_divide": [(am.true_divide, [_A, _B], {})],
    "where": [(lambda a, b: am.where(am.tensor(_MASK), a, b), [_A, _signed(3)], {})],
    "cat": [(lambda a, b: am.cat([a, b], dim=1), [_A, _signed(2, 1)], {})],
    "concat": [(lambda a, b: am.concat([a, b]), [_A, _B], {})],
    "stack": [(lambda a, b: am.stack([a, b], dim=1), [_A, _B], {})],
    # The rest of the view family (views.py); split/chunk/unbind have several outputs.
    "view_as": [(lambda a: a.view_as(am.zeros(3, 2)), [_A], {})],
    "reshape_as": [(lambda a: a.t().reshape_as(am.zeros(6)), [_A], {})],
    "ravel": [(lambda a: a.t().ravel(), [_A], {})],
    "contiguous": [(lambda a: a.t().contiguous(), [_A], {})],
    "unflatten": [(lambda a: a.unflatten(1, (3, 1)), [_A], {})],
    "movedim": [(lambda a: a.movedim(0, -1), [_signed(2, 3, 2)], {})],
    "moveaxis": [(lambda a: am.moveaxis(a, (0, 1), (2, 0)), [_signed(2, 3, 2)], {})],
    "swapaxes": [(lambda a: a.swapaxes(0, 1), [_A], {})],
    "swapdims": [(lambda a: am.swapdims(a, 1, 0), [_A], {})],
    "diagonal": [(lambda a: a.diagonal(1), [_signed(3, 3)], {}),
                 (lambda a: am.diagonal(a, 0, 1, 2), [_signed(2, 3, 3)], {})],
    "split": [(lambda a: am.cat(a.split([1, 2], 1)[::-1], 1), [_A], {}),
              (lambda a: a.split(2, 1)[1] * a.split(2, 1)[0][:, :1], [_A], {})],
    "chunk": [(lambda a: am.cat(a.chunk(2, 1)[::-1], 1), [_A], {})],
    "split_with_sizes": [(lambda a: am.cat(a.split_with_sizes([1, 2], 1)[::-1], 1), [_A], {})],
    "unsafe_split": [(lambda a: am.cat(a.unsafe_split(2, 1)[::-1], 1), [_A], {})],
    "unsafe_split_with_sizes": [
        (lambda a: am.cat(am.unsafe_split_with_sizes(a, [2, 1], 1)[::-1], 1), [_A], {})],
    "unsafe_chunk": [(lambda a: am.cat(a.unsafe_chunk(2, 1)[::-1], 1), [_A], {})],
    "unbind": [(lambda a: am.stack(a.unbind(1)[::-1], 0), [_A], {})],
    # Indexing with lists, tensors and masks; writing into a tensor in the graph.
    "getitem": [(lambda a: a[[1, 0, 1]], [_A], {}), (lambda a: a[am.tensor(_MASK)], [_A], {})],
    "setitem": [(_setitem, [_A, _signed(2)], {})],
    # nn and optim: a Linear layer's addmm, softmaxes, the optimizers' fused updates.
    "addmm": [(am.addmm, [_signed(2), _A, _signed(3, 2)], {}),
              (lambda b, x, w: am.addmm(b, x, w, beta=0.5, alpha=2.0),
               [_signed(2, 2), _A, _signed(3, 2)], {})],
    "softmax": [(lambda a: am.softmax(a, 1), [_A], {}), (lambda a: a.softmax(0), [_A], {})],
    "log_softmax": [(lambda a: am.log_softmax(a, 1), [_A], {})],
    "addcmul": [(lambda a, b, c: am.addcmul(a, b, c, value=0.5), [_A, _B, _signed(3)], {})],
    "addcdiv": [(lambda a, b, c: am.addcdiv(a, b, c, value=-2.0), [_A, _B, _signed(2, 1)], {})],
    "lerp": [(lambda a, b: am.lerp(a, b, 0.3), [_A, _B], {}),
             (lambda a, b: a.lerp(b, 0.8), [_A, _signed(3)], {})],
}
# The in-place forms, on a copy (a leaf that requires grad cannot change in place).
_INPLACE_INPUTS = {"log_": _positive(2, 3), "sqrt_": _positive(2, 3), "pow_": _positive(2, 3),
                   "relu_": _A, "abs_": _A, "clamp_": _CLAMPED}
_INPLACE_ARGS = {"add_": (1.5,), "sub_": (0.5,), "mul_": (2.0,), "div_": (4.0,), "pow_": (1.5,),
                 "clamp_": (-0.5, 0.5), "addcmul_": (am.tensor(_B), am.tensor(_B)),
                 "addcdiv_": (am.tensor(_B), am.tensor(_positive(2, 3))),
                 "lerp_": (am.tensor(_B), 0.25)}
for _name in ops.INPLACE:
    _method = _name + "_"
    CASES[_method] = [(lambda a, m=_method: getattr(a.clone(), m)(*_INPLACE_ARGS.get(m, ())),
                       [_INPLACE_INPUTS.get(_method, _A)], {})]


# unary_math.py and binary_math.py. Inputs keep clear of poles and of the jumps of the
# roundings and of % (where finite differences straddle a step).
_UNIT = _rng.uniform(-0.8, 0.8, (2, 3))
_OFF_STEP = np.array([[-1.3, -0.2, 0.4], [0.9, -0.7, 1.6]])
_MATH = {
    "tan": _A, "asin": _UNIT, "acos": _UNIT, "atan": _A, "sinh": _A, "cosh": _A, "asinh": _A,
    "acosh": _positive(2, 3) + 1, "atanh": _UNIT, "arcsin": _UNIT, "arccos": _UNIT, "arctan": _A,
    "arcsinh": _A, "arccosh": _positive(2, 3) + 1, "arctanh": _UNIT, "erf": _A, "erfc": _A,
    "log1p": _positive(2, 3), "expm1": _A, "log2": _positive(2, 3), "log10": _positive(2, 3),
    "rsqrt": _positive(2, 3), "exp2": _A, "floor": _OFF_STEP, "ceil": _OFF_STEP,
    "round": _OFF_STEP, "trunc": _OFF_STEP, "fix": _OFF_STEP, "frac": _OFF_STEP, "sinc": _A,
    "nan_to_num": _A}
CASES.update({name: [(getattr(am, name), [x], {})] for name, x in _MATH.items()})
CASES["round"].append((lambda a: a.round(decimals=1), [_OFF_STEP + 0.03], {}))
CASES.update({
    "atan2": [(am.atan2, [_A, _signed(3)], {})],
    "arctan2": [(am.arctan2, [_A, _B], {})],
    "hypot": [(am.hypot, [_A, _signed(2, 1)], {})],
    "logaddexp": [(am.logaddexp, [_A, _signed(3)], {})],
    "logaddexp2": [(am.logaddexp2, [_A, _B], {})],
    "xlogy": [(am.xlogy, [_A, _positive(3)], {}), (lambda a: am.xlogy(a, 2.0), [_A], {}),
              (lambda b: am.xlogy(3.0, b), [_positive(2, 3)], {})],
    "remainder": [(lambda a: a % 0.7, [_OFF_STEP + 0.05], {}),
                  (lambda a, b: a % b, [_OFF_STEP + 0.05, np.full((2, 3), 0.7)], {})],
    "fmod": [(lambda a, b: am.fmod(a, b), [_OFF_STEP + 0.05, np.full((3,), -0.7)], {})],
    "clamp_min": [(lambda a: a.clamp_min(0.0), [_CLAMPED], {}),
                  (lambda a, m: am.clamp_min(a, m), [_CLAMPED, np.full((3,), 0.1)], {})],
    "clamp_max": [(lambda a: a.clamp_max(0.0), [_CLAMPED], {}),
                  (lambda a, m: a.clamp_max(m), [_CLAMPED, np.full((2, 3), 0.1)], {})],
    # No derivative in torch: used here on a detached input, as a constant factor.
    "floor_divide": [(lambda a: a * (a.detach() // 0.37), [_OFF_STEP], {})],
    "heaviside": [(lambda a: a * a.detach().heaviside(am.tensor(0.5, dtype=am.float64)),
                   [_A], {})],
})
_MATH_INPLACE = {"log2_": _positive(2, 3), "log10_": _positive(2, 3), "rsqrt_": _positive(2, 3),
                 "log1p_": _positive(2, 3), "asin_": _UNIT, "acos_": _UNIT}
_MATH_INPLACE_ARGS = {"atan2_": (am.tensor(_B),), "hypot_": (am.tensor(_B),),
                      "xlogy_": (2.0,), "remainder_": (0.7,), "fmod_": (0.7,),
                      "clamp_min_": (0.0,), "clamp_max_": (0.0,)}
for _name in set(_MATH) | {n[:-1] for n in _MATH_INPLACE_ARGS}:
    _method = _name + "_"
    if _method in CASES and _name not in ("asinh", "acosh", "atanh"):
        CASES[_method] = [(lambda a, m=_method: getattr(a.clone(), m)(*_MATH_INPLACE_ARGS.get(m, ())),
                           [_MATH_INPLACE.get(_method, _MATH[_name] if _name in _MATH else _A)], {})]


# Integer results: nothing to differentiate twice.
_NOT_DIFFERENTIABLE = {"argmax", "argmin"}


# Reductions, scans, sorting, index tensors, rearranging, contractions (statistics.py,
# scans.py, sorting.py, gather_scatter.py, rearrange.py, combine.py, contraction.py).
# Order statistics and running extrema take distinct values: no ties to split.
_D = _distinct(3, 4)
_IDX = np.array([[0, 2], [1, 1], [3, 0]])
CASES.update({
    "prod": [(am.prod, [_A], {}), (lambda a: a.prod(1), [_A], {}),
             (lambda a: a.prod(0, keepdim=True), [np.array([[0.5, 0.0, 2.0], [0.0, 0.0, 1.5]])],
              {})],
    "std": [(am.std, [_A], {}), (lambda a: a.std(1, keepdim=True), [_A], {})],
    "var": [(lambda a: a.var(0, correction=0), [_A], {}), (am.var, [_A], {})],
    "logsumexp": [(lambda a: a.logsumexp(1), [_A], {})],
    "amax": [(lambda a: a.amax(1), [_D], {}), (am.amax, [_D], {})],
    "amin": [(lambda a: am.amin(a, (0, 1)), [_D], {})],
    "median": [(am.median, [_D], {}), (lambda a: a.median(1).values, [_D], {})],
    "kthvalue": [(lambda a: a.kthvalue(2, 0).values, [_D], {})],
    "mode": [(lambda a: a.mode(1).values, [_D], {})],
    "all": [(lambda a: a * (a > 0).all(), [_A], {})],
    "any": [(lambda a: a * (a > 0).any(1, keepdim=True), [_A], {})],
    "count_nonzero": [(lambda a: a * am.count_nonzero(a > 0), [_A], {})],
    "nonzero": [(lambda a: a.take(a.nonzero()[:, 1]), [_A], {})],
    "cumsum": [(lambda a: a.cumsum(1), [_A], {})],
    "cumprod": [(lambda a: a.cumprod(1), [_A], {}),
                (lambda a: a.cumprod(0), [np.array([[0.5, 0.0, 2.0], [0.0, 1.2, 1.5]])], {})],
    "cummax": [(lambda a: a.cummax(1).values, [_D], {})],
    "cummin": [(lambda a: a.cummin(0).values, [_D], {})],
    "sort": [(lambda a: a.sort(1, descending=True).values, [_D], {})],
    "argsort": [(lambda a: a.gather(1, a.argsort(1)), [_D], {})],
    "topk": [(lambda a: a.topk(2).values, [_D], {})],
    "msort": [(am.msort, [_D], {})],
    "masked_fill": [(lambda a: a.masked_fill(am.tensor(_MASK), 0.5), [_A], {}),
                    (lambda a, v: a.masked_fill(am.tensor(_MASK), v), [_A, np.array(0.3)], {})],
    "masked_select": [(lambda a: a.masked_select(am.tensor(_MASK)), [_A], {})],
    "gather": [(lambda a: a.gather(1, am.tensor(_IDX)), [_D], {})],
    # scatter: no index twice in a row (which of two writes lands is not defined).
    "scatter": [(lambda a, b: a.scatter(1, am.tensor(_IDX[[0, 2]]), b), [_D, _signed(2, 2)], {}),
                (lambda a: a.scatter(1, am.tensor(_IDX), 0.5), [_D], {})],
    "scatter_add": [(lambda a, b: a.scatter_add(1, am.tensor(_IDX), b), [_D, _signed(3, 2)], {})],
    "index_select": [(lambda a: a.index_select(1, am.tensor([2, 0, 2])), [_A], {})],
    "index_add": [(lambda a, b: a.index_add(0, am.tensor([1, 1]), b, alpha=2.0),
                   [_A, _signed(2, 3)], {})],
    "take": [(lambda a: a.take(am.tensor([[0, 5], [5, 2]])), [_A], {})],
    "flip": [(lambda a: a.flip(0, 1), [_A], {})],
    "fliplr": [(am.fliplr, [_A], {})],
    "flipud": [(am.flipud, [_A], {})],
    "roll": [(lambda a: a.roll(1, 1), [_A], {}), (lambda a: a.roll(2), [_A], {})],
    "tril": [(lambda a: a.tril(), [_signed(3, 3)], {})],
    "triu": [(lambda a: a.triu(1), [_signed(3, 3)], {})],
    "tile": [(lambda a: a.tile(2, 1, 2), [_A], {})],
    "diff": [(lambda a: a.diff(n=2, dim=1), [_signed(2, 4)], {})],
    "trace": [(am.trace, [_signed(3, 4)], {})],
    "diag": [(am.diag, [_signed(3)], {}), (lambda a: a.diag(1), [_signed(3, 3)], {})],
    "diag_embed": [(am.diag_embed, [_A], {})],
    "outer": [(am.outer, [_signed(3), _signed(2)], {})],
    "ger": [(am.ger, [_signed(3), _signed(2)], {})],
    "kron": [(am.kron, [_A, _signed(2, 2)], {})],
    "tensordot": [(lambda a, b: am.tensordot(a, b, dims=([1], [0])), [_A, _signed(3, 2)], {})],
    "einsum": [(lambda a, b: am.einsum("ij,kj->ik", a, b), [_A, _signed(4, 3)], {}),
               (lambda a: am.einsum("ii->i", a), [_signed(3, 3)], {})],
    "block_diag": [(am.block_diag, [_A, _signed(3)], {})],
    "vstack": [(lambda a, b: am.vstack([a, b]), [_A, _signed(3)], {})],
    "row_stack": [(lambda a, b: am.row_stack([a, b]), [_A, _B], {})],
    "hstack": [(lambda a, b: am.hstack([a, b]), [_A, _signed(2, 1)], {})],
    "column_stack": [(lambda a, b: am.column_stack([a, b]), [_signed(3), _signed(3, 2)], {})],
    "meshgrid": [(lambda a, b: am.meshgrid(a, b, indexing="xy"), [_signed(3), _signed(2)], {})],
    "cartesian_prod": [(am.cartesian_prod, [_signed(3), _signed(2)], {})],
})
CASES["where"].append((lambda a: a.take(am.where(a > 0)[0]), [_signed(5)], {}))
for _name in ("masked_fill", "scatter", "scatter_add", "index_add"):
    _args = {"masked_fill_": (am.tensor(_MASK), 2.0), "scatter_": (1, am.tensor(_IDX[:2]), 0.5),
             "scatter_add_": (0, am.tensor([[0, 1, 1]]), am.ones(1, 3, dtype=am.float64)),
             "index_add_": (1, am.tensor([0]), am.ones(2, 1, dtype=am.float64))}[_name + "_"]
    CASES[_name + "_"] = [(lambda a, m=_name + "_", args=_args: getattr(a.clone(), m)(*args),
                           [_A], {})]
_NAN = np.array([[0.5, np.nan, -1.1], [0.7, 0.2, np.nan]])
CASES.update({
    "nansum": [(am.nansum, [_NAN], {}), (lambda a: a.nansum(1), [_NAN], {})],
    "nanmean": [(lambda a: a.nanmean(0), [_NAN], {})],
    "nanmedian": [(am.nanmedian, [np.where(np.isnan(_NAN), _NAN, _distinct(2, 3))], {})],
    "logcumsumexp": [(lambda a: a.logcumsumexp(1), [_A], {})],
    "rot90": [(lambda a: a.rot90(1), [_A], {}), (lambda a: a.rot90(-1, (1, 0)), [_A], {})],
    "index_fill": [(lambda a: a.index_fill(1, am.tensor([0, 2]), 0.5), [_A], {}),
                   (lambda a, v: a.index_fill(0, am.tensor([1]), v), [_A, np.array(0.3)], {})],
    "index_copy": [(lambda a, b: a.index_copy(1, am.tensor([2, 0]), b), [_A, _signed(2, 2)], {})],
    "masked_scatter": [(lambda a, b: a.masked_scatter(am.tensor(_MASK), b), [_A, _signed(4)], {})],
    "atleast_1d": [(am.atleast_1d, [np.array(0.7)], {})],
    "atleast_2d": [(am.atleast_2d, [_signed(3)], {})],
    "atleast_3d": [(am.atleast_3d, [_A], {})],
    "dstack": [(lambda a, b: am.dstack([a, b]), [_A, _B], {})],
    "index_fill_": [(lambda a: a.clone().index_fill_(1, am.tensor([1]), 2.0), [_A], {})],
    "index_copy_": [(lambda a: a.clone().index_copy_(0, am.tensor([1]), am.ones(1, 3,
                                                                          dtype=am.float64)),
                     [_A], {})],
    "masked_scatter_": [(lambda a: a.clone().masked_scatter_(am.tensor(_MASK), a * 2), [_A], {})],
    "take_along_dim": [(lambda a: am.take_along_dim(a, a.argsort(1), 1), [_D], {})],
    "diagflat": [(lambda a: a.diagflat(1), [_A], {})],
    "argwhere": [(lambda a: a.take(am.argwhere(a > 0)[:, 1]), [_A], {})],
    "unique": [(lambda a: a * am.unique(am.tensor([2, 1, 2])).sum(), [_A], {})],
    "tril_indices": [(lambda a: a[tuple(am.tril_indices(2, 3))], [_A], {})],
    "triu_indices": [(lambda a: a[tuple(am.triu_indices(2, 3, 1))], [_A], {})],
    "searchsorted": [(lambda a: a * am.searchsorted(am.tensor([0.0, 0.5]), a.detach()), [_A], {})],
    "bucketize": [(lambda a: a * am.bucketize(a.detach(), am.tensor([0.0])), [_A], {})],
})
CASES["scatter_reduce"] = [
    (lambda a, b: a.scatter_reduce(1, am.tensor(_IDX), b, r, include_self=i),
     [_positive(3, 4), _positive(3, 2)], {})
    for r in ("sum", "mean", "prod", "amax", "amin") for i in (True, False)]
CASES["scatter_reduce_"] = [(lambda a, b: a.clone().scatter_reduce_(1, am.tensor(_IDX), b, "mean"),
                             [_positive(3, 4), _positive(3, 2)], {})]
CASES.update({
    "aminmax": [(lambda a: am.aminmax(a, dim=1), [_D], {}), (am.aminmax, [_D], {})],
    "var_mean": [(lambda a: am.var_mean(a, 1), [_A], {}), (am.var_mean, [_A], {})],
    "std_mean": [(lambda a: am.std_mean(a, 0, keepdim=True), [_A], {})],
})
CASES.update({
    "tensor_split": [(lambda a: am.cat(a.tensor_split([1, 2], 1)[::-1], 1), [_A], {})],
    "hsplit": [(lambda a: am.cat(a.hsplit(3)[::-1], 1), [_A], {})],
    "vsplit": [(lambda a: a.vsplit(2)[1] * a.vsplit(2)[0], [_A], {})],
    "dsplit": [(lambda a: a.reshape(1, 2, 3).dsplit([1])[1], [_A], {})],
})
CASES["nanmedian"].append((lambda a: a.nanmedian(1).values, [_NAN], {}))
CASES["repeat"] = [(lambda a: a.repeat(2, 1, 2), [_A], {})]
CASES["unfold"] = [(lambda a: a.unfold(1, 2, 1), [_signed(2, 4)], {})]
_NOT_DIFFERENTIABLE |= {"all", "any", "count_nonzero", "nonzero"}

# The losses of nn.functional that torch records as one node (not in the registry, so
# not required above), checked all the same; the targets away from the kinks.
_F = am.nn.functional
_UNIT, _UNIT_T = _rng.uniform(0.1, 0.9, (2, 3)), _rng.uniform(0.1, 0.9, (2, 3))
CASES.update({
    "binary_cross_entropy": [
        (lambda a, t: _F.binary_cross_entropy(a, t), [_UNIT, _UNIT_T], {}),
        (lambda a, t: _F.binary_cross_entropy(a, t, am.tensor([0.5, 1.0, 2.0], dtype=am.float64),
                                              reduction="none"), [_UNIT, _UNIT_T], {})],
    "huber_loss": [(lambda a, b: _F.huber_loss(a, b, delta=0.5), [_A, _B], {}),
                   (lambda a, b: _F.huber_loss(a, b, reduction="none", delta=2.0), [_A, _B], {})],
    "smooth_l1_loss": [(lambda a, b: _F.smooth_l1_loss(a, b, beta=0.5), [_A, _B], {}),
                       (lambda a, b: _F.smooth_l1_loss(a, b, reduction="sum", beta=3.0), [_A, _B], {})],
    "kl_div": [(lambda a, t: _F.kl_div(a, t, reduction="batchmean"), [_A, _UNIT_T], {}),
               (lambda a, t: _F.kl_div(a, t, reduction="none", log_target=True), [_A, _B], {})],
    "nll_loss2d": [(lambda a: _F.nll_loss(a, am.tensor([[0, 2], [1, -100]]), reduction="none"),
                    [_signed(2, 3, 2)], {}),
                   (lambda a: _F.nll_loss(a, am.tensor([[[0], [2]], [[1], [1]]])),
                    [_signed(2, 3, 2, 1)], {})],
})


# Tests of values and logical operations give booleans: nothing is recorded, and gradcheck
# finds no differentiable output (as for argmax).
_LOGICAL_UNARY = ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit",
                  "logical_not", "isreal")
_LOGICAL_BINARY = ("logical_and", "logical_or", "logical_xor", "isclose", "eq", "ne", "lt",
                   "le", "gt", "ge", "not_equal", "less", "less_equal", "greater",
                   "greater_equal")
CASES.update({name: [(lambda a, f=getattr(am, name): f(a).double(), [_A], {})]
              for name in _LOGICAL_UNARY})
CASES.update({name: [(lambda a, b, f=getattr(am, name): f(a, b).double(), [_A, _B], {})]
              for name in _LOGICAL_BINARY})
CASES["is_nonzero"] = [(lambda a: am.tensor(float(a[0, 0].is_nonzero())), [_A], {})]
_NOT_DIFFERENTIABLE |= set(_LOGICAL_UNARY) | set(_LOGICAL_BINARY) | {"is_nonzero"}


# Convolution and pooling (convolution.py, pooling.py): distinct values, so no max ties.
# Their backward is computed on arrays, so they have no second derivative here.
_IMAGE, _SIGNAL = _distinct(1, 2, 5, 5), _distinct(2, 2, 7)
CASES.update({
    "conv2d": [(lambda x, w, b: am.conv2d(x, w, b, stride=2, padding=1),
                [_IMAGE, _distinct(3, 2, 3, 3), _distinct(3)], {}),
               (lambda x, w: am.conv2d(x, w, groups=2, dilation=2), [_IMAGE, _distinct(4, 1, 2, 2)], {})],
    "conv1d": [(lambda x, w, b: am.conv1d(x, w, b, padding="same"), [_SIGNAL, _distinct(3, 2, 3), _distinct(3)], {})],
    "max_pool2d": [(lambda x: am.max_pool2d(x, 2, ceil_mode=True), [_IMAGE], {})],
    "max_pool1d": [(lambda x: am.max_pool1d(x, 3, stride=2, padding=1), [_SIGNAL], {})],
    "avg_pool1d": [(lambda x: am.avg_pool1d(x, 3, stride=2, padding=1), [_SIGNAL], {})],
})
_NO_DOUBLE_BACKWARD = {"conv2d", "conv1d", "max_pool2d", "max_pool1d", "avg_pool1d"}

# Special functions and more linear algebra (special_math.py, linalg_more.py). Matrices
# are kept well conditioned (2 on the diagonal); digamma, i0 and cdist compute their
# backward on arrays (trigamma, i1; torch has no double backward of cdist either).
_SQ, _SQ_BATCH = _signed(3, 3) * 0.3 + 2 * np.eye(3), _signed(2, 3, 3) * 0.3 + 2 * np.eye(3)
_ROWS3 = _signed(4, 3)
CASES.update({
    "lgamma": [(am.lgamma, [_positive(2, 3)], {}), (am.lgamma, [-_positive(2, 3) + 0.25], {})],
    "digamma": [(am.digamma, [_positive(2, 3)], {}), (am.digamma, [_signed(2, 3) * 0.4 - 1.5], {})],
    "erfinv": [(am.erfinv, [_signed(2, 3) * 0.7], {})],
    "logit": [(am.logit, [_positive(2, 3) / 2.5], {}),
              (lambda a: a.logit(eps=0.05), [_positive(2, 3) / 2.1], {})],
    "i0": [(am.i0, [_signed(2, 3) * 3], {})],
    "deg2rad": [(am.deg2rad, [_A], {})], "rad2deg": [(am.rad2deg, [_A], {})],
    "negative": [(am.negative, [_A], {})], "absolute": [(am.absolute, [_A], {})],
    "sgn": [(am.sgn, [_A], {})],
    "ldexp": [(am.ldexp, [_A, _B], {}), (lambda a: a.ldexp(am.tensor([2, -1, 3])), [_A], {})],
    "float_power": [(lambda a: a.float_power(3), [_A], {}), (am.float_power, [_positive(2, 3), _B], {}),
                    (lambda a: am.float_power(2.5, a), [_A], {})],
    "det": [(am.det, [_SQ], {}), (am.det, [_SQ_BATCH], {})],
    "inverse": [(am.inverse, [_SQ], {}), (am.inverse, [_SQ_BATCH], {})],
    "slogdet": [(lambda a: am.slogdet(a).logabsdet, [_SQ_BATCH], {}),
                (lambda a: a.slogdet()[1] * a.slogdet()[0], [-_SQ], {})],
    "logdet": [(am.logdet, [_SQ], {})],
    "cross": [(lambda a, b: am.cross(a, b, dim=1), [_ROWS3, _signed(4, 3)], {}),
              (lambda a, b: a.cross(b, dim=-1), [_ROWS3, _signed(1, 3)], {})],
    "inner": [(am.inner, [_A, _B], {}), (am.inner, [_A[0], _B[1]], {})],
    "vdot": [(am.vdot, [_A[0], _B[0]], {})],
    "dist": [(am.dist, [_A, _B[0]], {}), (lambda a, b: a.dist(b, 3), [_A, _B], {}),
             (lambda a, b: a.dist(b, 1), [_A, _B], {})],
    "cdist": [(am.cdist, [_ROWS3, _signed(5, 3)], {}),
              (lambda a, b: am.cdist(a, b, p=3), [_signed(2, 4, 3), _signed(2, 2, 3)], {})],
    "chain_matmul": [(lambda a, b, c: am.chain_matmul(a, b, c), [_A, _B.T, _signed(2, 4)], {}),
                     (lambda a, b: am.chain_matmul(a, b, a.t(), b), [_SQ, _signed(3, 3)], {})],
    "baddbmm": [(am.baddbmm, [_signed(1, 2), _signed(2, 3, 4), _signed(2, 4, 2)], {}),
                (lambda a, b, c: a.baddbmm(b, c, beta=0.5, alpha=-2), [_signed(2, 3, 2), _signed(2, 3, 4),
                                                                      _signed(2, 4, 2)], {})],
    "matrix_power": [(lambda a, n=n: a.matrix_power(n), [_SQ], {}) for n in (0, 1, 3, 5, -2)],
})
_NO_DOUBLE_BACKWARD |= {"digamma", "i0", "cdist"}

# Broadcasting, repeating and counting utilities (utility.py).
_COUNTS = am.tensor([1, 0, 2])
CASES.update({
    "broadcast_to": [(lambda a: am.broadcast_to(a, (2, 2, 3)), [_A], {})],
    "broadcast_tensors": [(lambda a, b: am.broadcast_tensors(a, b), [_A, _signed(2, 1)], {})],
    "repeat_interleave": [(lambda a: a.repeat_interleave(2), [_A], {}),
                          (lambda a: a.repeat_interleave(_COUNTS, dim=1), [_A], {})],
    "trapezoid": [(lambda a: am.trapezoid(a, dx=0.5), [_A], {}),
                  (lambda a, x: am.trapezoid(a, x), [_A, _distinct(3)], {})],
    "trapz": [(lambda a: am.trapz(a, dim=0), [_A], {})],
    **{name: [(lambda a, f=name: getattr(am, f)(a.flatten().long().abs()).double(), [_A], {})]
       for name in ("bincount", "unique_consecutive")},
    "histc": [(lambda a: am.histc(a, 4), [_A], {})],
    "isin": [(lambda a: am.isin(a, a[0]).double(), [_A], {})],
    "put": [(lambda a, s: a.put(am.tensor([0, -1, 4]), s), [_A, _signed(3)], {}),
            (lambda a, s: am.put(a, am.tensor([1, 1]), s, True), [_A, _signed(2)], {})],
    "index_put": [(lambda a, v: am.index_put(a, (am.tensor([1, 0]),), v, True), [_A, _B], {})],
    "quantile": [(lambda a: am.quantile(a, 0.3), [_distinct(2, 3)], {}),
                 (lambda a: a.quantile(am.tensor([0.2, 0.9], dtype=am.float64), 1),
                  [_distinct(2, 3)], {})],
    "nanquantile": [(lambda a: am.nanquantile(a, 0.6, 0, True), [_distinct(2, 3)], {})],
    "cov": [(am.cov, [_A], {}), (lambda a: am.cov(a, aweights=am.tensor([0.5, 1.0, 2.0]).double()),
                                 [_A], {})],
    # torch's vander has no working backward (its cumprod's input is overwritten), nor ours
    "vander": [(lambda a: am.vander((a * 3).long(), 4).double(), [_signed(3)], {})],
})
_NOT_DIFFERENTIABLE.add("vander")
CASES["renorm"] = [(lambda a, p=p: a.renorm(p, 0, 0.9), [_A], {}) for p in (1, 2, 3)]
_NOT_DIFFERENTIABLE |= {"bincount", "unique_consecutive", "histc", "isin"}


def _params(skip=()):
    return [pytest.param(fn, arrays, kwargs, id=f"{name}-{i}")
            for name, cases in CASES.items() if name not in skip
            for i, (fn, arrays, kwargs) in enumerate(cases)]


def _inputs(arrays):
    return tuple(am.tensor(a, dtype=am.float64, requires_grad=True) for a in arrays)


def test_every_operation_has_a_case():
    names = set(ops.FUNCTIONS) | set(ops.MODULE_ONLY) | {n + "_" for n in ops.INPLACE}
    assert names - set(CASES) == set()


@pytest.mark.parametrize("fn, arrays, kwargs", _params())
def test_gradcheck(fn, arrays, kwargs):
    assert gradcheck(fn, _inputs(arrays), **kwargs)


@pytest.mark.parametrize("fn, arrays, kwargs", _params(skip=_NOT_DIFFERENTIABLE | _NO_DOUBLE_BACKWARD))
def test_gradgradcheck(fn, arrays, kwargs):
    assert gradgradcheck(fn, _inputs(arrays), **kwargs)

