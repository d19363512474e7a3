# From PyTorch's test/test_autograd.py, on seeded random inputs: test_saved_variable_version_counter,
# test_version_counter, test_inplace_on_view_backward, test_inplace_on_view_leaf_errors,
# test_inplace_on_view_of_view, test_inplace_on_view_then_no_grad, test_inplace_on_view_gradcheck
# (as plain gradients), test_inplace_on_view_non_contig, test_inplace_on_view_python,
# test_inplace_on_view_weak_grad_fn, test_inplace_view_saved_output, test_inplace_view_backprop_base.
import torch

from _program_tools import attempt

torch.manual_seed(0)


# test_saved_variable_version_counter
a = torch.rand(2, requires_grad=True)
b = torch.exp(a)
b_unpacked = b.grad_fn._saved_result
print("saved result", torch.equal(b, b_unpacked), b._version, b_unpacked._version)
with torch.no_grad():
    b += 1
print("after +=", torch.equal(b, b_unpacked), b._version, b_unpacked._version)
attempt("modified saved", lambda: b.sum().backward())

# test_version_counter
x = torch.randn(1, 2)
xz = x[0]
print("versions", x._version, xz._version)
x.add_(1)
print("after add_", x._version, xz._version)
xz.add_(1)
print("after view add_", x._version, xz._version)
x.data = torch.randn(3, 4)
print("after .data=", x._version)
x.add_(1)
print("after add_ again", x._version, xz._version)

# test_inplace_on_view_backward
x = torch.tensor([1.0], requires_grad=True)
y = x.pow(2)
z = y.view(1)
z.mul_(2)
gradient_penalty = y.sum()
gradient_penalty.backward()
print("on view backward", x.grad, y.grad_fn.name(), z.grad_fn.name())

# test_inplace_on_view_leaf_errors
x = torch.zeros(1, requires_grad=True)
y = x.view_as(x)
attempt("leaf view inplace", lambda: y.add_(1))

# test_inplace_on_view_of_view
root = torch.randn(1, 3, 2).requires_grad_()
x = root.clone()
v1 = x.narrow(1, 1, 2)
v2 = v1.narrow(1, 0, 1)
v2.mul_(2)
x.sum().backward()
print("view of view", root.grad.tolist(), x.grad_fn.name(), v1.grad_fn.name(), v2.grad_fn.name())

# test_inplace_on_view_then_no_grad
a = torch.ones(3, 1, dtype=torch.double, requires_grad=True)
b = a * 2
c = b.view_as(b)
c[0][0] = 3
with torch.no_grad():
    c.grad_fn
c.sum().backward()
print("then no_grad", a.grad.tolist())

# test_inplace_on_view_gradcheck, as plain gradients
a = torch.randn(4, 4, dtype=torch.double, requires_grad=True)
b = torch.randn(2, 2, dtype=torch.double, requires_grad=True)
x = a.clone()
x.narrow(1, 2, 2).narrow(0, 1, 2).mul_(b)
x.narrow(1, 0, 2).narrow(0, 1, 2).mul_(b)
x.sum().backward()
print("gradcheck-like a", a.grad)
print("gradcheck-like b", b.grad)
print("gradcheck", torch.autograd.gradcheck(
    lambda a, b: (lambda x: (x.narrow(1, 2, 2).narrow(0, 1, 2).mul_(b),
                             x.narrow(1, 0, 2).narrow(0, 1, 2).mul_(b), x)[2])(a.clone()),
    (a.detach().requires_grad_(), b.detach().requires_grad_())))

# test_inplace_on_view_non_contig
root = torch.ones(2, 3, 2).select(2, 1).t().requires_grad_()
x = root.clone()
v1 = x.narrow(0, 0, 1)
v2 = v1.narrow(1, 1, 1)
v2.mul_(2)
x.sum().backward()
print("non contig", root.grad.tolist(), root.is_contiguous(), x.is_contiguous())

# test_inplace_on_view_python
a = torch.randn(4, 4, dtype=torch.double, requires_grad=True)
b = torch.randn(2, 2, dtype=torch.double, requires_grad=True)


class PyAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.mark_dirty(x)
        x.add_(y)
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


x = a.clone()
PyAdd.apply(x.narrow(1, 2, 2).narrow(0, 1, 2), b)
PyAdd.apply(x.narrow(1, 0, 2).narrow(0, 1, 2), b)
x.sum().backward()
print("python view", x.grad_fn.name(), a.grad.tolist(), b.grad.tolist())

# test_inplace_on_view_weak_grad_fn
a = torch.arange(10.0, requires_grad=True)
b = a.narrow(0, 0, 2).clone().view(-1)
b.relu_()
c = b.clone()
del b
import gc
gc.collect()
s = c.sum()
s.backward()
print("weak grad_fn", s.item(), a.grad.tolist())

# test_inplace_view_saved_output
dealloc = [0]


class IncrementOnDelete:
    def __del__(self):
        dealloc[0] += 1


def test():
    root = torch.randn(3, 3, requires_grad=True)
    copy = root.clone()
    copy.grad_fn.register_hook(IncrementOnDelete())
    view = copy.view(9)
    torch.nn.functional.relu(view, inplace=True)


test()
print("saved output freed", dealloc[0])

# test_inplace_view_backprop_base
root = torch.randn(2, 2, requires_grad=True)
x = root.clone()
v1 = x.narrow(0, 0, 1)
v1.mul_(2)
x.sum().backward()
print("backprop base", root.grad.tolist())

# test_inplace_view_backprop_view_of_view
root = torch.randn(2, 2, requires_grad=True)
x = root.clone()
v1 = x.narrow(0, 0, 1)
v2 = x.narrow(0, 0, 1)
v1.mul_(2)
v2.sum().backward()
print("backprop view of view", root.grad.tolist())

# test_inplace_view_of_view_backprop: a random in-place on a view, then the base's gradient
root = torch.randn(3, 4, requires_grad=True)
w = torch.randn(2, requires_grad=True)
x = root * 1
x[1, 1:3].mul_(w)
x[:, 0].sigmoid_()
(x ** 2).sum().backward()
print("random views", root.grad, w.grad)
print("versions at end", x._version, root._version)
