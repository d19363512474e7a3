"""torch.autograd.graph.saved_tensors_hooks and its relatives, as the "Hooks for autograd
saved tensors" tutorial uses them: each program runs on both engines and must print the
same lines (which tensors are packed and unpacked, in which order, the gradients) and
raise the same errors."""
import contextlib
import io

import pytest
import torch

import autograd_mini

PROGRAMS = {
    "print_pack_and_unpack": """
def pack_hook(x):
    print("Packing", x)
    return x
def unpack_hook(x):
    print("Unpacking", x)
    return x
a = lib.ones(5, requires_grad=True)
b = lib.ones(5, requires_grad=True) * 2
with lib.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    y = a * b
y.sum().backward()
print(a.grad)
""",
    "what_unpack_returns_is_used": """
a = lib.ones(3, requires_grad=True)
with lib.autograd.graph.saved_tensors_hooks(lambda x: x * 2, lambda p: p):
    y = a * a
    z = a.exp()
y.sum().backward()
print(a.grad)
print(z.grad_fn._saved_result, z.grad_fn._saved_result.grad_fn.name())
""",
    "only_needed_tensors_are_packed": """
calls = []
a, b = lib.ones(3, requires_grad=True), lib.ones(3) * 2
with lib.autograd.graph.saved_tensors_hooks(lambda x: calls.append(("p", x.tolist())) or x,
                                            lambda p: calls.append(("u", p.tolist())) or p):
    y = a * b
    w = a / b
    v = (a * 3).sin()
(y.sum() + w.sum() + v.sum()).backward()
print(calls)
""",
    "nested_contexts_innermost_packs": """
calls = []
a = lib.ones(3, requires_grad=True)
with lib.autograd.graph.saved_tensors_hooks(lambda x: calls.append("pack") or x,
                                            lambda p: calls.append("unpack") or p):
    with lib.autograd.graph.saved_tensors_hooks(lambda x: calls.append("pack2") or x,
                                                lambda p: calls.append("unpack2") or p):
        y = a * a
    w = a * a
y.sum().backward()
w.sum().backward()
print(calls, a.grad)
""",
    "no_version_check_on_hooked_tensors": """
a = lib.ones(3, requires_grad=True)
with lib.autograd.graph.saved_tensors_hooks(lambda x: x.detach().clone(), lambda p: p):
    y = a * a
with lib.no_grad():
    a.mul_(5)
y.sum().backward()
print(a.grad)
""",
    "unpack_must_return_a_tensor": """
a = lib.ones(3, requires_grad=True)
with lib.autograd.graph.saved_tensors_hooks(lambda x: "p", lambda p: 3):
    y = a * a
y.sum().backward()
""",
    "saved_tensors_are_freed_after_backward": """
a = lib.ones(3, requires_grad=True)
with lib.autograd.graph.saved_tensors_hooks(lambda x: x, lambda p: p):
    y = (a * a).sum()
y.backward()
y.backward()
""",
    "keys_to_a_store_instead_of_tensors": """
store = {}
def pack_hook(x):
    if x.numel() < 1000:
        return x.detach()
    store[len(store)] = x.detach().clone()
    return len(store) - 1
def unpack_hook(packed):
    return packed if isinstance(packed, lib.Tensor) else store[packed]
x, s = lib.ones(2000, requires_grad=True), lib.ones(10, requires_grad=True)
with lib.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    y = (x * x).sum() + (s * s.exp()).sum()
y.backward()
print(len(store), x.grad[:3], s.grad[:3])
""",
    "save_on_cpu": """
a = lib.ones(3, requires_grad=True)
with lib.autograd.graph.save_on_cpu():
    y = (a * a.exp()).sum()
y.backward()
print(a.grad)
""",
    "disabled_hooks_raise_the_given_message": """
with lib.autograd.graph.disable_saved_tensors_hooks("no hooks in here"):
    with lib.autograd.graph.saved_tensors_hooks(lambda x: x, lambda p: p):
        pass
""",
    "a_custom_function_saves_through_the_hooks": """
class Square(lib.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad
calls = []
a = lib.tensor([1., 2.], requires_grad=True)
with lib.autograd.graph.saved_tensors_hooks(lambda x: calls.append("pack") or x,
                                            lambda p: calls.append("unpack") or p):
    y = Square.apply(a)
y.sum().backward()
print(calls, a.grad)
""",
}


def run(lib, source):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(source, {"lib": lib})
            error = None
        except Exception as e:  # noqa: BLE001 - compared with torch's
            error = (type(e).__name__, str(e))
    return out.getvalue().replace("autograd_mini.", "torch."), error


@pytest.mark.parametrize("name", PROGRAMS)
def test_saved_tensor_hooks_as_torch(name):
    assert run(autograd_mini, PROGRAMS[name]) == run(torch, PROGRAMS[name])
