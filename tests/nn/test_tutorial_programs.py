"""PyTorch's tutorial programs that train with nn and optim, run unchanged on both engines
(`import autograd_mini as torch`): same printed losses, weights and gradients.

Both engines draw their initial weights and data from one NumPy stream (`same_draws`
patches `Tensor.uniform_`, which nn.init uses, and `randn` / `rand`), so each program
starts from the same numbers; one test instead copies the torch model's weights in
with load_state_dict, as a lesson would."""
import pytest

from _nn_twin import assert_close, assert_same_output, run_program, same_draws, torch

# "Fundamentals of Autograd" (introyt/autogradyt_tutorial), section "Autograd in Training".
AUTOGRAD_IN_TRAINING = """\
import torch

BATCH_SIZE = 16
DIM_IN = 1000
HIDDEN_SIZE = 100
DIM_OUT = 10

class TinyModel(torch.nn.Module):

    def __init__(self):
        super(TinyModel, self).__init__()

        self.layer1 = torch.nn.Linear(DIM_IN, HIDDEN_SIZE)
        self.relu = torch.nn.ReLU()
        self.layer2 = torch.nn.Linear(HIDDEN_SIZE, DIM_OUT)

    def forward(self, x):
        x = self.layer1(x)
        x = self.relu(x)
        x = self.layer2(x)
        return x

some_input = torch.randn(BATCH_SIZE, DIM_IN, requires_grad=False)
ideal_output = torch.randn(BATCH_SIZE, DIM_OUT, requires_grad=False)

model = TinyModel()

print(model.layer2.weight[0][0:10]) # just a small slice
print(model.layer2.weight.grad)

optimizer = torch.optim.SGD(model.parameters(), lr=0.001)

prediction = model(some_input)

loss = (ideal_output - prediction).pow(2).sum()
print(loss)

loss.backward()
print(model.layer2.weight[0][0:10])
print(model.layer2.weight.grad[0][0:10])

optimizer.step()
print(model.layer2.weight[0][0:10])
print(model.layer2.weight.grad[0][0:10])

print(model.layer2.weight.grad[0][0:10])

for i in range(0, 5):
    prediction = model(some_input)
    loss = (ideal_output - prediction).pow(2).sum()
    loss.backward()

print(model.layer2.weight.grad[0][0:10])

optimizer.zero_grad(set_to_none=False)

print(model.layer2.weight.grad[0][0:10])
"""

# "Learning PyTorch with Examples": PyTorch: nn (polynomial_nn.py).
POLYNOMIAL_NN = """\
import torch
import math

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)

loss_fn = torch.nn.MSELoss(reduction='sum')

learning_rate = 1e-6
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
"""

# "Learning PyTorch with Examples": PyTorch: optim (polynomial_optim.py).
POLYNOMIAL_OPTIM = """\
import torch
import math

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
loss_fn = torch.nn.MSELoss(reduction='sum')

learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
"""

# "Learning PyTorch with Examples": custom nn Modules (polynomial_module.py).
POLYNOMIAL_MODULE = """\
import torch
import math

class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = Polynomial3()

criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
for t in range(2000):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')
"""

# "Learning PyTorch with Examples": control flow and weight sharing (dynamic_net.py), with
# the random number of extra terms fixed (the `random` module is not the point).
DYNAMIC_NET = """\
import torch
import math

class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, 4 + EXTRA_TERMS[0] % 3):
            y = y + self.e * x ** exp
        EXTRA_TERMS.append(EXTRA_TERMS.pop(0))
        return y

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?'

EXTRA_TERMS = [0, 1, 2, 2, 1]
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = DynamicNet()

criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
for t in range(30000):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if t % 2000 == 1999:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')
"""

# "Automatic differentiation with torch.autograd" (basics/autogradqs_tutorial).
AUTOGRAD_BASICS = """\
import torch

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w)+b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)
"""

# The tests run each training loop for STEPS steps (the tutorials run 2000 or 30000), printing
# every PRINT_EVERY: long enough to see the loss fall, short enough for a test suite.
STEPS, PRINT_EVERY = 300, 50


def shortened(program):
    for steps in ("2000", "30000"):
        program = program.replace(f"range({steps})", f"range({STEPS})")
    for every in ("100", "2000"):
        program = program.replace(f"t % {every} == {int(every) - 1}",
                                  f"t % {PRINT_EVERY} == {PRINT_EVERY - 1}")
    return program


PROGRAMS = {"autograd_in_training": AUTOGRAD_IN_TRAINING, "polynomial_nn": POLYNOMIAL_NN,
            "polynomial_optim": POLYNOMIAL_OPTIM, "polynomial_module": POLYNOMIAL_MODULE,
            "dynamic_net": DYNAMIC_NET, "autograd_basics": AUTOGRAD_BASICS}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_what_torch_prints(name, monkeypatch):
    program = shortened(PROGRAMS[name])
    same_draws(monkeypatch, seed=1)
    torch_out, _ = run_program(program, "torch")
    same_draws(monkeypatch, seed=1)
    mini_out, _ = run_program(program, "mini")
    assert torch_out.count("\n") >= 3
    assert_same_output(mini_out, torch_out)


def test_training_program_ends_with_torch_weights(monkeypatch):
    same_draws(monkeypatch, seed=2)
    _, ref = run_program(AUTOGRAD_IN_TRAINING, "torch")
    same_draws(monkeypatch, seed=2)
    _, mini = run_program(AUTOGRAD_IN_TRAINING, "mini")
    for (name, p_mini), (name_ref, p_ref) in zip(mini["model"].named_parameters(),
                                                  ref["model"].named_parameters()):
        assert name == name_ref
        assert_close(p_mini, p_ref)
        assert_close(p_mini.grad, p_ref.grad)
    assert mini["loss"].grad_fn.name() == ref["loss"].grad_fn.name() == "SumBackward0"
    assert mini["prediction"].grad_fn.name() == ref["prediction"].grad_fn.name() == "AddmmBackward0"


def test_weights_copied_from_torch_with_load_state_dict():
    """Without patching anything: torch initialises, the mini model loads its weights."""
    source = shortened(POLYNOMIAL_OPTIM).replace("optimizer = torch.optim",
                                      "model.load_state_dict(START)\noptimizer = torch.optim")
    torch.manual_seed(0)
    start = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)).state_dict()
    outputs = []
    for engine in ("torch", "mini"):
        program = source.replace("import math\n", "import math\nSTART = __start__\n")
        text, _ = _run_with(program, engine, start)
        outputs.append(text)
    assert_same_output(outputs[1], outputs[0])


def _run_with(program, engine, start):
    import builtins
    builtins.__start__ = start
    try:
        return run_program(program, engine)
    finally:
        del builtins.__start__
