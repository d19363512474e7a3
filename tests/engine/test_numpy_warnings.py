"""Torch computes 1/0, log(0), exp(1000), the mean of nothing... silently (inf, nan):
no NumPy RuntimeWarning may escape from autograd_mini either, even when the program
asks to see every warning (`warnings.simplefilter("always")`, common in notebooks),
forward and backward alike; values and gradients agree with torch. The student's own
NumPy keeps warning as before."""
import warnings

import numpy as np
import pytest
import torch

import autograd_mini

PROGRAMS = {
    "divide by zero": "x = lib.tensor([1., 0.], requires_grad=True); y = (1 / x).sum()",
    "0 / 0": "x = lib.tensor([0.], requires_grad=True); y = (x / x).sum()",
    "overflow in divide": "x = lib.tensor([3e38], requires_grad=True); y = (x / 1e-3).sum()",
    "log of 0": "x = lib.tensor([0., 1.], requires_grad=True); y = x.log().sum()",
    "log of a negative": "x = lib.tensor([-1.], requires_grad=True); y = x.log().sum()",
    "sqrt at 0": "x = lib.tensor([0., 4.], requires_grad=True); y = x.sqrt().sum()",
    "sqrt of a negative": "x = lib.tensor([-4.], requires_grad=True); y = x.sqrt().sum()",
    "0 ** -1": "x = lib.tensor([0.], requires_grad=True); y = (x ** -1).sum()",
    "0 ** 0.5": "x = lib.tensor([0.], requires_grad=True); y = (x ** 0.5).sum()",
    "exp overflow": "x = lib.tensor([1000.], requires_grad=True); y = x.exp().sum()",
    "overflow in multiply": "x = lib.tensor([3e38], requires_grad=True); y = (x * 10).sum()",
    "inf times 0": "x = lib.tensor([0.], requires_grad=True); y = ((1 / x) * 0).sum()",
    "inf minus inf": "x = lib.tensor([0.], requires_grad=True); y = ((1 / x) - (1 / x)).sum()",
    "overflow in sum": "x = lib.tensor([3e38, 3e38], requires_grad=True); y = x.sum()",
    "mean of nothing": "x = lib.zeros(0, requires_grad=True); y = x.mean()",
    "mean of nothing along a dim": "x = lib.zeros(0, 3, requires_grad=True); y = x.mean(0).sum()",
    "reciprocal of 0": "x = lib.tensor([0.], requires_grad=True); y = x.reciprocal().sum()",
    "sigmoid far out": "x = lib.tensor([-1000., 1000.], requires_grad=True); y = x.sigmoid().sum()",
    "norm overflow": "x = lib.tensor([3e38, 3e38], requires_grad=True); y = x.norm()",
    "matmul overflow": "x = lib.full((2, 2), 3e38, requires_grad=True); y = (x @ x).sum()",
    "in place, under no_grad": "x = lib.tensor([0.], requires_grad=True)\n"
                               "with lib.no_grad():\n    x.div_(0.)\ny = x.sum()",
    "nan and inf to long": "x = lib.tensor([0.], requires_grad=True); x.detach().div(0).long(); "
                           "y = (x / 0).sum()",
}


def _run(lib, code):
    names = {"lib": lib}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(code, names)
        y, x = names["y"], names["x"]
        y.backward()
        shown = repr(y), repr(x.grad)
    values = (y.item(), x.grad.tolist() if x.grad is not None else None)
    return values, [tuple(s.replace("autograd_mini.", "torch.") for s in shown)], \
        [f"{w.category.__name__}: {w.message}" for w in caught]


@pytest.mark.parametrize("name", PROGRAMS)
def test_no_numpy_warning_escapes(name):
    mine, ref = _run(autograd_mini, PROGRAMS[name]), _run(torch, PROGRAMS[name])
    assert mine[2] == ref[2] == []
    np.testing.assert_equal(mine[0], ref[0])  # nan == nan here
    assert mine[1] == ref[1]


def test_printing_inf_and_nan_is_silent():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shown = repr(autograd_mini.tensor([float("inf"), 1., float("nan")]))
    assert caught == []
    assert shown == repr(torch.tensor([float("inf"), 1., float("nan")]))


def test_the_students_own_numpy_still_warns():
    autograd_mini.tensor([1.]) / 0  # the engine's quiet state ends with each operation
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        np.float32(1) / np.zeros(1, np.float32)
    assert [str(w.message) for w in caught] == ["divide by zero encountered in divide"]
    assert np.geterr()["divide"] == "warn"
