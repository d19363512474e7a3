# The 60-minute blitz "Autograd: Automatic Differentiation" (older and current versions).
import re

import torch


def show(obj):  # the tutorial prints grad_fn objects; their addresses differ run to run
    print(re.sub(r" at 0x[0-9a-f]+", "", str(obj)))


x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
show(y.grad_fn)
z = y * y * 3
out = z.mean()
print(z, out)
a = torch.tensor([[1., -2.], [3., 0.5]])
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
show(b.grad_fn)
out.backward()
print(x.grad)

x = torch.tensor([0.25, -0.5, 1.0], requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
print(x.requires_grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)
print(x.requires_grad)
y = x.detach()
print(y.requires_grad)
print(x.eq(y).all())

a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3*a**3 - b**2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(9*a**2 == a.grad)
print(-2*b == b.grad)
x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)
a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")
print(y.grad_fn, b.grad_fn.name(), z.grad is None)
print(repr(out), str(out), f"{out}", f"{out.item():.3f}", out.data, out.detach().numpy())
print(torch.ones(2, 2).mean(dim=0, keepdim=True), x.mean().shape, x[0].sum().dim())
