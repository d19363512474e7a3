# From PyTorch's test/test_autograd.py, on random inputs: test_mark_non_differentiable_mixed,
# test_return_leaf, test_return_leaf_inplace, test_save_none_for_backward,
# test_function_returns_input, test_function_returns_undefined_tensor, test_materialize_grads,
# test_custom_function_local_inplace, test_custom_function_return_view_in_no_grad,
# test_custom_function_exception, test_dont_materialize_grads.
import torch

from _program_tools import attempt
from torch.autograd import Function

torch.manual_seed(0)


# test_mark_non_differentiable_mixed
class Mixed(Function):
    @staticmethod
    def forward(ctx, input):
        a = input + 1
        b = input + 2
        ctx.mark_non_differentiable(a)
        return a, b

    @staticmethod
    def backward(ctx, grad_a, grad_b):
        print("mixed backward", bool((grad_a == 0).all()), bool((grad_b == 1).all()))
        return grad_b


x = torch.randn(5, 5, requires_grad=True)
a, b = Mixed.apply(x)
print("mixed", a.requires_grad, b.requires_grad, a.grad_fn, b.grad_fn.name(), a.is_leaf)
b.sum().backward()
print("mixed grad", x.grad)


# test_return_leaf
class Identity(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a, a + b

    @staticmethod
    def backward(ctx, grad_a, grad_b):
        return grad_a + grad_b, grad_b


hook_called = [False]
x = torch.randn(5, 5, requires_grad=True)
y = torch.randn(5, 5, requires_grad=True)
q, p = Identity.apply(x, y)


def hook(grad):
    hook_called[0] = True
    print("leaf hook", torch.equal(grad, torch.ones(5, 5)))


q.register_hook(hook)
(q + p + x).sum().backward()
print("return leaf", x.grad[0], y.grad[0], hook_called[0], q is x, q._base is x,
      q.grad_fn.name(), q.is_leaf)


# test_return_leaf_inplace
class Inplace(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.mark_dirty(a)
        return a.add_(b), b + 2

    @staticmethod
    def backward(ctx, grad_a, grad_b):
        return grad_a, grad_a + grad_b


x = torch.randn(5, 5)
y = torch.randn(5, 5, requires_grad=True)
q, p = Inplace.apply(x, y)
print("inplace", q is x, q.grad_fn.name(), q.requires_grad, x._version)
q.sum().backward()
print("inplace grad", y.grad[0])
attempt("inplace leaf", lambda: Inplace.apply(torch.randn(2, requires_grad=True),
                                              torch.randn(2)))


# test_save_none_for_backward
test_case = []


class SaveNone(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(None, input, None)
        return input * input

    @staticmethod
    def backward(ctx, grad_output):
        n1, input, n2 = ctx.saved_tensors
        test_case.append((n1 is None, n2 is None))
        return 2 * input * grad_output


x = torch.randn(5, 5, requires_grad=True)
y = SaveNone.apply(x)
y.sum().backward()
print("save none", test_case, torch.allclose(x.grad, 2 * x))


# test_function_returns_input
class MyFunction(Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


for shape in (1,), ():
    v = torch.ones(shape, requires_grad=True)
    MyFunction.apply(v).backward()
    print("returns input", v.grad)
    with torch.no_grad():
        v.grad.zero_()
    MyFunction.apply(v.clone()).backward()
    print("returns input clone", v.grad)


# test_function_returns_undefined_tensor
class Undefined(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return None


x = torch.ones(1, requires_grad=True)
Undefined.apply(x).backward()
print("undefined 1", x.grad)
Undefined.apply(x ** 2).backward()
print("undefined 2", x.grad)
Undefined.apply(x).sum().backward()
print("undefined 3", x.grad)
print("undefined 4", torch.autograd.grad(Undefined.apply(x), x, allow_unused=True)[0])


# test_materialize_grads
class MyFunction2(Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        print("materialized", grad)
        return grad


x = torch.ones(1, requires_grad=True)
torch._C._functions.UndefinedGrad()(MyFunction2.apply(x)).backward()
print("materialize grad", x.grad)


# test_dont_materialize_grads
class MyFunction3(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x

    @staticmethod
    def backward(ctx, grad):
        print("not materialized", grad)
        return grad


x = torch.ones(1, requires_grad=True)
torch._C._functions.UndefinedGrad()(MyFunction3.apply(x)).backward()
print("dont materialize grad", x.grad)


# test_custom_function_local_inplace
class LocalInplace(Function):
    @staticmethod
    def forward(ctx, inp, inplace):
        view = inp.clone()[:3]
        if inplace:
            view += 2
        return view

    @staticmethod
    def backward(ctx, grad):
        return grad, None


base = torch.rand(10, requires_grad=True)
foo = LocalInplace.apply(base, False)
print("local", foo.grad_fn.name(), foo._base is None)
foo = LocalInplace.apply(base, True)
print("local inplace", foo.grad_fn.name(), foo._base is None)


# test_custom_function_return_view_in_no_grad
class Alias(Function):
    @staticmethod
    def forward(ctx, x):
        return x[:]

    @staticmethod
    def backward(ctx, gx):
        return gx


inp = torch.rand(2, requires_grad=True)
with torch.no_grad():
    output = Alias.apply(inp)
print("view in no_grad", output.requires_grad, output.grad_fn, output._base is inp)
output = Alias.apply(inp)
print("view", output.requires_grad, output.grad_fn.name(), output._base is inp)
attempt("view inplace", lambda: output.mul_(2))


# test_custom_function_exception
class SimulateBackwardError(Function):
    @staticmethod
    def forward(ctx, input):
        return input.clone()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, input):
        raise Exception("Simulate error on backward pass")


t1 = torch.rand([3, 3], requires_grad=True)
t2 = torch.rand([3, 3], requires_grad=True)
tmp = (t1 + t2) * (t1 + t2)
t3 = SimulateBackwardError.apply(tmp)
attempt("backward error", lambda: t3.sum().backward())


# needs_input_grad, saved tensors, non-tensor arguments
class ScaleAdd(Function):
    @staticmethod
    def forward(ctx, x, w, scale, name="s"):
        ctx.save_for_backward(x, w)
        ctx.scale = scale
        print("needs", ctx.needs_input_grad, name)
        return x * w * scale

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        print("backward needs", ctx.needs_input_grad)
        gx = g * w * ctx.scale if ctx.needs_input_grad[0] else None
        gw = g * x * ctx.scale if ctx.needs_input_grad[1] else None
        return gx, gw, None, None


x = torch.randn(3, requires_grad=True)
w = torch.randn(3)
out = ScaleAdd.apply(x, w, 2.0, "k")
out.sum().backward()
print("scale add", x.grad, out.grad_fn.name(), [type(n).__name__ for n, _ in out.grad_fn.next_functions])


class Scale(Function):  # gradcheck calls it many times: it prints nothing
    @staticmethod
    def forward(ctx, x, w, scale):
        ctx.save_for_backward(x, w)
        ctx.scale = scale
        return x * w * scale

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w * ctx.scale, g * x * ctx.scale, None


inputs = (torch.randn(3, dtype=torch.double, requires_grad=True),
          torch.randn(3, dtype=torch.double, requires_grad=True), 3.0)
print("gradcheck", torch.autograd.gradcheck(Scale.apply, inputs),
      torch.autograd.gradgradcheck(Scale.apply, inputs))


# test_return_duplicate and test_return_duplicate_inplace
class DoubleDuplicate(Function):
    @staticmethod
    def forward(ctx, x):
        output = x * 2
        return output, output

    @staticmethod
    def backward(ctx, grad1, grad2):
        return grad1 * 2 + grad2 * 2


class DoubleInplace(Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x, x

    @staticmethod
    def backward(ctx, grad1, grad2):
        return grad1 * 2 + grad2 * 2


calls = [0]


def fn(x):
    calls[0] += 1
    a, b = DoubleDuplicate.apply(x)
    return a + b


def inplace_fn(x):
    calls[0] += 1
    a, b = DoubleInplace.apply(x.clone())
    return a + b


x = torch.randn(5, 5, dtype=torch.double, requires_grad=True)
a, b = DoubleDuplicate.apply(x)
print("duplicate", a is b, a.grad_fn.name(), a.output_nr, b.output_nr)
print("duplicate checks", torch.autograd.gradcheck(fn, [x]), torch.autograd.gradgradcheck(fn, [x]),
      calls[0])
calls[0] = 0
print("duplicate inplace checks", torch.autograd.gradcheck(inplace_fn, [x]),
      torch.autograd.gradgradcheck(inplace_fn, [x]), calls[0])
attempt("duplicate inplace leaf", lambda: DoubleInplace.apply(x))
attempt("duplicate inplace view", lambda: DoubleInplace.apply(x.clone()[0]))


# test_mark_non_differentiable
class Positive(Function):
    @staticmethod
    def forward(ctx, input):
        output = input > 0
        ctx.mark_non_differentiable(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        return (grad_output * 0).to(torch.double)


x = torch.randn(5, 5, requires_grad=True)
mask = Positive.apply(x)
print("non-differentiable mask", mask.requires_grad, mask.grad_fn, mask.sum().item())
y = x.masked_fill(mask, 0)
y.sum().backward()
print("masked grad", x.grad[0])


# test_saved_variables_deprecated
class SavedVariables(Function):
    @staticmethod
    def forward(ctx, tensor1, tensor2):
        ctx.save_for_backward(tensor1, tensor2)
        return tensor1 + tensor2

    @staticmethod
    def backward(ctx, grad_output):
        var1, var2 = ctx.saved_variables
        return (grad_output, grad_output)


x = torch.randn((3, 3), requires_grad=True)
y = torch.randn((3, 3), requires_grad=True)
SavedVariables.apply(x, y).sum().backward()
print("saved_variables", x.grad[0], y.grad[0])
