# "Extending PyTorch" notes: LinearFunction, MulConstant, mark_non_differentiable,
# needs_input_grad, set_materialize_grads, mark_dirty, and Function errors.
import warnings

import torch
from torch.autograd import Function


class LinearFunction(Function):
    @staticmethod
    def forward(input, weight, bias):
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def setup_context(ctx, inputs, output):
        input, weight, bias = inputs
        ctx.save_for_backward(input, weight, bias)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


linear = LinearFunction.apply
inp = torch.arange(6, dtype=torch.double).reshape(2, 3).requires_grad_()
w = torch.tensor([[0.5, -1., 2.], [1., 1., 1.]], dtype=torch.double, requires_grad=True)
b = torch.tensor([0.1, 0.2], dtype=torch.double, requires_grad=True)
out = linear(inp, w, b)
print(out, out.grad_fn.name())
out.sum().backward()
print(inp.grad, w.grad, b.grad)
print(torch.autograd.gradcheck(linear, (inp, w, b), eps=1e-6, atol=1e-4))
print(linear(inp, w, None).grad_fn.name())


class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


x = torch.tensor([1., 2.], requires_grad=True)
y = MulConstant.apply(x, 5.5)
y.backward(torch.ones(2))
print(y, x.grad)


class MyCube(Function):
    @staticmethod
    def forward(x):
        result = x ** 3
        dx = 3 * x ** 2
        return result, dx

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, = inputs
        result, dx = output
        ctx.save_for_backward(x, dx)

    @staticmethod
    def backward(ctx, grad_output, grad_dx):
        x, dx = ctx.saved_tensors
        return grad_output * dx + grad_dx * 6 * x


class Sort(Function):
    @staticmethod
    def forward(ctx, x):
        sorted_x, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(x, idx)
        return sorted_x, idx

    @staticmethod
    def backward(ctx, g1, g2):
        x, idx = ctx.saved_tensors
        grad_input = torch.zeros_like(x)
        grad_input.index_add_(0, idx, g1)
        return grad_input


x = torch.tensor([3., 1., 2.], requires_grad=True)
s, i = Sort.apply(x)
print(s, i, s.requires_grad, i.requires_grad)
(s * torch.tensor([1., 10., 100.])).sum().backward()
print(x.grad)


class SimpleFunc(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x)
        return x.clone(), x.clone()

    @staticmethod
    def backward(ctx, g1, g2):
        x, = ctx.saved_tensors
        grad_input = torch.zeros_like(x)
        if g1 is not None:
            grad_input += g1
        if g2 is not None:
            grad_input += g2
        print("got", g1 is None, g2 is None)
        return grad_input


a = torch.tensor(1., requires_grad=True)
out, _ = SimpleFunc.apply(a)
out.backward()
print(a.grad)


class Inplace(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.mark_dirty(a)
        return a.add_(b), b + 2

    @staticmethod
    def backward(ctx, ga, gb):
        return ga, ga + gb


x = torch.tensor([1., 2.], requires_grad=True)
y = x.clone()
q, p = Inplace.apply(y, torch.tensor([3., 4.], requires_grad=True))
print(q is y, q, p, q.grad_fn.name(), y._version)
try:
    Inplace.apply(x, torch.ones(2))
except RuntimeError as e:
    print(type(e).__name__, str(e))


class NoBackward(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2


try:
    NoBackward.apply(torch.ones(2, requires_grad=True)).sum().backward()
except NotImplementedError as e:
    print(type(e).__name__, str(e))


class WrongCount(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, g):
        return g


try:
    WrongCount.apply(torch.ones(2, requires_grad=True), torch.ones(2)).sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return torch.ones(3)


try:
    WrongShape.apply(torch.ones(2, requires_grad=True)).sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    legacy = MulConstant(torch.ones(1), 2)
print([(w.category.__name__, str(w.message)) for w in caught], type(legacy).__name__)
try:
    legacy(torch.ones(1))
except RuntimeError as e:
    print(type(e).__name__, str(e))
