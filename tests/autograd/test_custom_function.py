"""autograd.Function and gradcheck, as a student meets them: write an operation, check it.

Every Function here is written once, for either engine (`lib` is torch or
autograd_mini), and both engines run it: values, node names, errors and gradcheck's
verdicts and messages must agree.
"""
import warnings

import numpy as np
import pytest
import torch

import autograd_mini
from _autograd_compare import assert_same, assert_same_outcome, outcome


def _exp_times(lib):
    """exp(x) * k, saving its own result for backward (as torch's exp does)."""
    class MyExp(lib.autograd.Function):
        seen = []

        @staticmethod
        def forward(ctx, x, k):
            MyExp.seen.append((ctx.needs_input_grad, lib.is_grad_enabled()))
            result = x.exp() * k
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad):
            (result,) = ctx.saved_tensors
            return grad * result, None
    return MyExp


def _sin(lib, factor=1.0, use_grad=True):
    """sin with a backward that can be wrong: scaled by `factor`, or ignoring `grad`."""
    class MySin(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return (grad if use_grad else 1) * x.cos() * factor
    return MySin


def _x(lib, values=(0.5, -1.0, 2.0), dtype="float64"):
    return lib.tensor(list(values), dtype=getattr(lib, dtype), requires_grad=True)


def test_forward_backward_and_node_as_torch():
    results = {}
    for lib in (autograd_mini, torch):
        MyExp = _exp_times(lib)
        x = _x(lib)
        y = MyExp.apply(x, 2.0)
        y.sum().backward()
        node = y.grad_fn
        results[lib] = (y, x.grad, node.name(), [type(n).__name__ if n else None
                                                 for n, _ in node.next_functions], MyExp.seen)
    mini, ref = results[autograd_mini], results[torch]
    assert_same(mini[0], ref[0])
    assert_same(mini[1], ref[1])
    assert mini[2] == ref[2] == "MyExpBackward"
    assert mini[3] == ["AccumulateGrad"] and ref[3] == ["AccumulateGrad"]
    # forward ran once, with grad mode off, knowing which arguments need a gradient
    assert mini[4] == ref[4] == [((True, False), False)]


def test_not_recorded_without_grad():
    for lib in (autograd_mini, torch):
        with lib.no_grad():
            y = _exp_times(lib).apply(_x(lib), 2.0)
        assert y.grad_fn is None and not y.requires_grad


def test_saved_result_is_differentiable_twice_as_torch():
    grads = {}
    for lib in (autograd_mini, torch):
        x = _x(lib)
        y = _exp_times(lib).apply(x, 3.0)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        grads[lib] = (g, lib.autograd.grad(g.sum(), x)[0])
    assert_same(grads[autograd_mini][0], grads[torch][0])
    assert_same(grads[autograd_mini][1], grads[torch][1])


def _misbehaving(lib, kind):
    class Op(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            if kind == "saves a number":
                ctx.save_for_backward(x, k)
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return {
                "too few gradients": grad,
                "gradient for a number": (grad, grad),
                "wrong shape": (grad[:2], None),
                "saves a number": (grad, None),
                "broadcastable shape": (grad.expand(2, 3), None),
            }[kind]
    return Op


@pytest.mark.parametrize("kind", ["too few gradients", "gradient for a number", "wrong shape",
                                  "saves a number", "broadcastable shape"])
def test_mistakes_in_a_function_as_torch(kind):
    def run(lib):
        x = _x(lib)
        _misbehaving(lib, kind).apply(x, 2.0).sum().backward()
        return x.grad
    assert_same_outcome(lambda: run(autograd_mini), lambda: run(torch))


def test_saved_tensors_are_freed_after_backward_as_torch():
    def run(lib):
        y = _exp_times(lib).apply(_x(lib), 2.0)
        y.sum().backward()
        return y.grad_fn.saved_tensors
    mini, ref = outcome(lambda: run(autograd_mini)), outcome(lambda: run(torch))
    assert ref[0] == "RuntimeError"
    assert mini == ref


@pytest.mark.parametrize("marks_its_output", [True, False])
def test_mark_non_differentiable_as_torch(marks_its_output):
    def run(lib):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                out = x * 2
                ctx.mark_non_differentiable(out if marks_its_output else x.argmax())
                return out

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        return Double.apply(_x(lib))
    assert_same_outcome(lambda: run(autograd_mini), lambda: run(torch))


def test_setup_context_style_as_torch():
    def run(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(x, power=3):
                return x ** power

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, power = inputs
                ctx.save_for_backward(x)
                ctx.power = power

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * ctx.power * x ** (ctx.power - 1), None
        x = _x(lib)
        y = Cube.apply(x)
        y.sum().backward()
        return y, x.grad
    assert_same_outcome(lambda: run(autograd_mini), lambda: run(torch))


# -- gradcheck on a student's Function -----------------------------------------------

def test_a_correct_function_passes_gradcheck_and_gradgradcheck():
    MyExp = _exp_times(autograd_mini)
    x = _x(autograd_mini)
    assert autograd_mini.autograd.gradcheck(lambda t: MyExp.apply(t, 2.0), (x,))
    assert autograd_mini.autograd.gradgradcheck(lambda t: MyExp.apply(t, 2.0), (x,))
    assert autograd_mini.autograd.gradcheck(_sin(autograd_mini).apply, x)


@pytest.mark.parametrize("mistake", [{"factor": 2.0}, {"use_grad": False}], ids=str)
@pytest.mark.parametrize("values", [(0.5, -1.0, 2.0), (0.7,)], ids=["3 elements", "1 element"])
def test_a_wrong_backward_fails_with_torchs_message(mistake, values):
    """A Jacobian mismatch shows both Jacobians; a backward that ignores `grad` can match
    the Jacobian of a one-element function and is then caught by a zero-gradient test."""
    def check(lib):
        return lambda: lib.autograd.gradcheck(_sin(lib, **mistake).apply, (_x(lib, values),))
    mini, ref = outcome(check(autograd_mini)), outcome(check(torch))
    assert ref[0] == "GradcheckError"
    assert mini == ref


def test_mismatch_message_shows_both_jacobians():
    with pytest.raises(RuntimeError) as error:
        autograd_mini.autograd.gradcheck(_sin(autograd_mini, factor=2.0).apply,
                                         (_x(autograd_mini, (0.5,)),))
    numerical, analytical = np.cos(0.5), 2 * np.cos(0.5)
    assert str(error.value) == (
        "Jacobian mismatch for output 0 with respect to input 0,\n"
        f"numerical:tensor([[{numerical:.4f}]], dtype=autograd_mini.float64)\n"
        f"analytical:tensor([[{analytical:.4f}]], dtype=autograd_mini.float64)\n")


def test_raise_exception_false_returns_false():
    for lib in (autograd_mini, torch):
        wrong = _sin(lib, factor=2.0).apply
        assert lib.autograd.gradcheck(wrong, (_x(lib),), raise_exception=False) is False


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    """A backward computed outside the graph (on detached values) has a wrong second derivative."""
    def run(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 2 * x.detach()
        return lambda: lib.autograd.gradgradcheck(Square.apply, (_x(lib),),
                                                  (lib.ones(3, dtype=lib.float64),))
    mini, ref = outcome(run(autograd_mini)), outcome(run(torch))
    assert ref[0] == "GradcheckError"
    assert mini == ref


def test_float32_input_warns_as_torch():
    messages = {}
    for lib in (autograd_mini, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outcome(lambda: lib.autograd.gradcheck(lib.sin, (_x(lib, dtype="float32"),)))
        messages[lib] = [(w.category, str(w.message)) for w in caught]
    assert messages[autograd_mini] == messages[torch] != []


def test_no_input_requiring_grad_raises_as_torch():
    def check(lib):
        return lambda: lib.autograd.gradcheck(lib.sin, (lib.tensor([0.5], dtype=lib.float64),))
    mini, ref = outcome(check(autograd_mini)), outcome(check(torch))
    assert ref[0] == "ValueError"
    assert mini == ref


def test_an_expanded_input_is_refused_as_torch():
    def check(lib):
        x = lib.tensor([0.5], dtype=lib.float64).expand(3).requires_grad_()
        return lambda: lib.autograd.gradcheck(lib.sin, (x,))
    mini, ref = outcome(check(autograd_mini)), outcome(check(torch))
    assert ref[0] == "RuntimeError"
    assert mini == ref


def test_functions_without_differentiable_output_pass_as_in_torch():
    for lib in (autograd_mini, torch):
        x = _x(lib)
        assert lib.autograd.gradcheck(lambda t: t.argmax(), (x,))
