"""backward(create_graph=True) and higher-order gradients, each program run on both
engines: torch's warning, CopyBackwards, which tensor object `.grad` is after each
accumulation (torch's AccumulateGrad rules), retained gradients, grad of grad."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

from _twin import assert_close, autograd_mini, make, structure, torch

LIBS = [autograd_mini, torch]


def _x(lib, values=(1.0, 2.0, 3.0)):
    return make(lib, np.array(values, dtype=np.float32))


def _quiet(program):
    """Run `program(lib)` on both engines without the reference-cycle warning."""
    results = []
    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using backward")
            results.append(program(lib))
    return results


def test_the_reference_cycle_warning_is_torchs_and_comes_once_per_process():
    # torch warns once per process (TORCH_WARN_ONCE), so each engine gets a fresh one.
    program = (
        "import sys, warnings\n"
        "warnings.simplefilter('always')\n"
        "lib = __import__(sys.argv[1])\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    y = lib.ones(2)\n"
        "    try:\n"
        "        lib.autograd.backward([y.sum()], create_graph=True)\n"
        "    except RuntimeError as error:\n"
        "        print('error', error)\n"
        "    x = lib.tensor([1., 2.], requires_grad=True)\n"
        "    lib.autograd.grad((x * x).sum(), x, create_graph=True)\n"
        "    print('after grad', len(caught))\n"
        "    (x * x).sum().backward(create_graph=True)\n"
        "    (x * x).sum().backward(create_graph=True)\n"
        "    (x * x).sum().backward(create_graph=True, inputs=[x])\n"
        "for w in caught:\n"
        "    print(w.category.__name__, str(w.message).split(' (Triggered internally')[0])\n")
    outputs = [subprocess.run([sys.executable, "-c", program, name], capture_output=True,
                              text=True, check=True).stdout
               for name in ("autograd_mini", "torch")]
    assert outputs[0] == outputs[1]
    assert outputs[1].count("UserWarning Using backward() with create_graph=True will create a "
                            "reference cycle") == 1
    assert "make sure to reset the .grad fields of your parameters to None after use" in outputs[1]


def test_first_create_graph_backward_makes_a_copy_node():
    def program(lib):
        x = _x(lib)
        (x * x).sum().backward(create_graph=True)
        g = x.grad
        return (g, g.requires_grad, g.is_leaf, g.grad_fn.name(), type(g.grad_fn).__name__,
                structure(g), repr(g).replace("autograd_mini", "torch"), g._version)

    mine, ref = _quiet(program)
    assert_close(mine[0], ref[0])
    assert mine[1:] == ref[1:]
    assert ref[3] == "torch::autograd::CopyBackwards"


def test_later_backwards_add_into_the_same_grad_tensor():
    """A plain backward adds in place: the same object, which keeps grad_fn and requires_grad;
    another create_graph backward makes a new tensor, x.grad + new."""
    def program(lib):
        x = _x(lib)
        (x * x).sum().backward(create_graph=True)
        first = x.grad
        first_node = first.grad_fn
        (x * x).sum().backward()
        second = x.grad
        facts = [second is first, second.grad_fn is first_node, second.requires_grad,
                 second._version, structure(second)]
        (x * x * x).sum().backward(create_graph=True)
        third = x.grad
        facts += [third is first, third.grad_fn.name(), structure(third),
                  third.grad_fn.next_functions[0][0] is first_node]
        # The accumulated gradient is differentiable: d/dx sum(2x + 2x + 3x^2 + ...).
        (g,) = lib.autograd.grad(third.sum(), x)
        return [second.detach(), third.detach(), g] + facts

    mine, ref = _quiet(program)
    for m, r in zip(mine[:3], ref[:3]):
        assert_close(m, r)
    assert mine[3:] == ref[3:]


def test_plain_then_create_graph_then_plain():
    def program(lib):
        y = _x(lib, (1.0, 2.0))
        (y * y).sum().backward()
        a = y.grad
        (y * y).sum().backward(create_graph=True)
        b = y.grad
        (y * y).sum().backward()
        c = y.grad
        return [a.detach(), b.detach(), c.detach(), a.requires_grad, b is a, b.requires_grad,
                b.grad_fn.name(), c is b, c.requires_grad, c.grad_fn is b.grad_fn]

    mine, ref = _quiet(program)
    for m, r in zip(mine[:3], ref[:3]):
        assert_close(m, r)
    assert mine[3:] == ref[3:]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("grad_requires_grad", [False, True])
def test_a_gradient_the_user_holds_is_copied_never_taken(create_graph, grad_requires_grad):
    def program(lib):
        z = _x(lib, (1.0, 2.0))
        g = lib.ones(2, requires_grad=grad_requires_grad)
        z.backward(g, create_graph=create_graph)
        grad = z.grad
        return [grad is g, grad.requires_grad, grad.grad_fn and grad.grad_fn.name(),
                structure(grad), grad.tolist()]

    mine, ref = _quiet(program)
    assert mine == ref


def test_retained_gradients_are_copies_added_out_of_place():
    def program(lib):
        x = _x(lib, (1.0, 2.0))
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward(retain_graph=True)
        first = y.grad
        (y * y).sum().backward(retain_graph=True)
        plain = [first is y.grad, first.tolist(), y.grad.tolist(), y.grad.requires_grad]
        x = _x(lib, (1.0, 2.0))
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward(create_graph=True)
        recorded = y.grad
        facts = [recorded.requires_grad, recorded.grad_fn.name(), structure(recorded)]
        (y * y).sum().backward()
        facts += [y.grad is recorded, y.grad.requires_grad, y.grad.tolist(), x.grad.tolist(),
                  x.grad.grad_fn.name()]
        return plain + facts

    mine, ref = _quiet(program)
    assert mine == ref


# -- grad of grad on common operations ---------------------------------------------
# Each case: a function of x (values chosen away from non-differentiable points).
SECOND_ORDER = {
    "mul": lambda x: x * x * x,
    "div": lambda x: 1 / x + x / (x + 3),
    "pow": lambda x: x ** 3 + x ** 0.5,
    "pow tensor": lambda x: x ** x,
    "exp log": lambda x: (x.exp() + x.log()) * x,
    "sin cos": lambda x: x.sin() * x.cos(),
    "tanh sigmoid": lambda x: x.tanh() + x.sigmoid() * x,
    "sqrt": lambda x: x.sqrt() * x,
    "relu abs": lambda x: (x - 1.5).relu() * x + (x - 1.5).abs() * x,
    "sum mean": lambda x: x.sum() * x.mean() * x,
    "norm": lambda x: x.norm() * x,
    "matmul": lambda x: x.reshape(3, 1) @ x.reshape(1, 3),
    "max": lambda x: x.max() * x,
    "clamp": lambda x: x.clamp(0.8, 2.5) * x,
    "where": lambda x: _lib(x).where(x > 1.5, x, x * x) * x,
    "relu alone": lambda x: (x - 1.5).relu(),
    "index": lambda x: x[[0, 2, 2]] * x[1],
}


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else autograd_mini


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_grad_of_grad_equals_torch(name):
    f = SECOND_ORDER[name]

    def program(lib):
        x = _x(lib, (0.7, 1.3, 2.9))
        v = lib.tensor([0.3, -1.1, 2.0])
        (g,) = lib.autograd.grad(f(x).sum(), x, create_graph=True)
        if not g.requires_grad:  # a first derivative constant in x
            return [g, g.requires_grad]
        (h,) = lib.autograd.grad((g * v).sum(), x, create_graph=True)
        if not h.requires_grad:
            return [g, h, g.requires_grad, h.requires_grad]
        (t,) = lib.autograd.grad(h.sum(), x)
        return [g, h, t, g.requires_grad, h.requires_grad, t.requires_grad]

    mine, ref = program(autograd_mini), program(torch)
    assert len(mine) == len(ref)
    tensors = [r for r in ref if isinstance(r, torch.Tensor)]
    for m, r in zip(mine, tensors):
        assert_close(m.detach(), r.detach(), rtol=1e-4, atol=1e-5)
    assert mine[len(tensors):] == ref[len(tensors):]


def test_relu_keeps_its_zero_second_derivative_in_the_graph():
    def program(lib):
        x = _x(lib, (-1.0, 0.0, 2.0))
        (g,) = lib.autograd.grad(x.relu().sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        return [g.tolist(), h.tolist(), g.grad_fn.name(), h.grad_fn.name(), structure(g)]

    assert program(autograd_mini) == program(torch)


def test_hessian_through_backward_create_graph_equals_torch():
    """The Hessian row by row, as a student writes it with backward(create_graph=True)."""
    def program(lib):
        x = _x(lib, (0.5, -1.0, 2.0))
        (x.sin() * x.exp() * x.sum()).sum().backward(create_graph=True)
        g = x.grad
        rows = []
        for i in range(3):
            (row,) = lib.autograd.grad(g[i], x, retain_graph=True)
            rows.append(row)
        return [g.detach()] + rows

    mine, ref = _quiet(program)
    for m, r in zip(mine, ref):
        assert_close(m, r, rtol=1e-4, atol=1e-5)
