"""What each engine returns where a function has no derivative (relu and abs at 0, sqrt
at 0, clamp at its bounds, ties in max / maximum, norm at 0, pow at 0): torch's chosen
values, first and second order, NaN and inf included."""
import numpy as np
import pytest

from _twin import autograd_mini, torch

CASES = {
    "relu": (lambda lib, x: x.relu(), [[-1.0, 0.0, 1.0]]),
    "torch.relu": (lambda lib, x: lib.relu(x), [[0.0]]),
    "abs": (lambda lib, x: x.abs(), [[-1.0, 0.0, 1.0]]),
    "sign": (lambda lib, x: x.sign() * x, [[0.0, 1.0]]),
    "sqrt at 0": (lambda lib, x: x.sqrt(), [[0.0, 4.0]]),
    "sqrt at 0 times 0": (lambda lib, x: x.sqrt() * 0, [[0.0]]),
    "sqrt of a negative": (lambda lib, x: x.sqrt(), [[-1.0]]),
    "log at 0": (lambda lib, x: x.log(), [[0.0, -1.0]]),
    "clamp at its bounds": (lambda lib, x: x.clamp(0, 1), [[-1.0, 0.0, 0.5, 1.0, 2.0]]),
    "clamp min": (lambda lib, x: x.clamp(min=0), [[-1.0, 0.0, 1.0]]),
    "clamp max": (lambda lib, x: x.clamp(max=0), [[-1.0, 0.0, 1.0]]),
    "clamp min == max": (lambda lib, x: x.clamp(1.0, 1.0), [[0.0, 1.0, 2.0]]),
    "clamp min > max": (lambda lib, x: x.clamp(2.0, 1.0), [[0.0, 1.5, 3.0]]),
    "clamp by a tensor": (lambda lib, x, lo: x.clamp(min=lo), [[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]),
    "max with ties": (lambda lib, x: x.max(), [[1.0, 3.0, 3.0, 2.0]]),
    "max of equal values": (lambda lib, x: x.max(), [[2.0, 2.0, 2.0]]),
    "min with ties": (lambda lib, x: x.min(), [[1.0, 1.0, 3.0]]),
    "max(dim) with ties": (lambda lib, x: x.max(1)[0], [[[1.0, 1.0, 0.0], [2.0, 3.0, 3.0]]]),
    "min(dim) with ties": (lambda lib, x: x.min(0)[0], [[[1.0, 1.0], [1.0, 2.0]]]),
    "maximum tie": (lambda lib, x, y: lib.maximum(x, y), [[1.0, 2.0], [1.0, 3.0]]),
    "minimum tie": (lambda lib, x, y: lib.minimum(x, y), [[1.0, 2.0], [1.0, 3.0]]),
    "max(a, b) tie": (lambda lib, x, y: lib.max(x, y), [[1.0, 2.0], [1.0, 3.0]]),
    "maximum tie broadcast": (lambda lib, x, y: lib.maximum(x, y), [[1.0, 1.0], [1.0]]),
    "norm at 0": (lambda lib, x: x.norm(), [[0.0, 0.0]]),
    "norm(1) at 0": (lambda lib, x: x.norm(p=1), [[0.0, 1.0]]),
    "norm(3) at 0": (lambda lib, x: x.norm(p=3), [[0.0, 0.0]]),
    "norm(inf) with ties": (lambda lib, x: x.norm(p=float("inf")), [[1.0, -1.0, 0.5]]),
    "norm(dim) of a zero row": (lambda lib, x: x.norm(dim=0), [[[0.0, 1.0], [0.0, 2.0]]]),
    "x ** y at 0": (lambda lib, x, y: x ** y, [[0.0, 0.0, -1.0, 2.0], [0.0, 2.0, 0.0, 0.0]]),
    "0 ** negative": (lambda lib, x, y: x ** y, [[0.0], [-1.0]]),
    "0 ** x": (lambda lib, x: 0 ** x, [[0.0, 1.0, -1.0]]),
    "1 ** x": (lambda lib, x: 1 ** x, [[0.0, 1.0]]),
    "x ** -1 at 0": (lambda lib, x: x ** -1, [[0.0]]),
    "x ** 0.5 at 0": (lambda lib, x: x ** 0.5, [[0.0]]),
    "x ** 0": (lambda lib, x: x ** 0, [[0.0, 2.0]]),
    "x ** 2 at 0": (lambda lib, x: x ** 2, [[0.0]]),
    "0 / 0": (lambda lib, x, y: x / y, [[0.0], [0.0]]),
    "1 / 0": (lambda lib, x: 1 / x, [[0.0]]),
    "where hides a NaN branch": (lambda lib, x: lib.where(x > 0, x.sqrt(), x * 0),
                                 [[0.0, -1.0, 4.0]]),
}


def _array(t, like):
    if t is None:
        return None
    try:
        return np.asarray(t.tolist(), dtype=np.float64)
    except RuntimeError:
        # torch's double backward of abs and norm(1) returns its "efficient zero tensor",
        # which has no storage to read: all zeros by definition.
        return np.zeros(tuple(like.shape))


def _gradients(lib, f, values):
    xs = [lib.tensor(v, requires_grad=True) for v in values]
    y = f(lib, *xs)
    first = lib.autograd.grad(y.sum(), xs, create_graph=True, allow_unused=True)
    result = [_array(g, x) for g, x in zip(first, xs)]
    differentiable = [g for g in first if g is not None and g.requires_grad]
    result.append([g.requires_grad for g in first if g is not None])
    if differentiable:
        second = lib.autograd.grad(sum(g.sum() for g in differentiable), xs, allow_unused=True)
        result += [_array(g, x) for g, x in zip(second, xs)]
    return result


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_gradients_as_torch_first_and_second_order(name):
    f, values = CASES[name]
    with np.errstate(all="ignore"):
        mine, ref = _gradients(autograd_mini, f, values), _gradients(torch, f, values)
    assert len(mine) == len(ref)
    for m, r in zip(mine, ref):
        if isinstance(r, np.ndarray):
            np.testing.assert_allclose(m, r, rtol=1e-6, atol=1e-7, equal_nan=True)
        else:
            assert m == r


def test_torchs_choices_spelled_out():
    """The values a lesson quotes, from torch itself."""
    def grad(f, values):
        x = torch.tensor(values, requires_grad=True)
        f(x).sum().backward()
        return x.grad.tolist()

    for lib_grad in (grad, lambda f, v: _mini_grad(f, v)):
        assert lib_grad(lambda x: x.relu(), [0.0]) == [0.0]
        assert lib_grad(lambda x: x.abs(), [0.0]) == [0.0]
        assert lib_grad(lambda x: x.sqrt(), [0.0]) == [float("inf")]
        assert lib_grad(lambda x: x.clamp(0, 1), [0.0, 1.0]) == [1.0, 1.0]
        assert lib_grad(lambda x: x.max(), [3.0, 3.0]) == [0.5, 0.5]
        assert lib_grad(lambda x: x.norm(), [0.0, 0.0]) == [0.0, 0.0]


def _mini_grad(f, values):
    x = autograd_mini.tensor(values, requires_grad=True)
    f(x).sum().backward()
    return x.grad.tolist()
