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

def _parse(equation, operands):
    """Each operand's labels (one letter per dimension, '...' spelled out as capitals
    that no equation uses) and the output's."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError("einsum(): more operands were provided than specified in the equation"
                         if len(operands) > len(terms) else
                         "einsum(): fewer operands were provided than specified in the equation")
    ell_n = 0
    labels = []
    for term, op in zip(terms, operands):
        nd = op._data.ndim
        if "..." in term:
            head, _, tail = term.partition("...")
            n = nd - len(head) - len(tail)
            ell_n = max(ell_n, n)
            labels.append(list(head) + _ELLIPSIS[len(_ELLIPSIS) - n:] + list(tail))
        else:
            if len(term) != nd:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(term)}) does not match the number of dimensions "
                                   f"({nd}) for operand {len(labels)} and no ellipsis was "
                                   "given")
            labels.append(list(term))
    ell = _ELLIPSIS[len(_ELLIPSIS) - ell_n:]
    if arrow:
        head, dots, tail = rhs.partition("...")
        out = list(head) + (ell if dots else []) + list(tail)
    else:
        counts = {}
        for ls in labels:
            for letter in ls:
                counts[letter] = counts.get(letter, 0) + 1
        out = ell + sorted(c for c, n in counts.items() if n == 1 and c not in ell)
    return labels, out


_ELLIPSIS = [chr(c) for c in range(0x100, 0x100 + 64)]  # never a subscript letter


def _diagonals(t, labels):
    """A label repeated within one operand (ii): its diagonal, kept once, at the end."""
    labels = list(labels)
    while True:
        seen = {}
        for i, letter in enumerate(labels):
            if letter in seen:
                j = seen[letter]
                t = t.diagonal(0, j, i)
                labels = [x for k, x in enumerate(labels) if k not in (i, j)] + [letter]
                break
            seen[letter] = i
        else:
            return t, labels


def _sum_out(t, labels, keep):
    dims = [i for i, letter in enumerate(labels) if letter not in keep]
    if not dims:
        return t, labels
    return t.sum(dims), [x for x in labels if x in keep]


def _contract(a, la, b, lb, keep, target):
    """One pairwise step. Labels in both and no longer needed are summed by a batched
    matmul (labels in both and still needed are its batch); with nothing to sum, a
    broadcast multiplication, as torch does. The result's labels follow `target`."""
    a, la = _sum_out(a, la, set(lb) | keep)
    b, lb = _sum_out(b, lb, set(la) | keep)
    sizes = {}
    for t, ls in ((a, la), (b, lb)):
        for letter, n in zip(ls, t._data.shape):
            if sizes.get(letter, 1) == 1:
                sizes[letter] = n
    summed = [x for x in la if x in lb and x not in keep]
    order = [x for x in target if x in la or x in lb]
    order += [x for x in la + lb if x not in order and x not in summed]
    order = list(dict.fromkeys(order))
    if not summed:
        return _aligned(a, la, order) * _aligned(b, lb, order), order
    batch = [x for x in la if x in lb and x in keep]
    left = [x for x in la if x not in lb]
    right = [x for x in lb if x not in la]

    def prepare(t, ls, group):
        t = t.permute(*[ls.index(x) for x in group])
        full = [sizes[x] for x in group]
        if list(t._data.shape) != full:  # a size-1 dimension broadcast against the other
            t = t.expand(*full)
        return t

    n = lambda group: int(np.prod([sizes[x] for x in group], dtype=np.int64))  # noqa: E731
    a3 = prepare(a, la, batch + left + summed).reshape(n(batch), n(left), n(summed))
    b3 = prepare(b, lb, batch + summed + right).reshape(n(batch), n(summed), n(right))
    labels = batch + left + right
    out = a3.bmm(b3).reshape(*[sizes[x] for x in labels])
    if labels != order:  # torch permutes to the output's order, then views
        out = out.permute(*[labels.index(x) for x in order])
        out = out.view(*out._data.shape)
    return out, order


def _aligned(t, labels, order):
    """`t` with its dimensions in `order`, size 1 where it lacks a label."""
    t = t.permute(*[labels.index(x) for x in order if x in labels])
    present = [x for x in order if x in labels]
    for i, x in enumerate(order):
        if x not in present:
            t = t.unsqueeze(i)
    return t


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    labels, out = _parse(equation, operands)
    sizes = {}
    for i, (t, ls) in enumerate(zip(operands, labels)):
        for letter, size in zip(ls, t._data.shape):
            known = sizes.get(letter)
            if known is not None and size != known and 1 not in (size, known):
                raise RuntimeError(f"einsum(): subscript {letter} has size {size} for operand "
                                   f"{i} which does not broadcast with previously seen size "
                                   f"{known}")
            if known is None or known == 1:
                sizes[letter] = size
    terms = [_diagonals(t, ls) for t, ls in zip(operands, labels)]
    result, rl = terms[0]
    if len(terms) == 1:  # torch: permute to (output, summed), then sum
        rest = [x for x in rl if x not in out]
        result = result.permute(*[rl.index(x) for x in out + rest])
        if rest:
            result = result.sum(list(range(len(out), len(out) + len(rest))))
        return result
    for k in range(1, len(terms)):
        later = set(out).union(*[set(ls) for _, ls in terms[k + 1:]])
        result, rl = _contract(result, rl, terms[k][0], terms[k][1], later, out)
    result, rl = _sum_out(result, rl, set(out))
    order = [rl.index(x) for x in out]
    if order != list(range(len(order))):
        result = result.permute(*order)
    shape = [sizes[x] for x in out]
    if list(result._data.shape) != shape:
        result = result.expand(*shape)
    return result
