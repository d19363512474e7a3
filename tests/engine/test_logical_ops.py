"""Tests of values and logical operations on both engines: isnan, isfinite, signbit,
logical_*, eq / gt and their long names, isclose, is_nonzero. The same booleans, dtype
and errors as torch, on values with nan, inf and -0.0; nothing is recorded."""
import pytest
import torch

import autograd_mini

CASES = [
    "lib.isnan(x)", "x.isnan()", "x.isinf()", "lib.isfinite(x)", "x.isposinf()", "x.isneginf()",
    "x.signbit()", "lib.logical_not(x)", "x.logical_and(y)", "lib.logical_or(x, y)",
    "lib.logical_xor(x, 0)", "lib.eq(x, y)", "lib.ne(x, 1.)", "lib.gt(x, y)", "x.greater(y)",
    "lib.less_equal(x, 2)", "lib.greater_equal(x, y)", "lib.not_equal(x, y)", "lib.isclose(x, y)",
    "x.isclose(y, equal_nan=True)", "lib.isclose(x, y, atol=1e-3)", "x.isreal()",
    "lib.tensor([3.]).is_nonzero()", "lib.tensor([0.]).is_nonzero()", "x.is_nonzero()",
    "lib.eq(lib.tensor([1, 2]), lib.tensor([1., 3.]))", "(x > 0).logical_not()",
    "lib.isnan(x * 0)", "x.eq(y).requires_grad", "lib.isnan(x).grad_fn",
]


def run(lib, code):
    x = lib.tensor([1., float("nan"), float("inf"), -float("inf"), -0.0, 2.], requires_grad=True)
    y = lib.tensor([1., float("nan"), 3., -float("inf"), 0.0, 2.000001])
    try:
        value = eval(code, {"lib": lib, "x": x, "y": y})
    except Exception as error:  # noqa: BLE001 - compared with torch's
        return type(error).__name__, str(error)
    if isinstance(value, (torch.Tensor, autograd_mini.Tensor)):
        return value.tolist(), str(value.dtype).split(".")[-1], value.requires_grad
    return value


@pytest.mark.parametrize("code", CASES)
def test_as_torch(code):
    assert run(autograd_mini, code) == run(torch, code)
