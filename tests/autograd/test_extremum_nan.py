"""max() / min() with a NaN: the result is NaN and torch sends the gradient to the
NaN elements (shared evenly between several), not NaN everywhere; max(dim) /
min(dim) pick the first NaN along the dim, as torch does."""
import pytest
import torch

import autograd_mini

NAN = float("nan")
DATA = [[1., NAN], [NAN, 2., NAN], [NAN, NAN], [3., 1., 3.], [[1., NAN, 3.], [NAN, 5., NAN]]]


def _all(lib, data, name):
    x = lib.tensor(data, requires_grad=True)
    y = getattr(x, name)()
    y.backward()
    return repr(y).replace("autograd_mini.", "torch."), x.grad.tolist(), type(y.grad_fn).__name__


def _along(lib, data, name, dim):
    x = lib.tensor(data, requires_grad=True)
    values, indices = getattr(x, name)(dim)
    (values * lib.arange(1., values.numel() + 1).reshape(values.shape)).sum().backward()
    return (repr(values).replace("autograd_mini.", "torch."), indices.tolist(), x.grad.tolist(),
            type(values.grad_fn).__name__)


def _same(mine, ref):
    assert repr(mine) == repr(ref)  # nan compares equal only as text


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("data", DATA, ids=str)
def test_all_elements(name, data):
    _same(_all(autograd_mini, data, name), _all(torch, data, name))


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_along_a_dim(name, dim):
    data = DATA[-1]
    _same(_along(autograd_mini, data, name, dim), _along(torch, data, name, dim))
