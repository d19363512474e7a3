# micrograd's test/test_engine.py, the PyTorch half of test_sanity_check and test_more_ops.
import torch

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
xpt, ypt = x, y
print(ypt.data.item(), xpt.grad.item())
print(ypt, xpt.grad, x.dtype, y.grad_fn.name())

a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b**3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + (b + a).relu()
d = d + 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g = g + 10.0 / f
g.backward()
apt, bpt, gpt = a, b, g
tol = 1e-6
print(gpt.data.item(), apt.grad.item(), bpt.grad.item())
print(abs(gpt.data.item() - 24.70408163265306) < tol)
print(g.grad_fn.name(), [n.name() if n else None for n, _ in g.grad_fn.next_functions])
print(f.grad_fn.name(), e.grad_fn.name(), (10.0 / f).grad_fn.name())
print(torch.Tensor([1, 2]).dtype, torch.Tensor(2, 3).shape, torch.Tensor([[1.5]]).double())
print(x.is_leaf, z.is_leaf, z.requires_grad, x.grad.requires_grad)
try:
    z.requires_grad = False
except RuntimeError as e:
    print(type(e).__name__, str(e))
try:
    torch.Tensor([1]).long().requires_grad = True
except RuntimeError as e:
    print(type(e).__name__, str(e))
