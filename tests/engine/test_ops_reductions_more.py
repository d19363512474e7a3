"""prod, var/std, logsumexp, amax/amin, median, kthvalue, mode, the boolean reductions,
the scans (cumsum ... cummin), sorting (sort, argsort, topk, msort) and the index-tensor
operations (gather, scatter, index_select, masked_fill, ...) against torch: values,
indices, dtypes, grad_fn names, graph structure, gradients (ties included) and the
error messages for bad arguments."""
import numpy as np
import pytest

from _twin_ops import check, check_error

rng = np.random.default_rng(12)
X = rng.uniform(-2, 2, size=(3, 4)).astype(np.float32)
# Ties in every row (and between rows) for median, sort, amax, cummax...
TIES = np.array([[1, 3, 3, 2, 1, 3], [2, 2, 2, 2, 2, 2], [0, -1, 5, 5, -1, 0]], np.float32)
ZEROS = np.array([[1, 0, 2, 3], [0, 0, 3, 1], [1, 2, 3, 4]], np.float64)
IDX = np.array([[0, 2], [1, 1], [3, 0]], np.int64)

REDUCTIONS = {
    "prod": lambda m, a: a.prod(),
    "prod_dim": lambda m, a: a.prod(1),
    "prod_keep": lambda m, a: m.prod(a, 0, keepdim=True),
    "std": lambda m, a: a.std(),
    "std_dim": lambda m, a: a.std(1),
    "std_biased": lambda m, a: a.std(0, unbiased=False, keepdim=True),
    "var": lambda m, a: a.var(),
    "var_dims": lambda m, a: m.var(a, (0, 1), correction=0),
    "var_corr2": lambda m, a: a.var(1, correction=2, keepdim=True),
    "var_positional_unbiased": lambda m, a: a.var(False),
    "logsumexp": lambda m, a: a.logsumexp(1),
    "logsumexp_keep": lambda m, a: m.logsumexp(a, (0, 1), keepdim=True),
    "amax": lambda m, a: a.amax(),
    "amax_dim": lambda m, a: a.amax(1),
    "amin_dims": lambda m, a: m.amin(a, (0, -1), keepdim=True),
    "median": lambda m, a: a.median(),
    "median_dim": lambda m, a: a.median(1),
    "median_keep": lambda m, a: m.median(a, 0, keepdim=True),
    "kthvalue": lambda m, a: a.kthvalue(2),
    "kthvalue_dim0": lambda m, a: a.kthvalue(3, 0, True),
    "mode": lambda m, a: a.mode(1),
    "cumsum": lambda m, a: a.cumsum(1),
    "cumsum0": lambda m, a: m.cumsum(a, dim=0),
    "cumprod": lambda m, a: a.cumprod(1),
    "cummax": lambda m, a: a.cummax(1),
    "cummin": lambda m, a: m.cummin(a, 0),
    "sort": lambda m, a: a.sort(),
    "sort_desc": lambda m, a: a.sort(1, descending=True),
    "sort_stable0": lambda m, a: m.sort(a, dim=0, stable=True),
    "msort": lambda m, a: a.msort(),
    "topk": lambda m, a: a.topk(2, 1),
    "topk_smallest": lambda m, a: a.topk(1, 0, largest=False),
}


@pytest.mark.parametrize("data", ["random", "ties"])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_match_torch(name, data):
    a = X if data == "random" else TIES
    check(REDUCTIONS[name], [a])


# Long slices with many ties: topk's partial_sort (k * 64 <= n) and nth_element paths,
# mode's and sort's std::sort (unstable past 16 elements), kthvalue's quickselect.
LONG_TIES = np.random.default_rng(3).integers(0, 5, size=(3, 150)).astype(np.float32)
TIE_PICKS = {
    "topk_partial_sort": lambda m, a: a.topk(2, 1),
    "topk_nth_element": lambda m, a: a.topk(40, 1, largest=False),
    "topk_unsorted": lambda m, a: a.topk(7, 1, sorted=False),
    "topk_dim0": lambda m, a: a.topk(2, 0),
    "mode_long": lambda m, a: a.mode(1),
    "kthvalue_long": lambda m, a: a.kthvalue(77, 1),
    "median_long": lambda m, a: a.median(1),
    "sort_long": lambda m, a: a.sort(1, descending=True),
    "sort_long_ascending": lambda m, a: a.sort(1),
    "sort_long_stable": lambda m, a: a.sort(dim=1, stable=True),
    "argsort_long": lambda m, a: a.argsort(1, descending=True),
    "msort_long": lambda m, a: a.t().msort(),
}


@pytest.mark.parametrize("name", sorted(TIE_PICKS))
def test_torch_picks_the_same_element_among_ties(name):
    check(TIE_PICKS[name], [LONG_TIES])


@pytest.mark.parametrize("name", ["prod", "prod_dim", "prod_keep", "cumprod", "cumsum"])
def test_products_with_zeros_have_torch_gradients(name):
    check(REDUCTIONS[name], [ZEROS])
    check(REDUCTIONS[name], [ZEROS[:1, :3].copy()])  # one zero only


@pytest.mark.parametrize("name", ["prod", "prod_dim", "std_dim", "var", "logsumexp", "amax_dim",
                                  "median", "median_dim", "cumsum", "cumprod", "sort_desc"])
def test_second_derivatives_match_torch(name):
    check(REDUCTIONS[name], [X.astype(np.float64)], double=True)


def test_float64_and_nan():
    nan = np.array([[1.0, np.nan, 3.0, 2.0], [4.0, 0.5, 0.5, 1.0]])
    for name in ("sort", "sort_desc", "median", "median_dim", "cummax", "amax_dim", "msort"):
        check(REDUCTIONS[name], [nan])


INTEGER = {
    "all": lambda m, a: (a > 0).all(),
    "all_dim": lambda m, a: (a > 0).all(1),
    "any_keep": lambda m, a: m.any(a > 1, 0, keepdim=True),
    "count_nonzero": lambda m, a: m.count_nonzero(a > 0),
    "count_nonzero_dim": lambda m, a: (a > 0).count_nonzero(0),
    "nonzero": lambda m, a: (a > 0).nonzero(),
    "nonzero_tuple": lambda m, a: m.nonzero(a > 0, as_tuple=True),
    "where_one_arg": lambda m, a: m.where(a > 0),
    "argsort": lambda m, a: a.argsort(1),
    "argsort_desc": lambda m, a: m.argsort(a, dim=0, descending=True),
    "int_prod": lambda m, a: (a > 0).long().prod(1),
    "int_cumsum": lambda m, a: (a > 0).cumsum(1),
    "int_sort": lambda m, a: (a * 2).long().sort(1),
}


@pytest.mark.parametrize("name", sorted(INTEGER))
def test_integer_and_boolean_results_match_exactly(name):
    check(INTEGER[name], [TIES])


INDEXING = {
    "gather": lambda m, a: a.gather(1, m.tensor(IDX)),
    "gather_small": lambda m, a: m.gather(a, 0, m.tensor(IDX[:2, :1].copy())),
    "scatter_src": lambda m, a: a.scatter(1, m.tensor(IDX[:, :1].copy()), a[:, 1:2] * 2),
    "scatter_value": lambda m, a: a.scatter(0, m.tensor(IDX[:1].copy()), 1.5),
    "scatter_add": lambda m, a: a.scatter_add(1, m.tensor(IDX), a[:, :2] * 3),
    "index_select": lambda m, a: a.index_select(1, m.tensor([3, 0, 0])),
    "index_select0": lambda m, a: m.index_select(a, 0, m.tensor([2])),
    "index_add": lambda m, a: a.index_add(0, m.tensor([2, 0]), a[:2] * 2),
    "index_add_alpha": lambda m, a: a.index_add(1, m.tensor([1, 1]), a[:, :2], alpha=0.5),
    "take": lambda m, a: a.take(m.tensor([[0, 5], [11, 5]])),
    "masked_fill": lambda m, a: a.masked_fill(a > 0, 0.25),
    "masked_fill_row_mask": lambda m, a: a.masked_fill(m.tensor([True, False, True, False]), -1.0),
    "masked_fill_tensor": lambda m, a: a.masked_fill(a < 0, a[0, 0] * 2),
    "masked_fill_": lambda m, a: (a * 1).masked_fill_(a > 0.5, 2.0),
    "masked_select": lambda m, a: a.masked_select(a > 0),
    "masked_select_bcast": lambda m, a: m.masked_select(a, m.tensor([True, False, True, True])),
    "scatter_": lambda m, a: (a * 1).scatter_(1, m.tensor(IDX), a[:, 1:3]),
    "scatter_add_": lambda m, a: (a + 0).scatter_add_(1, m.tensor(IDX[:, :1].copy()), a[:, :1]),
    "index_add_": lambda m, a: (a + 0).index_add_(0, m.tensor([1]), a[2:]),
    "where_three": lambda m, a: m.where(a > 0, a, a * 3),
}


@pytest.mark.parametrize("name", sorted(INDEXING))
def test_index_tensor_ops_match_torch(name):
    check(INDEXING[name], [X])


@pytest.mark.parametrize("name", ["gather", "scatter_src", "scatter_add", "index_select",
                                  "index_add", "take", "masked_fill_tensor", "masked_select"])
def test_index_tensor_ops_second_derivatives(name):
    check(INDEXING[name], [X.astype(np.float64)], double=True)


ERRORS = {
    "prod_dim": lambda m, a: a.prod(3),
    "std_dim": lambda m, a: a.std(5),
    "std_int": lambda m, a: m.tensor([1, 2]).std(),
    "logsumexp_no_dim": lambda m, a: a.logsumexp(),
    "amax_dim": lambda m, a: a.amax(2),
    "median_dim": lambda m, a: a.median(-3),
    "kthvalue_k": lambda m, a: a.kthvalue(7, 1),
    "kthvalue_zero": lambda m, a: a.kthvalue(0),
    "mode_dim": lambda m, a: a.mode(7),
    "cumsum_dim": lambda m, a: a.cumsum(2),
    "cummax_dim": lambda m, a: a.cummax(-3),
    "sort_dim": lambda m, a: a.sort(2),
    "topk_k": lambda m, a: a.topk(5),
    "gather_bounds": lambda m, a: a.gather(1, m.tensor([[5]])),
    "gather_ndim": lambda m, a: a.gather(1, m.tensor([1])),
    "scatter_bounds": lambda m, a: a.scatter(0, m.tensor([[3]]), 1.0),
    "index_select_matrix": lambda m, a: a.index_select(1, m.tensor([[0]])),
    "take_bounds": lambda m, a: a.take(m.tensor([12])),
    "masked_fill_shape": lambda m, a: a.masked_fill(m.ones(3, 3) > 0, 1.0),
}


def test_scatter_src_larger_than_index_fails_in_backward_as_in_torch():
    # torch's own backward returns a gradient of the index's shape for a larger src.
    check_error(lambda m, a: m.autograd.grad(
        a.scatter(1, m.tensor(IDX[:, :1].copy()), a * 2).sum(), a.requires_grad_()), [X])


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    check_error(ERRORS[name], [X])


def test_named_tuples_unpack_and_index_like_torch():
    import autograd_mini
    x = autograd_mini.tensor(TIES)
    values, indices = x.median(1)
    assert x.median(1)[0] is not None and x.median(1).indices.tolist() == indices.tolist()
    assert type(x.sort()).__name__ == "sort" and type(x.kthvalue(1)).__name__ == "kthvalue"
    assert repr(x.topk(1)).startswith("autograd_mini.return_types.topk(")


def test_torch_node_attributes():
    import autograd_mini
    x = autograd_mini.tensor(X, requires_grad=True)
    node = x.var(1, correction=0, keepdim=True).grad_fn
    assert (node._saved_dim, node._saved_correction, node._saved_keepdim) == ([1], 0, True)
    assert node._saved_self is x
    node = x.prod(1).grad_fn
    assert node._saved_dim == 1 and node._saved_result.shape == (3,)
    node = x.sort(1).values.grad_fn
    assert node._saved_dim == 1 and node._saved_indices.shape == (3, 4)


SCALAR = np.array(1.5, np.float32)
EMPTY = np.zeros((0, 3), np.float32)
INTS = np.array([[3, 1, 2], [0, 5, 5]], np.int64)
EDGES = {
    "prod_0d": (lambda m, a: a.prod(0), SCALAR),
    "prod_empty": (lambda m, a: a.prod(), EMPTY),
    "prod_empty_dim": (lambda m, a: a.prod(0), EMPTY),
    "std_0d": (lambda m, a: a.std(), SCALAR),
    "var_one_element": (lambda m, a: a[:1].var(), X[0]),
    "logsumexp_all_minus_inf": (lambda m, a: (a * 0 - float("inf")).logsumexp(0), X[0]),
    "median_0d_dim": (lambda m, a: a.median(0), SCALAR),
    "kthvalue_0d": (lambda m, a: a.kthvalue(1), SCALAR),
    "mode_0d": (lambda m, a: a.mode(), SCALAR),
    "cumprod_0d": (lambda m, a: a.cumprod(0), SCALAR),
    "cummax_0d": (lambda m, a: a.cummax(0), SCALAR),
    "sort_0d": (lambda m, a: a.sort(), SCALAR),
    "topk_0d": (lambda m, a: a.topk(1), SCALAR),
    "nonzero_0d": (lambda m, a: a.nonzero(), SCALAR),
    "scatter_0d": (lambda m, a: a.scatter(0, m.tensor(0), 2.0), SCALAR),
    "index_select_0d": (lambda m, a: a.index_select(0, m.tensor([0])), SCALAR),
    "take_0d": (lambda m, a: a.take(m.tensor(0)), SCALAR),
    "int_median": (lambda m, a: a.median(1), INTS),
    "int_kthvalue": (lambda m, a: a.kthvalue(2, 1), INTS),
    "int_mode": (lambda m, a: a.mode(1), INTS),
    "int_cummax": (lambda m, a: a.cummax(1), INTS),
    "int_sort_desc": (lambda m, a: a.sort(1, descending=True), INTS),
    "int_amax": (lambda m, a: a.amax(1), INTS),
    "int_cumprod": (lambda m, a: a.cumprod(1), INTS),
    "int_gather": (lambda m, a: a.gather(1, m.tensor([[0], [1]])), INTS),
    "int_masked_fill": (lambda m, a: a.masked_fill(a > 2, 7), INTS),
    "bool_sort": (lambda m, a: (a > 2).sort(1), INTS),
    "bool_prod": (lambda m, a: (a > 2).prod(1), INTS),
    "count_nonzero_dims": (lambda m, a: a.count_nonzero((0, 1)), INTS),
}


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")  # both engines warn: tested below
@pytest.mark.parametrize("name", sorted(EDGES))
def test_zero_dim_empty_and_integer_inputs(name):
    program, array = EDGES[name]
    check(program, [array])


NO_FREEDOM = {
    "std_0d": (lambda m, a: a.std(), SCALAR),
    "var_one_element": (lambda m, a: a[:1].var(), X[0]),
    "var_correction_4": (lambda m, a: a.var(1, correction=4), X),
    "std_dim_of_one": (lambda m, a: a[:1].std(0), X),
}


@pytest.mark.parametrize("name", sorted(NO_FREEDOM))
def test_no_degrees_of_freedom_warns_as_torch(name):
    import warnings

    import torch

    import autograd_mini
    program, array = NO_FREEDOM[name]
    seen = []
    for lib in (torch, autograd_mini):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            program(lib, lib.tensor(array))
        # torch appends "(Triggered internally at <its C++ source path>)"; the rest is the same.
        seen.append([(w.category, str(w.message).split(" (Triggered internally")[0])
                     for w in caught])
    assert seen[1] == seen[0] and len(seen[0]) == 1


NUMPY_NAMES = {
    "cumsum_axis": lambda m, a: a.cumsum(axis=0),
    "prod_axis_keepdims": lambda m, a: a.prod(axis=1, keepdims=True),
    "std_axis": lambda m, a: m.std(a, axis=1),
    "amax_axis": lambda m, a: a.amax(axis=0, keepdims=True),
    "median_axis": lambda m, a: a.median(axis=1),
    "sort_axis": lambda m, a: a.sort(axis=0, descending=True),
    "topk_axis": lambda m, a: a.topk(1, axis=0),
    "logsumexp_axis": lambda m, a: a.logsumexp(axis=1),
    "gather_axis": lambda m, a: a.gather(axis=1, index=m.tensor(IDX)),
    "any_axis": lambda m, a: (a > 0).any(axis=1),
}


@pytest.mark.parametrize("name", sorted(NUMPY_NAMES))
def test_numpy_argument_names_as_torch_accepts_them(name):
    check(NUMPY_NAMES[name], [X])


def test_flip_takes_no_axis_alias_as_in_torch():
    check_error(lambda m, a: a.roll(1, axis=0), [X])


NAN = np.array([[1.0, np.nan, 3.0, 2.0], [4.0, 0.5, np.nan, np.nan], [1.0, 2.0, 2.0, 0.0]])
MORE = {
    "nansum": (lambda m, a: a.nansum(), NAN),
    "nansum_dim": (lambda m, a: m.nansum(a, 1, keepdim=True), NAN),
    "nanmean": (lambda m, a: a.nanmean(), NAN),
    "nanmean_dim": (lambda m, a: a.nanmean(axis=0), NAN),
    "nanmedian": (lambda m, a: a.nanmedian(), NAN),
    "nanmedian_plain": (lambda m, a: m.nanmedian(a), TIES),
    "logcumsumexp": (lambda m, a: a.logcumsumexp(1), X),
    "logcumsumexp0": (lambda m, a: m.logcumsumexp(a * 30, 0), X),
    "index_fill": (lambda m, a: a.index_fill(1, m.tensor([0, 2]), -1.0), X),
    "index_fill_tensor": (lambda m, a: a.index_fill(0, m.tensor([1]), a[0, 0] * 3), X),
    "index_fill_": (lambda m, a: (a * 1).index_fill_(1, m.tensor([3]), 2.0), X),
    "index_copy": (lambda m, a: a.index_copy(0, m.tensor([2, 0]), a[:2] * 2), X),
    "index_copy_": (lambda m, a: (a + 0).index_copy_(1, m.tensor([1]), a[:, :1].exp()), X),
    "masked_scatter": (lambda m, a: a.masked_scatter(a > 0, a * 3), X),
    "masked_scatter_row": (lambda m, a: a.masked_scatter(m.tensor([True, False, True, True]),
                                                         a[0].exp().repeat(4)), X),
    "masked_scatter_": (lambda m, a: (a * 1).masked_scatter_(a < 0, -a), X),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_nan_reductions_logcumsumexp_index_fill_copy_masked_scatter(name):
    program, array = MORE[name]
    check(program, [array])
    if name in ("nansum_dim", "logcumsumexp", "index_fill_tensor", "index_copy", "masked_scatter"):
        check(program, [array.astype(np.float64)], double=True)


NAN_ROWS = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, 1.0], [2.0, 2.0, 2.0],
                     [3.0, np.nan, 1.0]])
LOOKUPS = {
    "nanmedian_dim": (lambda m, a: a.nanmedian(1), NAN_ROWS),
    "nanmedian_keep": (lambda m, a: m.nanmedian(a, 0, keepdim=True), NAN_ROWS),
    "take_along_dim": (lambda m, a: m.take_along_dim(a, a.argsort(1), 1), X),
    "take_along_dim_flat": (lambda m, a: a.take_along_dim(m.tensor([0, 5, 5])), X),
    "take_along_dim_bcast": (lambda m, a: m.take_along_dim(a, m.tensor([[1, 0]]), 1), X),
    "tensor_where": (lambda m, a: a.where(a > 0, a * 2), X),
    "tensor_where_number": (lambda m, a: a.where(a < 0, 0.0), X),
    "argwhere": (lambda m, a: m.argwhere(a > 0), X),
    "unique": (lambda m, a: m.unique((a * 2).long()), X),
    "unique_all": (lambda m, a: (a * 2).long().unique(return_inverse=True, return_counts=True), X),
    "unique_rows": (lambda m, a: m.unique(m.tensor([[1, 2], [1, 2], [0, 1]]), dim=0), X),
    "searchsorted": (lambda m, a: m.searchsorted(m.tensor([0.5, 1.0, 1.5]), a), X),
    "searchsorted_right_rows": (lambda m, a: m.searchsorted(
        m.tensor([[1.0, 2, 3], [2, 4, 6]]), m.tensor([[2.0], [4.0]]), right=True), X),
    "bucketize": (lambda m, a: m.bucketize(a, m.tensor([-1.0, 0.0, 1.0])), X),
    "bucketize_right_int32": (lambda m, a: m.bucketize(a, m.tensor([0.0]), right=True,
                                                       out_int32=True), X),
}


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_nanmedian_take_along_dim_where_unique_searchsorted(name):
    program, array = LOOKUPS[name]
    check(program, [array])


def test_take_along_dim_error_matches_torch():
    check_error(lambda m, a: m.take_along_dim(a, m.tensor([0]), 1), [X])


# Several sources land on one place (index 0 twice in a row), and ties for amax/amin.
REDUCE_IDX = np.array([[0, 0, 2], [1, 3, 1], [2, 2, 2]], np.int64)
TIE_SRC = np.array([[1.0, 1.0, 0.5], [2.0, 0.1, 2.0], [0.3, 0.3, 0.3]], np.float32)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "mean", "prod", "amax", "amin"])
def test_scatter_reduce_matches_torch(reduce, include_self):
    base = np.abs(X) + 0.5  # no zeros: prod's gradient divides
    program = lambda m, a, s: a.scatter_reduce(  # noqa: E731
        1, m.tensor(REDUCE_IDX), s, reduce, include_self=include_self)
    check(program, [base, np.abs(X[:, :3]) + 0.5])
    check(program, [np.ones((3, 4), np.float32), TIE_SRC])  # ties with the input's own 1.0
    if reduce != "prod":
        check(program, [base.astype(np.float64), np.abs(X[:, :3]).astype(np.float64) + 0.5],
              double=True)


def test_scatter_reduce_in_place_and_bad_reduce():
    check(lambda m, a: (a * 1).scatter_reduce_(0, m.tensor(REDUCE_IDX[:, :1] % 3), a[:, :1],
                                               "amax"), [X])
    check_error(lambda m, a: a.scatter_reduce(0, m.tensor(REDUCE_IDX[:, :1] % 3), a, "foo"), [X])


INDEX_ERRORS = {
    "index_add_slice": lambda m, a: a.index_add(1, m.tensor([1]), m.zeros(1, 1)),
    "index_add_rank": lambda m, a: a.index_add(1, m.tensor([1]), m.zeros(3, 1, 2)),
    "index_add_count": lambda m, a: a.index_add(0, m.tensor([1, 2]), m.zeros(1, 4)),
    "index_add_bounds": lambda m, a: a.index_add(0, m.tensor([7]), m.zeros(1, 4)),
    "index_add_negative": lambda m, a: a.index_add(0, m.tensor([-1]), m.zeros(1, 4)),
    "index_copy_slice": lambda m, a: a.index_copy(0, m.tensor([1]), m.zeros(1, 1)),
    "index_copy_slice_3d": lambda m, a: m.zeros(2, 3, 4).index_copy(1, m.tensor([1]),
                                                                    m.zeros(2, 1, 3)),
    "index_copy_count": lambda m, a: a.index_copy(0, m.tensor([1, 2]), m.zeros(1, 4)),
    "index_copy_bounds": lambda m, a: a.index_copy(0, m.tensor([9]), m.zeros(1, 4)),
    "index_fill_bounds": lambda m, a: a.index_fill(0, m.tensor([9]), 1.0),
    "index_select_negative": lambda m, a: a.index_select(0, m.tensor([-1])),
}


@pytest.mark.parametrize("name", sorted(INDEX_ERRORS))
def test_index_op_errors_match_torch(name):
    check_error(INDEX_ERRORS[name], [X])


def test_index_fill_counts_negative_indices_from_the_end_as_torch():
    check(lambda m, a: a.index_fill(0, m.tensor([-1]), 1.0), [X])


MORE_ERRORS = {
    "gather_index_larger": lambda m, a: a.gather(1, m.tensor([[0]] * 4)),
    "gather_float_index": lambda m, a: a.gather(1, m.tensor([[0.0]])),
    "scatter_index_larger_than_src": lambda m, a: a.scatter(1, m.tensor([[0, 1]] * 3), a[:, :1]),
    "scatter_value_index_larger": lambda m, a: a.scatter(1, m.tensor([[0, 1]] * 4), 1.0),
    "scatter_add_index_larger": lambda m, a: a.scatter_add(0, m.tensor([[0]] * 4), a),
    "scatter_add_float_index": lambda m, a: a.scatter_add(1, m.tensor([[0.0]]), a),
    "take_float_index": lambda m, a: a.take(m.tensor([0.0])),
    "masked_select_shape": lambda m, a: a.masked_select(m.ones(2, 4) > 0),
    "masked_fill_long_mask": lambda m, a: a.masked_fill(m.ones(3, 4, dtype=m.long), 0.0),
    "masked_fill_float_mask": lambda m, a: a.masked_fill(m.ones(3, 4), 0.0),
    "masked_scatter_short_source": lambda m, a: a.masked_scatter(a > -10, a[0]),
    "searchsorted_shapes": lambda m, a: m.searchsorted(m.zeros(2, 3), m.zeros(3, 1)),
}


@pytest.mark.parametrize("name", sorted(MORE_ERRORS))
def test_more_errors_match_torch(name):
    check_error(MORE_ERRORS[name], [X])


def test_gather_takes_int32_indices_as_torch():
    check(lambda m, a: a.gather(1, m.tensor(IDX).int()), [X])


PAIRED = {
    "aminmax": lambda m, a: m.aminmax(a),
    "aminmax_dim": lambda m, a: a.aminmax(dim=1),
    "aminmax_keepdim": lambda m, a: m.aminmax(a, dim=0, keepdim=True),
    "aminmax_all_keepdim": lambda m, a: m.aminmax(a, keepdim=True),
    "var_mean": lambda m, a: m.var_mean(a),
    "var_mean_dim": lambda m, a: m.var_mean(a, 1, correction=0, keepdim=True),
    "std_mean": lambda m, a: m.std_mean(a, (0, 1)),
    "std_mean_dim": lambda m, a: m.std_mean(a, dim=0, unbiased=False),
}


@pytest.mark.parametrize("data", ["random", "ties"])
@pytest.mark.parametrize("name", sorted(PAIRED))
def test_two_results_of_one_node_match_torch(name, data):
    a = X if data == "random" else TIES
    check(PAIRED[name], [a])  # the first result's gradient and graph
    check(lambda m, x: PAIRED[name](m, x)[1] * 1, [a])  # the second's, through output 1
    check(lambda m, x: sum(t.sum() for t in PAIRED[name](m, x)), [a.astype(np.float64)],
          double=True)


def test_two_results_share_one_node_with_output_numbers():
    import torch

    import autograd_mini
    for lib in (torch, autograd_mini):
        x = lib.tensor(X, requires_grad=True)
        low, high = lib.aminmax(x, dim=1)
        assert low.grad_fn is high.grad_fn and (low.output_nr, high.output_nr) == (0, 1)
        assert lib.aminmax(x).max.item() == float(X.max())
        var, mean = lib.var_mean(x, 0)
        assert var.grad_fn is mean.grad_fn and var.grad_fn.name() == "VarMeanBackward0"
        assert (var.grad_fn.next_functions[0][0] is x.grad_fn or
                var.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad")


def test_a_result_of_a_two_result_node_changed_in_place_as_torch():
    # var_mean saved only its input: its results may change in place.
    check(lambda m, a: (lambda v, mean: v.add_(mean))(*m.var_mean(a, 1)), [X])
    # aminmax saved its results: backward refuses once one changed, with torch's message.
    import torch

    import autograd_mini
    for changed in (0, 1):  # the message names which result changed
        messages = []
        for lib in (torch, autograd_mini):
            x = lib.tensor(X, requires_grad=True)
            results = lib.aminmax(x * 1, dim=0)
            results[changed].mul_(2)
            with pytest.raises(RuntimeError) as info:
                (results[0] + results[1]).sum().backward()
            messages.append(str(info.value))
        assert messages[1] == messages[0]
