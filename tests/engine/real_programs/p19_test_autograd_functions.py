# From PyTorch's test/test_autograd.py: test_function, test_function_returns_input,
# test_mark_non_differentiable_mixed, test_return_duplicate, test_detach, test_requires_grad_inplace,
# test_leaf_assignment, test_unused_output, test_no_grad_modifies_version, test_sum_to_with_empty_dim_grad.
import torch
from torch.autograd import Function


class MyFunction(Function):
    @staticmethod
    def forward(ctx, tensor1, pyscalar, tensor2):
        ctx.pyscalar = pyscalar
        ctx.save_for_backward(tensor1, tensor2)
        return tensor1 + pyscalar * tensor2 + tensor1 * tensor2

    @staticmethod
    def backward(ctx, grad_output):
        var1, var2 = ctx.saved_tensors
        # NOTE: self is the test case here
        assert isinstance(var1, torch.Tensor)
        assert isinstance(var2, torch.Tensor)
        assert isinstance(grad_output, torch.Tensor)
        return (grad_output + grad_output * var2, None,
                grad_output * ctx.pyscalar + grad_output * var1)


x = torch.tensor([[0.5, 1.], [2., -1.]], requires_grad=True)
y = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
result = MyFunction.apply(x, 2, y)
go = torch.ones((), requires_grad=True)
result.sum().backward(go, create_graph=True)
print(x.grad, y.grad)
print(x.grad.equal(y + torch.ones(2, 2)), y.grad.equal(x + torch.ones(2, 2) * 2))
print(x.grad.grad_fn is not None, y.grad.requires_grad, go.grad)


class MyFunction2(Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


for shape in [(1,), ()]:
    v = torch.ones(shape, requires_grad=True)
    MyFunction2.apply(v).backward()
    print(v.grad, MyFunction2.apply(v) is v, MyFunction2.apply(v).grad_fn.name())
    with torch.no_grad():
        v.grad.zero_()
    MyFunction2.apply(v.clone()).backward()
    print(v.grad)


class MyFunction3(Function):
    @staticmethod
    def forward(ctx, input):
        a = input + 1
        b = input + 2
        ctx.mark_non_differentiable(a)
        return a, b

    @staticmethod
    def backward(ctx, grad_a, grad_b):
        print(grad_a.eq(0).all(), grad_b.eq(1).all())
        return grad_b


x = torch.randn(5, 5, requires_grad=True)
a, b = MyFunction3.apply(x)
print(a.requires_grad, b.requires_grad)
b.sum().backward()
print(x.grad.equal(torch.ones(5, 5)))


class DoubleDuplicate(Function):
    @staticmethod
    def forward(ctx, x):
        output = x * 2
        return output, output

    @staticmethod
    def backward(ctx, grad1, grad2):
        return grad1 * 2 + grad2 * 2


x = torch.tensor([1., 2.], requires_grad=True)
a, b = DoubleDuplicate.apply(x)
print(a is b, a, (a + b).grad_fn.name())
torch.autograd.grad((a + b).sum(), x)

x = torch.randn(10, 10, requires_grad=True)
y = x + 2
y = y.detach()
z = y * 4 + 2
print(y.requires_grad, z.requires_grad)
x = torch.randn(10, 10, requires_grad=True)
y = x * 2
y = y.detach()
print(y.requires_grad, y.grad_fn)
z = x + y
z.sum().backward()
print(x.grad.equal(torch.ones(10, 10)))
a = torch.tensor([1., 2.], requires_grad=True)
b = a * 2
b.detach_()
print(b.requires_grad, b.grad_fn, b.is_leaf)
try:
    b.detach_().requires_grad_().view(2)[0].detach_()
except RuntimeError as e:
    print(type(e).__name__, str(e)[:60])

a = torch.zeros(2, 3)
b = torch.ones(2, 3, requires_grad=True)
a += b
print(a.requires_grad, a.grad_fn.name(), a.is_leaf)
a = torch.zeros(2, 3)
a[0] = b[0]
print(a.requires_grad, a.grad_fn.name())
x = torch.zeros(5, 5, requires_grad=False)
y = torch.arange(25.).reshape(5, 5).requires_grad_()
z = torch.arange(5.).requires_grad_()
x[0] = y[0]
x[1] = 2 * z
print(x.requires_grad, x.grad_fn.name())
x.sum().backward()
print(y.grad, z.grad)
x = torch.zeros(5, 5, requires_grad=True)
try:
    x[0] = 1
except RuntimeError as e:
    print(type(e).__name__, str(e))

x = torch.arange(24.).reshape(4, 6).requires_grad_()
outputs = x.chunk(5, 0)
output = outputs[0] * 2
output.sum().backward()
print(x.grad, [o.shape for o in outputs], outputs[1].grad_fn.name())

x = torch.ones(5, 5, requires_grad=True)
with torch.no_grad():
    v = x._version
    x.add_(1)
    print(x._version - v)
    x.mul_(2)
    y = x.view(25)
    y.add_(1)
print(x._version, y._version, x.sum())
a = torch.tensor([[1., 2.]], requires_grad=True)
b = a.sum(dim=0, keepdim=True)
b = b[:, 0:0]
b.sum().backward()
print(a.grad, b.grad_fn.name(), b.shape)
