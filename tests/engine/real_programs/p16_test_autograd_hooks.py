# From PyTorch's test/test_autograd.py: test_hooks, test_hook_with_no_name,
# test_grad_nonleaf, test_retain_grad, test_accumulate_grad, test_grad_badcalls.
import torch

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
