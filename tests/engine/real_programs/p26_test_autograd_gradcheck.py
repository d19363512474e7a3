# From PyTorch's test/test_autograd.py and its gradcheck tests, on seeded random float64
# inputs: gradcheck / gradgradcheck of ops and of small functions, test_gradcheck_single_input,
# test_gradcheck_check_no_differentiable_outputs, a wrong backward caught (raise_exception=False),
# jacobian/hessian/jvp/vjp/vhp checks through torch.autograd.functional, gradcheck under no_grad.
import torch
from torch.autograd import gradcheck, gradgradcheck

torch.manual_seed(0)


def attempt(label, f):
    try:
        print(label, "ok", f())
    except Exception as e:  # the held-out programs print the type and message
        print(label, type(e).__name__, str(e).splitlines()[0])


def rand(*shape):
    return torch.randn(*shape, dtype=torch.double, requires_grad=True)


# gradcheck and gradgradcheck of ops, on random inputs
cases = {
    "mul": (lambda a, b: a * b, (rand(3, 4), rand(3, 4))),
    "matmul": (lambda a, b: a @ b, (rand(2, 3), rand(3, 4))),
    "broadcast add": (lambda a, b: a + b, (rand(3, 1), rand(4))),
    "exp sum": (lambda a: a.exp().sum(1), (rand(2, 5),)),
    "tanh sigmoid": (lambda a: a.tanh() * a.sigmoid(), (rand(6),)),
    "pow": (lambda a: a.pow(3) - a.pow(2), (rand(4),)),
    "softmax": (lambda a: torch.softmax(a, dim=1), (rand(3, 4),)),
    "log_softmax": (lambda a: torch.log_softmax(a, dim=0), (rand(3, 4),)),
    "mean var": (lambda a: a.mean(0) + a.var(1).sum(), (rand(3, 4),)),
    "norm": (lambda a: a.norm(), (rand(5),)),
    "index": (lambda a: a[[0, 2, 2]], (rand(3, 2),)),
    "cat stack": (lambda a, b: torch.cat([a, b]).sum(0) + torch.stack([a, b]).prod(0).sum(0),
                  (rand(2, 3), rand(2, 3))),
    "view transpose": (lambda a: a.view(3, 4).t().reshape(2, 6), (rand(12),)),
    "where relu": (lambda a: torch.where(a > 0, a, a * 0.1).relu(), (rand(7),)),
    "max": (lambda a: a.max(dim=1)[0], (rand(3, 5),)),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), (rand(8),)),
    "div sqrt": (lambda a, b: a / (b.abs() + 1).sqrt(), (rand(4), rand(4))),
}
for name, (fn, inputs) in cases.items():
    print(name, gradcheck(fn, inputs), gradgradcheck(fn, inputs))

# test_gradcheck_single_input
def check(fast_mode):
    def f(inp):
        return inp.mul(5)
    return (gradcheck(f, torch.rand(10, dtype=torch.float64, requires_grad=True),
                      fast_mode=fast_mode),
            gradgradcheck(f, torch.rand(10, dtype=torch.float64, requires_grad=True),
                          fast_mode=fast_mode))


print("single input", check(False), check(True))

# test_gradcheck_check_no_differentiable_outputs
x = torch.ones((1,), requires_grad=True)
attempt("no differentiable outputs", lambda: gradcheck(lambda x: torch.tensor([x]), x))
print("no differentiable outputs, no raise",
      gradcheck(lambda x: torch.tensor([x]), x, raise_exception=False))


# A wrong backward is caught
class BadSquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # should be 2 * g * x


print("bad backward", gradcheck(BadSquare.apply, (rand(3),), raise_exception=False))
attempt("bad backward raises", lambda: gradcheck(BadSquare.apply, (rand(3),)))


class GoodSquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * g * x


print("good backward", gradcheck(GoodSquare.apply, (rand(3),)),
      gradgradcheck(GoodSquare.apply, (rand(3),)))

# float32 inputs: gradcheck warns and is imprecise
attempt("float32", lambda: gradcheck(lambda a: a * 2, (torch.randn(3, requires_grad=True),),
                                     raise_exception=False))

# torch.autograd.functional on random inputs
from torch.autograd.functional import hessian, jacobian, jvp, vjp, vhp

x = torch.randn(3, dtype=torch.double)
J = jacobian(lambda t: t.sin() * t.sum(), x)
print("jacobian", J.shape, torch.allclose(J.diagonal(), x.cos() * x.sum() + x.sin()))
H = hessian(lambda t: (t ** 3).sum(), x)
print("hessian", torch.allclose(H, torch.diag(6 * x)))
v = torch.randn(3, dtype=torch.double)
out, jv = jvp(lambda t: t ** 2, x, v)
print("jvp", torch.allclose(jv, 2 * x * v), torch.allclose(out, x ** 2))
out, vj = vjp(lambda t: t ** 2, x, v)
print("vjp", torch.allclose(vj, 2 * x * v))
out, hv = vhp(lambda t: (t ** 3).sum(), x, v)
print("vhp", torch.allclose(hv, 6 * x * v), round(out.item(), 4) == round((x ** 3).sum().item(), 4))

# test_grad_mode_restored
x = torch.randn(5, requires_grad=True)
with torch.no_grad():
    attempt("gradcheck under no_grad", lambda: gradcheck(lambda a: a * 2, (rand(2),)))
    print("grad mode after gradcheck", torch.is_grad_enabled())
print("grad mode outside", torch.is_grad_enabled())
