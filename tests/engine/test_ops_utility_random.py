"""Utility functions, dtype questions and the remaining random fills, run on both
engines: random and integer results compared exactly after the same manual_seed,
gradients and node names for the differentiable ones, and torch's error messages."""
import numpy as np
import pytest
import torch

import autograd_mini

ENGINES = (torch, autograd_mini)


def _plain(value):
    if hasattr(value, "detach"):
        return value.detach().numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    return value


def _same(program, seed=0):
    results = []
    for lib in ENGINES:
        lib.manual_seed(seed)
        results.append([np.asarray(_plain(r)) for r in program(lib)])
    for ref, mini in zip(*results):
        assert ref.dtype == mini.dtype and ref.shape == mini.shape
        np.testing.assert_array_equal(mini, ref)


def _same_error(program):
    messages = []
    for lib in ENGINES:
        with pytest.raises(Exception) as caught:
            program(lib)
        messages.append((type(caught.value).__name__, str(caught.value)))
    assert messages[0] == messages[1]


# -- random fills ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 7, 2 ** 40 + 3])
def test_random_fills_draw_torchs_numbers(seed):
    _same(lambda lib: [
        lib.empty(5).exponential_(2.0), lib.empty(40, dtype=lib.float64).exponential_(),
        lib.empty(4, 3).t().exponential_(0.5),
        lib.empty(30).cauchy_(1.0, 2.0), lib.empty(3, 4, dtype=lib.float64).t().cauchy_(),
        lib.empty(20).log_normal_(), lib.empty(5, dtype=lib.float64).log_normal_(0.5, 0.25),
        lib.empty(6, dtype=lib.int64).geometric_(0.2), lib.empty(9).geometric_(0.7),
        lib.empty(4, dtype=lib.uint8).geometric_(0.5),
        lib.randint_like(lib.ones(2, 3), 4, 9), lib.randint_like(lib.ones(5), 3),
        lib.randint_like(lib.ones(5), 3, 100, dtype=lib.int64), lib.rand(3)], seed)


@pytest.mark.parametrize("fill, node", [
    (lambda x: x.exponential_(), "ExponentialBackward0"),
    (lambda x: x.cauchy_(), "CauchyBackward0"),
    (lambda x: x.log_normal_(), "LogNormalBackward0"),
    (lambda x: x.geometric_(0.3), "GeometricBackward0")])
def test_random_fills_record_a_zero_gradient(fill, node):
    for lib in ENGINES:
        leaf = lib.ones(3, requires_grad=True)
        out = fill(leaf.clone())
        assert out.grad_fn.name() == node
        assert out.grad_fn.next_functions[0][0].name() == "CloneBackward0"
        out.sum().backward()
        np.testing.assert_array_equal(leaf.grad.numpy(), np.zeros(3, np.float32))


@pytest.mark.parametrize("program", [
    lambda lib: lib.empty(3).exponential_(-1), lambda lib: lib.empty(3).exponential_(0),
    lambda lib: lib.empty(3).exponential_(-1.5),
    lambda lib: lib.empty(3, dtype=lib.int64).exponential_(),
    lambda lib: lib.empty(3, dtype=lib.bool).exponential_(),
    lambda lib: lib.empty(3).geometric_(0), lambda lib: lib.empty(3).geometric_(1.25),
    lambda lib: lib.empty(3, dtype=lib.bool).geometric_(0.5),
    lambda lib: lib.empty(3).cauchy_(0, -1), lambda lib: lib.empty(3, dtype=lib.int32).cauchy_(),
    lambda lib: lib.empty(3).log_normal_(0, 0),
    lambda lib: lib.empty(3, dtype=lib.int64).log_normal_(),
    lambda lib: lib.ones(3, requires_grad=True).exponential_(),
    lambda lib: lib.randint_like(lib.ones(2), 5, 2)])
def test_random_fill_errors(program):
    _same_error(program)


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_multinomial_draws_torchs_samples(seed):
    _same(lambda lib: [
        lib.multinomial(lib.tensor([0.1, 0.2, 0.3, 0.4]), 3),
        lib.multinomial(lib.tensor([0.1, 0.2, 0.3, 0.4]), 10, True),
        lib.multinomial(lib.tensor([[1.0, 2, 3], [0, 5, 1]]), 2),
        lib.multinomial(lib.tensor([[1.0, 2, 3], [0, 5, 1]], dtype=lib.float64), 7, True),
        lib.tensor([1.0, 2, 3, 4]).multinomial(1, replacement=True),
        lib.multinomial(lib.tensor([1.0, 0, 0]), 2), lib.rand(2)], seed)


@pytest.mark.parametrize("args", [
    ([1.0, 0, 0], 4), ([1.0, 0, 0], 0), ([-1.0, 0, 0], 1), ([-1.0, 0, 0], 3, True),
    ([0.0, 0, 0], 3, True), ([0.0, 0, 0], 1), ([float("inf"), 0, 0], 2, True),
    ([float("nan"), 0, 0], 2, True), ([float("nan"), 1], 1), (1.0, 2, True),
    ([[[1.0]]], 1)])
def test_multinomial_errors(args):
    _same_error(lambda lib: lib.multinomial(lib.tensor(args[0]), *args[1:]))
    _same_error(lambda lib: lib.multinomial(lib.tensor([1, 0]), 1))


@pytest.mark.parametrize("seed", [0, 5, 2 ** 33])
def test_poisson_draws_torchs_counts(seed):
    rates = [0, 0.5, 3, 9.9, 10, 50, 1000, 2.5, 0.01] * 4
    _same(lambda lib: [lib.poisson(lib.tensor(rates)),
                       lib.poisson(lib.tensor([[1.0, 100], [2, 300], [5, 1000]]).t()),
                       lib.poisson(lib.tensor(rates, dtype=lib.float64)), lib.rand(3)], seed)


def test_poisson_records_a_zero_gradient_and_checks_its_rates():
    for lib in ENGINES:
        rates = lib.tensor([1.0, 20.0], requires_grad=True)
        counts = lib.poisson(rates)
        assert counts.grad_fn.name() == "PoissonBackward0"
        counts.sum().backward()
        np.testing.assert_array_equal(rates.grad.numpy(), np.zeros(2, np.float32))
    for rates in ([-1.0], [float("nan")], [1, 2]):
        _same_error(lambda lib: lib.poisson(lib.tensor(rates)))


# -- dtype questions ------------------------------------------------------------------------

def _dtypes(lib):
    return [lib.float32, lib.float64, lib.float16, lib.int64, lib.int32, lib.int16, lib.int8,
            lib.uint8, lib.bool]


def _name(d):
    return str(d).split(".")[-1]


def test_finfo_and_iinfo():
    for ref, mini in zip(_dtypes(torch), _dtypes(autograd_mini)):
        if ref.is_floating_point:
            r, m = torch.finfo(ref), autograd_mini.finfo(mini)
            attrs = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")
        elif ref is not torch.bool:
            r, m = torch.iinfo(ref), autograd_mini.iinfo(mini)
            attrs = ("bits", "max", "min", "dtype")
        else:
            continue
        assert [getattr(m, a) for a in attrs] == [getattr(r, a) for a in attrs]
        assert repr(m) == repr(r) and str(m) == str(r)
    assert repr(autograd_mini.finfo()) == repr(torch.finfo())


@pytest.mark.parametrize("program", [
    lambda lib: lib.iinfo(lib.float32), lambda lib: lib.finfo(lib.int32),
    lambda lib: lib.iinfo(lib.bool), lambda lib: lib.finfo(lib.bool),
    lambda lib: lib.promote_types(1, lib.float32), lambda lib: lib.is_complex(3)])
def test_dtype_question_errors(program):
    _same_error(program)


def test_promote_types_and_can_cast_on_every_pair():
    for ra, ma in zip(_dtypes(torch), _dtypes(autograd_mini)):
        for rb, mb in zip(_dtypes(torch), _dtypes(autograd_mini)):
            assert _name(autograd_mini.promote_types(ma, mb)) == _name(torch.promote_types(ra, rb))
            assert autograd_mini.can_cast(ma, mb) == torch.can_cast(ra, rb)


def test_result_type():
    def operands(lib):
        return [lib.ones(2, dtype=lib.int32), lib.tensor(2.5, dtype=lib.float64),
                lib.tensor(1, dtype=lib.uint8), lib.ones(2, dtype=lib.int8),
                lib.ones(2, dtype=lib.bool), lib.ones(2, dtype=lib.float16), 2, 2.5, True]
    for a, (ra, ma) in enumerate(zip(operands(torch), operands(autograd_mini))):
        for b, (rb, mb) in enumerate(zip(operands(torch), operands(autograd_mini))):
            assert _name(autograd_mini.result_type(ma, mb)) == _name(torch.result_type(ra, rb))


def test_is_complex_and_typename():
    for lib in ENGINES:
        assert lib.is_complex(lib.ones(2)) is False and lib.ones(2).is_complex() is False
    for make in (lambda lib: lib.ones(2), lambda lib: lib.ones(2, dtype=lib.int64), lambda lib: 3,
                 lambda lib: lib.ones(2).grad_fn, lambda lib: "x"):
        assert autograd_mini.typename(make(autograd_mini)) == torch.typename(make(torch))
