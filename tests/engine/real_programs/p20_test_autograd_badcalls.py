# From PyTorch's test/test_autograd.py and the errors beginners meet: bad backward / grad
# calls, grad fn calls, assigning .grad, hooks on tensors that do not need grad.
import torch


def attempt(label, f):
    try:
        out = f()
        print(label, "ok", out)
    except Exception as e:  # the held-out programs print the type and message
        print(label, type(e).__name__, str(e))


x = torch.randn(2, 2, requires_grad=True)
attempt("backward-no-grad", lambda: torch.ones(2).sum().backward())
attempt("grad-no-grad", lambda: torch.autograd.grad(torch.ones(2).sum(), x))
attempt("backward-nonscalar", lambda: (x * 2).backward())
attempt("grad-nonscalar", lambda: torch.autograd.grad(x * 2, x))
attempt("backward-bad-grad-shape", lambda: (x * 2).backward(torch.ones(3)))
attempt("backward-bad-grad-type", lambda: (x * 2).backward(torch.ones(2, 2, dtype=torch.long)))
attempt("backward-list", lambda: torch.autograd.backward([x.sum(), x.mean()], [None, None]))
attempt("backward-len", lambda: torch.autograd.backward([x.sum()], [torch.tensor(1.), torch.tensor(2.)]))
attempt("grad-len", lambda: torch.autograd.grad([x.sum()], [x], [torch.tensor(1.), torch.tensor(2.)]))
attempt("grad-not-tensor", lambda: torch.autograd.grad(x.sum(), [1.0]))
attempt("backward-inputs-empty", lambda: x.sum().backward(inputs=[]))
y = torch.ones(2, requires_grad=True)
attempt("backward-inputs", lambda: ((x.sum() + y.sum()).backward(inputs=[y]), x.grad, y.grad))
attempt("grad-fn-call", lambda: (x * 2).grad_fn(torch.ones(2, 2)))
attempt("grad-fn-call-none", lambda: (x * 2).grad_fn(None))
attempt("grad-fn-call-two", lambda: (x * 2).grad_fn(torch.ones(2, 2), torch.ones(2, 2)))
attempt("set-grad-shape", lambda: setattr(x, "grad", torch.ones(3)))
attempt("set-grad-dtype", lambda: setattr(x, "grad", torch.ones(2, 2, dtype=torch.long)))
attempt("set-grad-list", lambda: setattr(x, "grad", [1., 2.]))
attempt("set-grad-ok", lambda: (setattr(x, "grad", torch.ones(2, 2)), x.grad))
attempt("set-grad-none", lambda: (setattr(x, "grad", None), x.grad))
attempt("hook-no-grad", lambda: torch.ones(2).register_hook(lambda g: g))
attempt("hook-handle", lambda: type(torch.ones(1, requires_grad=True).register_hook(5)).__name__)
attempt("retain-grad-no-grad", lambda: torch.ones(2).retain_grad())
attempt("retain-grad-leaf", lambda: (x.retain_grad(), x.retains_grad))
attempt("numpy-grad", lambda: x.numpy())
attempt("item-many", lambda: x.item())
attempt("bool-many", lambda: bool(x))
attempt("int-grad", lambda: torch.tensor([1, 2], requires_grad=True))
attempt("int-factory-grad", lambda: torch.arange(3, requires_grad=True))
attempt("leaf-inplace", lambda: x.add_(1))
attempt("leaf-setitem", lambda: x.__setitem__(0, 1.))
attempt("view-leaf-inplace", lambda: x[0].mul_(2))
attempt("data-assign", lambda: (setattr(x, "data", torch.zeros(2, 2)), x, x.requires_grad))
attempt("data-assign-shape", lambda: (setattr(x, "data", torch.zeros(3)), x.shape))
attempt("detach-nongrad-op", lambda: (x.detach() * 2).grad_fn)
attempt("requires-grad-nonleaf", lambda: setattr(x * 2, "requires_grad", False))
attempt("requires-grad-nonleaf-true", lambda: setattr(x * 2, "requires_grad", True))
attempt("requires-grad_-nonleaf", lambda: (x * 2).requires_grad_(False))
attempt("grad-twice", lambda: [torch.autograd.grad(z, x) for z in [(x.exp()).sum()] * 2])
attempt("grad-allow-unused", lambda: torch.autograd.grad(x.sum(), [x, y]))
attempt("grad-only-inputs", lambda: torch.autograd.grad(x.sum(), x, only_inputs=False))
attempt("grad-outputs-none", lambda: torch.autograd.grad(x.sum(), x, grad_outputs=None))
attempt("grad-retain", lambda: torch.autograd.grad(x.pow(2).sum(), x, retain_graph=True))
attempt("zero-grad", lambda: x.grad)
z = x.pow(2).sum()
z.backward()
attempt("saved-after-backward", lambda: z.grad_fn.next_functions[0][0]._saved_self)
attempt("saved-exponent", lambda: z.grad_fn.next_functions[0][0]._saved_exponent)
attempt("saved-no-attr", lambda: z.grad_fn.next_functions[0][0]._saved_other)


# test_inplace_on_view_*: leaf errors, backward, view of view, then no_grad, gradcheck,
# multiple outputs (safe and unsafe), makes base require grad, python Function, non-contiguous;
# test_inplace_not_requires_grad
# test_inplace_on_view_leaf_errors
x = torch.zeros(1, requires_grad=True)
y = x.view_as(x)
attempt("view-leaf", lambda: y.add_(1))
# test_inplace_on_view_backward
root = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
x = root.clone()
v1 = x.narrow(0, 0, 1)
v1.mul_(2)
x.sum().backward()
print(root.grad, x.grad_fn.name(), v1.grad_fn.name())
# test_inplace_on_view_of_view
root = torch.arange(9.).reshape(3, 3).requires_grad_()
x = root.clone()
v1 = x.narrow(0, 0, 1)
v2 = v1.narrow(1, 1, 1)
v2.mul_(2)
x.sum().backward()
print(root.grad)
# test_inplace_on_view_then_no_grad
a = torch.ones(3, 1, dtype=torch.double, requires_grad=True)
b = a * 2
c = b.view_as(b)
c[0][0] = 3
with torch.no_grad():
    c.grad_fn
c.sum().backward()
print(a.grad)
# test_inplace_on_view_gradcheck
a = torch.arange(16., dtype=torch.double).reshape(4, 4).requires_grad_()
b = torch.arange(2., dtype=torch.double).reshape(2, 1).requires_grad_()
def func(root, b):
    x = root.clone()
    x.narrow(1, 2, 2).narrow(0, 1, 2).mul_(b)
    x.narrow(1, 0, 2).narrow(0, 1, 2).mul_(b)
    return x
print(torch.autograd.gradcheck(func, [a, b], raise_exception=True))
go = torch.ones(4, 4, dtype=torch.double, requires_grad=True)
print(torch.autograd.gradgradcheck(func, (a, b), (go,)))
# test_inplace_on_view_multiple_outputs
root = torch.arange(9.).reshape(3, 3).requires_grad_()
x = root.clone()
v1 = x.unbind()
attempt("unbind-inplace", lambda: v1[0].mul_(2))
# test_inplace_on_view_makes_base_require_grad
a = torch.ones(4, 4)
b = torch.ones(4, 4, requires_grad=True)
def func(root, b):
    x = root.clone()
    print(x.requires_grad)
    x.narrow(1, 2, 2).mul_(b.narrow(1, 2, 2))
    print(x.requires_grad, x.grad_fn.name())
    return x
y = func(a, b)
y.sum().backward()
print(b.grad)
# test_inplace_on_view_python
class PyAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.mark_dirty(x)
        x.add_(y)
        return x
    @staticmethod
    def backward(ctx, grad):
        return grad, grad
a = torch.ones(4, 4, dtype=torch.double, requires_grad=True)
b = torch.ones(2, 2, dtype=torch.double, requires_grad=True)
def func(root, b):
    x = root.clone()
    PyAdd.apply(x.narrow(1, 2, 2).narrow(0, 1, 2), b)
    PyAdd.apply(x.narrow(1, 0, 2).narrow(0, 1, 2), b)
    return x
print(torch.autograd.gradcheck(func, [a, b], raise_exception=True))
y = func(a, b)
print(y.grad_fn.name())
y.sum().backward()
print(a.grad, b.grad)
# test_inplace_on_view_non_contig
root = torch.ones(2, 3, 2).select(2, 1).t().requires_grad_(True)
x = root.clone()
v1 = x.narrow(0, 0, 1)
v2 = v1.narrow(1, 1, 1)
v2.mul_(2)
x.sum().backward()
print(root.grad)
# test_inplace_on_view_multi_output_unsafe
for f in [lambda t: t.unsafe_split(1), lambda t: t.unsafe_split_with_sizes((1, 1, 1)), lambda t: t.unsafe_chunk(3)]:
    a = torch.arange(3., requires_grad=True)
    b = a + a
    try:
        s1, s2, s3 = f(b)
        s1.mul_(s2)
        s1.sum().backward()
        print(a.grad)
    except Exception as e:
        print(type(e).__name__, e)
# test_inplace_on_view_multi_output_safe
for f in [lambda t: t.split(1), lambda t: t.split_with_sizes((1, 1, 1)), lambda t: t.chunk(3)]:
    a = torch.arange(3., requires_grad=True)
    b = a + a
    s1, s2, s3 = f(b)
    attempt("safe", lambda: s1.mul_(s2))
# test_inplace_not_requires_grad
class MyFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        return inp.view_as(inp)
    @staticmethod
    def backward(ctx, grad):
        return grad
a = torch.rand(1, 2)
b = torch.rand(1, requires_grad=True)
view_a = MyFn.apply(a)

try:
    view_a += b
except RuntimeError as e:
    print(type(e).__name__, e)
a = torch.rand(1, 2)
b = torch.rand(1, requires_grad=True)
view_a = MyFn.apply(a)
try:
    view_a.copy_(b)
except RuntimeError as e:
    print(type(e).__name__, e)
