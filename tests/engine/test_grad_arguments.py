"""autograd.grad and backward given wrong arguments: the same exception type and message
as torch (or the same result where torch accepts them), on both engines."""
import warnings

import numpy as np
import pytest
import torch

import autograd_mini

# Each case: (autograd function, positional arguments, keyword arguments), written over
# the names below; `lib` is the engine.
#   x: leaf requiring grad, c: constant, y = (x * 2).sum(), z = x * 3 (unused by y),
#   v = x * 2 (not a scalar), i = an int64 scalar that does not require grad
CASES = {
    "output does not require grad": ("grad", "c.sum(), x", {}),
    "input does not require grad": ("grad", "y, c", {}),
    "output checked before input": ("grad", "c.sum(), c", {}),
    "second output does not require grad": ("backward", "[y, c.sum()]", {}),
    "empty inputs to grad": ("grad", "y, []", {}),
    "empty inputs to backward": ("backward", "y", {"inputs": "[]"}),
    "inputs not a tensor": ("grad", "y, [x, 3]", {}),
    "input an int": ("grad", "y, 3", {}),
    "output an int": ("grad", "3, x", {}),
    "output in a list not a tensor": ("grad", "[y, 3]", {"inputs": "x"}),
    "backward of an int": ("backward", "3", {}),
    "backward inputs an int": ("backward", "y", {"inputs": "[3]"}),
    "backward input without grad": ("backward", "y", {"inputs": "[c]"}),
    "grad_output of the wrong shape": ("grad", "y, x", {"grad_outputs": "lib.ones(2)"}),
    "grad_output of shape [1] for a scalar": ("grad", "y, x", {"grad_outputs": "[lib.ones(1)]"}),
    "grad_output of the wrong shape, vector": ("grad", "v, x", {"grad_outputs": "lib.ones(1)"}),
    "too many grad_outputs are ignored": (
        "grad", "y, x", {"grad_outputs": "[lib.ones(()), lib.ones(())]"}),
    "too few grad_outputs": ("grad", "[y, y], x", {"grad_outputs": "[lib.ones(())]"}),
    "grad_outputs a float": ("grad", "y, x", {"grad_outputs": "1.0"}),
    "grad_outputs a list of floats": ("grad", "y, x", {"grad_outputs": "[2.0]"}),
    "grad_outputs a nested list": ("backward", "v", {"grad_tensors": "[[1., 1.]]"}),
    "float64 grad_output is cast": (
        "grad", "y, x", {"grad_outputs": "[lib.ones((), dtype=lib.float64)]"}),
    "int64 grad_output is cast": (
        "grad", "y, x", {"grad_outputs": "[lib.ones((), dtype=lib.int64) * 3]"}),
    "None grad_output for a scalar": ("grad", "y, x", {"grad_outputs": "[None]"}),
    "None grad_output for a vector": ("grad", "v, x", {"grad_outputs": "[None]"}),
    "vector output without grad_outputs": ("grad", "v, x", {}),
    "int output that does not require grad": ("grad", "i, x", {}),
    "unused input": ("grad", "y, z", {}),
    "unused input allowed": ("grad", "y, z", {"allow_unused": "True"}),
    "unused input materialized": ("grad", "y, z", {"materialize_grads": "True"}),
    "materialize with allow_unused=False": (
        "grad", "y, z", {"allow_unused": "False", "materialize_grads": "True"}),
    "materialize with allow_unused=True": (
        "grad", "y, x", {"allow_unused": "True", "materialize_grads": "True"}),
    "dict inputs": ("grad", "y, {'a': x}", {}),
    "the same input twice": ("grad", "y, (x, x)", {}),
    "the same output twice": ("grad", "[y, y], x", {}),
    "only_inputs=True accepted": ("grad", "y, x", {"only_inputs": "True"}),
    "is_grads_batched=False accepted": ("grad", "y, x", {"is_grads_batched": "False"}),
    "backward: wrong-shape gradient": ("backward", "y", {"grad_tensors": "lib.ones(3)"}),
    "backward: too many gradients are ignored": (
        "backward", "y", {"grad_tensors": "[lib.ones(()), lib.ones(())]"}),
    "backward: vector without gradient": ("backward", "v", {}),
    "backward: input not a leaf": ("backward", "y", {"inputs": "[v]"}),
    "backward: one tensor as inputs": ("backward", "y", {"inputs": "x"}),
    "backward: dict inputs": ("backward", "y", {"inputs": "{'x': x}"}),
    "backward: grad_variables is deprecated": (
        "backward", "y", {"grad_variables": "lib.ones(())"}),
    "backward: grad_tensors and grad_variables": (
        "backward", "y", {"grad_variables": "lib.ones(())", "grad_tensors": "lib.ones(())"}),
}

TENSOR_BACKWARD = {
    "float gradient": "y.backward(3.0, retain_graph=True)",
    "vector without gradient": "v.backward(retain_graph=True)",
    "list gradient": "v.backward([1., 1.], retain_graph=True)",
    "empty inputs": "y.backward(inputs=[], retain_graph=True)",
    "float64 gradient": "y.backward(lib.tensor(2.0, dtype=lib.float64), retain_graph=True)",
    "gradient and inputs": "y.backward(gradient=lib.tensor(2.0), inputs=(x,), retain_graph=True)",
}


def _names(lib):
    x = lib.tensor([1., 2.], requires_grad=True)
    c = lib.tensor([1., 2.])
    return {"lib": lib, "x": x, "c": c, "y": (x * 2).sum(), "z": x * 3, "v": x * 2,
            "i": lib.tensor(3)}


def _describe(result, names):
    """What a call gave, in engine-neutral terms (values, dtypes, grads of the leaves)."""
    def tensor(t):
        if t is None:
            return None
        return (str(t.dtype).split(".")[-1], t.requires_grad, t.detach().tolist())
    if isinstance(result, dict):
        result = {k: tensor(v) for k, v in result.items()}
    elif isinstance(result, tuple):
        result = tuple(tensor(t) for t in result)
    grads = {n: tensor(names[n].grad) for n in ("x", "c")}
    v_grad = tensor(names["v"]._grad if hasattr(names["v"], "_grad") else names["v"].grad)
    return result, grads, names["v"].retains_grad, v_grad


def _run(lib, code):
    names = _names(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = eval(code, {}, names)
            outcome = ("ok", _describe(result, names))
        except Exception as error:  # noqa: BLE001 - compared with torch's
            outcome = (type(error).__name__, str(error).replace("autograd_mini.", "torch."))
    messages = [(w.category.__name__, str(w.message)) for w in caught
                if "non-leaf" not in str(w.message) and ".grad attribute" not in str(w.message)]
    return outcome, messages


@pytest.mark.parametrize("case", CASES)
def test_argument_errors_match_torch(case):
    function, args, kwargs = CASES[case]
    keywords = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    code = f"lib.autograd.{function}({args}{', ' if keywords else ''}{keywords})"
    if function == "grad":
        code = code[:-1] + ", retain_graph=True)"
    assert _run(autograd_mini, code) == _run(torch, code)


@pytest.mark.parametrize("case", TENSOR_BACKWARD)
def test_tensor_backward_arguments_match_torch(case):
    code = TENSOR_BACKWARD[case]
    assert _run(autograd_mini, code) == _run(torch, code)


def test_the_messages_torch_gives_are_the_ones_in_the_issue():
    """The three messages the issue names, spelled out (so a change in torch shows)."""
    expected = {
        "output does not require grad":
            "element 0 of tensors does not require grad and does not have a grad_fn",
        "empty inputs to grad": "`inputs` argument to `grad()` cannot be empty.",
        "empty inputs to backward": "`inputs` argument to `backward()` cannot be empty.",
    }
    for case, message in expected.items():
        function, args, kwargs = CASES[case]
        keywords = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        code = f"lib.autograd.{function}({args}{', ' if keywords else ''}{keywords})"
        outcome, _ = _run(autograd_mini, code)
        assert outcome == ("RuntimeError", message)


def test_backward_with_a_non_leaf_input_fills_its_grad():
    def program(lib):
        x = lib.tensor(np.array([1., 2.], dtype=np.float32), requires_grad=True)
        v = x * 2
        (v * v).sum().backward(inputs=[v])
        return v.retains_grad, v.grad.tolist(), x.grad

    mine, ref = program(autograd_mini), program(torch)
    assert mine == ref


@pytest.mark.parametrize("create_graph", [False, True])
def test_batched_grad_outputs_give_one_vector_jacobian_product_per_row(create_graph):
    """is_grads_batched=True: row i of grad_outputs gives row i of the result (the rows of a
    Jacobian for grad_outputs = eye); with create_graph it can be differentiated again."""
    def program(lib):
        x = lib.tensor([1., 2.], requires_grad=True)
        w = lib.tensor([3., -1.], requires_grad=True)
        y = x ** 2 * w
        rows = lib.autograd.grad(y.sum() * x, [x, w], lib.eye(2), is_grads_batched=True,
                                 retain_graph=True, create_graph=create_graph)
        one, = lib.autograd.grad(y, x, lib.eye(2) * 2, is_grads_batched=True, retain_graph=True)
        again = lib.autograd.grad(rows[0].sum(), x)[0].tolist() if create_graph else None
        return [r.tolist() for r in rows], [r.requires_grad for r in rows], again, one.tolist()

    assert program(autograd_mini) == program(torch)
