"""flip, roll, tril/triu, repeat/tile, unfold, diff, trace, diag, diag_embed, the
stacking helpers (vstack, hstack, column_stack, meshgrid, cartesian_prod,
block_diag) and the contractions (outer, kron, tensordot, einsum) against torch:
values, dtypes, grad_fn names, graph structure, gradients, second derivatives,
views, warnings and the error messages for bad arguments."""
import warnings

import numpy as np
import pytest
import torch

import autograd_mini
from _twin_ops import check, check_error

rng = np.random.default_rng(21)
X = rng.uniform(-2, 2, size=(3, 4)).astype(np.float32)
B = rng.uniform(-2, 2, size=(2, 3, 4)).astype(np.float32)

SHAPE = {
    "flip": lambda m, a: a.flip(0),
    "flip_dims": lambda m, a: m.flip(a, (0, 1)),
    "flip_varargs": lambda m, a: a.flip(1, 0),
    "flip_keyword": lambda m, a: m.flip(a, dims=[1]),
    "fliplr": lambda m, a: a.fliplr(),
    "flipud": lambda m, a: m.flipud(a),
    "roll": lambda m, a: a.roll(1, 0),
    "roll_flat": lambda m, a: a.roll(3),
    "roll_dims": lambda m, a: m.roll(a, (1, -2), (0, 1)),
    "tril": lambda m, a: a.tril(),
    "triu": lambda m, a: a.triu(1),
    "tril_below": lambda m, a: m.tril(a, -1),
    "repeat": lambda m, a: a.repeat(2, 1),
    "repeat_new_dim": lambda m, a: a.repeat(2, 1, 3),
    "repeat_tuple": lambda m, a: a.repeat((1, 2)),
    "tile": lambda m, a: a.tile(2),
    "tile_new_dim": lambda m, a: m.tile(a, (2, 1, 1)),
    "unfold": lambda m, a: a.unfold(1, 2, 1),
    "unfold_step": lambda m, a: a.unfold(1, 2, 2),
    "unfold_twice": lambda m, a: a.unfold(0, 2, 1).unfold(1, 3, 1),
    "diff": lambda m, a: a.diff(),
    "diff_n2_dim0": lambda m, a: a.diff(n=2, dim=0),
    "diff_prepend": lambda m, a: m.diff(a, dim=1, prepend=a[:, :1], append=a[:, 1:2]),
    "trace": lambda m, a: a.trace(),
    "diag_of_matrix": lambda m, a: m.diag(a),
    "diag_above": lambda m, a: a.diag(1),
    "diag_of_vector": lambda m, a: m.diag(a[0]),
    "diag_of_vector_below": lambda m, a: m.diag(a[0], -1),
    "diag_embed": lambda m, a: m.diag_embed(a),
    "diag_embed_dims": lambda m, a: a.diag_embed(1, 0, 2),
    "vstack": lambda m, a: m.vstack([a, a * 2]),
    "vstack_vectors": lambda m, a: m.vstack((a[0], a[1])),
    "row_stack": lambda m, a: m.row_stack([a[0], a]),
    "hstack": lambda m, a: m.hstack([a, a[:, :1]]),
    "hstack_vectors": lambda m, a: m.hstack([a[0], a[1]]),
    "column_stack": lambda m, a: m.column_stack([a[0], a[1], a[2]]),
    "column_stack_mixed": lambda m, a: m.column_stack([a[:, 0], a]),
    "meshgrid_ij": lambda m, a: m.meshgrid(a[0], a[1, :3], indexing="ij"),
    "meshgrid_xy": lambda m, a: m.meshgrid(a[0], a[1, :3], indexing="xy"),
    "meshgrid_three": lambda m, a: m.meshgrid([a[0], a[1, :2], a[2, :3]], indexing="ij"),
    "cartesian_prod": lambda m, a: m.cartesian_prod(a[0], a[1, :3]),
    "block_diag": lambda m, a: m.block_diag(a, a[0], a[:2, :1]),
    "outer": lambda m, a: m.outer(a[0], a[1, :3]),
    "ger": lambda m, a: a[0].ger(a[1]),
    "kron": lambda m, a: m.kron(a[:2, :2], a),
    "kron_vector": lambda m, a: a[0].kron(a[1, :2]),
    "tensordot": lambda m, a: m.tensordot(a, a, dims=([1], [1])),
    "tensordot_int": lambda m, a: m.tensordot(a, a.t(), dims=1),
    "tensordot_all": lambda m, a: m.tensordot(a, a * 2),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
def test_shape_ops_match_torch(name):
    check(SHAPE[name], [X])


@pytest.mark.parametrize("name", ["flip", "roll_flat", "tril", "repeat_new_dim", "unfold_step",
                                  "diff_n2_dim0", "trace", "diag_of_matrix", "diag_of_vector",
                                  "diag_embed_dims", "block_diag", "kron", "tensordot"])
def test_shape_ops_second_derivatives(name):
    check(SHAPE[name], [X.astype(np.float64)], double=True)


def test_views_are_views_as_in_torch():
    for lib in (torch, autograd_mini):
        x = lib.tensor(X)
        assert x.unfold(1, 2, 1)._is_view() and x.unfold(1, 2, 1)._base is x
        assert not lib.diag(x)._is_view() and not x.flip(0)._is_view()
        assert all(g._is_view() for g in lib.meshgrid(x[0], x[1], indexing="ij"))
    mini = autograd_mini.tensor(X.copy())
    mini.unfold(1, 2, 2)[0, 0, 1] = 9.0  # writing into the window writes into the tensor
    assert mini[0, 1].item() == 9.0


def test_meshgrid_without_indexing_warns_as_torch():
    messages = []
    for lib in (torch, autograd_mini):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.meshgrid(lib.tensor(X[0]), lib.tensor(X[1]))
        # torch appends "(Triggered internally at <its C++ source path>)"; the rest is the same.
        messages.append([(w.category, str(w.message).split(" (Triggered internally")[0])
                         for w in caught])
    assert messages[1] == messages[0]


EINSUM = {
    "matvec": ("ij,j->i", [(3, 4), (4,)]),
    "matmul": ("ij,jk->ik", [(3, 4), (4, 2)]),
    "transposed_rhs": ("ij,kj->ik", [(3, 4), (5, 4)]),
    "batched": ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    "outer": ("i,j->ij", [(3,), (4,)]),
    "dot": ("i,i->", [(4,), (4,)]),
    "hadamard": ("ij,ij->ij", [(3, 4), (3, 4)]),
    "trace": ("ii", [(3, 3)]),
    "diagonal": ("ii->i", [(3, 3)]),
    "transpose": ("ij->ji", [(3, 4)]),
    "sum_all": ("ij->", [(3, 4)]),
    "sum_rows": ("ij->j", [(3, 4)]),
    "implicit": ("ij,jk", [(3, 4), (4, 2)]),
    "implicit_sorted": ("ba,ac", [(3, 4), (4, 2)]),
    "three": ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    "bilinear": ("bn,anm,bm->ba", [(2, 3), (5, 3, 4), (2, 4)]),
    "ellipsis": ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    "ellipsis_broadcast": ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    "attention": ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    "sum_out_single": ("ij,jk->i", [(3, 4), (4, 2)]),
    "broadcast_size1": ("ij,ij->i", [(3, 1), (3, 4)]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(EINSUM))
def test_einsum_matches_torch(name, dtype):
    equation, shapes = EINSUM[name]
    arrays = [rng.uniform(-2, 2, size=s).astype(dtype) for s in shapes]
    check(lambda m, *ts: m.einsum(equation, *ts), arrays)


def test_einsum_second_derivative_and_list_form():
    a, b = (rng.uniform(-1, 1, size=s) for s in ((3, 4), (4, 2)))
    check(lambda m, x, y: m.einsum("ij,jk->ik", x, y).tanh(), [a, b], double=True)
    check(lambda m, x, y: m.einsum("ij,jk", [x, y]), [a, b])


ERRORS = {
    "flip_dim": lambda m, a: a.flip(2),
    "fliplr_1d": lambda m, a: a[0].fliplr(),
    "flipud_0d": lambda m, a: a[0, 0].flipud(),
    "roll_dim": lambda m, a: a.roll(1, 5),
    "tril_1d": lambda m, a: a[0].tril(),
    "triu_1d": lambda m, a: a[0].triu(),
    "repeat_short": lambda m, a: a.repeat(2),
    "unfold_size": lambda m, a: a.unfold(1, 5, 1),
    "unfold_step": lambda m, a: a.unfold(1, 2, 0),
    "unfold_dim": lambda m, a: a.unfold(3, 2, 1),
    "diff_order": lambda m, a: a.diff(n=-1),
    "trace_1d": lambda m, a: a[0].trace(),
    "diag_3d": lambda m, a: m.diag(a.reshape(2, 2, 3)),
    "diag_embed_same": lambda m, a: m.diag_embed(a, 0, 1, 1),
    "tensordot_mismatch": lambda m, a: m.tensordot(a, a, dims=([0], [1])),
    "einsum_size": lambda m, a: m.einsum("ij,jk->ik", a, a),
    "einsum_subscripts": lambda m, a: m.einsum("ijk->i", a),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    check_error(ERRORS[name], [X])


RESHAPES = {
    "contiguous": lambda m, a: a.reshape(2, 6),
    "transposed_same_shape": lambda m, a: a.t().reshape(4, 3),
    "column": lambda m, a: a[:, 0].reshape(3, 1),
    "strided": lambda m, a: a[:, ::2].reshape(6),
    "transposed_split": lambda m, a: a.t().reshape(2, 2, 3),
    "transposed_flat": lambda m, a: a.t().reshape(12),
}


@pytest.mark.parametrize("name", sorted(RESHAPES))
def test_reshape_records_view_alias_or_copy_as_torch(name):
    # A non-contiguous tensor whose memory allows the new shape: torch's _reshape_alias.
    check(RESHAPES[name], [X])


SCALAR = np.array(1.5, np.float32)
INTS = np.array([[3, 1, 2], [0, 5, 5]], np.int64)
EDGES = {
    "vstack_0d": (lambda m, a: m.vstack([a, a]), SCALAR),
    "hstack_0d": (lambda m, a: m.hstack([a, a]), SCALAR),
    "column_stack_0d": (lambda m, a: m.column_stack([a, a]), SCALAR),
    "meshgrid_0d": (lambda m, a: m.meshgrid(a, a, indexing="ij"), SCALAR),
    "block_diag_0d": (lambda m, a: m.block_diag(a, a), SCALAR),
    "cartesian_prod_one": (lambda m, a: m.cartesian_prod(a[0]), X),
    "flip_0d": (lambda m, a: a.flip(0), SCALAR),
    "roll_0d": (lambda m, a: a.roll(1), SCALAR),
    "tile_0d": (lambda m, a: a.tile(2), SCALAR),
    "kron_0d": (lambda m, a: m.kron(a, a), SCALAR),
    "unfold_0d": (lambda m, a: a.unfold(0, 1, 1), SCALAR),
    "tensordot_outer": (lambda m, a: m.tensordot(a[0], a[1], 0), X),
    "outer_int_float": (lambda m, a: m.outer(a[0], m.tensor([1, 2])), X),
    "int_flip": (lambda m, a: a.flip(0), INTS),
    "int_repeat": (lambda m, a: a.repeat(2, 2), INTS),
    "int_diff": (lambda m, a: a.diff(), INTS),
    "int_trace": (lambda m, a: a.trace(), INTS),
    "int_kron": (lambda m, a: m.kron(a, a), INTS),
    "int_tensordot": (lambda m, a: m.tensordot(a, a, dims=([1], [1])), INTS),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_zero_dim_and_integer_inputs(name):
    program, array = EDGES[name]
    check(program, [array])


@pytest.mark.parametrize("equation, shapes", [
    ("i,i", [(4,), (4,)]), ("ij,jk->ki", [(2, 2), (2, 2)]), ("...i,i->...", [(2, 2), (2,)]),
    ("i->i", [(4,)]), ("ij,ij->", [(3, 4), (3, 4)])])
def test_einsum_more_equations(equation, shapes):
    arrays = [rng.uniform(-2, 2, size=s).astype(np.float32) for s in shapes]
    check(lambda m, *ts: m.einsum(equation, *ts), arrays)


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ki", [(2, 3), (3, 4)]), ("jk,ij->ik", [(3, 4), (2, 3)]),
    ("jk,ij->ki", [(3, 4), (2, 3)]),
    ("j,ij->i", [(3,), (2, 3)]), ("ij,i->j", [(2, 3), (2,)]), ("bj,ij->bi", [(4, 3), (2, 3)]),
    ("ij,jk->k", [(2, 3), (3, 4)]), ("ij,jk,kl->li", [(2, 3), (3, 4), (4, 2)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]), ("bhqd,bhkd->bqhk", [(2, 2, 3, 4), (2, 2, 5, 4)])])
def test_einsum_operand_order_and_graph_as_torch(equation, shapes):
    # torch puts the operand whose output dimensions come first on the left of the bmm.
    arrays = [rng.uniform(-2, 2, size=s).astype(np.float64) for s in shapes]
    check(lambda m, *ts: m.einsum(equation, *ts), arrays, double=True)


MORE = {
    "rot90": lambda m, a: a.rot90(),
    "rot90_twice": lambda m, a: m.rot90(a, 2),
    "rot90_back": lambda m, a: a.rot90(-1, [1, 0]),
    "rot90_3d": lambda m, a: a.reshape(2, 3, 2).rot90(3, (0, 2)),
    "atleast_1d": lambda m, a: m.atleast_1d(a[0, 0]),
    "atleast_2d": lambda m, a: m.atleast_2d(a[0]),
    "atleast_2d_many": lambda m, a: m.atleast_2d(a[0, 0], a[0], a),
    "atleast_3d": lambda m, a: m.atleast_3d(a),
    "atleast_3d_list": lambda m, a: m.atleast_3d([a[0], a[0, 0]]),
    "dstack": lambda m, a: m.dstack([a, a * 2]),
    "dstack_vectors": lambda m, a: m.dstack((a[0], a[1])),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_rot90_atleast_dstack_match_torch(name):
    check(MORE[name], [X])


@pytest.mark.parametrize("program", [lambda m, a: a.rot90(1, [0]), lambda m, a: a[0].rot90(),
                                     lambda m, a: a.rot90(1, [1, 1])])
def test_rot90_errors_match_torch(program):
    check_error(program, [X])


@pytest.mark.parametrize("program", [
    lambda m, a: m.diagflat(a[0]), lambda m, a: a.diagflat(1), lambda m, a: m.diagflat(a.t(), -2),
    lambda m, a: m.tril_indices(3, 4, 1), lambda m, a: m.triu_indices(3, 3, -1),
    lambda m, a: m.tril_indices(4, 2)])
def test_diagflat_and_triangle_indices_match_torch(program):
    check(program, [X])


MORE_ERRORS = {
    "repeat_negative": lambda m, a: a.repeat(-1, 1),
    "flip_same_dim_twice": lambda m, a: a.flip(0, 0),
    "unfold_negative_size": lambda m, a: a.unfold(1, -1, 1),
    "block_diag_3d": lambda m, a: m.block_diag(a[None]),
    "cartesian_prod_2d": lambda m, a: m.cartesian_prod(a, a),
    "column_stack_sizes": lambda m, a: m.column_stack([a[0], a[1, :3]]),
    "vstack_sizes": lambda m, a: m.vstack([a, a[:, :2]]),
    "cat_ranks": lambda m, a: m.cat([a, a[0]]),
    "stack_sizes": lambda m, a: m.stack([a, a[:, :2]]),
    "einsum_more_operands": lambda m, a: m.einsum("ij", a, a),
    "einsum_fewer_operands": lambda m, a: m.einsum("ij,jk", a),
    "einsum_unknown_output": lambda m, a: m.einsum("ij->k", a),
    "einsum_output_twice": lambda m, a: m.einsum("ij->ii", a),
    "einsum_diagonal_sizes": lambda m, a: m.einsum("ii->i", a),
    "einsum_bad_subscript": lambda m, a: m.einsum("i1", a),
}


@pytest.mark.parametrize("name", sorted(MORE_ERRORS))
def test_more_errors_match_torch(name):
    check_error(MORE_ERRORS[name], [X])


SPLITS = {
    "tensor_split_sections": lambda m, a: a.tensor_split(3, 1),
    "tensor_split_uneven": lambda m, a: m.tensor_split(a, 3, dim=0),
    "tensor_split_indices": lambda m, a: m.tensor_split(a, [1, 3], dim=1),
    "tensor_split_past_end": lambda m, a: a.tensor_split([2, 9], 1),
    "tensor_split_tensor": lambda m, a: a.tensor_split(m.tensor([1, 2]), 0),
    "hsplit": lambda m, a: a.hsplit(2),
    "hsplit_indices": lambda m, a: m.hsplit(a, [1, 3]),
    "hsplit_vector": lambda m, a: a[0].hsplit(2),
    "vsplit": lambda m, a: m.vsplit(a, [1]),
    "dsplit": lambda m, a: a.reshape(1, 3, 4).dsplit(2),
}


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_tensor_split_family_matches_torch(name):
    def pieces_and_sum(m, a):
        pieces = SPLITS[name](m, a)
        assert all(p._is_view() for p in pieces)
        return (*pieces, sum((p * (i + 1)).sum() for i, p in enumerate(pieces)))
    check(lambda m, a: pieces_and_sum(m, a)[-1], [X])
    check(lambda m, a: pieces_and_sum(m, a)[0], [X])


@pytest.mark.parametrize("program", [
    lambda m, a: a.tensor_split(0), lambda m, a: a.hsplit(3), lambda m, a: a[0].vsplit(1),
    lambda m, a: a.dsplit(2), lambda m, a: a[0, 0].hsplit(1)])
def test_split_family_errors_match_torch(program):
    check_error(program, [X])
