# "The Fundamentals of Autograd" (autogradyt): sin over linspace, walking grad_fn, a tiny
# model's gradients, autograd.functional, and turning autograd off and on.
import math
import re
import torch


def show(obj):  # the tutorial prints these objects; their addresses differ run to run
    print(re.sub(r" at 0x[0-9a-f]+", "", str(obj)))


a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
print(a)
b = torch.sin(a)
print(b)
c = 2 * b
print(c)
d = c + 1
print(d)
out = d.sum()
print(out)
print('d:')
show(d.grad_fn)
show(d.grad_fn.next_functions)
show(d.grad_fn.next_functions[0][0].next_functions)
show(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)
show(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0].next_functions)
print('\nc:')
show(c.grad_fn)
print('\nb:')
show(b.grad_fn)
print('\na:')
show(a.grad_fn)
out.backward()
print(a.grad)

a = torch.ones(2, 3, requires_grad=True)
print(a)
b1 = 2 * a
print(b1)
a.requires_grad = False
b2 = 2 * a
print(b2)

a = torch.ones(2, 3, requires_grad=True) * 2
b = torch.ones(2, 3, requires_grad=True) * 3
c1 = a + b
print(c1)
with torch.no_grad():
    c2 = a + b
print(c2)
c3 = a * b
print(c3)


def add_tensors1(x, y):
    return x + y


@torch.no_grad()
def add_tensors2(x, y):
    return x + y


a = torch.ones(2, 3, requires_grad=True) * 2
b = torch.ones(2, 3, requires_grad=True) * 3
c1 = add_tensors1(a, b)
print(c1)
c2 = add_tensors2(a, b)
print(c2)

x = torch.rand(5, requires_grad=True)
y = x.detach()
print(x.shape, x.requires_grad)
print(y.shape, y.requires_grad)

a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
torch.sin(a)
try:
    torch.sin_(a)
except RuntimeError as e:
    print(type(e).__name__, str(e))

x = torch.ones(1, requires_grad=True)
y = x + 2
try:
    y.backward(torch.ones(2))
except RuntimeError as e:
    print(type(e).__name__, str(e))

x = torch.tensor([0.5, -1., 2.], requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


inputs = (torch.tensor([0.1]), torch.tensor([0.2]))
print(torch.autograd.functional.jacobian(exp_adder, inputs))
inputs = (torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0.4, 0.5, 0.6]))
print(torch.autograd.functional.jacobian(exp_adder, inputs))


def do_some_doubling(x):
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return y


inputs = torch.tensor([0.5, 0.25, 0.125])
my_gradients = torch.tensor([0.1, 1.0, 0.0001])
print(torch.autograd.functional.vjp(do_some_doubling, inputs, v=my_gradients))
print(torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), torch.tensor([1., 2.])))
print(torch.autograd.functional.jvp(lambda t: t ** 2, torch.tensor([1., 2.]), torch.ones(2)))
print(torch.autograd.functional.hvp(lambda t: (t ** 3).sum(), torch.tensor([1., 2.]), torch.ones(2)))
