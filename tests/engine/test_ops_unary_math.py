"""The element-wise math beyond the basics (tan ... atanh, erf, log1p, the roundings,
atan2, hypot, %, //, clamp_min, logaddexp, xlogy, sinc, nan_to_num) against torch:
values and dtypes, grad_fn names and graph, gradients, and second derivatives, on
inputs that include negatives, zeros and each function's special points."""
import numpy as np
import pytest

from _twin import autograd_mini, torch
from _twin_grads import compare as _compare, same as _same

NAN, INF = float("nan"), float("inf")
ANY = [-2.5, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.5]
UNIT = [-1.0, -0.7, -0.5, 0.0, 0.3, 0.5, 0.9, 1.0, 1.5]    # asin, acos, atanh: poles at +-1
POSITIVE = [0.0, 1e-3, 0.3, 0.5, 1.0, 2.5, -0.5, -1.0]      # logs and rsqrt: 0 and below too
HALVES = [-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 0.49, -0.51]  # ties for round
OTHER = [2.0, -1.0, 0.5, 1.0, 3.0, -2.0, 0.25, 1.5, -0.75]

# name -> (program, input values, smooth: also compare the second derivative)
UNARY = {
    "tan": (lambda m, x: x.tan(), ANY, True),
    "asin": (lambda m, x: x.asin(), UNIT, True),
    "acos": (lambda m, x: m.acos(x), UNIT, True),
    "atan": (lambda m, x: x.atan(), ANY, True),
    "arctan": (lambda m, x: m.arctan(x), ANY, True),
    "sinh": (lambda m, x: x.sinh(), ANY, True),
    "cosh": (lambda m, x: m.cosh(x), ANY, True),
    "asinh": (lambda m, x: x.asinh(), ANY, True),
    "acosh": (lambda m, x: x.acosh(), [0.5, 1.0, 1.5, 3.0], True),
    "atanh": (lambda m, x: x.atanh(), UNIT, True),
    "erf": (lambda m, x: m.erf(x), ANY + [4.0, -6.0], True),
    "erfc": (lambda m, x: x.erfc(), ANY + [4.0, 9.0], True),
    "log1p": (lambda m, x: x.log1p(), [-1.0, -0.5, 0.0, 1e-6, 0.5, 3.0, -2.0], True),
    "expm1": (lambda m, x: x.expm1(), ANY + [1e-6], True),
    "log2": (lambda m, x: x.log2(), POSITIVE, True),
    "log10": (lambda m, x: m.log10(x), POSITIVE, True),
    "rsqrt": (lambda m, x: x.rsqrt(), POSITIVE, True),
    "exp2": (lambda m, x: x.exp2(), ANY, True),
    "sinc": (lambda m, x: x.sinc(), ANY + [0.05], True),
    "floor": (lambda m, x: x.floor(), HALVES, False),
    "ceil": (lambda m, x: m.ceil(x), HALVES, False),
    "round": (lambda m, x: x.round(), HALVES, False),
    "round decimals": (lambda m, x: x.round(decimals=1), [0.15, 1.25, 2.35, -0.45, 0.0], False),
    "round decimals=0": (lambda m, x: x.round(decimals=0), HALVES, False),
    "round decimals<0": (lambda m, x: m.round(x, decimals=-1), [15.0, 25.0, -35.0, 1234.0], False),
    "trunc": (lambda m, x: x.trunc(), HALVES, False),
    "fix": (lambda m, x: m.fix(x), HALVES, False),
    "frac": (lambda m, x: x.frac(), HALVES, True),
    "nan_to_num": (lambda m, x: x.nan_to_num(), [NAN, INF, -INF, 1.0, 0.0], True),
    "nan_to_num values": (lambda m, x: m.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0),
                          [NAN, INF, -INF, 1.0], True),
    "x // 2": (lambda m, x: x // 2, HALVES, False),
    "x // -1.5": (lambda m, x: x // -1.5, HALVES, False),
    "2 // x": (lambda m, x: 2 // x, OTHER, False),
    "x % 2": (lambda m, x: x % 2, HALVES, True),
    "x % -1.5": (lambda m, x: m.remainder(x, -1.5), HALVES, True),
    "2 % x": (lambda m, x: 2 % x, OTHER, False),
    "fmod": (lambda m, x: x.fmod(-2), HALVES, True),
    "clamp_min": (lambda m, x: x.clamp_min(0.5), HALVES, True),
    "clamp_max": (lambda m, x: m.clamp_max(x, 0.0), HALVES, True),
    "xlogy(x, 2)": (lambda m, x: x.xlogy(2.0), ANY, True),
    "xlogy(x, 0)": (lambda m, x: x.xlogy(0.0), ANY, True),
    "xlogy(2, x)": (lambda m, x: m.xlogy(2.0, x), POSITIVE, True),
}

BINARY = {
    "atan2": (lambda m, x, y: x.atan2(y), True),
    "arctan2": (lambda m, x, y: m.arctan2(x, y), True),
    "hypot": (lambda m, x, y: m.hypot(x, y), True),
    "logaddexp": (lambda m, x, y: x.logaddexp(y), True),
    "logaddexp2": (lambda m, x, y: m.logaddexp2(x, y), True),
    "xlogy": (lambda m, x, y: x.xlogy(y), True),
    "x % y": (lambda m, x, y: x % y, True),
    "fmod": (lambda m, x, y: m.fmod(x, y), True),
    "x // y": (lambda m, x, y: x // y, False),
    "clamp_min": (lambda m, x, y: x.clamp_min(y), True),
    "clamp_max": (lambda m, x, y: m.clamp_max(x, y), True),
    "heaviside": (lambda m, x, y: x.heaviside(y), False),
}
# Pairs with the special points of each: (0, 0) for atan2 and hypot, equal values for
# clamp and logaddexp, zeros and negatives for xlogy.
X = [-1.5, -0.5, 0.0, 0.0, 0.5, 2.5, 1.0, -2.0, 3.0]
Y = [2.0, -1.0, 0.0, 2.0, 0.5, 3.0, 1.0, -2.0, -0.0]
EXACT = {"round decimals=0", "floor", "ceil", "round", "trunc", "fix", "frac", "x // 2", "x // -1.5", "2 // x",
         "x // y", "x % 2", "2 % x", "clamp_min", "clamp_max", "heaviside", "round decimals<0"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_against_torch(name, dtype):
    program, values, smooth = UNARY[name]
    _compare(program, [values], smooth, name in EXACT, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_against_torch(name, dtype):
    program, smooth = BINARY[name]
    _compare(program, [X, Y], smooth, name in EXACT, dtype)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcasts_and_sums_gradients_back(name):
    program, smooth = BINARY[name]
    x = np.array(X[:6], dtype=np.float32).reshape(2, 3)
    _compare(program, [x.tolist(), [0.5, -1.0, 2.0]], smooth, name in EXACT, np.float32)
    _compare(program, [[[1.5]], x.tolist()], smooth, name in EXACT, np.float32)


INPLACE = {
    "tan_": lambda x: x.tan_(), "asin_": lambda x: x.asin_(), "acos_": lambda x: x.acos_(),
    "atan_": lambda x: x.atan_(), "sinh_": lambda x: x.sinh_(), "cosh_": lambda x: x.cosh_(),
    "asinh_": lambda x: x.asinh_(), "atanh_": lambda x: x.atanh_(), "erf_": lambda x: x.erf_(),
    "erfc_": lambda x: x.erfc_(), "log1p_": lambda x: x.log1p_(), "expm1_": lambda x: x.expm1_(),
    "log2_": lambda x: x.abs().log2_(), "log10_": lambda x: x.abs().log10_(),
    "rsqrt_": lambda x: x.abs().rsqrt_(), "exp2_": lambda x: x.exp2_(),
    "floor_": lambda x: x.floor_(), "ceil_": lambda x: x.ceil_(), "round_": lambda x: x.round_(),
    "round_ decimals": lambda x: x.round_(decimals=1), "trunc_": lambda x: x.trunc_(),
    "frac_": lambda x: x.frac_(), "sinc_": lambda x: x.sinc_(),
    "nan_to_num_": lambda x: x.nan_to_num_(), "clamp_min_": lambda x: x.clamp_min_(0.0),
    "clamp_max_": lambda x: x.clamp_max_(0.1), "remainder_": lambda x: x.remainder_(0.3),
    "fmod_": lambda x: x.fmod_(0.3), "x %= 0.3": lambda x: x.__imod__(0.3),
    "xlogy_": lambda x: x.xlogy_(2.0), "atan2_": lambda x: x.atan2_(x * 2 + 1),
    "hypot_": lambda x: x.hypot_(x + 1), "floor_divide_": lambda x: x.floor_divide_(0.3),
    "x //= 0.3": lambda x: x.__ifloordiv__(0.3),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_forms(name):
    def program(m, x):
        return INPLACE[name](x * 0.5)
    _compare(program, [[-0.9, -0.5, 0.0, 0.25, 0.6]], False, False, np.float32)


def test_torch_namespace_inplace_forms():
    for lib in (autograd_mini, torch):
        x = lib.tensor([0.5, 1.5, -2.5])
        lib.floor_(x)
        lib.tan_(x)
        assert x.tolist() == pytest.approx([0.0, np.tan(1.0), np.tan(-3.0)], rel=1e-6)


def test_signed_zeros_of_remainder_as_torch():
    """torch keeps fmod's sign on a zero result; NumPy's % takes the divisor's."""
    for values, divisor in [([-0.0, 0.0, 4.0, -4.0], -2.0), ([4.0, -4.0, -0.0], 2.0)]:
        mine = autograd_mini.tensor(values) % divisor
        ref = torch.tensor(values) % divisor
        assert np.signbit(mine.tolist()).tolist() == np.signbit(ref.tolist()).tolist()
        mine = autograd_mini.remainder(2.0, autograd_mini.tensor([1.0, -2.0]))
        ref = torch.remainder(2.0, torch.tensor([1.0, -2.0]))
        assert np.signbit(mine.tolist()).tolist() == np.signbit(ref.tolist()).tolist()


def test_integer_inputs():
    for op, dtype in [(lambda t: t.tan(), "float32"), (lambda t: t.erf(), "float32"),
                      (lambda t: t.log1p(), "float32"), (lambda t: t.floor(), "int64"),
                      (lambda t: t.round(), "int64"), (lambda t: t // 2, "int64"),
                      (lambda t: t // 2.5, "float32"), (lambda t: t % 3, "int64"),
                      (lambda t: t.fmod(3), "int64"), (lambda t: t.clamp_min(0.5), "float32"),
                      (lambda t: t.nan_to_num(), "int64"),
                      (lambda t: t.atan2(t), "float32")]:
        mine, ref = op(autograd_mini.tensor([7, -7, 0, 2])), op(torch.tensor([7, -7, 0, 2]))
        assert str(ref.dtype) == "torch." + dtype
        _same(mine, ref)


@pytest.mark.parametrize("program", [
    lambda m: m.tensor([1, 2]).round(decimals=1),
    lambda m: m.tensor([1, 2]).round(decimals=0),
    lambda m: m.tensor([1, 2]).frac(),
    lambda m: m.tensor([1, 2]).hypot(m.tensor([1, 2])),
    lambda m: m.tensor([1, 2]).logaddexp(m.tensor([1, 2])),
    lambda m: m.tensor([1, 2]).heaviside(m.tensor([1.0, 2.0])),
    lambda m: m.tensor([1, 2]) % 0,
    lambda m: m.tensor([1, 2]) // 0,
    lambda m: m.tensor([1.0, 2.0]).atan2(m.ones(3)),
], ids=["round int", "round int decimals=0", "frac int", "hypot int", "logaddexp int", "heaviside dtypes", "int % 0",
        "int // 0", "shapes"])
def test_errors_match_torch(program):
    with pytest.raises(Exception) as ref:
        program(torch)
    with pytest.raises(type(ref.value)) as mine:
        program(autograd_mini)
    assert str(mine.value) == str(ref.value)


def test_not_differentiable_ops_keep_requires_grad_and_refuse_backward():
    for lib in (autograd_mini, torch):
        x = lib.tensor([1.5, -2.5], requires_grad=True)
        y = x // 2
        assert y.requires_grad and y.grad_fn.name() == "torch::autograd::NotImplemented"
        assert len(y.grad_fn.next_functions) == 1
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
            y.sum().backward()
        with pytest.raises(RuntimeError, match="derivative for aten::remainder is not implemented"):
            (2 % x).sum().backward()


def test_profiler_names_the_aten_ops_as_torch_does():
    def program(lib, x):
        return [x.tan(), x.log1p(), x.round(decimals=2), x // 2, 2 % x, x.clamp_min(0.0),
                x.atan2(x), x.xlogy(x), x.nan_to_num(), x.rsqrt(), x.frac(), x.heaviside(x)]
    names = []
    for lib in (autograd_mini, torch):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        with lib.autograd.profiler.profile() as prof:
            program(lib, x)
        names.append({e.name for e in prof.function_events})
    mine, ref = names
    assert mine <= ref
    assert {"aten::tan", "aten::log1p", "aten::round", "aten::floor_divide", "aten::remainder",
            "aten::clamp_min", "aten::atan2", "aten::xlogy", "aten::nan_to_num", "aten::rsqrt",
            "aten::frac", "aten::heaviside"} <= mine
