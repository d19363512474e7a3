"""Views and in-place history (issue 12, items 1-5): each program runs on both engines.

Compared: values, gradients, grad_fn names and the next_functions graph (with output_nr),
requires_grad / is_leaf, version counters, `_base` / `_is_view()`, and exception type and
message as torch raises them (read from torch in the test, never typed in here).
"""
import pytest

from _twin import autograd_mini, np, structure, torch


def report(*values):
    """Everything about `values` a student could print, in plain Python to compare."""
    out = []
    for v in values:
        if isinstance(v, (torch.Tensor, autograd_mini.Tensor)):
            out.append(("tensor", _digits(v),
                        str(v.dtype).split(".")[-1], v.requires_grad, v.is_leaf,
                        structure(v), v._version))
        elif isinstance(v, (tuple, list)):
            out.append(report(*v))
        else:
            out.append(v)
    return out


def grads(*tensors):
    """Gradients: values only (how AccumulateGrad copies a strided gradient, and so
    the version of .grad, is the engine's business, not the views')."""
    return [None if g is None else _digits(g) for g in tensors]


def _digits(t):
    """Values to 5 significant digits (float32 sums differ in the last bits)."""
    return np.vectorize(lambda v: float(f"{v:.5g}"), otypes=[float])(
        np.asarray(t.detach().tolist())).tolist()


def outcome(fn):
    """None, or the exception's type and message."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the test compares what was raised
        return type(e).__name__, str(e)
    return None


def both(program):
    mine, ref = program(autograd_mini), program(torch)
    assert mine == ref
    return ref


def _w(lib, shape):
    n = int(np.prod(shape))
    return lib.tensor(np.arange(1.0, n + 1, dtype=np.float32).reshape(shape), requires_grad=True)


def _weights(lib, shape):
    n = int(np.prod(shape))
    return lib.tensor(np.linspace(0.5, 3.0, n, dtype=np.float32).reshape(shape))


# -- 1. in-place on a view rebases the base's history ----------------------------------

def test_the_issue_example_view_add():
    def program(lib):
        w = _w(lib, (2, 2))
        x = lib.zeros(4)
        y = x.view(2, 2)
        before = (y._base is x, y._is_view(), x._is_view(), x._version, y._version)
        y.add_(w)
        names = (x.grad_fn.name(), y.grad_fn.name(),
                 y.grad_fn.next_functions[0][0] is x.grad_fn)
        (y * _weights(lib, (2, 2))).sum().backward(retain_graph=True)
        g1 = w.grad.clone()
        (x * _weights(lib, (4,))).sum().backward()
        return report(before, names, x, y), grads(g1, w.grad)

    ref = both(program)
    assert ref[0][1] == ["torch::autograd::CopySlices", "AsStridedBackward0", True]


VIEWS = {  # name -> (make the view of a (2, 3) base, its shape)
    "view": (lambda x: x.view(3, 2), (3, 2)),
    "reshape": (lambda x: x.reshape(6), (6,)),
    "flatten": (lambda x: x.flatten(), (6,)),
    "view_as": (lambda x: x.view_as(x.new_zeros(6)) if hasattr(x, "new_zeros")
                else x.view(6), (6,)),
    "slice": (lambda x: x[:, 1:], (2, 2)),
    "step slice": (lambda x: x[:, ::2], (2, 2)),
    "select": (lambda x: x[1], (3,)),
    "select 0-d": (lambda x: x[1, 2], ()),
    "narrow": (lambda x: x.narrow(1, 0, 2), (2, 2)),
    "t": (lambda x: x.t(), (3, 2)),
    "transpose": (lambda x: x.transpose(0, 1), (3, 2)),
    "permute": (lambda x: x.permute(1, 0), (3, 2)),
    "T": (lambda x: x.T, (3, 2)),
    "mT": (lambda x: x.mT, (3, 2)),
    "unsqueeze": (lambda x: x.unsqueeze(1), (2, 1, 3)),
    "None index": (lambda x: x[:, None], (2, 1, 3)),
    "squeeze": (lambda x: x.unsqueeze(0).squeeze(0), (2, 3)),
    "unflatten": (lambda x: x.unflatten(1, (3, 1)), (2, 3, 1)),
    "movedim": (lambda x: x.movedim(1, 0), (3, 2)),
    "diagonal": (lambda x: x.diagonal(), (2,)),
    "ellipsis": (lambda x: x[...], (2, 3)),
    "view of a view": (lambda x: x[:, 1:].t()[0], (2,)),
    "chain of three": (lambda x: x.view(6)[1:5].view(2, 2), (2, 2)),
}


@pytest.mark.parametrize("base_kind", ["constant", "non-leaf"])
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_in_place_on_every_kind_of_view(name, base_kind):
    make, shape = VIEWS[name]

    def program(lib):
        w = _w(lib, shape)
        leaf = _w(lib, (2, 3))
        x = lib.zeros(2, 3) if base_kind == "constant" else leaf * 1
        v = make(x)
        v.mul_(2)
        v.add_(w)
        state = report(x, v, v._base is x, v._is_view(), x._version, v._version)
        (x * _weights(lib, (2, 3))).sum().backward(retain_graph=True)
        via_base = grads(w.grad, leaf.grad)
        (v * _weights(lib, shape)).sum().backward()
        return state, via_base, grads(w.grad, leaf.grad)

    both(program)


INPLACE = {
    "add_": lambda v, w: v.add_(w),
    "sub_ alpha": lambda v, w: v.sub_(w, alpha=2),
    "mul_": lambda v, w: v.mul_(w),
    "*=": lambda v, w: v.__imul__(w),
    "-=": lambda v, w: v.__isub__(w),
    "div_": lambda v, w: v.div_(w),
    "copy_": lambda v, w: v.copy_(w),
    "copy_ broadcast": lambda v, w: v.copy_(w[0]),
    "zero_": lambda v, w: v.zero_(),
    "fill_": lambda v, w: v.fill_(2.5),
    "fill_ tensor": lambda v, w: v.fill_(w[0, 0]),
    "exp_": lambda v, w: v.exp_(),
    "sin_": lambda v, w: v.sin_(),
    "mul_ then exp_": lambda v, w: v.mul_(w).exp_(),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_every_in_place_op_on_a_view(name):
    op = INPLACE[name]

    def program(lib):
        w = _w(lib, (2, 2))
        leaf = _w(lib, (3, 3))
        x = leaf * 1
        v = x[1:, :2]
        op(v, w)
        s = (x * _weights(lib, (3, 3))).sum()
        s.backward()
        return report(x, v, s), grads(w.grad, leaf.grad)

    both(program)


def test_the_base_changed_in_place_rebases_its_views():
    def program(lib):
        leaf = _w(lib, (4,))
        a = leaf * 1
        v, u = a[1:3], a.view(2, 2)
        a.mul_(2)
        state = report(a, v, u)
        (v * v).sum().backward()
        return state, grads(leaf.grad)

    both(program)


def test_base_history_after_later_ops():
    def program(lib):
        w = _w(lib, (2, 2))
        x = lib.zeros(4)
        y = x.view(2, 2)
        y.add_(w)
        z = x * 2
        names = [x.grad_fn.name(), y.grad_fn.name(), z.grad_fn.name()]
        y.mul_(2)  # a second in-place: CopySlices on top of CopySlices
        x.exp_()   # and one on the base itself: its views follow
        return names, report(x, y, z, x._version, y._version, x.is_contiguous(),
                             y.t().is_contiguous())

    both(program)


SETITEM = {  # target[key] = value, for a (3, 4) target
    "int": lambda c, b: c.__setitem__(0, b[0]),
    "int int": lambda c, b: c.__setitem__((0, 1), 5),
    "slice": lambda c, b: c.__setitem__(slice(1, None), b[1:]),
    "number": lambda c, b: c.__setitem__(0, 5.0),
    "0-d tensor": lambda c, b: c.__setitem__(0, b[0, 0]),
    "ellipsis": lambda c, b: c.__setitem__(Ellipsis, b),
    "colon": lambda c, b: c.__setitem__(slice(None), b),
    "colon colon number": lambda c, b: c.__setitem__((slice(None), slice(None)), 1.0),
    "list": lambda c, b: c.__setitem__([1, 2], b[[1, 1]]),
    "mask": lambda c, b: c.__setitem__(c > 1, b[0, 0]),
    "mask number": lambda c, b: c.__setitem__(c > 1, 0.0),
    "int then list": lambda c, b: c.__setitem__((0, [1, 2]), b[0, :2]),
    "list then slice": lambda c, b: c.__setitem__(([0, 2], slice(1, None)), b[:2, 1:]),
    "broadcast value": lambda c, b: c.__setitem__(slice(None, 2), b[0]),
    "double value": lambda c, b: c.__setitem__(0, b[0].double()),
}


@pytest.mark.parametrize("target", ["constant", "non-leaf"])
@pytest.mark.parametrize("name", sorted(SETITEM))
def test_index_assignment(name, target):
    def program(lib):
        b = _w(lib, (3, 4))
        leaf = _w(lib, (3, 4))
        c = lib.zeros(3, 4) if target == "constant" else leaf * 1
        SETITEM[name](c, b)
        state = report(c)
        if c.requires_grad:
            (c * _weights(lib, (3, 4))).sum().backward()
        return state, grads(b.grad, leaf.grad)

    both(program)


def test_index_put_twice_raises_the_second_backward_error():
    def program(lib):
        b = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        c = lib.zeros(3)
        c[[1, 2]] = b[[1, 1]]
        state = report(c)
        c.backward(lib.ones(3))
        first = grads(b.grad)
        again = outcome(lambda: c.backward(lib.ones(3)))
        return state, first, again, grads(b.grad)

    ref = both(program)
    assert ref[0][0][5] == [("IndexPutBackward0", [(None, 0), (1, 0)]),
                            ("IndexBackward0", [(2, 0)]),
                            ("torch::autograd::AccumulateGrad", [])]
    assert ref[2][0] == "RuntimeError"


@pytest.mark.parametrize("make", [lambda x: x[:2], lambda x: x.view(2, 2)[0]])
def test_copyslices_frees_its_op_after_backward(make):
    def program(lib):
        w = _w(lib, (2,))
        x = lib.zeros(4)
        make(x).add_(w)
        x.sum().backward()
        return outcome(lambda: x.sum().backward()), grads(w.grad)

    both(program)


def test_expanded_view_cannot_change_in_place_but_a_slice_of_it_can():
    def program(lib):
        w = _w(lib, (3,))
        x = lib.zeros(3)
        e = x.expand(2, 3)
        errors = outcome(lambda: e.add_(w)), outcome(lambda: e.add_(1))
        x2 = lib.zeros(1, 3)
        row = x2.expand(2, 3)[0]
        row.add_(w)
        return errors, report(x2, row)

    both(program)


# -- 2. a view of a leaf that requires grad ----------------------------------------------

LEAF_VIEW_WRITES = {
    "b = a[:]; b.add_(5)": lambda a: a[:].add_(5),
    "a.view(3).mul_(2)": lambda a: a.view(3).mul_(2),
    "a[0].fill_(1)": lambda a: a[0].fill_(1),
    "a[0] = 2.": lambda a: a.__setitem__(0, 2.0),
    "a[:2][0] = 2.": lambda a: a[:2].__setitem__(0, 2.0),
    "a[...] = 2.": lambda a: a.__setitem__(Ellipsis, 2.0),
    "a[:] = 2.": lambda a: a.__setitem__(slice(None), 2.0),
    "a[a > 0] = 2.": lambda a: a.__setitem__(a > 0, 2.0),
    "a[[0]] = 2.": lambda a: a.__setitem__([0], 2.0),
    "a.t().zero_()": lambda a: a.unsqueeze(0).t().zero_(),
    "a.expand(2, 3)[1].copy_(w)": lambda a: a.expand(2, 3)[1].copy_(a.detach()),
}


@pytest.mark.parametrize("name", sorted(LEAF_VIEW_WRITES))
def test_writing_a_view_of_a_leaf_that_requires_grad(name):
    def program(lib):
        a = lib.ones(3, requires_grad=True)
        return outcome(lambda: LEAF_VIEW_WRITES[name](a)), report(a)

    ref = both(program)
    assert ref[0] is not None


def test_a_view_of_a_leaf_requires_grad_and_may_change_under_no_grad():
    def program(lib):
        a = lib.ones(3, requires_grad=True)
        b = a[:]
        flags = (b.requires_grad, b.is_leaf, b.grad_fn.name())
        with lib.no_grad():
            b.add_(5)
        state = report(a, b)
        (b * _weights(lib, (3,))).sum().backward()
        return flags, state, grads(a.grad)

    both(program)


def test_views_made_under_no_grad():
    def program(lib):
        a = lib.ones(4, requires_grad=True)
        c = a * 1
        with lib.no_grad():
            v, u = c[:2], a[:2]
        flags = [(t.requires_grad, t.grad_fn, t.is_leaf, t._is_view()) for t in (v, u)]
        s = (v * 2).sum()
        s.backward()
        errors = outcome(lambda: v.add_(1)), outcome(lambda: u.add_(1))
        with lib.no_grad():
            u.add_(1)
        return flags, report(s), grads(a.grad), errors, report(a)

    both(program)



@pytest.mark.parametrize("make_view", ["reshape", "view", "slice", "index", "t"])
def test_a_view_made_a_leaf_with_requires_grad_gets_its_gradient(make_view):
    """`x = torch.arange(25.).reshape(5, 5).requires_grad_()`: x is a view of arange's
    result, and a leaf of its own; indexing it must send gradient to x.grad."""
    views = {"reshape": lambda b: b.reshape(5, 5), "view": lambda b: b.view(5, 5),
             "slice": lambda b: b[5:], "index": lambda b: b.reshape(5, 5)[3], "t": lambda b: b.reshape(5, 5).t()}

    def program(lib):
        x = views[make_view](lib.arange(25.0)).requires_grad_()
        picked = x[lib.tensor([1, 1, 3])]
        picked.sum().backward()
        return report(x, picked), grads(x.grad), x._is_view()

    both(program)


def test_a_no_grad_view_that_asks_for_grad_becomes_a_leaf():
    def program(lib):
        a, b = lib.ones(4, requires_grad=True), lib.ones(4)
        with lib.no_grad():
            v, w = a[:2], b[:2]
        before = (v * 2).grad_fn.next_functions[0][0] is None
        v.requires_grad_(), w.requires_grad_()
        (v * 2).sum().backward(), (w * 3).sum().backward()
        return before, grads(v.grad, w.grad, a.grad), report(v, w)

    both(program)

# -- 3. detach_ on a view -----------------------------------------------------------------

def test_detach_in_place_of_a_view_raises():
    def program(lib):
        a = lib.ones(3, requires_grad=True)
        errors = [outcome(lambda: (a * 1)[:2].detach_()),
                  outcome(lambda: lib.zeros(3)[:2].detach_()),
                  outcome(lambda: a.view(3).detach_())]
        b = a * 2
        b.detach_()  # not a view: fine
        return errors, report(b)

    ref = both(program)
    assert ref[0][0][1].startswith("Can't detach views in-place. Use detach() instead.")


# -- 4. retain_grad follows the tensor to its new version ---------------------------------

RETAIN = {
    "mul_": lambda a, v: a.mul_(2),
    "mul_ twice": lambda a, v: a.mul_(2).mul_(2),
    "setitem": lambda a, v: a.__setitem__(0, 5.0),
    "a view of it changes": lambda a, v: a[0].mul_(5),
    "exp_": lambda a, v: a.exp_(),
}


@pytest.mark.parametrize("name", sorted(RETAIN))
def test_retain_grad_then_in_place(name):
    def program(lib):
        leaf = _w(lib, (2,))
        a = leaf * 1
        a.retain_grad()
        b = a * 3  # uses the old version
        RETAIN[name](a, None)
        (b + a * _weights(lib, (2,))).sum().backward()
        return grads(a.grad, leaf.grad)

    both(program)


def test_retain_grad_of_a_view_whose_base_changes():
    def program(lib):
        results = []
        for change in (lambda a, v: a.mul_(5), lambda a, v: v.mul_(5)):
            leaf = _w(lib, (2,))
            a = leaf * 1
            v = a[:1]
            v.retain_grad()
            change(a, v)
            (v * 7).sum().backward()
            results.append((grads(v.grad, leaf.grad), report(v)))
        return results

    both(program)


def test_the_issue_example_retain_grad():
    def program(lib):
        a = lib.ones(1, requires_grad=True) * 1
        a.retain_grad()
        a.mul_(2)
        a.backward()
        once = grads(a.grad)
        a = lib.ones(1, requires_grad=True) * 1
        a.retain_grad()
        a.mul_(2)
        a.mul_(2)
        a.backward()
        return once, grads(a.grad)

    ref = both(program)
    assert ref[0] == [[1.0]]


def test_a_hook_stays_with_the_old_version():
    def program(lib):
        seen = []
        leaf = _w(lib, (2,))
        a = leaf * 1
        a.register_hook(lambda g: seen.append(g.tolist()))
        a.mul_(3)
        a.sum().backward()
        return seen, grads(leaf.grad)

    both(program)


# -- 5. the view family ---------------------------------------------------------------------

FAMILY = {
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2),
    "slice": lambda x: x[1:3],
    "colon": lambda x: x[:],
    "colon colon": lambda x: x[:, :],
    "ellipsis": lambda x: x[...],
    "int ellipsis": lambda x: x[0, ...],
    "None": lambda x: x[None],
    "int list": lambda x: x[0, [1, 2]],
    "list slice": lambda x: x[[0, 1], 1:],
    "mask": lambda x: x[x > 0],
    "view": lambda x: x.view(4, 6),
    "view -1": lambda x: x.view(-1, 3),
    "view_as": lambda x: x.view_as(x.reshape(24)),
    "reshape": lambda x: x.reshape(24),
    "reshape non-contiguous": lambda x: x.t().reshape(24),
    "reshape_as": lambda x: x.reshape_as(x.reshape(4, 6)),
    "flatten": lambda x: x.flatten(),
    "flatten non-contiguous": lambda x: x.t().flatten(),
    "flatten(0, 0)": lambda x: x.flatten(0, 0),
    "ravel": lambda x: x.ravel(),
    "ravel non-contiguous": lambda x: x.t().ravel(),
    "contiguous": lambda x: x.contiguous(),
    "contiguous of t": lambda x: x.t().contiguous(),
    "t": lambda x: x.t(),
    "transpose": lambda x: x.transpose(0, 1),
    "swapaxes": lambda x: x.swapaxes(0, 1),
    "swapdims": lambda x: x.swapdims(1, 0),
    "adjoint": lambda x: x.adjoint(),
    "H": lambda x: x.H,
    "permute": lambda x: x.permute(1, 0),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "squeeze": lambda x: x.unsqueeze(0).squeeze(),
    "squeeze(0)": lambda x: x.unsqueeze(0).squeeze(0),
    "squeeze(1), a no-op": lambda x: x.unsqueeze(0).squeeze(1),
    "squeeze((0, 2))": lambda x: x.unsqueeze(0).unsqueeze(2).squeeze((0, 2)),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "expand": lambda x: x[:, None].expand(6, 3, 4),
    "expand_as": lambda x: x.expand_as(x),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "unflatten -1": lambda x: x.unflatten(1, (-1, 2)),
    "movedim": lambda x: x.movedim(0, 1),
    "moveaxis": lambda x: x.view(2, 3, 4).moveaxis((0, 1), (2, 0)),
    "diagonal": lambda x: x.diagonal(),
    "diagonal offset": lambda x: x.diagonal(1),
    "diagonal 3-d": lambda x: x.view(2, 3, 4).diagonal(0, 1, 2),
}


@pytest.mark.parametrize("name", sorted(FAMILY))
def test_view_family(name):
    def program(lib):
        a = _w(lib, (6, 4))
        x = a * 1
        out = FAMILY[name](x)
        facts = (out._is_view(), out._base is x, out.is_contiguous(), tuple(out.shape))
        (out * _weights(lib, tuple(out.shape))).sum().backward()
        return facts, report(out), grads(a.grad)

    both(program)


FAMILY_ERRORS = {
    "view of a non-contiguous tensor": lambda x: x.t().view(24),
    "view to a bad shape": lambda x: x.view(5, -1),
    "unflatten to a bad size": lambda x: x.unflatten(1, (3, 2)),
    "split sizes that do not add up": lambda x: x.split([1, 1], 1),
}


@pytest.mark.parametrize("name", sorted(FAMILY_ERRORS))
def test_view_family_errors(name):
    both(lambda lib: outcome(lambda: FAMILY_ERRORS[name](_w(lib, (6, 4)) * 1)))


MULTI = {
    "split(2)": lambda x: x.split(2),
    "split(4, dim=1), uneven": lambda x: x.split(3, dim=1),
    "split([1, 3], 1)": lambda x: x.split([1, 3], 1),
    "chunk(3)": lambda x: x.chunk(3),
    "chunk(4), fewer pieces": lambda x: x.chunk(4),
    "chunk(3, 1), uneven": lambda x: x.chunk(3, 1),
    "unbind()": lambda x: x.unbind(),
    "unbind(1)": lambda x: x.unbind(1),
    "torch.split": lambda x: type(x).split(x, [2, 4]),
}


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_output_views(name):
    def program(lib):
        a = _w(lib, (6, 4))
        x = a * 1
        pieces = MULTI[name](x)
        node = pieces[0].grad_fn
        facts = (len(pieces), node.name(), all(p.grad_fn is node for p in pieces),
                 [p.output_nr for p in pieces], [p._is_view() and p._base is x for p in pieces],
                 [tuple(p.shape) for p in pieces])
        last = pieces[-1]
        uses = (pieces[0] * 2).sum() + (last * _weights(lib, tuple(last.shape))).sum()
        edges = [(n is node, nr) for n, nr in uses.grad_fn.next_functions[1][0]
                 .next_functions[0][0].next_functions]
        last.retain_grad()
        uses.backward()
        errors = (outcome(lambda: pieces[0].add_(1)), outcome(lambda: last.mul_(2)))
        return facts, edges, report(uses), grads(a.grad, last.grad), errors

    both(program)


def test_multi_output_views_without_grad():
    def program(lib):
        w = _w(lib, (2,))
        x = lib.zeros(4)
        p = x.split(2)
        grad_fns = [t.grad_fn for t in p]
        error = outcome(lambda: p[0].add_(w))
        p[1].add_(1)  # nothing to record: allowed
        with lib.no_grad():
            q = (w * 1).unbind()
        return grad_fns, error, report(x), [t.requires_grad for t in q]

    both(program)


def test_a_piece_as_backward_root_and_grad_input():
    def program(lib):
        a = _w(lib, (2, 3))
        rows = a.unbind()
        seen = []
        rows[1].register_hook(lambda g: seen.append(g.tolist()))
        rows[1].backward(lib.ones(3))
        (g,) = lib.autograd.grad((rows[0] * rows[1]).sum(), rows[1])
        return grads(a.grad, g), seen

    both(program)
