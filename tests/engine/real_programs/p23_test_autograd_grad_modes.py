# From PyTorch's test/test_autograd.py, on random inputs: test_requires_grad_inplace,
# test_no_grad, test_set_grad_enabled, test_detach,
# test_detach_base, test_inference_mode_* (context manager, decorator, tensor creation,
# existing autograd session, inference tensors in and out of inference mode).
import torch

from _program_tools import attempt

torch.manual_seed(0)


# test_requires_grad_inplace
a = torch.randn(5, 5)
b = torch.randn(5, 5, requires_grad=True)
a += b
print("rg inplace", a.requires_grad, a.grad_fn.name(), a.is_leaf)
a = torch.randn(5, 5) + 0
b = torch.randn(5, 5, requires_grad=True)
a += b
print("rg inplace nonleaf", a.requires_grad, a.grad_fn.name())

# test_no_grad
x = torch.ones(5, 5, requires_grad=True)
y = torch.ones(5, 5) * 4
with torch.no_grad():
    w = x + y


@torch.no_grad()
def adder(x, y):
    return x + y


z = adder(x, y)
print("no_grad", w.requires_grad, w.grad_fn, z.requires_grad, z.grad_fn)
attempt("no_grad backward", lambda: w.backward(torch.ones(5, 5)))
with torch.no_grad():
    print("nested", torch.is_grad_enabled())
    w = adder(x, y)
    print("nested after", torch.is_grad_enabled())
print("outside", torch.is_grad_enabled())


# test_no_grad on a generator and a class
@torch.no_grad()
def gen():
    for i in range(3):
        yield i, torch.is_grad_enabled()


print("generator", list(gen()), torch.is_grad_enabled())


@torch.enable_grad()
def enabled():
    return torch.is_grad_enabled()


with torch.no_grad():
    print("enable_grad in no_grad", enabled(), torch.is_grad_enabled())

# test_set_grad_enabled
x = torch.tensor([1.], requires_grad=True)
with torch.set_grad_enabled(False):
    y = x * 2
print("set False", y.requires_grad)
with torch.set_grad_enabled(True):
    y = x * 2
print("set True", y.requires_grad)
with torch.set_grad_enabled(False):
    torch.set_grad_enabled(True)
    y = x * 2
print("set inside", y.requires_grad, torch.is_grad_enabled())
torch.set_grad_enabled(True)


@torch.set_grad_enabled(False)
def off():
    return torch.is_grad_enabled()


print("set decorator", off(), torch.is_grad_enabled())

# test_detach
x = torch.randn(10, 10, requires_grad=True)
y = x + 2
y = y.detach()
z = y * 4 + 2
print("detach", y.requires_grad, z.requires_grad, y.is_leaf)
x = torch.randn(10, 10, requires_grad=True)
y = x * 2
y = y.detach()
print("detach 2", y.requires_grad, y.grad_fn)
z = x + y
z.sum().backward()
print("detach grad", x.grad[0])
x = torch.randn(10, 10, requires_grad=True)
y = torch.randn(10, 10, requires_grad=True)
a = x * 2
(y + a).sum().backward(retain_graph=True)
a.detach_()
print("detach_", a.requires_grad, a.grad_fn, a.is_leaf)
(y + a).sum().backward()
print("detach_ grads", x.grad[0], y.grad[0])
view = x.narrow(0, 1, 4)
attempt("detach_ view", lambda: view.detach_())

# test_detach_base
x = torch.randn(10, 10, requires_grad=True)
v = x[1:5]
d = v.detach()
print("detach base", d._base is None, d._is_view(), v._base is x, d._version == v._version)
with torch.no_grad():
    v.mul_(2)
print("shared version", d._version, v._version, x._version)

# test_inference_mode_context_manager and _decorator
print("inference off", torch.is_inference_mode_enabled())
with torch.inference_mode():
    print("inference on", torch.is_inference_mode_enabled(), torch.is_grad_enabled())
    with torch.inference_mode(False):
        print("inference nested off", torch.is_inference_mode_enabled(), torch.is_grad_enabled())
    print("inference back on", torch.is_inference_mode_enabled())
print("inference after", torch.is_inference_mode_enabled())


@torch.inference_mode()
def func(x):
    print("in func", torch.is_inference_mode_enabled())
    return x * x


for requires_grad in (True, False):
    c = torch.ones(1, 2, 3, requires_grad=requires_grad)
    d = func(c)
    print("decorated", torch.is_inference(d), d.requires_grad, torch.is_inference(c))

# test_inference_mode_tensor_creation
with torch.inference_mode():
    c = torch.ones(1, 2, 3)
    print("created", c.requires_grad, torch.is_inference(c))
    tmp = torch.ones(1, 2, 3, requires_grad=True)
    print("created rg", tmp.requires_grad, torch.is_inference(tmp))
    tmp = torch.ones(1, 2, 3).requires_grad_(False)
    print("created rg_", tmp.requires_grad, torch.is_inference(tmp))

# test_inference_mode_existing_autograd_session
s = torch.ones(1, 2, 3, requires_grad=True)
a = s.clone()
out = a * a
with torch.inference_mode():
    a.add_(2)
print("session", a._version, torch.is_inference(a))
attempt("session backward", lambda: out.backward(torch.ones_like(out)))

# test_inference_mode_inf_tensor_in_inf_mode_functional_op / inplace / view
for requires_grad in (True, False):
    c = torch.ones(1, 2, 3, requires_grad=requires_grad)
    with torch.inference_mode():
        for op in (lambda t: t * t, torch.sin, lambda t: t.view(6)):
            r = op(c)
            print("inf op", torch.is_inference(r), r.requires_grad, r.grad_fn)
        inf = torch.ones(2, 3)
        inf.add_(1)
        print("inf inplace", inf._is_view(), torch.is_inference(inf))
    print("outside inference", torch.is_inference(inf))
    attempt("inf inplace outside", lambda: inf.add_(1))
    attempt("inf view inplace outside", lambda: inf.view(6).mul_(2))
    r = inf * 2
    print("inf functional outside", torch.is_inference(r), r.requires_grad)
    attempt("inf rg outside", lambda: inf.requires_grad_())
    attempt("inf version", lambda: inf._version)
    mixed = inf + torch.ones(2, 3, requires_grad=requires_grad)
    print("mixed", torch.is_inference(mixed), mixed.requires_grad)
    attempt("save inf for backward", lambda: (torch.ones(2, 3, requires_grad=True) * inf).sum().backward())
