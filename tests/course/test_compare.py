"""compare / compare_all / twin: the table lessons use to show the engines agree.

Expected values come from torch; a mismatch is made by giving compare a torch
result that really differs (another value, dtype, node, shape).
"""

import collections
import re
import warnings

import numpy as np
import pytest
import torch

import autograd_mini as mini
from autograd_course.compare import compare, compare_all, compare_errors, twin


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def seed_example(T, x):
    """The seed tutorial's x + 2, y * y * 3, sum, on engine T."""
    y = x + 2
    z = y * y * 3
    return y, z, z.sum()


# --- twin -----------------------------------------------------------------------------

def test_twin_holds_the_array_as_float32_in_both_engines(rng):
    array = rng.standard_normal((2, 3))
    m, t = twin(array, requires_grad=True)
    assert m.dtype is mini.float32 and t.dtype is torch.float32
    np.testing.assert_array_equal(m.detach().numpy(), array.astype(np.float32))
    np.testing.assert_array_equal(t.detach().numpy(), array.astype(np.float32))
    assert m.requires_grad and t.requires_grad and m.is_leaf and t.is_leaf


@pytest.mark.parametrize("dtype", [torch.float64, mini.float64, np.float64, "float64"])
def test_twin_takes_a_dtype_from_any_engine(rng, dtype):
    m, t = twin(rng.standard_normal(3), dtype=dtype)
    assert (m.dtype, t.dtype) == (mini.float64, torch.float64)


def test_twin_keeps_integer_arrays_integer():
    m, t = twin(np.arange(4))
    assert (m.dtype, t.dtype) == (mini.int64, torch.int64)


def test_twin_gives_each_engine_its_own_copy(rng):
    array = rng.standard_normal(3)
    m, t = twin(array)
    expected = t.numpy().copy()
    array[:] = 0
    m.add_(1)
    np.testing.assert_array_equal(t.numpy(), expected)  # neither the array nor mini's tensor is shared


# --- agreement --------------------------------------------------------------------------

def test_the_seed_example_agrees_in_every_column(rng):
    m, t = twin(rng.standard_normal(4), requires_grad=True)
    result = compare_all({name: pair for name, pair in zip("yzs", zip(seed_example(mini, m), seed_example(torch, t)))})
    assert result.ok
    assert [row.name for row in result.rows] == ["y", "z", "s"]
    assert all(row.problems == [] for row in result.rows)
    grad_fns = [row.attributes["grad_fn"] for row in result.rows]
    assert [pair.torch for pair in grad_fns] == [out.grad_fn.name() for out in seed_example(torch, t)]


def test_gradients_agree_after_backward(rng):
    m, t = twin(rng.standard_normal(4), requires_grad=True)
    seed_example(mini, m)[2].backward()
    seed_example(torch, t)[2].backward()
    assert compare(m.grad, t.grad, name="x.grad").ok


def test_values_within_float32_rounding_are_close_not_exact(rng):
    m, t = twin(rng.standard_normal(4))
    result = compare(m, t + 1e-6)
    assert result.ok
    assert "close match" in repr(result)


def test_exact_and_close_tables_have_the_same_layout(rng):
    # which verdict a CPU reaches must not move the columns: nbval folds only the word
    m, t = twin(rng.standard_normal(4))
    exact, close = repr(compare(m, t)), repr(compare(m, t + 1e-6))
    assert close == exact.replace("exact match", "close match")


def test_nodes_are_compared_by_name(rng):
    m, t = twin(rng.standard_normal(4), requires_grad=True)
    assert compare((m * 2).grad_fn, (t * 2).grad_fn).ok
    assert compare((m * 2).grad_fn, (t + 2).grad_fn).rows[0].problems == ["value", "grad_fn"]


def test_equal_values_are_an_exact_match(rng):
    m, t = twin(rng.standard_normal(4))
    assert "exact match" in repr(compare(m, t))


# --- mismatches -------------------------------------------------------------------------

def _torch_variants(t):
    """torch results that differ from ``t + 2`` in exactly the named column."""
    return {
        "value": t + 2.5,
        "grad_fn": t - (-2.0),  # same values, SubBackward0
        "requires_grad": (t + 2).detach(),
        "shape": (t + 2).reshape(2, 2),
    }


@pytest.mark.parametrize("column", ["value", "grad_fn", "requires_grad", "shape"])
def test_a_difference_in_one_column_is_reported_there(rng, column):
    m, t = twin(rng.standard_normal(4), requires_grad=True)
    result = compare(m + 2, _torch_variants(t)[column], name="y")
    assert not result.ok
    assert column in result.rows[0].problems
    assert repr(result).startswith(f"✗ y: autograd_mini and torch differ in")


def test_a_dtype_difference_is_reported(rng):
    m, t = twin(rng.standard_normal(4))
    assert compare(m, t.double()).rows[0].problems == ["dtype"]


def test_a_value_mismatch_says_by_how_much(rng):
    m, t = twin(rng.standard_normal(4))
    expected = f"MISMATCH (max abs diff {0.5:.2g})"
    assert expected in repr(compare(m, t + 0.5))


def test_two_torch_tensors_are_not_a_comparison_of_the_engines(rng):
    _, t = twin(rng.standard_normal(4))
    result = compare(t, t)
    assert not result.ok
    assert "expected autograd_mini vs torch" in repr(result)


def test_assert_same_raises_with_the_table_only_on_a_mismatch(rng):
    m, t = twin(rng.standard_normal(4))
    assert compare(m, t).assert_same().ok
    with pytest.raises(AssertionError, match="MISMATCH"):
        compare(m, t + 1).assert_same()


# --- structures, None and numbers ---------------------------------------------------------

def test_nested_tuples_are_compared_item_by_item(rng):
    (xm, xt), (ym, yt) = twin(rng.standard_normal(3)), twin(rng.standard_normal(3))
    result = compare(((xm, ym), (ym * 2,)), ((xt, yt), (yt * 2,)), name="J")
    assert result.ok
    assert [row.name for row in result.rows] == ["J[0][0]", "J[0][1]", "J[1][0]"]


def test_a_wrong_item_deep_in_a_structure_is_named(rng):
    (xm, xt), (ym, yt) = twin(rng.standard_normal(3)), twin(rng.standard_normal(3))
    result = compare(((xm, ym), (ym,)), ((xt, yt), (yt + 1,)), name="J")
    assert not result.ok
    assert [row.name for row in result.rows if row.problems] == ["J[1][0]"]
    assert "J[1][0] (value)" in result.verdict()


@pytest.mark.parametrize("torch_side", [
    lambda t: (t, t, t),   # another length
    lambda t: [t, t],      # a list where mini gives a tuple
])
def test_a_structure_of_another_shape_is_a_mismatch(rng, torch_side):
    m, t = twin(rng.standard_normal(3))
    assert not compare((m, m), torch_side(t)).ok


def test_torch_return_types_match_a_namedtuple_of_the_same_name_and_fields(rng):
    _, t = twin(rng.standard_normal((2, 3)))
    by_torch = t.max(dim=0)  # torch.return_types.max: a tuple with field names but no _fields
    namedtuple_max = collections.namedtuple("max", ["values", "indices"])
    like_mini = namedtuple_max(mini.tensor(by_torch.values.numpy()), mini.tensor(by_torch.indices.numpy()))
    result = compare(like_mini, by_torch, name="m")
    assert result.ok
    assert [row.name for row in result.rows] == ["m.values", "m.indices"]
    assert not compare(tuple(like_mini), by_torch).ok  # a plain tuple has no .values


def test_none_on_both_sides_agrees_and_none_on_one_side_does_not(rng):
    m, t = twin(rng.standard_normal(3))
    assert compare(None, None, name="y.grad").ok
    assert not compare(None, t).ok
    assert "None vs torch tensor" in repr(compare(None, t))


def test_numbers_compare_by_value_and_by_type(rng):
    m, t = twin(rng.standard_normal(3))
    assert compare(m.sum().item(), t.sum().item()).ok
    assert compare(1, 1.0).rows[0].problems == ["dtype"]
    assert not compare(m, t.sum().item()).ok


def test_dtypes_and_shapes_of_both_engines_match_by_name(rng):
    m, t = twin(rng.standard_normal((2, 3)))
    assert compare_all([("dtype", m.dtype, t.dtype), ("shape", m.shape, t.shape)]).ok
    assert not compare(mini.float32, torch.float64).ok


def test_compare_never_reads_the_grad_of_a_non_leaf(rng):
    m, t = twin(rng.standard_normal(3), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_all({"y": seed_example(mini, m)[:1] + seed_example(torch, t)[:1]})


# --- what it looks like ---------------------------------------------------------------------

def test_text_form_is_deterministic_and_shows_both_values(rng):
    def build():
        m, t = twin(np.random.default_rng(1).standard_normal(4), requires_grad=True)
        return compare(seed_example(mini, m)[0], seed_example(torch, t)[0], name="y")

    text = repr(build())
    assert text == repr(build())
    assert not re.search(r"0x[0-9a-f]+", text)
    assert text.splitlines()[0] == "✓ y: autograd_mini and torch agree"
    assert re.search(r"✓ AddBackward0\s+AddBackward0", text)


def test_html_form_is_a_table_with_the_verdict_and_escaped_text(rng):
    m, t = twin(rng.standard_normal(4))
    html = compare(None, t, name="<y>")._repr_html_()
    assert "<table" in html and "</table>" in html
    assert "✗ &lt;y&gt;: autograd_mini and torch differ in value" in html
    assert "<y>" not in html


def test_numpy_arrays_compare_by_shape_dtype_and_value(rng):
    array = rng.standard_normal(5)
    assert compare(array, array.copy()).ok
    assert compare(array, array + 1).rows[0].problems == ["value"]
    assert "shape" in compare(array, array[:4]).rows[0].problems
    assert compare(array, array.astype(np.float32)).rows[0].problems == ["dtype"]


# --- errors ---------------------------------------------------------------------------------

def test_the_same_error_from_both_engines_agrees_and_shows_both_messages():
    def non_scalar_backward(T):
        return lambda: (T.tensor([1.0, 2.0], requires_grad=True) * 2).backward()

    result = compare_errors(non_scalar_backward(mini), non_scalar_backward(torch), name="backward")
    with pytest.raises(RuntimeError) as raised:
        non_scalar_backward(torch)()
    assert result.ok
    assert result.details == [f"autograd_mini: RuntimeError: {raised.value}", f"torch: RuntimeError: {raised.value}"]
    assert str(raised.value) in repr(result) and "<pre" in result._repr_html_()


def test_an_error_on_one_engine_only_is_a_mismatch():
    result = compare_errors(lambda: None, lambda: torch.tensor([1, 2], requires_grad=True))
    assert not result.ok
    assert result.rows[0].problems == ["value", "error"]
    assert result.details[0] == "autograd_mini: no error"


def test_no_error_on_either_engine_agrees():
    assert compare_errors(lambda: None, lambda: None).ok
