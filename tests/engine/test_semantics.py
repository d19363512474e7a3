"""Autograd behaviour beyond single operations, each program run on both engines:
accumulation, retain_grad, hooks, grad modes, in-place rebasing, autograd.grad,
higher-order gradients, finite differences, and very deep graphs."""
import numpy as np
import pytest
import torch

import autograd_mini
from _twin import assert_close, make, structure

LIBS = [autograd_mini, torch]


def both(program):
    """Run `program(lib)` on both engines; return the two results."""
    return [program(lib) for lib in LIBS]


def _x(lib, values=(0.5, -1.2, 2.0)):
    return make(lib, np.array(values, dtype=np.float32))


def test_gradients_accumulate_until_zeroed():
    def program(lib):
        x = _x(lib)
        (x * x).sum().backward()
        first = x.grad.clone()
        (x * 3).sum().backward()
        second = x.grad.clone()
        x.grad.zero_()
        (x.sin()).sum().backward()
        return first, second, x.grad

    for mine, ref in zip(*both(program)):
        assert_close(mine, ref)


def test_retain_grad_and_retain_graph():
    def program(lib):
        x = _x(lib)
        y = x * 2
        y.retain_grad()
        z = (y.exp() * y).sum()
        z.backward(retain_graph=True)
        z.backward()
        return y.grad, x.grad, y.is_leaf, y.retains_grad

    mine, ref = both(program)
    assert_close(mine[0], ref[0])
    assert_close(mine[1], ref[1])
    assert mine[2:] == ref[2:]


def test_hooks_see_and_replace_gradients():
    def program(lib):
        x = _x(lib)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        y = x * x
        handle = y.register_hook(lambda g: g * 10)
        y.sum().backward()
        handle.remove()
        return x.grad, seen[0]

    for mine, ref in zip(*both(program)):
        assert_close(mine, ref)


def test_grad_modes():
    def program(lib):
        x = _x(lib)
        with lib.no_grad():
            a = x * 2
            with lib.enable_grad():
                b = x * 2
        with lib.set_grad_enabled(False):
            c = x * 2
        lib.set_grad_enabled(False)
        d = x * 2
        lib.set_grad_enabled(True)
        with lib.inference_mode():
            e = x * 2

        @lib.no_grad()
        def f1(t):
            return t * 2

        @lib.no_grad
        def f2(t):
            return t * 2

        @lib.enable_grad()
        def f3(t):
            return t * 2

        with lib.no_grad():
            g = f3(x)
        return [(t.requires_grad, t.grad_fn is None) for t in (a, b, c, d, e, f1(x), f2(x), g)] + [
            lib.is_grad_enabled(), e.is_inference(), a.is_inference()]

    mine, ref = both(program)
    assert mine == ref


def test_detach_shares_storage_and_version():
    def program(lib):
        x = _x(lib)
        y = x.detach()
        with lib.no_grad():
            y.add_(1)
        return x.detach().clone(), y.requires_grad, x._version, y._version

    mine, ref = both(program)
    assert_close(mine[0], ref[0])
    assert mine[1:] == ref[1:]


def test_in_place_on_non_leaf_rebases_history():
    def program(lib):
        x = _x(lib)
        b = x * 1
        b.sin_()
        b.mul_(3)
        b -= 1
        c = b * 1
        c[0] = 5.0
        c.exp_()
        s = c.sum()
        s.backward()
        return x.grad, structure(s), b._version

    mine, ref = both(program)
    assert_close(mine[0], ref[0])
    assert mine[1:] == ref[1:]


def test_optimizer_step_under_no_grad():
    def program(lib):
        w = _x(lib)
        for _ in range(3):
            loss = ((w - 1) ** 2).sum()
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
        return w.detach()

    assert_close(*both(program))


def test_autograd_grad_and_higher_order():
    def program(lib):
        x = _x(lib)
        y = (x ** 3 * x.sin()).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        ggg = lib.autograd.grad(gg.sum(), x)[0]
        return g, gg, ggg, x.grad

    mine, ref = both(program)
    for m, r in zip(mine, ref):
        assert_close(m, r, rtol=1e-4, atol=1e-4)


def test_backward_inputs_restricts_accumulation():
    def program(lib):
        x, w = _x(lib), _x(lib, (1.0, 2.0, 3.0))
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad

    mine, ref = both(program)
    assert mine[0] is None and ref[0] is None
    assert_close(mine[1], ref[1])


def test_autograd_grad_of_intermediate_and_allow_unused():
    def program(lib):
        x, unused = _x(lib), _x(lib)
        y = x * 2
        z = (y * y).sum()
        gy, gu = lib.autograd.grad(z, [y, unused], allow_unused=True)
        return gy, gu, x.grad

    mine, ref = both(program)
    assert_close(mine[0], ref[0])
    assert list(mine[1:]) == [None, None] == list(ref[1:])


# -- finite differences, in float64 -------------------------------------------

PROGRAMS = {
    "seed exercise": lambda m, x: (2 * x ** 2 * x.sin()).exp().sum(),
    "network": lambda m, x: (m.tanh(x.reshape(2, 3) @ x.reshape(3, 2)).sigmoid() * 3).mean(),
    "broadcast": lambda m, x: ((x.reshape(2, 3) - x.reshape(2, 3).mean(0)) ** 2).sum().sqrt(),
    "indexing": lambda m, x: (x[1:] * x[:-1]).sum() + x[[0, 0, 2]].exp().sum(),
    "norms": lambda m, x: x.norm() + x.reshape(2, 3).norm(dim=1).sum() + x.abs().max(),
    "clamps": lambda m, x: m.maximum(x, x * 0.5).clamp(-1, 1).sum() + m.where(x > 0, x, x ** 2).sum(),
}


def _numeric_grad(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in range(x.size):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradients_match_finite_differences(name):
    program = PROGRAMS[name]
    x0 = np.array([0.7, -0.4, 1.3, 0.2, -1.1, 0.9])

    def value(arr):
        return program(autograd_mini, autograd_mini.tensor(arr)).item()

    x = autograd_mini.tensor(x0, requires_grad=True)
    program(autograd_mini, x).backward()
    np.testing.assert_allclose(x.grad.numpy(), _numeric_grad(value, x0), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_second_derivatives_match_finite_differences(name):
    """The Hessian-vector product from double backward against differences of gradients."""
    program = PROGRAMS[name]
    x0 = np.array([0.7, -0.4, 1.3, 0.2, -1.1, 0.9])
    v = np.array([0.3, -1.0, 0.5, 0.8, -0.2, 0.1])

    def grad_dot_v(arr):
        x = autograd_mini.tensor(arr, requires_grad=True)
        (g,) = autograd_mini.autograd.grad(program(autograd_mini, x), x)
        return float(g.numpy() @ v)

    x = autograd_mini.tensor(x0, requires_grad=True)
    (g,) = autograd_mini.autograd.grad(program(autograd_mini, x), x, create_graph=True)
    (hv,) = autograd_mini.autograd.grad((g * autograd_mini.tensor(v)).sum(), x)
    np.testing.assert_allclose(hv.numpy(), _numeric_grad(grad_dot_v, x0), rtol=1e-5, atol=1e-6)


def test_a_chain_of_100000_operations_backpropagates():
    def program(lib):
        x = _x(lib, (1.0,))
        y = x
        for _ in range(100_000):
            y = y * 1.00001
        y.backward()
        return x.grad

    assert_close(*both(program), rtol=1e-4)


def test_saved_buffers_are_released_after_backward():
    x = autograd_mini.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node._kept_result is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        node._saved_result


def test_grad_arrays_are_never_shared():
    """The engine takes a gradient's array without copying only when nothing else
    sees it: changing one .grad in place must not change another, or the caller's
    gradient, or a retained intermediate's."""
    def program(lib):
        x, w = _x(lib), _x(lib, (1.0, 2.0, 3.0))
        v = lib.ones(3)
        y = x + w               # add hands one gradient object to both inputs
        y.retain_grad()
        y.backward(v)
        x.grad.zero_()
        return w.grad, v, y.grad

    mine, ref = both(program)
    for m, r in zip(mine, ref):
        assert_close(m, r)
