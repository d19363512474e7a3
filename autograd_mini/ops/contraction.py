"""outer, kron, tensordot, einsum: products that sum over chosen dimensions, built
from the engine's own views, mul, sum and (b)mm, as torch builds them."""
import numpy as np

from .shape import UnsafeViewBackward0 as _UnsafeView


class UnsafeViewBackward0(_UnsafeView):
    """A reshape recorded as a new tensor (torch's _unsafe_view): its own copy, since
    here it is not the last use of a fresh clone."""

    @staticmethod
    def forward(a, shape):
        return _UnsafeView.forward(a, shape).copy()


def outer(input, vec2):
    return input.reshape(-1, 1) * vec2


ger = outer


def kron(input, other):
    """Every element of input times all of other: both reshaped so that their
    dimensions interleave, multiplied by broadcasting, then merged."""
    a, b = input._data.shape, other._data.shape
    nd = max(len(a), len(b))
    a, b = (1,) * (nd - len(a)) + a, (1,) * (nd - len(b)) + b
    left = UnsafeViewBackward0.apply(input, shape=tuple(x for n in a for x in (n, 1)))
    right = UnsafeViewBackward0.apply(other, shape=tuple(x for n in b for x in (1, n)))
    return UnsafeViewBackward0.apply(left * right, shape=tuple(x * y for x, y in zip(a, b)))


def tensordot(a, b, dims=2):
    from ..tensor import Tensor
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a._data.ndim - dims, a._data.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [d % a._data.ndim for d in da]
    db = [d % b._data.ndim for d in db]
    for i, j in zip(da, db):
        if a._data.shape[i] != b._data.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a._data.shape[i]} in dim {i} and second has size "
                               f"{b._data.shape[j]} in dim {j}")
    free_a = [d for d in range(a._data.ndim) if d not in da]
    free_b = [d for d in range(b._data.ndim) if d not in db]
    size = int(np.prod([a._data.shape[d] for d in da], dtype=np.int64))
    left, right = a.permute(*free_a, *da), b.permute(*db, *free_b)
    shape = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    if not free_a and not free_b:  # everything contracted: torch takes a dot product
        flat = [t if t._data.ndim == 1 else t.reshape(-1) for t in (left, right)]
        return flat[0].dot(flat[1]).reshape(*shape)
    return left.reshape(-1, size).mm(right.reshape(size, -1)).reshape(*shape)


# -- einsum ---------------------------------------------------------------------
# The steps are torch's own (ATen's einsum and sumproduct_pair), op for op, so that
# the recorded graph is the one torch records: every operand is aligned to one layout
# (output dimensions, then the summed ones; size 1 where it lacks a label), then the
# operands are contracted left to right by bmm (or mul, when nothing is summed).

def _subscript(letter):
    """torch's label order: A-Z, then a-z."""
    return ord(letter) - ord("A") if letter.isupper() else ord(letter) - ord("a") + 26


_ELLIPSIS = -1


def _parse(equation, operands):
    lhs, arrow, rhs = equation.partition("->")
    op_labels, current, i = [[]], 0, 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            if not lhs.startswith("...", i):
                raise RuntimeError(f"einsum(): found '.' for operand {current} that is not part "
                                   "of any ellipsis")
            op_labels[current].append(_ELLIPSIS)
            i += 2
        elif c == ",":
            current += 1
            if current >= len(operands):
                raise RuntimeError("einsum(): fewer operands were provided than specified in "
                                   "the equation")
            op_labels.append([])
        elif c != " ":
            if not c.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                                   "equation string, subscripts must be in [a-zA-Z]")
            op_labels[current].append(_subscript(c))
        i += 1
    if current != len(operands) - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    counts, ell_dims = {}, 0
    for n, (t, labels) in enumerate(zip(operands, op_labels)):
        named = [s for s in labels if s != _ELLIPSIS]
        for s in named:
            counts[s] = counts.get(s, 0) + 1
        ndim, has_ell = t._data.ndim, _ELLIPSIS in labels
        if has_ell:
            ell_dims = max(ell_dims, ndim - len(named))
        if (len(named) > ndim) if has_ell else (len(named) != ndim):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(named)}) "
                + ("is more than" if has_ell else "does not match") + " the number of "
                f"dimensions ({ndim}) for operand {n}" + ("" if has_ell else
                                                          " and no ellipsis was given"))
    return op_labels, counts, ell_dims, arrow, rhs


def _layout(op_labels, counts, ell_dims, arrow, rhs):
    """Where each label goes in the aligned layout: torch's label_perm_index."""
    index, position, ell_index, ell_out = {}, 0, 0, False
    if not arrow:
        position, ell_out = ell_dims, True
        for s in sorted(counts):
            if counts[s] == 1:
                index[s] = position
                position += 1
    else:
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                ell_index, ell_out = position, True
                position += ell_dims
                i += 2
            elif c != " ":
                s = _subscript(c)
                if s not in counts or s in index:
                    raise RuntimeError(f"einsum(): output subscript {c}" + (
                        " appears more than once in the output" if s in index else
                        " does not appear in the equation for any input operand"))
                index[s] = position
                position += 1
            i += 1
    out_dims = position
    if not ell_out:
        ell_index = position
        position += ell_dims
    for s in sorted(counts):
        if s not in index:
            index[s] = position
            position += 1
    return index, out_dims, position, ell_index


def _letter(s):
    return chr(s + ord("A")) if s < 26 else chr(s - 26 + ord("a"))


def _aligned_operands(operands, op_labels, index, total, ell_index, ell_dims):
    sizes, ell_sizes, dim_counts, ops = {}, [1] * ell_dims, [0] * total, []
    for n, (op, labels) in enumerate(zip(operands, op_labels)):
        perm, dim = [-1] * total, 0
        for s in labels:
            if s == _ELLIPSIS:
                covered = op._data.ndim - (len(labels) - 1)
                for j in range(ell_dims - covered, ell_dims):
                    size = op._data.shape[dim]
                    if size != 1:
                        if ell_sizes[j] not in (1, size):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand {n}"
                                f"has size {size} which does not broadcast with previously seen "
                                f"ellipsis with size {ell_sizes[j]} for the respective dimension")
                        ell_sizes[j] = size
                        dim_counts[ell_index + j] += 1
                    perm[ell_index + j] = dim
                    dim += 1
            elif perm[index[s]] == -1:
                size = op._data.shape[dim]
                if size != 1:
                    if sizes.get(s, 1) not in (1, size):
                        raise RuntimeError(
                            f"einsum(): subscript {_letter(s)} has size {size} for operand {n} "
                            f"which does not broadcast with previously seen size {sizes[s]}")
                    sizes[s] = size
                    dim_counts[index[s]] += 1
                perm[index[s]] = dim
                dim += 1
            else:  # a repeated label: its diagonal, where the label was first
                prev = perm[index[s]]
                if op._data.shape[dim] != op._data.shape[prev]:
                    raise RuntimeError(
                        f"einsum(): subscript {_letter(s)} is repeated for operand {n} but the "
                        f"sizes don't match, {op._data.shape[dim]} != {op._data.shape[prev]}")
                op = op.diagonal(0, prev, dim).movedim(-1, prev)
        for k, where in enumerate(perm):
            if where == -1:
                op = op.unsqueeze(dim)
                perm[k] = dim
                dim += 1
        ops.append(op.permute(*perm))
    return ops, dim_counts


def _size(t, dims):
    return int(np.prod([t._data.shape[d] for d in dims], dtype=np.int64))


def _sumproduct_pair(left, right, sum_dims):
    """(left * right).sum(sum_dims, keepdim=True) as one bmm (torch's sumproduct_pair)."""
    if not sum_dims:
        return left * right
    lro, lo, ro, sum_size = [], [], [], 1
    for i in range(left._data.ndim):
        sl, sr = left._data.shape[i] != 1, right._data.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                sum_size *= left._data.shape[i]
            elif sl:
                left = left.sum(i, True)
            elif sr:
                right = right.sum(i, True)
        elif sl and sr:
            lro.append(i)
        elif sl:
            lo.append(i)
        else:
            ro.append(i)
    if lo and ro and ro[-1] < lo[0]:  # torch swaps them so that bmm gives the output's order
        left, right, lo, ro = right, left, ro, lo
    out_size = ([left._data.shape[d] for d in lro + lo] + [1] * len(sum_dims)
                + [right._data.shape[d] for d in ro])
    operm = [0] * len(out_size)
    for i, d in enumerate(lro + lo + list(sum_dims) + ro):
        operm[d] = i
    left = left.permute(*(lro + lo + list(sum_dims) + ro)).reshape(
        _size(left, lro), _size(left, lo), sum_size)
    right = right.permute(*(lro + list(sum_dims) + ro + lo)).reshape(
        _size(right, lro), sum_size, _size(right, ro))
    return left.bmm(right).view(*out_size).permute(*operm)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    op_labels, counts, ell_dims, arrow, rhs = _parse(equation, operands)
    index, out_dims, total, ell_index = _layout(op_labels, counts, ell_dims, arrow, rhs)
    ops, dim_counts = _aligned_operands(operands, op_labels, index, total, ell_index, ell_dims)
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_sum, b_sum = [], [], []
        for dim in range(out_dims, total):
            in_a, in_b = a._data.shape[dim] != 1, b._data.shape[dim] != 1
            if in_a and in_b:
                dim_counts[dim] -= 1
                if dim_counts[dim] == 1:
                    sum_dims.append(dim)
                    dim_counts[dim] = 0
            elif dim_counts[dim] == 1:
                if in_a:
                    a_sum.append(dim)
                    dim_counts[dim] = 0
                elif in_b:
                    b_sum.append(dim)
                    dim_counts[dim] = 0
        if a_sum:
            a = a.sum(a_sum, True)
        if b_sum:
            b = b.sum(b_sum, True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    result = ops[0]
    if total > out_dims:
        if len(operands) > 1:  # everything summed is size 1 by now: a view drops it
            return result.view(*result._data.shape[:out_dims])
        return result.sum(list(range(out_dims, total)))
    return result
