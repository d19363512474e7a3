"""autograd.functional against torch.autograd.functional: every function, every option.

Each case runs the same call on both engines from the same NumPy inputs. Where torch
returns, autograd_mini must return the same nesting, shapes, dtypes, requires_grad
and values; where torch raises, autograd_mini must raise the same error type with
the same message.
"""
import numpy as np
import pytest
import torch

import autograd_mini
from _autograd_compare import assert_same, assert_same_outcome, leaves, make, outcome

_rng = np.random.default_rng(3)


def _arr(*shape, low=-1.0, high=1.0):
    return _rng.uniform(low, high, shape)


def _doubling(x):
    """The seed's data-dependent loop: how many doublings depends on x's values."""
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return y


# name -> (function of tensors, its input(s)): one array is a single Tensor input, a list
# is a tuple of inputs. Only tensor methods and operators, so one definition serves both
# engines.
FUNCTIONS = {
    "exp_adder": (lambda x, y: 2 * x.exp() + 3 * y, [_arr(3), _arr(3)]),
    "doubling_loop": (_doubling, _arr(3)),
    "broadcast": (lambda x, b: (x * b).sin() + b, [_arr(2, 3), _arr(3)]),
    "one_in_tuple_out": (lambda x: (x.exp(), (x * x).sum()), _arr(2, 2)),
    "tuple_in_tuple_out": (lambda x, y: (x * y, (x + y).tanh().sum(0)), [_arr(2, 3), _arr(2, 3)]),
    "matvec": (lambda w, v: (w @ v).sigmoid(), [_arr(2, 3), _arr(3)]),
    "softplus_mean": (lambda x: (1 + x.exp()).log().mean(), _arr(2, 3)),
    "cubic_sum": (lambda x: (x ** 3).sum(), _arr(4)),
    "norm": (lambda x: x.norm(), _arr(2, 2)),
    "ratio": (lambda x, y: x / (y * y + 1), [_arr(3), _arr(3)]),
    "indexing": (lambda x: x[0] * x[1], _arr(2, 3)),
    "sqrt_pow": (lambda x: (x.sqrt() ** 3).sum(), _arr(3, low=0.5, high=2.0)),
    "scalar_product": (lambda x, y: (x * y).sum(), [_arr(3), _arr(3)]),
    "ignores_y": (lambda x, y: x * 2, [_arr(2), _arr(2)]),
    "constant_output": (lambda x: x.detach() * 2, _arr(2)),
    "linear_scalar": (lambda x: (3 * x).sum(), _arr(3)),
}


def _outputs_like(name):
    """Random arrays shaped like the function's output(s) (the v of vjp)."""
    fn, arrays = FUNCTIONS[name]
    inputs = make(torch, arrays)
    out = fn(*inputs) if isinstance(inputs, tuple) else fn(inputs)
    if isinstance(out, tuple):
        return [_arr(*o.shape) for o in out]
    return _arr(*out.shape)


def _inputs_like(name):
    arrays = FUNCTIONS[name][1]
    if isinstance(arrays, np.ndarray):
        return _arr(*arrays.shape)
    return [_arr(*a.shape) for a in arrays]


V_OUT = {name: _outputs_like(name) for name in FUNCTIONS}
V_IN = {name: _inputs_like(name) for name in FUNCTIONS}
APIS = ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp")


def _call(lib, api, name, create_graph, strict):
    """(the inputs, a function making the call) on one engine."""
    fn, arrays = FUNCTIONS[name]
    inputs = make(lib, arrays, requires_grad=create_graph)
    functional = lib.autograd.functional
    kwargs = {"create_graph": create_graph, "strict": strict}
    if api in ("jacobian", "hessian"):
        return inputs, lambda: getattr(functional, api)(fn, inputs, **kwargs)
    v = make(lib, V_OUT[name] if api == "vjp" else V_IN[name])
    return inputs, lambda: getattr(functional, api)(fn, inputs, v, **kwargs)


@pytest.mark.parametrize("strict", [False, True], ids=["", "strict"])
@pytest.mark.parametrize("create_graph", [False, True], ids=["", "create_graph"])
@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_same_result_or_error_as_torch(name, api, create_graph, strict):
    mini_inputs, mini_call = _call(autograd_mini, api, name, create_graph, strict)
    ref_inputs, ref_call = _call(torch, api, name, create_graph, strict)
    mini, ref = assert_same_outcome(mini_call, ref_call)
    if create_graph and not isinstance(ref, str):
        # The result is part of a graph: its gradient reaches the caller's inputs as torch's does.
        _assert_same_second_order(mini, mini_inputs, ref, ref_inputs)


def _assert_same_second_order(mini, mini_inputs, ref, ref_inputs):
    def gradient(lib, result, inputs):
        tracked = [t for t in leaves(result) if t.requires_grad]
        if not tracked:
            return None
        inputs = inputs if isinstance(inputs, tuple) else (inputs,)
        total = sum(t.sum() for t in tracked)
        return lib.autograd.grad(total, inputs, allow_unused=True)

    mini_grads = gradient(autograd_mini, mini, mini_inputs)
    ref_grads = gradient(torch, ref, ref_inputs)
    assert (mini_grads is None) == (ref_grads is None)
    for m, r in zip(mini_grads or (), ref_grads or ()):
        assert (m is None) == (r is None)
        if r is not None:
            assert_same(m, r)


def _assert_as_torch(api, name, **options):
    """One call (without v) on both engines: the same result, or the same error."""
    fn, arrays = FUNCTIONS[name]
    assert_same_outcome(
        lambda: getattr(autograd_mini.autograd.functional, api)(fn, make(autograd_mini, arrays),
                                                                **options),
        lambda: getattr(torch.autograd.functional, api)(fn, make(torch, arrays), **options))


@pytest.mark.parametrize("api", APIS)
def test_runs_with_grad_enabled_inside_no_grad(api):
    with autograd_mini.no_grad(), torch.no_grad():
        assert_same_outcome(_call(autograd_mini, api, "cubic_sum", False, False)[1],
                            _call(torch, api, "cubic_sum", False, False)[1])
        assert not autograd_mini.is_grad_enabled()


@pytest.mark.parametrize("options", [
    {"vectorize": True},
    {"vectorize": True, "strategy": "forward-mode"},
    {"vectorize": True, "strict": True},
    {"strategy": "forward-mode"},
    {"strategy": "forward-mode", "vectorize": True, "create_graph": True},
    {"strategy": "forward-mode", "vectorize": True, "strict": True},
    {"strategy": "sideways"},
], ids=str)
@pytest.mark.parametrize("name", ["tuple_in_tuple_out", "broadcast"])
def test_jacobian_strategies(name, options):
    _assert_as_torch("jacobian", name, **options)


@pytest.mark.parametrize("options", [
    {"vectorize": True},
    {"outer_jacobian_strategy": "forward-mode"},
    {"outer_jacobian_strategy": "inside-out"},
], ids=str)
def test_hessian_strategies(options):
    _assert_as_torch("hessian", "softplus_mean", **options)


def test_forward_over_reverse_hessian_values():
    """torch's forward-over-reverse Hessian comes back attached to a graph (a by-product of
    its forward-mode AD); autograd_mini computes it in reverse mode, so only values compare."""
    fn, arrays = FUNCTIONS["softplus_mean"]
    options = {"outer_jacobian_strategy": "forward-mode", "vectorize": True}
    mini = autograd_mini.autograd.functional.hessian(fn, make(autograd_mini, arrays), **options)
    ref = torch.autograd.functional.hessian(fn, make(torch, arrays), **options)
    assert_same(mini, ref.detach())


def _vector_cases():
    """Calls whose v is missing, of the wrong length or of the wrong size."""
    one = np.array([0.7])
    return {
        "vjp v=None, one-element output": ("vjp", FUNCTIONS["cubic_sum"], None),
        "vjp v=None, many-element output": ("vjp", FUNCTIONS["exp_adder"], None),
        "jvp v=None, one-element input": ("jvp", (lambda x: x.exp() * 3, one), None),
        "jvp v=None, many-element input": ("jvp", FUNCTIONS["doubling_loop"], None),
        "hvp v=None, one-element input": ("hvp", (lambda x: (x ** 4).sum(), one), None),
        "hvp v=None, many-element input": ("hvp", FUNCTIONS["cubic_sum"], None),
        "vhp v=None, many-element input": ("vhp", FUNCTIONS["cubic_sum"], None),
        "vjp v of the wrong size": ("vjp", FUNCTIONS["cubic_sum"], _arr(2)),
        "vjp v tuple of the wrong length": ("vjp", FUNCTIONS["one_in_tuple_out"], [_arr(2, 2)]),
        "vjp v tuple for a single output": ("vjp", FUNCTIONS["exp_adder"], [_arr(3), _arr(3)]),
        "jvp v entry of the wrong size": ("jvp", FUNCTIONS["exp_adder"], [_arr(3), _arr(2)]),
        "vhp v of the wrong size": ("vhp", FUNCTIONS["cubic_sum"], _arr(3)),
        "hvp v not a tensor": ("hvp", FUNCTIONS["cubic_sum"], "not a tensor"),
        "vjp v tuple holding a list": ("vjp", FUNCTIONS["cubic_sum"], ("x",)),
    }


@pytest.mark.parametrize("case", list(_vector_cases()))
def test_vector_argument_as_torch(case):
    api, (fn, arrays), v = _vector_cases()[case]

    def call(lib):
        vector = make(lib, v) if isinstance(v, (np.ndarray, list)) else v
        return lambda: getattr(lib.autograd.functional, api)(fn, make(lib, arrays), vector)

    assert_same_outcome(call(autograd_mini), call(torch))


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("case", ["list input", "list in tuple", "number output", "list output"])
def test_type_errors_as_torch(api, case):
    """Inputs and outputs must be Tensors or tuples of Tensors; torch names the culprit."""
    def call(lib):
        x = lib.tensor([1.0, 2.0])
        inputs, fn = {
            "list input": ([x, x], lambda a, b: a * b),
            "list in tuple": ((x, [1.0]), lambda a, b: a),
            "number output": (x, lambda a: 3.0),
            "list output": (x, lambda a: [a.sum(), a.sum()]),
        }[case]
        functional = getattr(lib.autograd.functional, api)
        if api in ("jacobian", "hessian"):
            return lambda: functional(fn, inputs)
        return lambda: functional(fn, inputs, lib.tensor([1.0, 1.0]))

    mini, ref = outcome(call(autograd_mini)), outcome(call(torch))
    assert ref[0] != "ok"
    assert mini == ref


def test_hessian_of_a_tuple_output_raises_as_torch():
    _assert_as_torch("hessian", "one_in_tuple_out")


def test_jacobian_does_not_touch_the_callers_grad():
    """The functional API works on fresh tensors: the caller's .grad stays as it was."""
    x = autograd_mini.tensor([1.0, 2.0], requires_grad=True)
    autograd_mini.autograd.functional.jacobian(lambda t: t * t, x)
    autograd_mini.autograd.functional.vjp(lambda t: (t * t).sum(), x)
    assert x.grad is None
