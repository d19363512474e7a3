"""Typical wrong answers, one list per exercise: each replaces one solution region of the
exercise (``region``, counted within the exercise) and must earn the hint containing ``hint``.

Every exercise has at least one case; the test of the cases checks that too.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    label: str
    code: str
    hint: str
    region: int = 0


# The walk of lesson 04's solution, to be spoiled in the ways students spoil it.
WALK = """
chain = []
node = out.grad_fn
while node is not None:
    chain.append(node.name())
    node = node.next_functions[0][0] if node.next_functions else None
"""

# Lesson 08's solution body, with a placeholder for the line that differs in each case.
JACOBIAN = """
x = x.detach().requires_grad_(True)
y = f(x)
rows = []
for i in range(y.shape[0]):
    v = torch.zeros_like(y)
    v[i] = 1.0
{body}
return torch.stack(rows)
"""

# Lesson 11's loop with its settings and step left open.
TRAINING = """
losses = []
for step in range({steps}):
    loss = ((w * xs + b - ys) ** 2).mean()
    loss.backward()
{update}
    losses.append({record})
"""
UPDATE = """
    with torch.no_grad():
        w -= {lr} * w.grad
        b -= {lr} * b.grad
{reset}
"""
RESET = """
    w.grad = None
    b.grad = None
"""


def training(steps=300, lr=0.1, reset=RESET, record="loss.item()", update=None):
    update = update or UPDATE.strip("\n").format(lr=lr, reset=reset.strip("\n"))
    return TRAINING.format(steps=steps, update=update, record=record)


CASES = {
    "lesson01.q1": [
        Case("chain rule forgotten", "return torch.sin(x**2) + x * torch.cos(x**2)", "inner derivative"),
        Case("product rule forgotten", "return 2 * x**2 * torch.cos(x**2)", "product rule"),
        Case("f itself", "return x * torch.sin(x**2)", "returns f(x) itself"),
    ],
    "lesson01.q2": [
        Case("divided by h", "return (f(x + h) - f(x - h)) / h", "twice the slope"),
        Case("forward difference", "return (f(x + h) - f(x)) / h", "one-sided"),
    ],
    "lesson02.q1": [
        Case(
            "wrong number of steps",
            "x = torch.linspace(-2, 2, steps=20, requires_grad=True)\n"
            "a = x**2\nb = 2 * a\nc = torch.sin(x)\nd = b * c\ny = torch.exp(d)",
            "steps=25",
        ),
        Case(
            "wrong range",
            "x = torch.linspace(0, 2, steps=25, requires_grad=True)\n"
            "a = x**2\nb = 2 * a\nc = torch.sin(x)\nd = b * c\ny = torch.exp(d)",
            "should cover [-2, 2]",
        ),
        Case(
            "no requires_grad",
            "x = torch.linspace(-2, 2, steps=25)\na = x**2\nb = 2 * a\nc = torch.sin(x)\nd = b * c\ny = torch.exp(d)",
            "does not require grad",
        ),
        Case(
            "float64",
            "x = torch.linspace(-2, 2, steps=25, dtype=torch.float64, requires_grad=True)\n"
            "a = x**2\nb = 2 * a\nc = torch.sin(x)\nd = b * c\ny = torch.exp(d)",
            "is float64, but it should be float32",
        ),
        Case(
            "detached result",
            "x = torch.linspace(-2, 2, steps=25, requires_grad=True)\n"
            "a = x**2\nb = 2 * a\nc = torch.sin(x)\nd = b * c\ny = torch.exp(d.detach())",
            "not connected to autograd's graph",
        ),
        Case(
            "one line, no intermediates",
            "x = torch.linspace(-2, 2, steps=25, requires_grad=True)\ny = torch.exp(2 * x**2 * torch.sin(x))",
            "give each mathematical operation its own variable",
        ),
    ],
    "lesson02.q2": [
        Case("detached tensor requires grad", 'needs_grad = {"p", "r", "t"}\nleaves = {"p", "q", "s", "t"}', "detached tensor never"),
        Case("result without history", 'needs_grad = {"p", "r"}\nleaves = {"p", "q", "t"}', "no history, so it is a leaf"),
        Case("not a set of names", 'needs_grad = "p, r"\nleaves = {"p", "q", "s", "t"}', "should be a set of names"),
    ],
    "lesson03.q1": [
        Case("backward on a vector", "y.backward()", "only works on a single number"),
        Case(
            "two backward calls",
            "y.backward(torch.ones_like(y), retain_graph=True)\ny.backward(torch.ones_like(y))",
            "2 times the right gradient",
        ),
    ],
    "lesson03.q2": [
        Case("intermediate's .grad read without retain_grad", "loss.backward()", "only keeps the gradients of intermediates"),
        Case("retain_grad after backward", "loss.backward()\nh.retain_grad()", "before calling backward"),
    ],
    "lesson04.q1": [
        Case("reversed", WALK + "chain = chain[::-1]", "runs from the leaf up"),
        Case("AccumulateGrad left out", WALK + "chain = chain[:-1]", "stops one node early"),
        Case("numbers left out", WALK + "chain = [name.rstrip('0123456789') for name in chain]", "with the number at the end"),
        Case("wrong node", WALK + "chain[1] = 'SubBackward0'", "entry 1 of `chain`"),
        Case("constants followed", WALK + "chain.insert(2, 'None')", "None entries are constants"),
    ],
    "lesson04.q2": [
        Case("sum left out", "g = (a + b) * torch.sin(a)", "below the top"),
        Case("another operation", "g = ((a + b) * torch.cos(a)).sum()", "the drawing has SinBackward0"),
        Case("detached", "g = ((a + b) * torch.sin(a)).sum().detach()", "not connected to autograd's graph"),
    ],
    "lesson05.q1": [
        Case("graph recorded", "def predict(inputs):\n    return inputs @ W + b", "part of a graph"),
        Case("detached at the end", "def predict(inputs):\n    return (inputs @ W + b).detach()", "recorded while computing it"),
        Case(
            "tracking off everywhere",
            "torch.set_grad_enabled(False)\n\ndef predict(inputs):\n    return inputs @ W + b",
            "switched off for the whole notebook",
        ),
        Case(
            "parameters frozen",
            "W.requires_grad_(False)\nb.requires_grad_(False)\n\ndef predict(inputs):\n    return inputs @ W + b",
            "should still require grad",
        ),
    ],
    "lesson06.q1": [
        Case("still in place", "y = torch.exp(x)\ny += 1\nreturn (y * x).sum()", "backward still fails"),
        Case("hidden with .data", "y = torch.exp(x)\ny.data += 1\nreturn (y * x).sum()", "hidden from autograd"),
        Case("input changed in place", "y = x.exp_()\nreturn ((y + 1) * x).sum()", "changes its input `x` in place"),
    ],
    "lesson07.q1": [
        Case(
            "another operation's count",
            "with torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\n"
            'mul_calls = next(e.count for e in prof.key_averages() if e.key == "aten::abs")',
            "the question is about `aten::mul`",
        ),
        Case(
            "profiled twice",
            "with torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\n    grow(start, factor)\n"
            'mul_calls = next(e.count for e in prof.key_averages() if e.key == "aten::mul")',
            "profile exactly one call",
        ),
        Case(
            "a string",
            "with torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\n"
            'mul_calls = str(next(e.count for e in prof.key_averages() if e.key == "aten::mul"))',
            "should be a number",
        ),
    ],
    "lesson08.q1": [
        Case(
            "transposed",
            JACOBIAN.replace("return torch.stack(rows)", "return torch.stack(rows).t()").format(
                body="    x.grad = None\n    y.backward(v, retain_graph=True)\n    rows.append(x.grad.clone())"
            ),
            "transposed",
        ),
        Case(
            "gradients accumulated",
            JACOBIAN.format(body="    y.backward(v, retain_graph=True)\n    rows.append(x.grad.clone())"),
            "sum of all rows so far",
        ),
        Case(
            "the same .grad stored each time",
            JACOBIAN.format(body="    y.backward(v, retain_graph=True)\n    rows.append(x.grad)\n    x.grad.zero_()"),
            "the same `.grad` tensor",
        ),
        Case(
            "graph freed",
            JACOBIAN.format(body="    x.grad = None\n    y.backward(v)\n    rows.append(x.grad.clone())"),
            "freed the graph's saved tensors",
        ),
        Case(
            "input does not require grad",
            JACOBIAN.replace("x = x.detach().requires_grad_(True)\n", "").format(
                body="    x.grad = None\n    y.backward(v, retain_graph=True)\n    rows.append(x.grad.clone())"
            ),
            "backward found no graph",
        ),
    ],
    "lesson08.q2": [
        Case("vector of ones", "x1 = x0.detach().requires_grad_(True)\nf(x1).backward(torch.ones(2))\nvjp_value = x1.grad", "vector of ones"),
        Case("the output", "vjp_value = f(x0)", "one entry per output"),
        Case(
            "two backward calls",
            "x1 = x0.detach().requires_grad_(True)\nout = f(x1)\nout.backward(v, retain_graph=True)\n"
            "out.backward(v)\nvjp_value = x1.grad",
            "2 times the right product",
        ),
    ],
    "lesson09.q1": [
        Case("the gradient", "H_api = torch.autograd.functional.jacobian(energy, p0)", "holds the gradient"),
        Case("the diagonal only", "H_api = torch.autograd.functional.hessian(energy, p0) * torch.eye(3)", "only the diagonal"),
    ],
    "lesson09.q2": [
        Case(
            "no graph for the gradient",
            "x = x.detach().requires_grad_(True)\n(gradient,) = torch.autograd.grad(f(x), x)\n"
            "rows = [torch.autograd.grad(gradient[i], x, retain_graph=True)[0] for i in range(x.shape[0])]\n"
            "return torch.stack(rows)",
            "cannot be differentiated again",
        ),
        Case(
            "the gradient",
            "x = x.detach().requires_grad_(True)\nreturn torch.autograd.grad(f(x), x)[0]",
            "holds the gradient",
        ),
    ],
    "lesson10.q1": [
        Case("nothing frozen", "loss = ((model(inputs) - targets) ** 2).mean()\nloss.backward()", "still requires grad"),
        Case(
            "the wrong layer frozen",
            "W2.requires_grad_(False)\nb2.requires_grad_(False)\nloss = ((model(inputs) - targets) ** 2).mean()\nloss.backward()",
            "other way round",
        ),
        Case(
            "forward pass without tracking",
            "W1.requires_grad_(False)\nb1.requires_grad_(False)\nwith torch.no_grad():\n"
            "    loss = ((model(inputs) - targets) ** 2).mean()\nloss.backward()",
            "not connected to autograd's graph",
        ),
        Case(
            "frozen after backward",
            "loss = ((model(inputs) - targets) ** 2).mean()\nloss.backward()\nW1.requires_grad_(False)\nb1.requires_grad_(False)",
            "computed before you froze",
        ),
    ],
    "lesson11.q1": [
        Case(
            "parameters replaced",
            training(update="    w = w - 0.1 * w.grad\n    b = b - 0.1 * b.grad"),
            "no longer a leaf",
        ),
        Case("tensors in losses", training(record="loss"), "holds tensors"),
        Case("learning rate too large", training(lr=1.5), "learning rate"),
        Case("too few steps", training(steps=5), "not far enough"),
        Case("gradients never reset", training(reset=""), "not reset between steps"),
    ],
    "lesson12.q1": [
        Case(
            "incoming gradient ignored",
            "(result,) = ctx.saved_tensors\nreturn result * (1 - result)",
            "ignores the gradient passed in",
            region=1,
        ),
        Case("sigmoid instead of its derivative", "(result,) = ctx.saved_tensors\nreturn grad_output * result", "not by its derivative", region=1),
    ],
    "lesson12.q2": [
        Case(
            "float32",
            "x_check = torch.linspace(-3, 3, 7, requires_grad=True)\npassed = torch.autograd.gradcheck(Sigmoid.apply, (x_check,))",
            "too coarse in float32",
        ),
        Case(
            "input without requires_grad",
            "x_check = torch.linspace(-3, 3, 7, dtype=torch.float64)\npassed = torch.autograd.gradcheck(Sigmoid.apply, (x_check,))",
            "only the inputs that require grad",
        ),
    ],
}
