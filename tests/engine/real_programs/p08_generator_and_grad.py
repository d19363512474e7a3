# autograd.grad, higher-order gradients, and a no_grad generator.
import torch

x = torch.tensor([1., 2.], requires_grad=True)
y = (x ** 3).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
print(g)
(h,) = torch.autograd.grad(g.sum(), x)
print(h)
try:
    torch.autograd.grad(y, [])
except RuntimeError as e:
    print(e)


@torch.no_grad()
def batches(t):
    for i in range(2):
        yield t[i] * 2, torch.is_grad_enabled()


for value, enabled in batches(x):
    print(value.requires_grad, enabled, torch.is_grad_enabled())
