"""autograd.Function with several outputs, non-differentiable outputs, inputs returned as
they are and inputs changed in place (mark_dirty), run on both engines.

Each program is written once for either engine (`lib` is torch or autograd_mini) and
writes what it sees into a log: values, dtypes, requires_grad, grad_fn names,
output_nr, next_functions, what backward received, errors and warnings. The two
logs must be equal.
"""
import collections
import warnings

import numpy as np
import pytest
import torch

import autograd_mini

LIBS = (autograd_mini, torch)


def _norm(text):
    # torch appends "(Triggered internally at <its C++ source path>)" to some warnings.
    text = str(text).split(" (Triggered internally")[0]
    return text.replace("autograd_mini.", "torch.").replace("autograd_mini", "torch")


def _node(fn):
    return None if fn is None else fn.name()


def _edges(fn):
    """next_functions as (node name, output_nr)."""
    return [(_node(n), nr) for n, nr in fn.next_functions]


def _t(t):
    """What is the same on both engines about a tensor (or None, or anything else)."""
    if t is None or not isinstance(t, (torch.Tensor, autograd_mini.Tensor)):
        return t
    values = np.asarray(t.detach().numpy()).round(6).tolist()
    return (_norm(t.dtype), values, t.requires_grad, _node(t.grad_fn))


def _run(program, lib):
    log = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            program(lib, log)
        except Exception as error:  # noqa: BLE001 - compared with torch's
            log.append(("error", type(error).__name__, _norm(error)))
    log.append(("warnings", [(w.category.__name__, _norm(w.message)) for w in caught]))
    return log


def assert_same_log(program):
    mini, ref = (_run(program, lib) for lib in LIBS)
    assert mini == ref
    return ref


def _x(lib, values=(1.0, 2.0, 3.0), dtype="float32"):
    return lib.tensor(list(values), dtype=getattr(lib, dtype), requires_grad=True)


def _two_outputs(lib, log, extra=3):
    """(2x, x*y, extra): two tensors and a number; backward logs what it gets."""
    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * 2, x * y, extra

        @staticmethod
        def backward(ctx, g_double, g_product, g_extra):
            log.append(("backward got", _t(g_double), _t(g_product), g_extra,
                        ctx.needs_input_grad))
            x, y = ctx.saved_tensors
            return g_double * 2 + g_product * y, g_product * x
    return Two


# -- several outputs -----------------------------------------------------------------

def test_outputs_share_one_node_with_an_edge_each():
    def program(lib, log):
        x, y = _x(lib), lib.tensor([4.0, 5.0, 6.0])
        out = _two_outputs(lib, log).apply(x, y)
        a, b, c = out
        log.append((type(out).__name__, _t(a), _t(b), c, a.grad_fn is b.grad_fn))
        log.append((a.output_nr, b.output_nr, a.is_leaf, a._is_view(), b._is_view()))
        log.append(_edges(a.grad_fn))
        log.append((_edges((a * 1).grad_fn), _edges((b + a).grad_fn)))
    ref = assert_same_log(program)
    assert ref[0][-1] is True and ref[1][:2] == (0, 1)
    assert ref[3] == ([("TwoBackward", 0), (None, 0)],
                      [("TwoBackward", 1), ("TwoBackward", 0)])


@pytest.mark.parametrize("uses", ["first", "second", "both", "both twice"])
def test_backward_gets_one_gradient_per_output(uses):
    """An output that got no gradient gets zeros (materialized); a number gets None."""
    def program(lib, log):
        x, y = _x(lib), lib.tensor([4.0, 5.0, 6.0])
        a, b, _ = _two_outputs(lib, log).apply(x, y)
        loss = {"first": lambda: a.sum(), "second": lambda: (b * 3).sum(),
                "both": lambda: (a * b).sum(),
                "both twice": lambda: a.sum() + b.sum() + (a * b).sum()}[uses]()
        loss.backward()
        log.append(("x.grad", _t(x.grad)))
    assert_same_log(program)


def test_a_number_before_the_tensor_counts_in_output_nr():
    def program(lib, log):
        class Later(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return "label", x * 2

            @staticmethod
            def backward(ctx, g_label, g):
                log.append(("backward got", g_label, _t(g)))
                return g * 2
        x = _x(lib)
        label, y = Later.apply(x)
        log.append((label, y.output_nr, _edges((y * 1).grad_fn)))
        y.sum().backward()
        log.append(_t(x.grad))
    ref = assert_same_log(program)
    assert ref[0][1] == 1


_Pair = collections.namedtuple("_Pair", "first second")


def test_a_namedtuple_comes_back_as_a_plain_tuple():
    def program(lib, log):
        class Named(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return _Pair(x * 2, x * 3)

            @staticmethod
            def backward(ctx, g_first, g_second):
                return g_first * 2 + g_second * 3
        x = _x(lib)
        out = Named.apply(x)
        log.append((type(out).__name__, [_t(t) for t in out], out[1].output_nr))
        out[1].sum().backward()
        log.append(_t(x.grad))
    assert_same_log(program)


@pytest.mark.parametrize("container", [tuple, list])
def test_a_container_of_one_tensor_stays_a_container(container):
    def program(lib, log):
        class Wrapped(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return container([x * 2])

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = _x(lib)
        out = Wrapped.apply(x)
        log.append((type(out).__name__, len(out), _t(out[0]), out[0].output_nr))
        out[0].sum().backward()
        log.append(_t(x.grad))
    assert_same_log(program)


@pytest.mark.parametrize("uses", ["first", "second"])
def test_set_materialize_grads_false_passes_none(uses):
    def program(lib, log):
        class Lazy(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                log.append(("backward got", _t(ga), _t(gb)))
                return (ga * 2 if ga is not None else 0) + (gb * 3 if gb is not None else 0)
        x = _x(lib)
        a, b = Lazy.apply(x)
        (a if uses == "first" else b).sum().backward()
        log.append(_t(x.grad))
    assert_same_log(program)


def test_gradients_keep_each_outputs_dtype():
    def program(lib, log):
        class Mixed(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x.double() * 3

            @staticmethod
            def backward(ctx, ga, gb):
                log.append(("backward got", _t(ga), _t(gb)))
                return ga * 2 + gb.float() * 3
        for pick in (0, 1):
            x = _x(lib)
            Mixed.apply(x)[pick].sum().backward()
            log.append(_t(x.grad))
    assert_same_log(program)


def test_autograd_grad_and_hooks_see_each_outputs_own_gradient():
    def program(lib, log):
        x, y = _x(lib), lib.tensor([4.0, 5.0, 6.0])
        a, b, _ = _two_outputs(lib, log).apply(x, y)
        b.register_hook(lambda g: log.append(("hook on b", _t(g))))
        b.retain_grad()
        loss = (a * 2).sum() + (b * b).sum()
        log.append(("grad wrt outputs", [_t(g) for g in lib.autograd.grad(
            loss, (a, b), retain_graph=True)]))
        loss.backward()
        log.append(("b.grad", _t(b.grad), "x.grad", _t(x.grad)))
    assert_same_log(program)


def test_in_place_on_an_output_links_to_its_edge():
    def program(lib, log):
        x, y = _x(lib), lib.tensor([4.0, 5.0, 6.0])
        a, b, _ = _two_outputs(lib, log).apply(x, y)
        b.mul_(2)
        log.append((_node(b.grad_fn), _edges(b.grad_fn), b.output_nr))
        a[0] = 5.0
        log.append((_node(a.grad_fn), _edges(a.grad_fn)))
        (a.sum() + b.sum()).backward()
        log.append(_t(x.grad))
    assert_same_log(program)


def test_a_view_of_an_output_changed_in_place():
    def program(lib, log):
        x, y = _x(lib), lib.tensor([4.0, 5.0, 6.0])
        a, b, _ = _two_outputs(lib, log).apply(x, y)
        v = b[1:]
        v.mul_(10)
        log.append((_node(b.grad_fn), _edges(b.grad_fn), _node(v.grad_fn)))
        (a.sum() + b.sum()).backward()
        log.append(_t(x.grad))
    assert_same_log(program)


def test_twice_differentiable_through_several_outputs():
    def program(lib, log):
        class ProductAndSum(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                ctx.save_for_backward(x, y)
                return x * y, x + y

            @staticmethod
            def backward(ctx, g_product, g_sum):
                x, y = ctx.saved_tensors
                return g_product * y + g_sum, g_product * x + g_sum
        x = _x(lib, dtype="float64")
        y = lib.tensor([4.0, 5.0, 6.0], dtype=lib.float64, requires_grad=True)
        p, s = ProductAndSum.apply(x, y)
        gx, gy = lib.autograd.grad((p * s).sum(), (x, y), create_graph=True)
        log.append((_t(gx), _t(gy)))
        log.append(_t(lib.autograd.grad(gx.sum(), x)[0]))
    assert_same_log(program)


def test_gradcheck_of_a_function_with_several_outputs():
    class SinCos(autograd_mini.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            (x,) = ctx.saved_tensors
            return g_sin * x.cos() - g_cos * x.sin()
    x = _x(autograd_mini, (0.5, -1.0, 2.0), dtype="float64")
    assert autograd_mini.autograd.gradcheck(SinCos.apply, (x,))
    assert autograd_mini.autograd.gradgradcheck(SinCos.apply, (x,))


# -- outputs that are not differentiable --------------------------------------------

def test_sort_like_indices_marked_non_differentiable():
    def program(lib, log):
        class Sort(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                values, indices = x.sort()
                ctx.mark_non_differentiable(indices)
                ctx.save_for_backward(indices)
                return values, indices

            @staticmethod
            def backward(ctx, g_values, g_indices):
                log.append(("backward got", _t(g_values), _t(g_indices)))
                (indices,) = ctx.saved_tensors
                return lib.zeros_like(g_values).scatter(0, indices, g_values)
        x = _x(lib, (3.0, 1.0, 2.0))
        values, indices = Sort.apply(x)
        log.append((_t(values), _t(indices), indices.is_leaf, indices.output_nr,
                    values.output_nr))
        (values * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        log.append(_t(x.grad))
        indices.float().sum().backward()  # torch: it has no grad_fn
    ref = assert_same_log(program)
    assert ref[-2][0] == "error"


@pytest.mark.parametrize("materialize", [True, False])
def test_a_marked_float_output_gets_zeros_or_none(materialize):
    def program(lib, log):
        class Marked(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                a, b = x * 2, x * 3
                ctx.mark_non_differentiable(b)
                return a, b

            @staticmethod
            def backward(ctx, ga, gb):
                log.append(("backward got", _t(ga), _t(gb)))
                return ga * 2
        x = _x(lib)
        a, b = Marked.apply(x)
        log.append((_t(b), b.is_leaf, b.output_nr))
        a.sum().backward()
        log.append(_t(x.grad))
    assert_same_log(program)


def test_an_integer_output_does_not_require_grad():
    def program(lib, log):
        class WithArgmax(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x.argmax()

            @staticmethod
            def backward(ctx, g, g_index):
                log.append(("backward got", _t(g), _t(g_index)))
                return g * 2

        class OnlyArgmax(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.argmax()

            @staticmethod
            def backward(ctx, g):
                return None
        x = _x(lib)
        doubled, index = WithArgmax.apply(x)
        log.append((_t(index), _t(OnlyArgmax.apply(x))))
        doubled.sum().backward()
        log.append(_t(x.grad))
    assert_same_log(program)


# -- inputs returned as they are, and mark_dirty --------------------------------------

def _identity(lib, several):
    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return (x, y * 2) if several else x

        @staticmethod
        def backward(ctx, gx, gy=None):
            return gx, None
    return Identity


@pytest.mark.parametrize("several", [True, False], ids=["two outputs", "one output"])
@pytest.mark.parametrize("input_kind", ["leaf", "non-leaf", "constant"])
def test_an_input_returned_as_it_is_is_a_new_view(several, input_kind):
    def program(lib, log):
        x = _x(lib)
        source = {"leaf": x, "non-leaf": x * 1, "constant": lib.ones(3)}[input_kind]
        out = _identity(lib, several).apply(source, lib.ones(3))
        first = out[0] if several else out
        log.append((first is source, first._is_view(), first._base is source, _t(first),
                    first.output_nr))
        if first.grad_fn is not None:
            log.append(_edges(first.grad_fn))
            first.sum().backward(retain_graph=True)
            log.append(_t(x.grad))
        first.mul_(2)  # torch refuses an in-place change of such a view
        log.append(_t(source))
    assert_same_log(program)


@pytest.mark.parametrize("several", [True, False], ids=["two outputs", "one output"])
def test_a_view_made_in_forward_is_an_output_like_any_other(several):
    def program(lib, log):
        class Head(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return (x * 2, x[:2]) if several else x[:2]

            @staticmethod
            def backward(ctx, *grads):
                log.append(("backward got", [_t(g) for g in grads]))
                g = lib.zeros(3)
                g[:2] = grads[-1]
                return g + grads[0] * 2 if several else g
        x = _x(lib)
        h = x * 1
        out = Head.apply(h)
        head = out[-1] if several else out
        log.append((head._is_view(), head._base is h, _t(head), head.output_nr))
        head.sum().backward(retain_graph=True)
        log.append(_t(x.grad))
        head.mul_(2)
    ref = assert_same_log(program)
    assert ref[-2][:2] == ("error", "RuntimeError")


@pytest.mark.parametrize("several", [True, False], ids=["two outputs", "one output"])
def test_an_input_returned_under_no_grad(several):
    def program(lib, log):
        for source in (_x(lib), lib.ones(3)):
            with lib.no_grad():
                out = _identity(lib, several).apply(source, lib.ones(3))
            first = out[0] if several else out
            log.append((first is source, first._is_view(), _t(first)))
    assert_same_log(program)


def _add_one_(lib, log, several=False):
    class AddOne_(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return (x, x * 2) if several else x

        @staticmethod
        def backward(ctx, g, g_double=None):
            log.append(("backward got", _t(g), _t(g_double)))
            return g if g_double is None else g + g_double * 2
    return AddOne_


@pytest.mark.parametrize("several", [True, False], ids=["two outputs", "one output"])
def test_mark_dirty_gives_the_input_the_functions_history(several):
    def program(lib, log):
        AddOne_ = _add_one_(lib, log, several)
        x = _x(lib)
        h = x * 1
        out = AddOne_.apply(h)
        first = out[0] if several else out
        log.append((first is h, _t(h), h._version, h.output_nr, _edges(h.grad_fn)))
        (out[0].sum() + out[1].sum() if several else out.sum()).backward()
        log.append(_t(x.grad))
    assert_same_log(program)


def test_mark_dirty_on_a_view_makes_copyslices():
    def program(lib, log):
        x = _x(lib)
        h = x * 1
        v = h[:2]
        out = _add_one_(lib, log).apply(v)
        log.append((out is v, _node(out.grad_fn), _node(h.grad_fn), _edges(h.grad_fn),
                    _edges(h.grad_fn.next_functions[0][0]), _t(h)))
        h.sum().backward()
        log.append(_t(x.grad))
    assert_same_log(program)


@pytest.mark.parametrize("where", ["grad mode", "no_grad"])
def test_mark_dirty_on_a_tensor_that_needs_no_gradient(where):
    def program(lib, log):
        for source in (lib.ones(3), _x(lib)):
            if where == "grad mode" and source.requires_grad:
                continue  # a leaf that requires grad: the next test
            with lib.set_grad_enabled(where == "grad mode"):
                out = _add_one_(lib, log).apply(source)
            log.append((out is source, _t(out), source._version, _t(source)))
    assert_same_log(program)


def test_mark_dirty_on_a_leaf_that_requires_grad_raises_as_torch():
    def program(lib, log):
        x = _x(lib)
        _add_one_(lib, log).apply(x)
    ref = assert_same_log(program)
    assert ref[0][:2] == ("error", "RuntimeError")


def test_a_dirty_tensor_must_be_returned():
    def program(lib, log):
        class Hidden(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        Hidden.apply(_x(lib) * 1)
    ref = assert_same_log(program)
    assert ref[0][:2] == ("error", "RuntimeError")


# -- ctx: needs_input_grad, saved outputs, once_differentiable, setup_context -----------

def test_saved_outputs_come_back_linked_to_the_node():
    def program(lib, log):
        class ExpSin(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                e, s = x.exp(), x.sin()
                ctx.save_for_backward(e, x, s)
                return e, s

            @staticmethod
            def backward(ctx, ge, gs):
                e, x, s = ctx.saved_tensors
                log.append(("saved", _node(e.grad_fn), _node(s.grad_fn), _node(x.grad_fn),
                            e.requires_grad, _t(ge), _t(gs)))
                return ge * e + gs * x.cos()
        x = _x(lib, (0.5, 1.0), dtype="float64")
        e, s = ExpSin.apply(x)
        (g,) = lib.autograd.grad(e.sum() + (s * 2).sum(), x, create_graph=True)
        log.append(_t(g))
        log.append(_t(lib.autograd.grad(g.sum(), x)[0]))
        e.sum().backward()
        e.grad_fn.saved_tensors  # freed by the backward without retain_graph
    assert_same_log(program)


def test_a_saved_output_changed_in_place_is_caught():
    def program(lib, log):
        class Keep(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                a, b = x * 2, x * 3
                ctx.save_for_backward(b)
                return a, b

            @staticmethod
            def backward(ctx, ga, gb):
                (b,) = ctx.saved_tensors
                return ga * 2 + gb * b
        x = _x(lib)
        a, b = Keep.apply(x)
        b.add_(1)
        (a.sum() + b.sum()).backward()
    ref = assert_same_log(program)
    assert ref[0][:2] == ("error", "RuntimeError")


def test_needs_input_grad_per_argument():
    def program(lib, log):
        class Mix(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, y):
                log.append(("forward", ctx.needs_input_grad, lib.is_grad_enabled()))
                return x * y, x + y

            @staticmethod
            def backward(ctx, gp, gs):
                log.append(("backward", ctx.needs_input_grad))
                return gp + gs, None, None
        x = _x(lib)
        p, s = Mix.apply(x, 2.0, lib.ones(3))
        (p.sum() + s.sum()).backward()
        log.append((_t(x.grad), _edges(p.grad_fn)))
    assert_same_log(program)


def test_once_differentiable_with_several_outputs():
    def program(lib, log):
        class Scaled(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, ga, gb):
                log.append(("backward", lib.is_grad_enabled(), ga.requires_grad))
                return ga * 2 + gb * 3
        x = _x(lib)
        a, b = Scaled.apply(x)
        (g,) = lib.autograd.grad((a * x).sum() + b.sum(), x, create_graph=True)
        log.append(_t(g))
    assert_same_log(program)


def test_setup_context_style_with_several_outputs():
    def program(lib, log):
        class ScaleShift(lib.autograd.Function):
            @staticmethod
            def forward(x, k=2.0):
                return x * k, x + k

            @staticmethod
            def setup_context(ctx, inputs, output):
                log.append(("setup", type(output).__name__, len(output), ctx.needs_input_grad))
                ctx.k = inputs[1]
                ctx.mark_non_differentiable(output[1])

            @staticmethod
            def backward(ctx, g_scaled, g_shifted):
                log.append(("backward got", _t(g_scaled), _t(g_shifted)))
                return g_scaled * ctx.k, None
        x = _x(lib)
        scaled, shifted = ScaleShift.apply(x)
        log.append((_t(scaled), _t(shifted)))
        scaled.sum().backward()
        log.append(_t(x.grad))
    assert_same_log(program)


@pytest.mark.parametrize("answer", ["one", "extra None", "extra tensor", "for the number",
                                    "wrong shape", "broadcastable"])
def test_wrong_gradients_raise_as_torch(answer):
    def program(lib, log):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k, x + k

            @staticmethod
            def backward(ctx, ga, gb):
                return {"one": lambda: ga,
                        "extra None": lambda: (ga + gb, None, None),
                        "extra tensor": lambda: (ga, None, gb),
                        "for the number": lambda: (ga, gb),
                        "wrong shape": lambda: (ga[:1], None),
                        "broadcastable": lambda: (ga.expand(2, 3), None)}[answer]()
        x = _x(lib)
        a, b = Bad.apply(x, 2.0)
        (a.sum() + b.sum()).backward()
        log.append(_t(x.grad))
    assert_same_log(program)


def test_non_leaf_grad_of_an_output_warns_as_torch():
    def program(lib, log):
        a, b, _ = _two_outputs(lib, log).apply(_x(lib), lib.ones(3))
        log.append((_t(a.grad), _t(b.grad)))
    ref = assert_same_log(program)
    assert len(ref[-1][1]) == 2


@pytest.mark.parametrize("prehook_returns", ["nothing", "scaled", "too few"])
def test_node_hooks_see_one_gradient_per_output(prehook_returns):
    def program(lib, log):
        x, y = _x(lib), lib.tensor([4.0, 5.0, 6.0])
        a, b, _ = _two_outputs(lib, log).apply(x, y)
        node = a.grad_fn

        def prehook(grad_outputs):
            log.append(("prehook", [_t(g) for g in grad_outputs]))
            if prehook_returns == "scaled":
                return tuple(None if g is None else g * 10 for g in grad_outputs)
            if prehook_returns == "too few":
                return grad_outputs[:1]
            return None
        node.register_prehook(prehook)
        node.register_hook(lambda gi, go: log.append(
            ("hook", [_t(g) for g in gi], [_t(g) for g in go])))
        b.sum().backward(retain_graph=True)
        (a.sum() + b.sum()).backward()
        log.append(_t(x.grad))
    assert_same_log(program)
