"""Special functions (lgamma, digamma, erfinv, logit, i0, ldexp, float_power, ...) and
linear algebra (det, inverse, slogdet, cross, cdist, baddbmm, matrix_power, ...) against
torch: values, grad_fn names and graphs, gradients, second derivatives where this engine
has them, and torch's error messages."""
import warnings

import numpy as np
import pytest

from _twin import autograd_mini, torch
from _twin_grads import compare as _compare

ANY = [-2.5, -1.5, -0.7, 0.3, 0.5, 1.0, 1.5, 2.5, 4.0]
UNIT = [-0.9, -0.5, -0.1, 0.0, 0.3, 0.6, 0.95]
PROB = [0.05, 0.3, 0.5, 0.7, 0.99, 1.0, 0.0, -0.2, 1.3]
OTHER = [2.0, -1.0, 0.5, 1.0, 3.0, -2.0, 0.25, 1.5, -0.75]

# name -> (program, input values, smooth: also compare the second derivative)
UNARY = {
    "lgamma": (lambda m, x: x.lgamma(), ANY, True),
    "digamma": (lambda m, x: m.digamma(x), ANY + [0.01, 7.5, 30.0], False),
    "erfinv": (lambda m, x: x.erfinv(), UNIT, True),
    "logit": (lambda m, x: x.logit(), PROB[:5], True),
    "logit out of range": (lambda m, x: m.logit(x), PROB, False),
    "logit eps": (lambda m, x: x.logit(eps=0.1), PROB, True),
    "i0": (lambda m, x: x.i0(), ANY + [-8.0, 12.0], False),
    "deg2rad": (lambda m, x: x.deg2rad(), ANY, True),
    "rad2deg": (lambda m, x: m.rad2deg(x), ANY, True),
    "negative": (lambda m, x: x.negative(), ANY, True),
    "absolute": (lambda m, x: m.absolute(x), ANY, False),
    "float_power": (lambda m, x: x.float_power(2), ANY, True),
    "float_power(2, x)": (lambda m, x: m.float_power(2, x), ANY, True),
    "ldexp(x, 3)": (lambda m, x: x.ldexp(m.tensor(3)), ANY, True),
}
BINARY = {
    "ldexp": (lambda m, x, y: m.ldexp(x, y), True),
    "float_power": (lambda m, x, y: x.abs().float_power(y), True),
    "dist": (lambda m, x, y: m.dist(x, y), True),
    "dist p=1": (lambda m, x, y: x.dist(y, p=1), False),
    "dist p=3": (lambda m, x, y: x.dist(y, 3), True),
    "dist p=inf": (lambda m, x, y: x.dist(y, float("inf")), False),
    "vdot": (lambda m, x, y: m.vdot(x, y), True),
    "inner": (lambda m, x, y: x.inner(y), True),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_against_torch(name, dtype):
    program, values, smooth = UNARY[name]
    _compare(program, [values], smooth, False, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_against_torch(name, dtype):
    program, smooth = BINARY[name]
    _compare(program, [ANY, OTHER], smooth, False, dtype)


_rng = np.random.default_rng(3)
_M = (_rng.uniform(-1, 1, (3, 3)) + 2 * np.eye(3)).tolist()
_BATCH = (_rng.uniform(-1, 1, (2, 3, 3)) + 2 * np.eye(3)).tolist()
_NEG_DET = [[0.0, 1.0, 0.2], [1.0, 0.0, 0.3], [0.1, 0.4, 1.5]]
_ROWS, _ROWS2 = _rng.uniform(-1, 1, (4, 3)).tolist(), _rng.uniform(-1, 1, (5, 3)).tolist()
_B1, _B2 = _rng.uniform(-1, 1, (2, 3, 4)).tolist(), _rng.uniform(-1, 1, (2, 4, 2)).tolist()

# name -> (program, inputs, smooth)
MATRIX = {
    "det": (lambda m, a: a.det(), [_M], True),
    "det batch": (lambda m, a: m.det(a), [_BATCH], True),
    "inverse": (lambda m, a: a.inverse(), [_M], True),
    "inverse batch": (lambda m, a: m.inverse(a), [_BATCH], True),
    "slogdet": (lambda m, a: m.slogdet(a)[1], [_NEG_DET], True),
    "slogdet sign": (lambda m, a: a.slogdet().sign, [_NEG_DET], False),
    "slogdet both": (lambda m, a: a.slogdet()[0] * a.slogdet().logabsdet, [_BATCH], True),
    "logdet": (lambda m, a: a.logdet(), [_M], True),
    "logdet negative": (lambda m, a: m.logdet(a), [_NEG_DET], False),
    "cross": (lambda m, a, b: m.cross(a, b, dim=1), [_ROWS, _ROWS[::-1]], True),
    "cross dim 0": (lambda m, a, b: a.t().cross(b.t(), dim=0), [_ROWS, _ROWS[::-1]], True),
    "cross broadcast": (lambda m, a, b: m.cross(a, b[:1], dim=-1), [_ROWS, _ROWS[::-1]], True),
    "inner": (lambda m, a, b: m.inner(a, b), [_ROWS, _ROWS2], True),
    "cdist": (lambda m, a, b: m.cdist(a, b), [_ROWS, _ROWS2], True),
    "cdist p=1": (lambda m, a, b: m.cdist(a, b, p=1), [_ROWS, _ROWS2], False),
    "cdist p=3": (lambda m, a, b: m.cdist(a, b, p=3), [_ROWS, _ROWS2], True),
    "cdist batch": (lambda m, a, b: m.cdist(a, b), [_B1, _rng.uniform(-1, 1, (2, 5, 4)).tolist()], True),
    "chain_matmul": (lambda m, a, b: m.chain_matmul(a, b.t(), b), [_ROWS, _ROWS2], True),
    "chain_matmul 2": (lambda m, a, b: m.chain_matmul(a, b.t()), [_ROWS, _ROWS2], True),
    "chain_matmul 4": (lambda m, a, b: m.chain_matmul(a.t(), a, b.t(), b), [_ROWS, _ROWS2], True),
    "baddbmm": (lambda m, a, b, c: m.baddbmm(a, b, c), [[[0.5, -1.0]], _B1, _B2], True),
    "baddbmm beta alpha": (lambda m, a, b, c: a.baddbmm(b, c, beta=0.5, alpha=2.0),
                           [np.ones((2, 3, 2)).tolist(), _B1, _B2], True),
    "baddbmm beta=0": (lambda m, a, b, c: m.baddbmm(a, b, c, beta=0), [[[0.5, -1.0]], _B1, _B2], True),
}
for _n in (0, 1, 2, 3, 4, 5, 6, -1, -2, -3):
    MATRIX[f"matrix_power {_n}"] = (lambda m, a, n=_n: a.matrix_power(n), [_M], True)
MATRIX["matrix_power batch 5"] = (lambda m, a: m.matrix_power(a, 5), [_BATCH], True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_linalg_against_torch(name, dtype):
    program, inputs, smooth = MATRIX[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # chain_matmul's deprecation: tested below
        _compare(program, inputs, smooth, False, dtype)


ERRORS = {
    "det 2x3": lambda m: m.det(m.ones(2, 3)),
    "det 1-D": lambda m: m.det(m.ones(3)),
    "inverse 2x3": lambda m: m.ones(2, 3).inverse(),
    "inverse singular": lambda m: m.zeros(3, 3).inverse(),
    "inverse singular row 2": lambda m: m.tensor([[1.0, 2.0], [2.0, 4.0]]).inverse(),
    "slogdet 2x3": lambda m: m.slogdet(m.ones(2, 3)),
    "cross length": lambda m: m.cross(m.ones(2, 3), m.ones(2, 3), dim=0),
    "vdot sizes": lambda m: m.vdot(m.ones(2), m.ones(3)),
    "cdist columns": lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4)),
    "baddbmm shape": lambda m: m.baddbmm(m.ones(2, 2, 2), m.ones(2, 2, 3), m.ones(2, 3, 3)),
    "matrix_power 2x3": lambda m: m.ones(2, 3).matrix_power(2),
    "inner sizes": lambda m: m.inner(m.ones(2, 3), m.ones(2, 4)),
    "chain_matmul sizes": lambda m: m.chain_matmul(m.ones(2, 3), m.ones(2, 3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    messages = []
    for lib in (autograd_mini, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError) as info:
                ERRORS[name](lib)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_cross_without_dim_takes_first_size_3_dimension_and_warns():
    a, b = np.array(_ROWS[:3]), np.array(_ROWS2[:3])
    outs, texts = [], []
    for lib in (autograd_mini, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outs.append(lib.cross(lib.tensor(a), lib.tensor(b)).tolist())
        texts.append([str(w.message) for w in caught])
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6)
    assert texts[0] == texts[1] or texts[0] == []  # torch warns once per process


def test_slogdet_is_a_named_pair_on_one_node():
    for lib in (autograd_mini, torch):
        a = lib.tensor(_NEG_DET, requires_grad=True)
        result = lib.slogdet(a)
        assert result.sign.grad_fn is result.logabsdet.grad_fn
        assert result.sign.item() == -1.0


def test_sgn_is_sign_on_its_own_node_with_zero_gradient():
    # torch's gradient here is an unallocated zero tensor: compared by its sum.
    results = []
    for lib in (autograd_mini, torch):
        x = lib.tensor(ANY + [0.0], requires_grad=True)
        out = x.sgn()
        (grad,) = lib.autograd.grad(out.sum(), [x])
        results.append((out.tolist(), out.grad_fn.name(), float((grad + 0).abs().sum())))
    assert results[0] == results[1]


# torch.linalg's names for the same functions, and its norms.
_A3 = _rng.uniform(-1, 1, (2, 3, 4)).tolist()
LINALG = {
    "linalg.det": (lambda m, a: m.linalg.det(a), [_BATCH], True),
    "linalg.inv": (lambda m, a: m.linalg.inv(a), [_M], True),
    "linalg.slogdet": (lambda m, a: m.linalg.slogdet(a).logabsdet, [_NEG_DET], True),
    "linalg.cross": (lambda m, a, b: m.linalg.cross(a, b), [_ROWS, _ROWS[::-1]], True),
    "linalg.multi_dot": (lambda m, a, b: m.linalg.multi_dot([a, b.t(), b]), [_ROWS, _ROWS2], True),
    "vector_norm": (lambda m, a: m.linalg.vector_norm(a), [_A3], True),
    "vector_norm dim": (lambda m, a: m.linalg.vector_norm(a, 3, dim=(0, 2), keepdim=True), [_A3], True),
    "matrix_norm": (lambda m, a: m.linalg.matrix_norm(a), [_A3], True),
    "matrix_norm 1": (lambda m, a: m.linalg.matrix_norm(a, 1), [_A3], False),
    "matrix_norm -1 keepdim": (lambda m, a: m.linalg.matrix_norm(a, -1, keepdim=True), [_A3], False),
    "matrix_norm inf": (lambda m, a: m.linalg.matrix_norm(a, float("inf"), dim=(0, 2)), [_A3], False),
    "norm": (lambda m, a: m.linalg.norm(a), [_A3], True),
    "norm vector ord": (lambda m, a: m.linalg.norm(a[0, 0], 3), [_A3], True),
    "norm matrix ord": (lambda m, a: m.linalg.norm(a[0], 1), [_A3], False),
    "norm dim": (lambda m, a: m.linalg.norm(a, dim=1), [_A3], True),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LINALG))
def test_torch_linalg_namespace(name, dtype):
    program, inputs, smooth = LINALG[name]
    _compare(program, inputs, smooth, False, dtype)


def test_matrix_norm_error_matches_torch():
    messages = []
    for lib in (autograd_mini, torch):
        with pytest.raises(RuntimeError) as info:
            lib.linalg.matrix_norm(lib.ones(3))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_slogdet_results_print_as_torchs():
    texts = []
    for lib in (autograd_mini, torch):
        a = lib.tensor(_NEG_DET, dtype=lib.float64)
        texts.append([repr(lib.slogdet(a)), repr(lib.linalg.slogdet(a))])
    assert texts[0] == [t.replace("torch.", "autograd_mini.") for t in texts[1]]


def test_det_gradient_of_a_singular_matrix_is_torchs_zero():
    # float64, where both engines find the determinant exactly 0 (torch multiplies by it).
    grads = []
    for lib in (autograd_mini, torch):
        a = lib.tensor([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [0.5, 1.0]]], dtype=lib.float64,
                       requires_grad=True)
        a.det().sum().backward()
        grads.append(a.grad.tolist())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
