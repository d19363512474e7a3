# "Autograd mechanics" notes: requires_grad on parameters, saved tensors, in-place
# correctness checks, multithreading-free hooks, grad modes and a non-leaf's retain_grad.
import warnings

import torch

x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(x.equal(y.grad_fn._saved_self))
print(x is y.grad_fn._saved_self)
y = x.exp()
print(y.equal(y.grad_fn._saved_result))
print(y is y.grad_fn._saved_result)

x = torch.randn(5, 5)
y = torch.randn(5, 5)
z = torch.randn((5, 5), requires_grad=True)
a = x + y
print(a.requires_grad)
b = a + z
print(b.requires_grad)

a = torch.tensor([1., 2., 3.], requires_grad=True)
b = a.sin()
b.mul_(2)
print(b.grad_fn.name(), b._version)
b.sum().backward()
print(a.grad)
c = a.exp()
c.add_(1)
try:
    c.sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))
d = a.sigmoid()
e2 = d * 2
d.zero_()
try:
    e2.sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))
m = a * a
n = m.tanh()
n[0] = 0
try:
    n.sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))

t = torch.tensor([1., 2.], requires_grad=True)
u = t * 3
u.retain_grad()
v = u.sum()
v.backward(retain_graph=True)
print(u.grad, u.retains_grad, t.retains_grad, v.retains_grad)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(v.grad)
print([(w.category.__name__, str(w.message)) for w in caught])
v.backward()
print(t.grad, u.grad)
try:
    v.backward()
    (u * u).sum().backward()
    (u * u).sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))

x = torch.tensor([1., 2.], requires_grad=True)
with torch.no_grad():
    y = x * 2
    x.mul_(2)
print(x, y, x.requires_grad, y.requires_grad, x.is_leaf, x._version)
try:
    x.mul_(2)
except RuntimeError as e:
    print(type(e).__name__, str(e))
with torch.inference_mode():
    z = x * 2
print(z.is_inference(), x.is_inference(), z.requires_grad)
try:
    (z * x).sum().backward()
except RuntimeError as e:
    print(type(e).__name__, str(e))
try:
    z.requires_grad_()
except RuntimeError as e:
    print(type(e).__name__, str(e))
with torch.inference_mode():
    try:
        x.add_(1)
    except RuntimeError as e:
        print(type(e).__name__, str(e))
try:
    z.add_(1)
except RuntimeError as e:
    print(type(e).__name__, str(e))

w = torch.tensor([1., 2.], requires_grad=True)
h = w.register_hook(lambda g: g * 2)
(w * w).sum().backward()
print(w.grad)
h.remove()
w.grad = None
(w * w).sum().backward()
print(w.grad)
q = w * 3
q.register_hook(print)
q.grad_fn.register_hook(lambda gi, go: print("node hook", gi, go))
q.grad_fn.register_prehook(lambda go: print("prehook", go))
q.sum().backward()
print(torch.is_grad_enabled(), torch.is_inference_mode_enabled())

# "Hooks for saved tensors": hooks on one saved tensor, then a pair for every saved tensor.
x = torch.tensor([0.5, 1.5], requires_grad=True)
y = x.pow(2)
y.grad_fn._raw_saved_self.register_hooks(lambda t: (print("pack", t), t * 4)[1],
                                         lambda t: (print("unpack", t), t)[1])
y.sum().backward()
print(x.grad)
try:
    y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
except RuntimeError as e:
    print(type(e).__name__, str(e))


def pack_hook(t):
    print("Packing", t)
    return t


def unpack_hook(t):
    print("Unpacking", t)
    return t


with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    a = torch.ones(2, requires_grad=True)
    b = a * a
try:
    b.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
except RuntimeError as e:
    print(type(e).__name__, str(e))
b.sum().backward()
print(a.grad)
