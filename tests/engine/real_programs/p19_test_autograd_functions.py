# From PyTorch's test/test_autograd.py: test_function, test_function_returns_input,
# test_mark_non_differentiable_mixed, test_return_duplicate, test_detach, test_requires_grad_inplace,
# test_leaf_assignment, test_unused_output, test_no_grad_modifies_version, test_sum_to_with_empty_dim_grad.
import torch

from _program_tools import attempt
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


# test_multi_backward, test_backward_with_inputs, test_grad_nonleaf, test_no_grad,
# test_set_grad_enabled, test_requires_grad(_inplace), test_no_requires_grad_inplace,
# test_attribute_deletion, test_grad_unreachable(_discovery)

# test_multi_backward
x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
y = torch.tensor([[0.5, -1.], [2., 0.]], requires_grad=True)
q = torch.tensor([[1., 1.], [2., 3.]], requires_grad=True)
a = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
b = torch.tensor([[1., 0.], [0., 1.]])
q2 = q * 2
z = x + y + q2
c = a * b + q2
grad_z = torch.ones(2, 2)
grad_c = torch.full((2, 2), 2.)
torch.autograd.backward([z, c], [grad_z, grad_c])
print(x.grad, y.grad, q.grad)
# test_multi_backward_no_grad
x = torch.ones(2, requires_grad=True)
y = torch.ones(2, requires_grad=False)
z = x + y
q = y * 2
def call_backwards():
    torch.autograd.backward([z, q], [torch.ones(2), torch.ones(2)])
attempt("multi-no-grad", call_backwards)
# test_backward_with_inputs
x = torch.tensor([[1., 2.]], dtype=torch.double, requires_grad=True)
y = torch.tensor([[3., 4.]], dtype=torch.double, requires_grad=True)
def fn():
    return x ** 2 + y * x + y ** 2
gradient = torch.ones(1, 2, dtype=torch.double)
x_grad_expected = 2 * x + y
y_grad_expected = x + 2 * y
fn().backward(gradient, inputs=[x, y])
print(x.grad.equal(x_grad_expected), y.grad.equal(y_grad_expected))
x.grad.zero_(); y.grad.zero_()
torch.autograd.backward(fn(), gradient, inputs=[x])
print(x.grad, y.grad)
attempt("inputs-empty", lambda: torch.autograd.backward(fn(), gradient, inputs=[]))
attempt("inputs-nonleaf", lambda: fn().backward(gradient, inputs=[x * 2]))
# test_grad_nonleaf
x_init = torch.tensor([[0.5, -1.], [2., 0.25]], requires_grad=True)
x = x_init
y = torch.tensor([[1., 0.], [0., 1.]], requires_grad=True)
grad_output = torch.ones(2, 2)
def fn(x):
    return x ** 2 + y * x + y ** 2
for _ in range(5):
    grad_x, = torch.autograd.grad(fn(x), x, grad_outputs=grad_output, create_graph=True)
    grad_x_expected = 2 * x + y
    print(y.grad, x_init.grad, grad_x.equal(grad_x_expected))
    x = x + 0.05 * grad_x
val_init = fn(x_init).sum()
val_final = fn(x).sum()
print(val_final > val_init)
x.backward(grad_output)
print(y.grad is not None, x_init.grad is not None)
# test_grad_mode_restored_reentrant / test_no_grad
x = torch.ones(5, 5, requires_grad=True)
y = torch.ones(5, 5) * 4
with torch.no_grad():
    w = x + y
print(w.requires_grad, w.grad_fn)
attempt("no-grad-backward", lambda: w.backward(torch.ones(5, 5)))
@torch.no_grad()
def adder(x, y):
    return x + y
z = adder(x, y)
print(z.requires_grad, z.grad_fn)
# test_set_grad_enabled
x = torch.tensor([1.], requires_grad=True)
with torch.set_grad_enabled(False):
    y = x * 2
print(y.requires_grad)
with torch.set_grad_enabled(True):
    y = x * 2
print(y.requires_grad)
with torch.set_grad_enabled(False):
    torch.set_grad_enabled(True)
    y = x * 2
print(y.requires_grad, torch.is_grad_enabled())
torch.set_grad_enabled(True)
# test_requires_grad
x = torch.randn(5, 5)
y = torch.randn(5, 5)
z = torch.randn(5, 5, requires_grad=True)
a = x + y
print(a.requires_grad)
b = a + z
print(b.requires_grad)
def error():
    raise RuntimeError
b._backward_hooks = {}
x.requires_grad = False
x.register_hook = None
print(x.requires_grad)
# test_requires_grad_inplace
a = torch.randn(5, 5)
b = torch.randn(5, 5, requires_grad=True)
a += b
print(a.requires_grad)
a = torch.randn(5, 5) + 0
b = torch.randn(5, 5, requires_grad=True)
a[1] += b[1]
print(a.requires_grad, a.grad_fn.name())
# test_no_requires_grad_inplace
a = torch.randn(2, 3)
a.add_(5)
a.requires_grad = True
a.sum().backward()
print(a.grad)
a = torch.randn(2, 3)
b = a[:]
b.add_(5)
a.requires_grad = True
a.sum().backward()
print(a.grad)
a = torch.randn(2, 3)
b = a[:]
a.requires_grad = True
attempt("view-leaf-inplace", lambda: b.add_(5))
# test_attribute_deletion
x = torch.randn((5, 5), requires_grad=True)
del x.grad
print(x.grad)
attempt("del-data", lambda: delattr(x, "data"))
attempt("del-version", lambda: delattr(x, "_version"))
attempt("del-requires-grad", lambda: delattr(x, "requires_grad"))
attempt("del-is-leaf", lambda: delattr(x, "is_leaf"))
attempt("del-shape", lambda: delattr(x, "shape"))
attempt("set-is-leaf", lambda: setattr(x, "is_leaf", True))
attempt("set-version", lambda: setattr(x, "_version", 3))
# test_grad_unreachable
x = torch.ones(1, requires_grad=True)
y = torch.ones(1, requires_grad=True)
x = x * 2
y = y * 2
grad_x, grad_y = torch.autograd.grad(x * 2, [x, y], allow_unused=True)
print(grad_x, grad_y)
attempt("unreachable", lambda: torch.autograd.grad(x * 2, [x, y], allow_unused=False))
# test_grad_unreachable_discovery
class MyFunc(Function):
    @staticmethod
    def forward(ctx, x):
        return x
    @staticmethod
    def backward(ctx, x):
        print("Should not be called")
        return x
x = torch.randn(1, requires_grad=True)
y = torch.randn(1, requires_grad=True)
(gY,) = torch.autograd.grad(x, (y,), allow_unused=True)
print(gY)
attempt("grad-leaf-out-unused", lambda: torch.autograd.grad(x, (y,)))
x = torch.randn(1, requires_grad=True)
y = torch.randn(1, requires_grad=True)
z = torch.randn(1, requires_grad=True)
(gY, gZ) = torch.autograd.grad(x + z, (y, z), allow_unused=True)
print(gY, gZ)

(x * 2).sum().backward()
del x.grad
print(x.grad)
attempt("del-data", lambda: delattr(x, "data"))
attempt("data-none", lambda: setattr(x, "data", None))
attempt("data-list", lambda: setattr(x, "data", [1.]))
attempt("del-requires-grad", lambda: delattr(x, "requires_grad"))
attempt("del-_grad_fn", lambda: delattr(x, "_grad_fn"))
attempt("del-_backward_hooks", lambda: delattr(x, "_backward_hooks"))
attempt("backward_hooks", lambda: x._backward_hooks)
attempt("set-requires-grad-int", lambda: setattr(x, "requires_grad", 1))
attempt("set-requires-grad-none", lambda: setattr(x, "requires_grad", None))
attempt("requires-grad_-int", lambda: x.requires_grad_(1).requires_grad)
x.my_attribute = "hello"
print(x.my_attribute, (x * 1).__dict__ if False else None)
x.register_hook = None
print(x.register_hook)
attempt("no-attr", lambda: x.no_such_attribute)
attempt("grad-fn-attr", lambda: (x * 2).grad_fn.no_such)
