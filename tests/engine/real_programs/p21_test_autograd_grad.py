# From PyTorch's test/test_autograd.py, on random inputs: test_grad, test_hessian_vector,
# test_grad_nonleaf, test_grad_nonleaf_many_outputs, test_backward_twice_*, and the
# accumulation of .grad over several backward calls.
import torch

from _program_tools import attempt

torch.manual_seed(0)


# test_hessian_vector
x = torch.randn(2, 2, requires_grad=True)
y = torch.randn(2, 2, requires_grad=True)
print("x", x)
print("y", y)
z = x ** 2 + y * x + y ** 2
z.backward(torch.ones(2, 2), create_graph=True)
with torch.no_grad():
    x_grad = 2 * x + y
    y_grad = x + 2 * y
print("hv grads", x.grad, y.grad, torch.allclose(x.grad, x_grad), torch.allclose(y.grad, y_grad))
print("hv grad_fn", x.grad.grad_fn.name(), x.grad.requires_grad)
grad_sum = 2 * x.grad + y.grad
grad_sum.backward(torch.ones(2, 2))
print("hv", x.grad, y.grad)
print("hv check", torch.allclose(x.grad, x_grad + 5), torch.allclose(y.grad, y_grad + 4))

# test_grad
x = torch.randn(2, 2, requires_grad=True)
y = torch.randn(2, 2, requires_grad=True)
z = x ** 2 + y * x + y ** 2
z.backward(torch.ones(2, 2), create_graph=True)
x_grad = 2 * x + y
y_grad = x + 2 * y
grad_sum = 2 * x.grad + y.grad
x_hv = torch.autograd.grad(outputs=[grad_sum], grad_outputs=[torch.ones(2, 2)], inputs=[x],
                           create_graph=True)
print("grad x_hv", x_hv, x_hv[0].requires_grad, x_hv[0].grad_fn.name())
print("grad unchanged", torch.equal(x.grad, x_grad), torch.equal(y.grad, y_grad))
grad_out = torch.ones(2)
attempt("grad shape mismatch", lambda: torch.autograd.grad(
    outputs=[grad_sum], grad_outputs=[grad_out], inputs=[x], create_graph=True))

# test_grad_nonleaf
x_init = torch.randn(2, 2, requires_grad=True)
x = x_init
y = torch.randn(2, 2, requires_grad=True)
grad_output = torch.ones(2, 2)


def fn(x):
    return x ** 2 + y * x + y ** 2


for i in range(5):
    (grad_x,) = torch.autograd.grad(fn(x), x, grad_outputs=grad_output, create_graph=True)
    grad_x_expected = 2 * x + y
    print("nonleaf", i, y.grad, x.grad, torch.allclose(grad_x, grad_x_expected))
    x = x + 0.05 * grad_x
val_init = fn(x_init).sum()
val_final = fn(x).sum()
print("nonleaf vals", val_init.item() > val_final.item(), round(val_final.item(), 3))
x.backward(grad_output)
print("nonleaf backward", y.grad is not None, x_init.grad is not None)
print(y.grad, x_init.grad)

# test_grad_nonleaf_many_outputs
x = torch.randn(4, 2, requires_grad=True)
a, b = x.chunk(2)
hook_called = [False]


def hook(*grads):
    hook_called[0] = True


x.register_hook(hook)
go = torch.randn(2, 2)
grad_a, grad_b = torch.autograd.grad((a + 2 * b), [a, b], grad_outputs=go, create_graph=True)
print("many outputs", grad_a, grad_b, torch.equal(grad_a, go), torch.equal(grad_b, go * 2))
print("many outputs hook", hook_called[0], x.grad, a.grad_fn.name(), b.grad_fn.name())

# test_backward_twice_with_saved_values
b = torch.randn(3, requires_grad=True, dtype=torch.double)
c = torch.zeros(3, dtype=torch.double)
c[[1, 2]] = b[[1, 1]]
print("c", c, c.grad_fn.name(), [type(n).__name__ for n, _ in c.grad_fn.next_functions])
c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
print("b.grad", b.grad)
attempt("backward twice", lambda: c.backward(torch.tensor([1, 1, 1], dtype=torch.double)))

# test_backward_twice_retained_graph_with_saved_values
b = torch.randn(3, requires_grad=True, dtype=torch.double)
c = torch.zeros(3, dtype=torch.double)
c[[1, 2]] = b[[1, 1]]
c.backward(torch.tensor([1, 1, 1], dtype=torch.double), retain_graph=True)
c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
print("retained twice", b.grad)

# test_backward_twice_without_saved_values
b = torch.randn(3, requires_grad=True, dtype=torch.double)
c = b + 1
c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
print("without saved twice", b.grad)

# test_backward_twice_retained_graph_without_saved_values
b = torch.randn(3, requires_grad=True, dtype=torch.double)
c = torch.zeros(3, dtype=torch.double)
c[[1, 2]] = b[[1, 1]]
c.backward(torch.tensor([1, 1, 1], dtype=torch.double), retain_graph=True)
c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
print("retained without saved", b.grad)

# saved values: exp keeps its result, mul its inputs
a = torch.randn(3, requires_grad=True)
e = a.exp()
s = (e * a).sum()
s.backward()
print("exp*a grad", a.grad)
attempt("exp*a twice", lambda: s.backward())
attempt("saved freed", lambda: e.grad_fn._saved_result)

# grad of grad, and allow_unused / materialize_grads
x = torch.randn(3, requires_grad=True)
w = torch.randn(3, requires_grad=True)
out = (x.sin() * w).sum()
(gx,) = torch.autograd.grad(out, x, create_graph=True)
print("gx", gx, gx.grad_fn.name())
(ggx,) = torch.autograd.grad(gx.sum(), x, retain_graph=True)
print("ggx", ggx, torch.allclose(ggx, -x.sin() * w))
print("gw", torch.autograd.grad(gx.sum(), w))
print("unused", torch.autograd.grad((x * 2).sum(), [x, w], allow_unused=True))
print("materialize", torch.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True))
attempt("unused error", lambda: torch.autograd.grad((x * 2).sum(), [x, w]))

# test_grad_nonleaf_register_hook: the hook of x_list[0] sees None when only the others backward
x = torch.randn(5, requires_grad=True)
x_list = x.unbind()
hook_results = [None]


def hook(grad):
    hook_results[0] = grad


x_list[0].register_hook(hook)
x_list[0].backward()
print("nonleaf hook", hook_results[0], x.grad)
for i in range(1, 5, 1):
    x_list[i].backward()
    print("nonleaf hook", i, hook_results[0], x.grad)
