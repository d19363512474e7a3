"""Tests of values and logical operations: isnan, isfinite, logical_and, eq, isclose, ...
Their results are booleans, so none of them is recorded: no gradient flows through them."""
import numpy as np

from ..tensor import Tensor
from ._util import as_tensor, binary


def _test(ufunc):
    def test(input):
        return Tensor._make(ufunc(input._data))
    test.__name__ = ufunc.__name__
    return test


def relation(ufunc):
    """`input <ufunc> other` element by element, other a tensor or a number (NumPy's
    comparisons and logical ufuncs give booleans); also the operators <, ==, &, ..."""
    def compare(input, other):
        return Tensor._make(binary(ufunc, input, as_tensor(other, input)))
    compare.__name__ = ufunc.__name__
    return compare


isnan, isinf, isfinite, isposinf, isneginf, signbit, logical_not = (
    _test(f) for f in (np.isnan, np.isinf, np.isfinite, np.isposinf, np.isneginf, np.signbit,
                       np.logical_not))
def _logical(ufunc):
    related = relation(ufunc)

    def logical(input, other):
        if not isinstance(other, Tensor):  # unlike eq and gt, torch takes no number here
            raise TypeError(f"{ufunc.__name__}(): argument 'other' (position 2) must be Tensor, "
                            f"not {type(other).__name__}")
        return related(input, other)
    logical.__name__ = ufunc.__name__
    return logical


logical_and, logical_or, logical_xor = (
    _logical(f) for f in (np.logical_and, np.logical_or, np.logical_xor))
eq, ne, lt, le, gt, ge = (
    relation(f) for f in (np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                           np.greater_equal))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._make(np.isclose(input._data, as_tensor(other, input)._data, rtol=rtol,
                                   atol=atol, equal_nan=equal_nan))


def isreal(input):
    return Tensor._make(np.ones(input._data.shape, dtype=np.bool_))  # no complex dtypes here


def is_nonzero(input):
    if input._data.size != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


NAMES = {
    "isnan": isnan, "isinf": isinf, "isfinite": isfinite, "isposinf": isposinf,
    "isneginf": isneginf, "signbit": signbit, "logical_not": logical_not,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "isclose": isclose, "isreal": isreal, "is_nonzero": is_nonzero,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "not_equal": ne, "less": lt, "less_equal": le, "greater": gt, "greater_equal": ge,
}
