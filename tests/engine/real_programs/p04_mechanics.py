# In the style of the "Autograd mechanics" notes: grad modes, leaves, in-place checks.
import torch

x = torch.tensor([1., 2., 3.], requires_grad=True)
with torch.no_grad():
    y = x * 2
print(y.requires_grad, torch.is_grad_enabled())


@torch.no_grad()
def doubler(t):
    return t * 2


print(doubler(x).requires_grad)


@torch.enable_grad()
def tripler(t):
    return t * 3


with torch.no_grad():
    print(tripler(x).requires_grad)
torch.set_grad_enabled(False)
print((x * 2).requires_grad)
torch.set_grad_enabled(True)
with torch.inference_mode():
    z = x * 2
print(z.requires_grad, z.is_inference())
a = torch.tensor([1., 2.], requires_grad=True)
b = a.sigmoid()
b.mul_(2)
try:
    b.sum().backward()
except RuntimeError as e:
    print("RuntimeError:", str(e)[:70])
try:
    a.add_(1)
except RuntimeError as e:
    print("RuntimeError:", e)
print(isinstance(b.grad_fn, torch.autograd.graph.Node))
