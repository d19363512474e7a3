# From PyTorch's test/test_autograd.py: test_hooks, test_hook_with_no_name,
# test_grad_nonleaf, test_retain_grad, test_accumulate_grad, test_grad_badcalls.
import warnings

import torch

from _program_tools import attempt
from torch.autograd import Function

x = torch.ones(5, 5, requires_grad=True)
y = torch.ones(5, 5) * 4
y.requires_grad_(True)

counter = [0]


def bw_hook(inc, grad):
    assert isinstance(grad, torch.Tensor)
    counter[0] += inc


z = x ** 2 + x * 2 + x * y + y
x.register_hook(lambda *args: bw_hook(0, *args))
test = z.register_hook(lambda *args: bw_hook(1, *args))
z.backward(torch.ones(5, 5), retain_graph=True)
print(counter[0])
test2 = z.register_hook(lambda *args: bw_hook(2, *args))
z.backward(torch.ones(5, 5), retain_graph=True)
print(counter[0])
test2.remove()
z.backward(torch.ones(5, 5), retain_graph=True)
print(counter[0])


def bw_hook_modify(grad):
    return grad.mul(2)


test.remove()
z.register_hook(bw_hook_modify)
with torch.no_grad():
    y.grad.zero_()
z.backward(torch.ones(5, 5), retain_graph=True)
print(y.grad.equal((x + 1) * 2))
y.register_hook(bw_hook_modify)
with torch.no_grad():
    y.grad.zero_()
z.backward(torch.ones(5, 5))
print(y.grad.equal((x + 1) * 4))


class MyHookClass:
    def __call__(self, grad):
        return grad.clone()


x = torch.randn(5, requires_grad=True)
y = x.mul(2)
y.register_hook(MyHookClass())
y.sum().backward()
print(x.grad)

x_init = torch.tensor([[0.5, -1.], [2., 0.25]])
x = x_init.clone()
x.requires_grad_()
grad_output = torch.ones(2, 2)


def fn(x):
    return x ** 2 + x * 2 + 1


for _ in range(3):
    x_grad, = torch.autograd.grad(fn(x), x, grad_outputs=grad_output, create_graph=True)
    grad_norm = torch.mul(x_grad, x_grad).sum().mul(0.5)
    print(x_grad, grad_norm)
    x.data -= 0.5 * x_grad.data
    if x.grad is not None:
        x.grad.data.zero_()
print(x, x.grad)

input = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
h1 = input * 3
out = (h1 * h1).sum()
h1.retain_grad()
h1.retain_grad()
out.backward(retain_graph=True)
print(h1 * 2, h1.grad)
out.backward(retain_graph=True)
print(h1 * 4, h1.grad)
with torch.no_grad():
    input.grad.zero_()
input.retain_grad()
input.retain_grad()
out.backward()
print(input * 18, input.grad)

x = torch.tensor([1., 2.], requires_grad=True)
y = x * 2
y.retain_grad()
y.backward(torch.ones(2), retain_graph=True)
print(y.grad)
y.retain_grad()
y.backward(torch.ones(2))
print(y.grad)

grad = torch.zeros(10, 10)
x = torch.ones(10, 10, requires_grad=True)
y = x * 2
y.sum().backward()
x_grad = x.grad
y = x * 2
y.sum().backward()
print(x.grad is x_grad, x.grad.sum())

x = torch.tensor([1., 2.], requires_grad=True)
y = x ** 2
try:
    y.backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))
try:
    y.backward(2 * torch.ones(3))
except RuntimeError as e:
    print(type(e).__name__, str(e))
try:
    torch.autograd.grad(y, x)
except RuntimeError as e:
    print(type(e).__name__, str(e))
try:
    torch.autograd.grad(y.sum(), torch.ones(2))
except RuntimeError as e:
    print(type(e).__name__, str(e))
try:
    torch.autograd.grad(x * 2, x, torch.ones(2, dtype=torch.long))
except RuntimeError as e:
    print(type(e).__name__, str(e))
z = torch.ones(2, requires_grad=True)
try:
    torch.autograd.grad(y.sum(), z)
except RuntimeError as e:
    print(type(e).__name__, str(e))
print(torch.autograd.grad((x * 2).sum(), [x, z], allow_unused=True))
print(torch.autograd.grad((x * 2).sum(), [x, z], allow_unused=True, materialize_grads=True))
try:
    torch.autograd.grad((x * 2).sum(), x, materialize_grads=True, allow_unused=False)
except ValueError as e:
    print(type(e).__name__, str(e))


# test_function_returns_undefined_tensor, test_mark_non_differentiable_none,
# test_return_leaf(_inplace), test_leaf_assignment, test_no_grad_assignment,
# test_no_grad_modifies_version, test_increment_version, test_saved_variable_version_counter,
# test_anomaly_detect_nan, test_once_differentiable


class MyFunction(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2
    @staticmethod
    def backward(ctx, grad):
        return None
x = torch.ones(1, requires_grad=True)
MyFunction.apply(x).backward()
print(x.grad)
MyFunction.apply(x ** 2).backward()
print(x.grad)
MyFunction.apply(x).sum().backward(create_graph=True)
print(x.grad)
# test_materialize_grads
class MyFunction(Function):
    @staticmethod
    def forward(ctx, x):
        return x
    @staticmethod
    def backward(ctx, grad):
        print(grad.equal(torch.zeros(1)))
        return grad
x = torch.ones(1, requires_grad=True)
# test_mark_non_differentiable_none
class MyFunction(Function):
    @staticmethod
    def forward(ctx, input):
        output = input.clone()
        ctx.mark_non_differentiable(output)
        return output
    @staticmethod
    def backward(ctx, grad_output):
        return None
x = torch.randn(5, 5, requires_grad=True)
r = MyFunction.apply(x * x)
print(r.requires_grad, r.grad_fn)
(r * x).sum().backward()
print(x.grad.shape)
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
    print(grad.equal(torch.ones(5, 5)))
q.register_hook(hook)
(q + p + x).sum().backward()
print(x.grad.equal(torch.ones(5, 5) * 3), y.grad.equal(torch.ones(5, 5)), hook_called[0], q is x, q.grad_fn.name())
# test_return_leaf_inplace
class Inplace(torch.autograd.Function):
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
print(q is x, q.grad_fn.name(), q.requires_grad)
q.sum().backward()
print(y.grad.equal(torch.ones(5, 5)))
# test_leaf_assignment
x = torch.randn(5, 5)
y = torch.randn(5, requires_grad=True)
z = torch.randn(5, requires_grad=True)
x[0] = y
x[1] = 2 * z
print(x.requires_grad, x.grad_fn.name())
x.sum().backward()
print(y.grad.equal(torch.ones(5)), z.grad.equal(torch.ones(5) * 2))
# test_no_grad_assignment
x = torch.randn(5, 5, requires_grad=True)
y = torch.randn(5)
with torch.no_grad():
    x[0] = y
print(x.requires_grad, x.grad_fn)
# test_no_grad_modifies_version
x = torch.randn(5, requires_grad=True)
y = torch.randn(5, requires_grad=True)
z = (x * y).sum()
with torch.no_grad():
    x *= 2
attempt("modified", lambda: z.backward())
# test_increment_version
a = torch.rand(5, requires_grad=True)
v = a._version
torch.autograd.graph.increment_version(a)
print(a._version - v)
# test_saved_variable_version_counter
a = torch.rand(2, requires_grad=True)
b = torch.exp(a)
b_unpacked = b.grad_fn._saved_result
print(b.equal(b_unpacked), b._version, b_unpacked._version)
with torch.no_grad():
    b += 1
print(b.equal(b_unpacked), b._version, b_unpacked._version)
# test_anomaly_detect_nan
class MyFunc(Function):
    @staticmethod
    def forward(ctx, inp1, inp2, fail_0th):
        ctx.fail_0th = fail_0th
        return inp1.sum(0, keepdim=True)
    @staticmethod
    def backward(ctx, gO):
        gI = gO.clone().expand(size)
        gI[0] = 0
        gI[0] /= 0  # Generate a nan
        if ctx.fail_0th:
            return gI, None, None
        else:
            return None, gI, None
size = 10
inp = torch.rand(size, requires_grad=True)
out = MyFunc.apply(inp, inp, True)
out.backward()
print(inp.grad[0])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    with torch.autograd.detect_anomaly():
        inp = torch.rand(size, requires_grad=True)
        out = MyFunc.apply(inp, inp, True)
        attempt("nan0", lambda: out.backward())
        inp = torch.rand(size, requires_grad=True)
        out = MyFunc.apply(inp, inp, False)
        attempt("nan1", lambda: out.backward())
print([str(x.message).split("\n")[0] for x in w])
# test_once_differentiable
class MyFunction(Function):
    @staticmethod
    def forward(ctx, tensor1, pyscalar, tensor2):
        ctx.pyscalar = pyscalar
        ctx.save_for_backward(tensor1, tensor2)
        return tensor1 + pyscalar * tensor2 + tensor1 * tensor2
    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        t1, t2 = ctx.saved_tensors
        print(torch.is_grad_enabled())
        return (grad_output + grad_output * t2, None, grad_output * ctx.pyscalar + grad_output * t1)
x, y = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
fn = MyFunction.apply(x, 2, y).sum()
print(fn.grad_fn.name())
fn.backward()
print(x.grad, y.grad)
out = MyFunction.apply(x, 2, y)
g = torch.autograd.grad(out.sum(), (x, y), create_graph=True)
print(g[0].grad_fn.name() if g[0].grad_fn else None, g[0].requires_grad)
attempt("twice", lambda: g[0].sum().backward())
