'''Students' attempts, one list per exercise: each replaces solution regions of the exercise
(``region``, counted within the exercise; ``more`` holds further ``(region, code)`` pairs)
and must earn ``status`` with a message containing ``hint``: typical mistakes (not yet, with
the hint that names the mistake), what the text forbids (rejected), what it allows (correct),
cheats (rejected), and cells that raise (the error and its usual cause).

``engines`` limits a case to the engines it is meant for.
'''

from dataclasses import dataclass

CORRECT, NOT_YET, NOT_ATTEMPTED = "correct", "not yet", "not attempted"
BOTH = ("torch", "autograd_mini")


@dataclass(frozen=True)
class Case:
    label: str
    code: str
    hint: str = ""
    region: int = 0
    status: str = NOT_YET
    more: tuple = ()
    engines: tuple = BOTH


def right(label, code, region=0, more=(), engines=BOTH):
    return Case(label, code, "", region, CORRECT, more, engines)


def stub(label="not attempted", region=0, hint="still raises NotImplementedError"):
    return Case(label, "raise NotImplementedError", hint, region, NOT_ATTEMPTED)


def nothing(hint, label="nothing written"):
    return Case(label, "pass", hint, 0, NOT_ATTEMPTED)


# The walk of lesson 04's solution, to be spoiled in the ways students spoil it.
WALK = """
chain = []
node = out.grad_fn
while node is not None:
    chain.append(node.name())
    node = node.next_functions[0][0] if node.next_functions else None
"""
CHAIN = ["MeanBackward0", "RsubBackward1", "DivBackward0", "ExpBackward0", "AccumulateGrad"]

# Lesson 02's answer with its lines open.
SEED = "x = {x}\na = x**2\nb = {double}\nc = torch.sin(x)\nd = b * c\ny = {y}"


def seed(x="torch.linspace(-2, 2, steps=25, requires_grad=True)", double="2 * a", y="torch.exp(d)"):
    return SEED.format(x=x, double=double, y=y)


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
ROW = "    x.grad = None\n    y.backward(v, retain_graph=True)\n    rows.append(x.grad.clone())"

# Lesson 09's second exercise, its first gradient left open.
HESSIAN = """
x = x.detach().requires_grad_(True)
(gradient,) = torch.autograd.grad(f(x), x, create_graph=True)
rows = [torch.autograd.grad(gradient[i], x, retain_graph=True)[0] for i in range(x.shape[0])]
return {result}
"""

# Lesson 10's answer with its freezing and loss open.
FREEZE = "W1.requires_grad_(False)\nb1.requires_grad_(False)\n"
LOSS = "loss = ((model(inputs) - targets) ** 2).mean()\n"

# Lesson 11's training function body with its settings and step left open.
TRAINING = """
losses = []
for step in range({steps}):
    loss = ((w * xs + b - ys) ** 2).mean()
    loss.backward()
{update}
    losses.append({record})
return losses
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


SGD = """
optimizer = torch.optim.SGD([w, b], lr=0.1)
losses = []
for step in range(300):
    optimizer.zero_grad()
    loss = ((w * xs + b - ys) ** 2).mean()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
return losses
"""

# Lesson 12's gradcheck function body.
GRADCHECK = "x_check = {x}\nreturn torch.autograd.gradcheck({function}, (x_check,))"
X64 = "torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)"


def gradcheck(x=X64, function="Sigmoid.apply"):
    return GRADCHECK.format(x=x, function=function)


CASES = {
    "lesson01.q1": [
        Case("chain rule forgotten", "return torch.sin(x**2) + x * torch.cos(x**2)", "inner derivative"),
        Case("product rule forgotten", "return 2 * x**2 * torch.cos(x**2)", "product rule"),
        Case("only one factor", "return torch.sin(x**2)", "product rule"),
        Case("f itself", "return x * torch.sin(x**2)", "returns f(x) itself"),
        Case("sign slip", "return torch.sin(x**2) - 2 * x**2 * torch.cos(x**2)", "redo the derivation"),
        Case("summed", "return (torch.sin(x**2) + 2 * x**2 * torch.cos(x**2)).sum()", "has shape ()"),
        Case(
            "autograd's backward",
            "x = x.detach().requires_grad_(True)\n(x * torch.sin(x**2)).sum().backward()\nreturn x.grad",
            "asks autograd for the derivative (it calls `backward`)",
        ),
        Case(
            "autograd.grad",
            "x = x.detach().requires_grad_(True)\nreturn torch.autograd.grad((x * torch.sin(x**2)).sum(), x)[0]",
            "asks autograd for the derivative (it calls `grad`)",
        ),
        Case(
            "functional.jacobian",
            "return torch.autograd.functional.jacobian(lambda t: t * torch.sin(t**2), x).diagonal()",
            "`functional.jacobian`",
        ),
        Case("typo", "return torch.sinn(x**2)", "calling `df_dx` raised AttributeError"),
        right("written another way", "u = x * x\nreturn torch.sin(u) + 2 * u * torch.cos(u)"),
        stub(),
    ],
    "lesson01.q2": [
        Case("divided by h", "return (f(x + h) - f(x - h)) / h", "twice the slope"),
        Case("forward difference", "return (f(x + h) - f(x)) / h", "one-sided (forward)"),
        Case("backward difference", "return (f(x) - f(x - h)) / h", "one-sided (backward)"),
        Case("own step", "return (f(x + 0.1) - f(x - 0.1)) / 0.2", "not the central difference quotient"),
        Case(
            "autograd",
            "x = x.detach().requires_grad_(True)\nf(x).sum().backward()\nreturn x.grad",
            "approximates it from two values of f alone",
        ),
        Case("a list", "return ((f(x + h) - f(x - h)) / (2 * h)).tolist()", "should return a tensor, but it returned a list"),
        Case("typo", "return (f(x + h) - f(x - h)) / (2 * hh)", "raised NameError"),
        right("halved afterwards", "return (f(x + h) - f(x - h)) / h / 2"),
        stub(),
    ],
    "lesson02.q1": [
        Case("wrong number of steps", seed(x="torch.linspace(-2, 2, steps=20, requires_grad=True)"), "steps=25"),
        Case("wrong range", seed(x="torch.linspace(0, 2, steps=25, requires_grad=True)"), "should cover [-2, 2]"),
        Case("no requires_grad", seed(x="torch.linspace(-2, 2, steps=25)"), "does not require grad"),
        Case("detached result", seed(y="torch.exp(d.detach())"), "not connected to autograd's graph"),
        Case(
            "one line, no intermediates",
            "x = torch.linspace(-2, 2, steps=25, requires_grad=True)\ny = torch.exp(2 * x**2 * torch.sin(x))",
            "give each mathematical operation its own variable",
        ),
        Case("another function", seed(double="3 * a"), "does not hold exp(2x² sin x)"),
        Case("exp not last", seed(y="torch.exp(d) * 1"), "the last operation that made `y` is MulBackward0"),
        Case(
            "y from another x",
            seed() + "\nx = torch.linspace(-2, 2, steps=25, requires_grad=True)",
            "was not computed from this `x`",
        ),
        Case("not a tensor", seed() + "\ny = y.tolist()", "`y` should be a tensor, but it is a list"),
        right("float64", seed(x="torch.linspace(-2, 2, steps=25, dtype=torch.float64, requires_grad=True)")),
        right(
            "intermediates named p, q, r, s (the next given cell reassigns them)",
            "x = torch.linspace(-2, 2, steps=25, requires_grad=True)\np = x**2\nq = 2 * p\nr = torch.sin(x)\ns = q * r\ny = torch.exp(s)",
        ),
        right(
            "another order",
            "x = torch.linspace(-2.0, 2.0, 25, requires_grad=True)\nsine = x.sin()\nsquare = x * x\n"
            "product = square * sine\ntwice = 2 * product\ny = twice.exp()",
        ),
        Case("nothing written", "pass", "define `x` and `y`", status=NOT_ATTEMPTED),
    ],
    "lesson02.q2": [
        Case("detached tensor requires grad", 'needs_grad = {"p", "r", "t"}\nleaves = {"p", "q", "s", "t"}', "detached tensor never"),
        Case("result without history", 'needs_grad = {"p", "r"}\nleaves = {"p", "q", "t"}', "no history, so it is a leaf"),
        Case("result without tracking", 'needs_grad = {"p", "r", "s"}\nleaves = {"p", "q", "s", "t"}', "only from tensors that do not require grad"),
        Case("result is a leaf", 'needs_grad = {"p", "r"}\nleaves = {"p", "q", "r", "s", "t"}', "it has a grad_fn"),
        Case("unknown name", 'needs_grad = {"p", "r", "x"}\nleaves = {"p", "q", "s", "t"}', "not in the cell above: ['x']"),
        Case("not a set of names", 'needs_grad = "p, r"\nleaves = {"p", "q", "s", "t"}', "should be a set of names"),
        Case(
            "given tensors changed to fit",
            'p = torch.ones(3)\nr = p * q\nneeds_grad = set()\nleaves = {"p", "q", "r", "s", "t"}',
            "created with requires_grad=True requires grad",
        ),
        right("lists", 'needs_grad = ["p", "r"]\nleaves = ("p", "q", "s", "t")'),
        Case("nothing written", "pass", "define `needs_grad` and `leaves`", status=NOT_ATTEMPTED),
    ],
    "lesson03.q1": [
        Case("backward on a vector", "y.backward()", "only works on a single number"),
        Case("a vector one too short", "y.backward(torch.ones(24))", "your cell above raised RuntimeError: Mismatch in shape"),
        Case(
            "two backward calls",
            "y.backward(torch.ones_like(y), retain_graph=True)\ny.backward(torch.ones_like(y))",
            "2 times the right gradient",
        ),
        Case("mean instead of sum", "y.mean().backward()", "does not hold the right gradient"),
        Case("x replaced by zeros", "x = torch.zeros(25, requires_grad=True)\nx.grad = torch.zeros(25)", "not the tensor the given cell created"),
        Case("a gradient made up", "x.grad = torch.zeros(25)", "does not hold the right gradient"),
        right("sum first", "y.sum().backward()"),
        right("autograd.backward", "torch.autograd.backward(y, torch.ones_like(y))"),
        Case("nothing written", "pass", "compute the gradients of `y`", status=NOT_ATTEMPTED),
    ],
    "lesson03.q2": [
        Case("intermediate's .grad read without retain_grad", "loss.backward()", "only keeps the gradients of intermediates"),
        Case("retain_grad after backward", "loss.backward()\nh.retain_grad()", "before calling backward"),
        Case("two backward calls", "h.retain_grad()\nloss.backward(retain_graph=True)\nloss.backward()", "2 times the right gradient"),
        Case(
            "u replaced",
            "u = torch.tensor([1.0, 1.0, 1.0], requires_grad=True)\nh = u * torch.sin(u)\nloss = (h**2).sum()\nh.retain_grad()\nloss.backward()",
            "`u` is not the tensor the given cell created",
        ),
        Case("a gradient made up", "h.retain_grad()\nloss.backward()\nu.grad = torch.zeros(3)", "`u.grad` does not hold the right gradient"),
        right("keep the graph", "h.retain_grad()\nloss.backward(retain_graph=True)"),
        right("autograd.backward", "h.retain_grad()\ntorch.autograd.backward(loss)"),
        Case("nothing written", "pass", "run backward so that", status=NOT_ATTEMPTED),
    ],
    "lesson04.q1": [
        Case("reversed", WALK + "chain = chain[::-1]", "runs from the leaf up"),
        Case("AccumulateGrad left out", WALK + "chain = chain[:-1]", "stops one node early"),
        Case("numbers left out", WALK + "chain = [name.rstrip('0123456789') for name in chain]", "with the number at the end"),
        Case("wrong node", WALK + "chain[1] = 'SubBackward0'", "entry 1 of `chain`"),
        Case("constants followed", WALK + "chain.insert(2, 'None')", "None entries are constants"),
        Case("one too many", WALK + "chain.append('AccumulateGrad')", "`chain` has 6 names"),
        Case("not a list", "chain = 'MeanBackward0 RsubBackward1'", "should be a list of node names"),
        right("written by hand", f"chain = {CHAIN!r}"),
        right("a tuple, with torch's long name", f"chain = {tuple(CHAIN[:-1] + ['torch::autograd::AccumulateGrad'])!r}"),
    ],
    "lesson04.q2": [
        Case("sum left out", "g = (a + b) * torch.sin(a)", "below the top"),
        Case("another operation", "g = ((a + b) * torch.cos(a)).sum()", "the drawing has SinBackward0"),
        Case(
            "the other branch differs",
            "g = ((a - b) * torch.sin(a)).sum()",
            "your graph has SubBackward0 with 2 input(s): AccumulateGrad (a), AccumulateGrad (b); the drawing has AddBackward0",
        ),
        Case("sine of b", "g = ((a + b) * torch.sin(b)).sum()", "below SumBackward0 → MulBackward0 → SinBackward0, your graph has AccumulateGrad (b)"),
        Case("mean", "g = ((a + b) * torch.sin(a)).mean()", "your graph has MeanBackward0"),
        Case("detached", "g = ((a + b) * torch.sin(a)).sum().detach()", "not connected to autograd's graph"),
        Case("a changed", "a = torch.tensor([5.0, 6.0], requires_grad=True)\ng = ((a + b) * torch.sin(a)).sum()", "`a` is not the tensor"),
        Case("a number", "g = 3.0", "`g` should be a tensor, but it is a float"),
        right("factors swapped", "g = (torch.sin(a) * (b + a)).sum()"),
        right("method spelling", "g = torch.sum((a + b) * a.sin())"),
    ],
    "lesson05.q1": [
        Case("graph recorded", "def predict(inputs):\n    return inputs @ W + b", "part of a graph"),
        Case("detached at the end", "def predict(inputs):\n    return (inputs @ W + b).detach()", "gradient tracking was on while it ran"),
        Case("through .data", "def predict(inputs):\n    return inputs @ W.data + b.data", "gradient tracking was on while it ran"),
        Case(
            "tracking off everywhere",
            "torch.set_grad_enabled(False)\n\ndef predict(inputs):\n    return inputs @ W + b",
            "switched off for the whole notebook",
        ),
        Case(
            "tracking left off",
            "def predict(inputs):\n    torch.set_grad_enabled(False)\n    return inputs @ W + b",
            "stays off for everything that follows",
        ),
        Case(
            "parameters frozen",
            "W.requires_grad_(False)\nb.requires_grad_(False)\n\ndef predict(inputs):\n    return inputs @ W + b",
            "should still require grad",
        ),
        Case("bias forgotten", "@torch.no_grad()\ndef predict(inputs):\n    return inputs @ W", "does not hold inputs @ W + b"),
        Case("transposed", "@torch.no_grad()\ndef predict(inputs):\n    return inputs @ W.T + b", "calling `predict` raised RuntimeError"),
        Case("not a function", "predict = 3", "should be a function, but it is a int"),
        right("with block inside", "def predict(inputs):\n    with torch.no_grad():\n        return inputs @ W + b"),
        right("inference mode", "@torch.inference_mode()\ndef predict(inputs):\n    return inputs @ W + b"),
    ],
    "lesson06.q1": [
        Case("still in place", "y = torch.exp(x)\ny += 1\nreturn (y * x).sum()", "backward still fails"),
        Case("hidden with .data", "y = torch.exp(x)\ny.data += 1\nreturn (y * x).sum()", "hidden from autograd"),
        Case("input changed in place", "y = x.exp_()\nreturn ((y + 1) * x).sum()", "changes its input `x` in place"),
        Case("another value", "return (torch.exp(x) * x).sum()", "does not hold the value `broken(x)` computes"),
        Case("not summed", "return (torch.exp(x) + 1) * x", "should be a single number"),
        Case("detached", "return ((torch.exp(x) + 1) * x).sum().detach()", "not connected to autograd's graph"),
        right("one line", "return ((torch.exp(x) + 1) * x).sum()"),
        right("a copy changed in place", "y = torch.exp(x).clone()\ny += 1\nreturn (y * x).sum()"),
        stub(),
    ],
    "lesson07.q1": [
        Case(
            "another operation's count",
            "with torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\n"
            'mul_calls = next(e.count for e in prof.key_averages() if e.key == "aten::abs")',
            "the question is about `aten::mul`",
            engines=("torch",),
        ),
        Case(
            "off by one",
            "with torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\n"
            'mul_calls = next(e.count for e in prof.key_averages() if e.key == "aten::mul") + 1',
            "rather than counting yourself",
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
        Case(
            "not a whole number",
            "with torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\nmul_calls = 18.5",
            "not a whole number",
        ),
        Case("nothing profiled", "with torch.autograd.profiler.profile() as prof:\n    pass\nmul_calls = 19", "recorded no `aten::mul`"),
        Case("no profiler", "prof = None\nmul_calls = 19", "should be the profiler"),
        Case(
            "start changed",
            "start = torch.ones(3)\nwith torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\n"
            'mul_calls = next(e.count for e in prof.key_averages() if e.key == "aten::mul")',
            "`start` is not the tensor",
        ),
        right(
            "a dict of counts",
            "with torch.autograd.profiler.profile() as prof:\n    grow(start, factor)\n"
            'mul_calls = {e.key: e.count for e in prof.key_averages()}["aten::mul"]',
        ),
    ],
    "lesson08.q1": [
        Case("transposed", JACOBIAN.replace("return torch.stack(rows)", "return torch.stack(rows).t()").format(body=ROW), "transposed"),
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
            JACOBIAN.replace("x = x.detach().requires_grad_(True)\n", "").format(body=ROW),
            "backward found no graph",
        ),
        Case("functional.jacobian", "return torch.autograd.functional.jacobian(f, x)", "gets its rows from `functional.jacobian`"),
        Case(
            "autograd.grad",
            "x = x.detach().requires_grad_(True)\ny = f(x)\n"
            "return torch.stack([torch.autograd.grad(y[i], x, retain_graph=True)[0] for i in range(y.shape[0])])",
            "gets its rows from `grad`",
        ),
        Case(
            "an extra backward call",
            JACOBIAN.replace("rows = []\n", "rows = []\ny.backward(torch.ones_like(y), retain_graph=True)\n").format(body=ROW),
            "calls `backward` 3 times for 2 outputs",
        ),
        Case("typo", JACOBIAN.replace("torch.stack(rows)", "torch.stack(rowz)").format(body=ROW), "raised NameError"),
        right("autograd.backward", JACOBIAN.format(body="    x.grad = None\n    torch.autograd.backward(y, v, retain_graph=True)\n    rows.append(x.grad.clone())")),
        stub(),
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
        Case("x0 does not require grad", "f(x0).backward(v)\nvjp_value = x0.grad", "your cell above raised RuntimeError: element 0 of tensors does not require grad"),
        Case(
            "a vector per input",
            "x1 = x0.detach().requires_grad_(True)\nf(x1).backward(torch.ones(3))\nvjp_value = x1.grad",
            "one entry per output of f",
        ),
        Case("v changed", "v = torch.ones(2)\nx1 = x0.detach().requires_grad_(True)\nf(x1).backward(v)\nvjp_value = x1.grad", "`v` is not the tensor"),
        right("as a NumPy array", "x1 = x0.clone().requires_grad_(True)\nf(x1).backward(v)\nvjp_value = x1.grad.numpy()"),
        Case("nothing written", "pass", "define `vjp_value`", status=NOT_ATTEMPTED),
    ],
    "lesson09.q1": [
        Case("the gradient", "H_api = torch.autograd.functional.jacobian(energy, p0)", "holds the gradient"),
        Case("the diagonal only", "H_api = torch.autograd.functional.hessian(energy, p0) * torch.eye(3)", "only the diagonal"),
        Case("the value passed", "H_api = torch.autograd.functional.hessian(energy(p0), p0)", "takes the function itself"),
        Case("p0 changed", "p0 = torch.ones(3)\nH_api = torch.autograd.functional.hessian(energy, p0)", "`p0` is not the tensor"),
        right("as a list", "H_api = torch.autograd.functional.hessian(energy, p0).tolist()"),
        Case("nothing written", "pass", "define `H_api`", status=NOT_ATTEMPTED),
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
            "input does not require grad",
            HESSIAN.replace("x = x.detach().requires_grad_(True)\n", "").format(result="torch.stack(rows)"),
            "the first gradient failed: `x` does not require grad",
        ),
        Case("the gradient", "x = x.detach().requires_grad_(True)\nreturn torch.autograd.grad(f(x), x)[0]", "holds the gradient"),
        Case(
            "the diagonal only",
            HESSIAN.format(result="torch.stack(rows) * torch.eye(x.shape[0])"),
            "only the diagonal",
        ),
        Case("functional.hessian", "return torch.autograd.functional.hessian(f, x)", "without the functional API"),
        Case(
            "functional.jacobian of the gradient",
            "return torch.autograd.functional.jacobian(lambda t: torch.autograd.grad(f(t), t, create_graph=True)[0], x)",
            "without the functional API",
        ),
        Case("typo", HESSIAN.format(result="torch.stack(rowz)"), "raised NameError"),
        right("rows through grad_outputs", HESSIAN.replace(
            "rows = [torch.autograd.grad(gradient[i], x, retain_graph=True)[0] for i in range(x.shape[0])]",
            "rows = [torch.autograd.grad(gradient, x, torch.eye(x.shape[0])[i], retain_graph=True)[0] for i in range(x.shape[0])]",
        ).format(result="torch.stack(rows)")),
        stub(),
    ],
    "lesson10.q1": [
        Case("nothing frozen", LOSS + "loss.backward()", "still requires grad"),
        Case(
            "the wrong layer frozen",
            "W2.requires_grad_(False)\nb2.requires_grad_(False)\n" + LOSS + "loss.backward()",
            "other way round",
        ),
        Case("everything frozen", FREEZE + "W2.requires_grad_(False)\nb2.requires_grad_(False)\n" + LOSS, "no parameter requires grad"),
        Case(
            "forward pass without tracking",
            FREEZE + "with torch.no_grad():\n    loss = ((model(inputs) - targets) ** 2).mean()\n",
            "not connected to autograd's graph",
        ),
        Case("frozen after backward", LOSS + "loss.backward()\n" + FREEZE, "computed before you froze"),
        Case(
            "detached instead of frozen",
            "loss = ((torch.tanh(inputs @ W1.detach() + b1.detach()) @ W2 + b2 - targets) ** 2).mean()\nloss.backward()",
            "still requires grad",
        ),
        Case("sum instead of mean", FREEZE + "loss = ((model(inputs) - targets) ** 2).sum()\nloss.backward()", "mean squared error"),
        Case("no backward", FREEZE + LOSS, "`W2.grad` is None: call backward"),
        right("frozen in a loop", "for parameter in (W1, b1):\n    parameter.requires_grad = False\n" + LOSS + "loss.backward()"),
        right(
            "nn modules with the given values",
            "layer1, layer2 = torch.nn.Linear(2, 3), torch.nn.Linear(3, 1)\n"
            "with torch.no_grad():\n"
            "    layer1.weight.copy_(W1.T)\n    layer1.bias.copy_(b1)\n    layer2.weight.copy_(W2.T)\n    layer2.bias.copy_(b2)\n"
            "model = torch.nn.Sequential(layer1, torch.nn.Tanh(), layer2)\ndel W1, b1, W2, b2\n"
            "for parameter in layer1.parameters():\n    parameter.requires_grad_(False)\n" + LOSS + "loss.backward()",
        ),
    ],
    "lesson11.q1": [
        Case("parameters replaced", training(update="    w = w - 0.1 * w.grad\n    b = b - 0.1 * b.grad"), "makes a new tensor in the graph"),
        Case(
            "updated in place without no_grad",
            training(update="    w -= 0.1 * w.grad\n    b -= 0.1 * b.grad\n    w.grad = None\n    b.grad = None"),
            "inside a block that switches gradient tracking off",
        ),
        Case("tensors in losses", training(record="loss"), "keeps its whole graph"),
        Case("detached tensors in losses", training(record="loss.detach()"), "the exercise asks for plain numbers"),
        Case("learning rate too large", training(lr=1.5), "learning rate"),
        Case("too few steps", training(steps=5), "not far enough"),
        Case("gradients never reset", training(reset=""), "not reset between steps"),
        Case("an optimizer", SGD, "uses an optimizer"),
        Case("no training at all", "with torch.no_grad():\n    w.fill_(3.0)\n    b.fill_(0.5)\nreturn [0.005]", "never backpropagates"),
        Case(
            "a loss every ten steps",
            training().replace("    losses.append(loss.item())", "    if step % 10 == 0:\n        losses.append(loss.item())"),
            "backpropagated 300 times but returned 30 losses",
        ),
        Case("nothing returned", training().replace("return losses", "pass"), "should return the list of losses"),
        right("gradients zeroed", training(reset="    w.grad.zero_()\n    b.grad.zero_()")),
        right(
            "until the target",
            training(steps=1000).replace(
                "    losses.append(loss.item())", "    losses.append(loss.item())\n    if losses[-1] < TARGET_LOSS / 2:\n        break"
            ),
        ),
        right("larger steps", training(steps=100, lr=0.5)),
        stub(),
    ],
    "lesson12.q1": [
        Case(
            "incoming gradient ignored",
            "(result,) = ctx.saved_tensors\nreturn result * (1 - result)",
            "ignores the gradient passed in",
            region=1,
        ),
        Case("sigmoid instead of its derivative", "(result,) = ctx.saved_tensors\nreturn grad_output * result", "not by its derivative", region=1),
        Case("another forward", "result = 1 / (1 + torch.exp(x))\nctx.save_for_backward(result)\nreturn result", "does not hold the sigmoid"),
        Case("typo in forward", "result = 1 / (1 + torch.expp(-x))\nctx.save_for_backward(result)\nreturn result", "calling `Sigmoid.apply` raised AttributeError"),
        Case("typo in backward", "return grad_output * resultt", "calling `backward` raised NameError", region=1),
        Case("no gradient returned", "return None", "`x.grad` stayed empty", region=1),
        right(
            "the input saved instead",
            "ctx.save_for_backward(x)\nreturn 1 / (1 + torch.exp(-x))",
            more=((1, "(x,) = ctx.saved_tensors\ns = 1 / (1 + torch.exp(-x))\nreturn grad_output * s * (1 - s)"),),
        ),
        stub(),
    ],
    "lesson12.q2": [
        Case("float32", gradcheck(x="torch.linspace(-3, 3, 7, requires_grad=True)"), "too coarse in float32"),
        Case("input without requires_grad", gradcheck(x="torch.linspace(-3, 3, 7, dtype=torch.float64)"), "only the inputs that require grad"),
        Case("True without gradcheck", "return True", "never runs `torch.autograd.gradcheck`"),
        Case("passed = True", "return True", "never runs", more=((1, "passed = True"),)),
        Case("the engine's own sigmoid", gradcheck(function="torch.sigmoid"), "checked one of the engine's own functions"),
        Case("a string", gradcheck() + " and 'yes'", "returns 'yes'"),
        right("a few points of its own", gradcheck(x="torch.tensor([0.1, -2.0], dtype=torch.float64, requires_grad=True)")),
        right("wrapped in a lambda", gradcheck(function="lambda t: Sigmoid.apply(t)")),
        stub(),
    ],
}
