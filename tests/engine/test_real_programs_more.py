"""Differences real programs (tutorials, test_autograd.py, micrograd) found between the engines,
each checked by running the same code on both: the same printed result, warning or error."""
import subprocess
import sys
import warnings

import pytest
import torch

import autograd_mini

ENGINES = [torch, autograd_mini]


def _outcome(call):
    """What a program would print: the value's repr or the error, and the warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = repr(call()).replace("autograd_mini.", "torch.")
        except Exception as e:  # noqa: BLE001 - the error is the result here
            result = (type(e).__name__, str(e))
    return result, [(w.category.__name__, str(w.message).replace("autograd_mini.", "torch."))
                    for w in caught]


def _same(program):
    assert _outcome(lambda: program(autograd_mini)) == _outcome(lambda: program(torch))


# Under sys.modules["torch"] = autograd_mini (how the course runs torch programs), importing a
# submodule by its torch name must give the engine's own module, not load a second copy.
ALIASED_IMPORTS = """
import sys
import autograd_mini
sys.modules["torch"] = autograd_mini
from torch.autograd import Function
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd.functional import jacobian
import torch
print(torch is autograd_mini, Function is autograd_mini.autograd.Function,
      nn is autograd_mini.nn, F is autograd_mini.nn.functional, callable(torch.tensor),
      type(torch.tensor([1.], requires_grad=True) * 2) is autograd_mini.Tensor,
      autograd_mini.autograd.functional.__spec__.name)
for name in ("torch.no_such_module", "torch.autograd.no_such_module"):
    try:
        __import__(name)
    except ImportError as e:
        print(type(e).__name__, e)
"""


def test_submodules_imported_by_their_torch_names_are_the_engines_own():
    out = subprocess.run([sys.executable, "-c", ALIASED_IMPORTS], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == ["True True True True True True autograd_mini.autograd.functional",
                   "ModuleNotFoundError No module named 'torch.no_such_module'",
                   "ModuleNotFoundError No module named 'torch.autograd.no_such_module'"]


def test_torch_named_imports_leave_real_torch_alone():
    out = subprocess.run([sys.executable, "-c",
                          "import autograd_mini, torch.autograd.functional as F; print(F.__name__)"],
                         capture_output=True, text=True, check=True).stdout
    assert out == "torch.autograd.functional\n"


def _function_class(lib):
    class MulConstant(lib.autograd.Function):
        @staticmethod
        def forward(ctx, tensor, constant):
            return tensor * constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None
    return MulConstant


@pytest.mark.parametrize("program", [
    lambda lib: type(_function_class(lib)(lib.ones(1), 2)).__name__,  # only a DeprecationWarning
    lambda lib: _function_class(lib)()(lib.ones(1)),                   # calling it is the error
    lambda lib: _function_class(lib).apply(lib.ones(1), 2),
], ids=["instantiate", "call-instance", "apply"])
def test_instantiating_a_function_warns_and_calling_it_raises(program):
    _same(program)


def _inference_tensor(lib, dtype=None):
    with lib.inference_mode():
        return lib.ones(2, dtype=dtype)


def _inference_leaf_requiring_grad(lib):
    with lib.inference_mode():
        z = lib.ones(2)
        z.requires_grad_()
    return z


# Outside inference mode an inference tensor cannot start requiring grad; its views are
# inference tensors too, and writing to one is refused before autograd's view checks.
@pytest.mark.parametrize("program", [
    lambda lib: _inference_tensor(lib).requires_grad_(),
    lambda lib: setattr(_inference_tensor(lib), "requires_grad", True),
    lambda lib: _inference_tensor(lib).requires_grad_(False).requires_grad,
    lambda lib: setattr(_inference_tensor(lib), "requires_grad", False),
    lambda lib: _inference_tensor(lib, lib.long).requires_grad_(),
    lambda lib: setattr(_inference_tensor(lib, lib.long), "requires_grad", True),
    lambda lib: _inference_leaf_requiring_grad(lib).requires_grad,
    lambda lib: _inference_leaf_requiring_grad(lib).add_(1),
    lambda lib: _inference_leaf_requiring_grad(lib)[0].add_(1),
    lambda lib: _inference_tensor(lib)[0].is_inference(),
    lambda lib: _inference_tensor(lib).view(2, 1).is_inference(),
    lambda lib: _inference_tensor(lib).t().mul_(2),
    lambda lib: (_inference_tensor(lib) * 2).is_inference(),
])
def test_inference_tensors_outside_inference_mode(program):
    _same(program)


def _anomaly(lib):
    x = lib.tensor([1., 2.], requires_grad=True)
    with lib.autograd.detect_anomaly():
        (x.sqrt() * lib.tensor([float("nan"), 1.])).sum().backward()


def _first_scalar_conversion(lib):
    # torch warns once per process: each engine's first conversion runs in a fresh one
    code = ("import warnings, sys\nwarnings.simplefilter('always')\n"
            f"import {lib.__name__} as lib\n"
            "with warnings.catch_warnings(record=True) as c:\n"
            "    warnings.simplefilter('always')\n"
            "    float(lib.tensor([1.], requires_grad=True))\n"
            "print(repr(str(c[0].message)))\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout


# Warnings torch raises from C++ end with "(Triggered internally at <source>:<line>.)":
# programs print the text whole.
@pytest.mark.parametrize("program", [
    lambda lib: (lib.tensor([1.], requires_grad=True) * 2).grad,
    lambda lib: lib.tensor([1.]).var(),
    lambda lib: lib.tensor([1.]).std(0),
    lambda lib: lib.var_mean(lib.tensor([1.])),
    lambda lib: lib.meshgrid(lib.ones(2), lib.ones(2)),
    lambda lib: (lib.tensor([1.], requires_grad=True) ** 2).sum().backward(create_graph=True),
    _anomaly,
    _first_scalar_conversion,
], ids=["non-leaf-grad", "var", "std", "var_mean", "meshgrid", "create_graph", "anomaly",
        "float"])
def test_warnings_from_torchs_cpp_say_where(program):
    _same(program)


def _assign_grad(lib, value, dtype=None):
    x = lib.ones(2, dtype=dtype or lib.float32, requires_grad=(dtype or lib.float32).is_floating_point)
    x.grad = value(lib) if callable(value) else value
    return x.grad


# Assigning .grad: torch checks the type, itself, the dtype, then the size (in that order).
@pytest.mark.parametrize("value", [
    lambda lib: lib.ones(3), lambda lib: lib.ones(2, 1), lambda lib: lib.ones(()),
    lambda lib: lib.ones(3, dtype=lib.long), lambda lib: lib.ones(2, dtype=lib.float64),
    lambda lib: lib.ones(2, dtype=lib.int32), lambda lib: lib.ones(2, dtype=lib.bool),
    lambda lib: lib.ones(2, dtype=lib.float16), lambda lib: lib.ones(2, dtype=lib.uint8),
    lambda lib: lib.ones(2, dtype=lib.int8), lambda lib: lib.ones(2, dtype=lib.int16),
    lambda lib: lib.ones(2), 1.0, None,
])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_assigning_grad(value, dtype):
    _same(lambda lib: _assign_grad(lib, value, getattr(lib, dtype)))


def test_assigning_a_tensor_as_its_own_grad():
    def program(lib):
        x = lib.ones(2, requires_grad=True)
        x.grad = x
    _same(program)


def _called(lib, make, grad):
    x = lib.tensor([1., 2.], requires_grad=True)
    y = lib.tensor([3., 4.], requires_grad=True)
    made = make(lib, x, y)
    out = made.grad_fn(*grad(lib, made))
    return out, x.grad


# grad_fn(grad) runs the node's backward alone: one gradient per next_functions entry, a
# lone one unpacked; AccumulateGrad accumulates.
@pytest.mark.parametrize("make", [
    lambda lib, x, y: x * 2, lambda lib, x, y: x * y, lambda lib, x, y: x.sum(),
    lambda lib, x, y: x.exp(), lambda lib, x, y: x + y, lambda lib, x, y: x[0],
    lambda lib, x, y: x.view(2, 1), lambda lib, x, y: x.t(),
])
@pytest.mark.parametrize("grad", [
    lambda lib, out: (lib.ones_like(out) * 3,), lambda lib, out: (None,), lambda lib, out: (),
    lambda lib, out: (lib.ones_like(out), lib.ones_like(out)),
], ids=["one", "none", "zero", "two"])
def test_calling_a_grad_fn(make, grad):
    _same(lambda lib: _called(lib, make, grad))


def test_calling_accumulate_grad_and_a_freed_node():
    def program(lib):
        x = lib.tensor([1., 2.], requires_grad=True)
        acc = (x * 2).grad_fn.next_functions[0][0]
        results = [acc(lib.ones(2)), x.grad, acc(None), x.grad]
        w = x.pow(2).sum()
        w.backward()
        try:
            w.grad_fn.next_functions[0][0](lib.ones(2))
        except RuntimeError as e:
            results.append(str(e))
        return results
    _same(program)


def test_a_hook_handle_is_a_removable_handle_and_a_context_manager():
    def program(lib):
        x = lib.tensor([1., 2.], requires_grad=True)
        with x.register_hook(lambda g: g * 10) as handle:
            (x * 1).sum().backward()
        (x * 1).sum().backward()
        return type(handle).__name__, x.grad
    _same(program)


def _hooks_printing(log, name, value=None):
    def hook(t):
        log.append((name, repr(t).replace("autograd_mini.", "torch.")))
        return t if value is None else value(t)
    return hook


def _raw_saved(lib, make, slot, pack=None, unpack=None, twice=False, read=True):
    x = lib.tensor([1., 2.], requires_grad=True)
    y = make(x)
    log = []
    raw = getattr(y.grad_fn, "_raw_saved_" + slot)
    raw.register_hooks(_hooks_printing(log, "pack", pack), _hooks_printing(log, "unpack", unpack))
    if twice:
        raw.register_hooks(lambda t: t, lambda t: t)
    if read:
        log.append(getattr(y.grad_fn, "_saved_" + slot))
    y.sum().backward()
    return log, x.grad, getattr(y.grad_fn, "_raw_saved_" + slot) is raw


# `grad_fn._raw_saved_self.register_hooks(pack, unpack)` ("Hooks for saved tensors" in the
# autograd mechanics notes): pack sees the data at once, unpack runs at each read.
@pytest.mark.parametrize("program", [
    lambda lib: _raw_saved(lib, lambda x: x.pow(2), "self"),
    lambda lib: _raw_saved(lib, lambda x: x * x, "other", pack=lambda t: t * 10),
    lambda lib: _raw_saved(lib, lambda x: (x * 2).sin(), "self"),
    lambda lib: _raw_saved(lib, lambda x: x.exp(), "result"),
    lambda lib: _raw_saved(lib, lambda x: x.exp(), "result", twice=True),
    lambda lib: _raw_saved(lib, lambda x: x.pow(2), "self", twice=True),
    lambda lib: _raw_saved(lib, lambda x: x.pow(2), "self", unpack=lambda t: 5),
    lambda lib: _raw_saved(lib, lambda x: x.pow(2), "self", read=False),
    lambda lib: _raw_saved(lib, lambda x: x.pow(2), "other"),
])
def test_hooks_on_one_saved_tensor(program):
    _same(program)


def test_hooks_on_a_saved_tensor_after_backward_or_under_saved_tensors_hooks():
    def program(lib):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = x.pow(2)
        y.sum().backward()
        errors = []
        for make in (lambda: y.grad_fn._raw_saved_self.register_hooks(abs, abs),
                     lambda: hooked_under_context(lib, x, lambda x: x * 3),
                     lambda: hooked_under_context(lib, x, lambda x: x * x),
                     lambda: (x * 3).grad_fn._raw_saved_self.register_hooks(abs, abs)):
            try:
                make()
            except RuntimeError as e:
                errors.append(str(e))
        return errors

    def hooked_under_context(lib, x, make):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            z = make(x)
        z.grad_fn._raw_saved_self.register_hooks(abs, abs)
    _same(program)


def test_a_hooked_saved_leaf_still_leads_to_the_leaf_in_double_backward():
    def program(lib):
        p = lib.tensor([1., 2.], requires_grad=True)
        q = p * p
        q.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
        (g,) = lib.autograd.grad(q.sum(), p, create_graph=True)
        g.sum().backward()
        return g, p.grad
    _same(program)


def test_hooks_twice_on_a_saved_tensor_once_freed():
    def program(lib):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = x.pow(2)
        y.grad_fn._raw_saved_self.register_hooks(abs, abs)
        y.sum().backward()
        y.grad_fn._raw_saved_self.register_hooks(abs, abs)
    _same(program)


def _leaf(lib):
    return lib.tensor([1., 2.], requires_grad=True)


# test_autograd.py's test_attribute_deletion and test_requires_grad: deleting or assigning
# a tensor's attributes, and programs' own attributes on tensors.
@pytest.mark.parametrize("program", [
    lambda lib: (_leaf(lib) * 2).sum().backward() or None,
    lambda lib: [x.grad for x in [_leaf(lib)] if (x.mul(2).sum().backward(), delattr(x, "grad"))],
    lambda lib: delattr(_leaf(lib), "data"),
    lambda lib: setattr(_leaf(lib), "data", None),
    lambda lib: setattr(_leaf(lib), "data", [1., 2.]),
    lambda lib: delattr(_leaf(lib), "requires_grad"),
    lambda lib: delattr(_leaf(lib), "_grad_fn"),
    lambda lib: (_leaf(lib) * 2)._grad_fn.name(),
    lambda lib: delattr(_leaf(lib), "_backward_hooks"),
    lambda lib: _leaf(lib)._backward_hooks,
    lambda lib: setattr(_leaf(lib), "requires_grad", 1),
    lambda lib: setattr(_leaf(lib), "requires_grad", None),
    lambda lib: setattr(_leaf(lib) * 2, "requires_grad", 1),
    lambda lib: _leaf(lib).requires_grad_(1),
    lambda lib: _leaf(lib).requires_grad_(requires_grad=1),
    lambda lib: _leaf(lib).requires_grad_(None),
    lambda lib: _leaf(lib).requires_grad_(requires_grad=False).requires_grad,
    lambda lib: _leaf(lib).requires_grad_().requires_grad,
    lambda lib: setattr(_leaf(lib), "shape", (2,)),
    lambda lib: delattr(_leaf(lib), "is_leaf"),
    lambda lib: setattr(_leaf(lib), "dtype", lib.float64),
    lambda lib: setattr(_leaf(lib), "_version", 3),
    lambda lib: setattr(_leaf(lib), "device", "cpu"),
    lambda lib: _leaf(lib).no_such_attribute,
])
def test_tensor_attributes(program):
    _same(program)


def test_a_program_s_own_attributes_on_tensors():
    def program(lib):
        x = _leaf(lib)
        x.my_attribute = "hello"
        lib.ones(2)._backward_hooks = {"test": lambda: 1 / 0}  # test_requires_grad: not called
        x.register_hook = None  # an instance attribute hides the method
        (x * 2).sum().backward()
        return x.my_attribute, x.register_hook, x.grad
    _same(program)


def test_hooks_stored_in_backward_hooks_run():
    def program(lib):
        x, y = _leaf(lib), _leaf(lib) * 1
        seen = []
        for t in (x, y):
            t._backward_hooks = {"a": lambda g: seen.append(g.sum().item()),
                                 "b": lambda g: g * 10}
        (y * x).sum().backward()
        x._backward_hooks = {}
        x.grad = None
        (x * 3).sum().backward()
        return seen, x.grad
    _same(program)


@pytest.mark.parametrize("program", [
    lambda lib: _increment(lib, lambda x: x),
    lambda lib: _increment(lib, lambda x: [x, x]),
    lambda lib: _increment(lib, lambda x: x[0]),
])
def test_increment_version_makes_backward_refuse_a_saved_tensor(program):
    _same(program)


def _increment(lib, what):
    x = lib.tensor([1., 2.], requires_grad=True)
    y = x * x
    v = x._version
    lib.autograd.graph.increment_version(what(x))
    try:
        y.sum().backward()
    except RuntimeError as e:
        return x._version - v, str(e)
    return x._version - v, x.grad


def test_increment_version_of_an_inference_tensor():
    def program(lib):
        with lib.inference_mode():
            x = lib.ones(2)
        lib.autograd.graph.increment_version(x)
        return x.is_inference()
    _same(program)


# test_inplace_on_view_multi_output_unsafe / _safe: the unsafe splits' pieces are no views
# (in-place on them is allowed), split_with_sizes is split with a list.
@pytest.mark.parametrize("split", [
    "t.unsafe_split(1)", "t.unsafe_split_with_sizes((1, 2))", "t.unsafe_chunk(2)",
    "lib.unsafe_split(t, 2)", "lib.unsafe_chunk(t, 3)", "lib.unsafe_split_with_sizes(t, [2, 1])",
    "t.split_with_sizes((1, 2))", "lib.split_with_sizes(t, [2, 1])", "t.split_with_sizes([1, 1])",
    "t.unsafe_split_with_sizes([1, 1])", "t.split(1)", "t.chunk(2)",
])
def test_unsafe_splits_and_split_with_sizes(split):
    def program(lib):
        a = lib.arange(3., requires_grad=True)
        t = a + a
        pieces = eval(split)
        out = [type(pieces).__name__, [p.grad_fn.name() for p in pieces], t._version]
        try:
            pieces[0].mul_(pieces[-1][:1])
        except RuntimeError as e:
            out.append(str(e))
        sum(p.sum() for p in pieces).backward()
        return out, a.grad, t, pieces
    _same(program)


def _view_returning_function(lib, several):
    class ViewOf(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return (inp.view_as(inp), inp[0]) if several else inp.view_as(inp)

        @staticmethod
        def backward(ctx, *grads):
            return grads[0]
    return ViewOf


# test_inplace_not_requires_grad: a view a Function returns of an input that needs no grad
@pytest.mark.parametrize("several", [False, True])
@pytest.mark.parametrize("write", ["v.add_(b)", "v.copy_(b.expand(2))", "v += b"])
def test_in_place_on_a_view_a_function_returned(several, write):
    def program(lib):
        a = lib.rand(1, 2)
        b = lib.rand(1, requires_grad=True)
        out = _view_returning_function(lib, several).apply(a)
        v = (out[0] if several else out)[0]
        exec(write)
    _same(program)


# test_no_requires_grad_inplace: a view made before its base came to require grad
@pytest.mark.parametrize("write", ["b.add_(5)", "b[0].mul_(2)", "b.copy_(lib.ones(2, 3))"])
@pytest.mark.parametrize("later", [True, False])
def test_in_place_on_a_view_whose_base_came_to_require_grad(write, later):
    def program(lib):
        a = lib.zeros(2, 3)
        b = a[:]
        a.requires_grad = True
        if not later:
            a.requires_grad = False
        exec(write)
        return b.sum()
    _same(program)


# A view made before its base came to require grad follows the base's flag, gets no gradient
@pytest.mark.parametrize("no_grad_view", [False, True])
def test_a_view_made_before_its_base_required_grad_requires_grad(no_grad_view):
    def program(lib):
        a = lib.zeros(3)
        if no_grad_view:
            with lib.no_grad():
                v = a[:2]
        else:
            v = a[:2]
        a.requires_grad_()
        out = [v.requires_grad, v.is_leaf, v.grad_fn, repr(v), v[0].requires_grad,
               v[0].grad_fn.name()]
        y = (v * 2).sum()
        out += [y.requires_grad, y.grad_fn.name()]
        y.backward()
        out += [a.grad, v.grad]
        a.requires_grad_(False)
        return out + [v.requires_grad]
    _same(program)


# t._backward_hooks: torch's OrderedDict of the hooks register_hook added, by handle id
def test_backward_hooks_is_the_ordered_dict_of_registered_hooks():
    def program(lib):
        def double(g):
            return g * 2

        def show(g):
            print("show", g)
        t = lib.ones(2, requires_grad=True)
        out = [t._backward_hooks]
        handles = [t.register_hook(double), t.register_hook(show)]
        first = handles[0].id
        hooks = t._backward_hooks
        out += [type(hooks).__name__, [k - first for k in hooks], list(hooks.values()) == [double, show]]
        y = t * 3
        hy = y.register_hook(show)
        out += [[k - first for k in y._backward_hooks], hy.id - first]
        y.sum().backward()
        handles[0].remove()
        out += [t.grad, [k - first for k in t._backward_hooks]]
        out.append(y.grad_fn.register_hook(lambda gi, go: None).id - first)
        return out
    _same(program)


# A program's own dict in _backward_hooks: register_hook adds to it, removal takes from it
def test_register_hook_adds_to_a_programs_own_backward_hooks_dict():
    def program(lib):
        from collections import OrderedDict
        u = lib.ones(2, requires_grad=True)
        u._backward_hooks = OrderedDict()
        u._backward_hooks[-5] = lambda g: g * 2
        handle = u.register_hook(lambda g: g + 1)
        out = [len(u._backward_hooks)]
        u.sum().backward()
        handle.remove()
        out += [u.grad.clone(), list(u._backward_hooks)]
        u.grad = None
        u.sum().backward()
        out.append(u.grad.clone())
        u._backward_hooks = None
        u.grad = None
        u.sum().backward()
        return out + [u.grad, u._backward_hooks]
    _same(program)


# torch._C._functions.UndefinedGrad (test_function_returns_undefined_tensor): a copy whose
# gradient is undefined; a custom backward after it still runs, on zeros (or on None)
@pytest.mark.parametrize("materialize", [True, False])
def test_undefined_grad(materialize):
    def program(lib):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                print("backward got", grad)
                return None if grad is None else grad * 3
        undefined = lib._C._functions.UndefinedGrad()
        x = lib.ones(2, requires_grad=True)
        r = undefined(x)
        out = [r, r.grad_fn.name(), undefined.name(), type(undefined).__name__,
               r.grad_fn.next_functions[0][0].variable is x]
        (r * 2).sum().backward()
        out.append(x.grad)
        out.append(lib.autograd.grad((undefined(x) * 2).sum(), x, allow_unused=True))
        undefined(Double.apply(x)).sum().backward()
        out.append(x.grad)
        for args in [(x, x), (), (1,)]:
            try:
                undefined(*args)
            except TypeError as e:
                out.append(str(e))
        with lib.no_grad():
            out.append(undefined(x))
        return out + [undefined(lib.ones(1)).requires_grad]
    _same(program)


# A custom backward returning None for an input made by another custom Function: that
# one still runs, on zeros (torch runs every node the graph reaches)
def test_a_custom_backward_after_a_none_gradient_runs_on_zeros():
    def program(lib):
        class A(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                print("A got", g)
                return g * 2

        class NoneBack(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x.clone(), x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                print("NoneBack got", g1, g2)
                return None
        x = lib.ones(2, requires_grad=True)
        a, b = NoneBack.apply(A.apply(x))
        a.sum().backward()
        return x.grad
    _same(program)


@pytest.mark.parametrize("name", ["T", "H", "mT", "mH", "is_cuda", "is_leaf", "shape", "ndim",
                                  "dtype", "device", "output_nr", "_version", "_base"])
def test_read_only_attributes_refuse_assignment(name):
    def program(lib):
        t = lib.ones(2, 2)
        try:
            setattr(t, name, 1)
        except AttributeError as e:
            return str(e)
    _same(program)


# materialize_grads: an unused input's gradient is zeros (never -0. from x * 0)
def test_materialized_grads_are_plain_zeros():
    _same(lambda lib: lib.autograd.grad((lib.tensor([1., 2.], requires_grad=True) * 2).sum(),
                                        [lib.tensor([-1., 3.], requires_grad=True)],
                                        materialize_grads=True))


@pytest.mark.parametrize("arg", ["lib.ones(1)", "1", None, "input=lib.ones(1)"])
def test_is_inference(arg):
    def program(lib):
        with lib.inference_mode():
            t = lib.ones(2)
        if arg is None:
            return lib.is_inference(t), lib.is_inference()
        return eval(f"lib.is_inference({arg})")
    _same(program)


def test_inference_tensors_have_no_version():
    def program(lib):
        with lib.inference_mode():
            t = lib.ones(2)
        return t._version
    _same(program)


# A view of a normal tensor made in inference mode is normal, but may not change in place
# outside it (torch's CreationMeta::INFERENCE_MODE); a view of it says "a view of a view"
@pytest.mark.parametrize("mode", ["inference_mode", "no_grad"])
@pytest.mark.parametrize("requires_grad", [True, False])
@pytest.mark.parametrize("write", ["w.mul_(2)", "v.view(2, 3).add_(1)",
                                   "v.view(2, 3).add_(lib.ones(2, 3, requires_grad=True))"])
def test_in_place_on_a_view_made_in_inference_mode(mode, requires_grad, write):
    def program(lib):
        n = lib.ones(2, 3, requires_grad=requires_grad).clone()
        with getattr(lib, mode)():
            v, w = n.view(6), n[0]
        out = [v.is_inference(), v.requires_grad, v.grad_fn, v._base is n, v._version]
        exec(write)
        return out + [n]
    _same(program)


# A short list holding a slice, list or None is a tuple of indices (with torch's warning)
@pytest.mark.parametrize("key", ["[slice(None), [2, 3]]", "[[2, 3], slice(None)]", "[None, 1]",
                                 "[[0], [1]]", "[0.5]", "[[1, 2]]", "[1, 2]"])
def test_a_list_key_may_be_a_tuple_of_indices(key):
    def program(lib):
        x = lib.arange(12.).view(3, 4).requires_grad_()
        y = x[eval(key)]
        y.sum().backward()
        z = x.detach().clone()
        z[eval(key)] = -1.
        return y, x.grad, z
    _same(program)


@pytest.mark.parametrize("key", ["lib.tensor([5])", "lib.tensor([-5])", "(slice(None), lib.tensor([7]))",
                                 "lib.tensor([0.5])", "([0], [9])", "(1, [9])",
                                 "lib.tensor([[True, False, True]])", "(lib.tensor([True, False, True]), [0, 8])"])
@pytest.mark.parametrize("write", [False, True])
def test_index_errors_in_torchs_words(key, write):
    def program(lib):
        x = lib.ones(3, 4)
        if write:
            x[eval(key)] = 1.
        return x[eval(key)]
    _same(program)


# clone() keeps a non-contiguous layout (preserve_format); contiguous() and reshape do not
@pytest.mark.parametrize("make", ["lib.arange(6.).view(2, 3).t()", "lib.ones(2, 3, 2).select(2, 1).t()",
                                  "lib.arange(24.).view(2, 3, 4)[:, ::2].permute(2, 0, 1)"])
def test_clone_keeps_the_layout(make):
    def program(lib):
        a = eval(make).requires_grad_()
        c = a.clone()
        out = [c.is_contiguous(), a.contiguous().is_contiguous(), a.reshape(-1).grad_fn.name(),
               a.contiguous().grad_fn.name(), c.grad_fn.name()]
        try:
            c.view(-1)
        except RuntimeError as e:
            out.append(str(e))
        return out
    _same(program)


# test_gradcheck_single_input passes fast_mode (and test_autograd other torch options)
@pytest.mark.parametrize("options", ["fast_mode=True", "fast_mode=False, check_undefined_grad=False",
                                     "check_batched_grad=False, check_grad_dtypes=True"])
def test_gradcheck_takes_torchs_options(options):
    def program(lib):
        lib.manual_seed(0)
        x = lib.rand(10, dtype=lib.float64, requires_grad=True)
        return (eval(f"lib.autograd.gradcheck(lambda t: t.mul(5), x, {options})"),
                eval(f"lib.autograd.gradgradcheck(lambda t: t.pow(3), x, {options})"))
    _same(program)


# test_grad_nonleaf_register_hook: an output's hook runs whenever its multi-output node runs,
# with None when no gradient came to that output
@pytest.mark.parametrize("make", ["x.unbind()", "x.split(2)", "_two_outputs(lib).apply(x)"])
def test_hooks_of_unreached_outputs_see_none(make):
    def program(lib):
        x = lib.arange(4., requires_grad=True)
        pieces = eval(make)
        seen = []
        pieces[0].register_hook(lambda g: seen.append(g))
        pieces[0].sum().backward(retain_graph=True)
        pieces[-1].sum().backward()
        return seen, x.grad
    _same(program)


def _two_outputs(lib):
    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 + g2
    return Two


# A custom Function may name its backward vjp (torch's alias), not both
@pytest.mark.parametrize("names", [("vjp",), ("backward", "vjp"), ()])
def test_custom_function_vjp(names):
    def program(lib):
        body = {"forward": staticmethod(lambda ctx, x: x * 2)}
        body.update({n: staticmethod(lambda ctx, g: g * 5) for n in names})
        F = type("F", (lib.autograd.Function,), body)
        x = lib.ones(2, requires_grad=True)
        F.apply(x).sum().backward()
        return x.grad
    _same(program)


# gradcheck's check_undefined_grad (on by default) runs the backward on undefined gradients
@pytest.mark.parametrize("check", [True, False])
def test_gradcheck_checks_undefined_grads(check):
    def program(lib):
        calls = []

        class Ignores(lib.autograd.Function):  # a backward that does not scale by grad
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                calls.append(None)
                return g1 * 2 + g2 * 3 + (0 if bool(g1.abs().sum()) else 1)
        lib.manual_seed(0)
        x = lib.rand(3, dtype=lib.float64, requires_grad=True)
        ok = lib.autograd.gradcheck(Ignores.apply, x, check_undefined_grad=check,
                                    raise_exception=False)
        return ok, len(calls)
    _same(program)


def _double_inplace(lib):
    class DoubleInplace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x, x

        @staticmethod
        def backward(ctx, grad1, grad2):
            print("saved", len(ctx.saved_variables))
            return grad1 * 2 + grad2 * 2
    return DoubleInplace


# test_return_duplicate_inplace: a changed view returned twice is torch's error; gradcheck
# calls the function as often as torch's does; ctx.saved_variables still answers (warning)
@pytest.mark.parametrize("make", ["x.clone()", "x.clone()[0]", "x"])
def test_return_duplicate_inplace(make):
    def program(lib):
        lib.manual_seed(0)
        x = lib.randn(2, 2, dtype=lib.float64, requires_grad=True)
        a, b = _double_inplace(lib).apply(eval(make))
        (a + b).sum().backward()
        calls = []

        def fn(t):
            calls.append(None)
            a, b = _double_inplace(lib).apply(t.clone())
            return a + b
        return (a is b, x.grad, lib.autograd.gradcheck(fn, [x]), len(calls),
                lib.autograd.gradgradcheck(fn, [x]), len(calls))
    _same(program)
