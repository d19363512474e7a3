"""Convolution and pooling against torch: values, gradients of input / weight / bias,
the recorded graph, module reprs and seeded initial weights, torch's errors, and the
blitz "Neural Networks" program and the "What is torch.nn really?" CNN run whole."""
import numpy as np
import pytest

from _nn_twin import ENGINES, assert_same_output, run_program, structure, torch, autograd_mini

CONV = [  # (function, input shape, weight shape, bias?, keyword arguments)
    ("conv2d", (1, 1, 32, 32), (6, 1, 5, 5), True, {}),
    ("conv2d", (2, 4, 9, 8), (6, 2, 3, 2), True,
     dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2)),
    ("conv2d", (2, 3, 7, 7), (4, 3, 3, 3), False, dict(padding="same", dilation=2)),
    ("conv2d", (2, 3, 7, 7), (4, 3, 4, 4), True, dict(padding="same")),  # a ConstantPadNd first
    ("conv2d", (2, 3, 7, 7), (4, 3, 3, 3), True, dict(padding="valid", stride=2)),
    ("conv2d", (3, 7, 6), (4, 3, 3, 3), True, dict(padding=(2, 0))),  # unbatched: a squeeze after
    ("conv1d", (3, 4, 10), (6, 2, 3), True, dict(groups=2, stride=2, padding=2)),
    ("conv1d", (4, 10), (6, 4, 3), False, dict(dilation=3)),
]


def _run(lib, fn, arrays, kwargs, grad_seed=1):
    tensors = [None if a is None else lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib)(*tensors, **kwargs)
    out = out[0] if isinstance(out, tuple) else out
    g = np.random.default_rng(grad_seed).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
    out.backward(lib.tensor(g))
    return out, [None if t is None else t.grad.numpy() for t in tensors]


def _compare(fn, arrays, kwargs, tol):
    results = {name: _run(lib, fn, arrays, kwargs) for name, lib in ENGINES.items()}
    (mini, mini_grads), (ref, ref_grads) = results["mini"], results["torch"]
    assert tuple(mini.shape) == tuple(ref.shape)
    np.testing.assert_allclose(mini.detach().numpy(), ref.detach().numpy(), **tol)
    for m, r in zip(mini_grads, ref_grads):
        if r is None:
            assert m is None
        else:
            np.testing.assert_allclose(m, r, **tol)
    assert structure(mini) == structure(ref)  # node names and every edge


TOLERANCE = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CONV, ids=lambda c: f"{c[0]}-{c[1]}-{c[4]}")
def test_convolution_matches_torch(case, dtype):
    name, x_shape, w_shape, bias, kwargs = case
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in (x_shape, w_shape, w_shape[:1])]
    if not bias:
        arrays[2] = None

    def fn(lib):
        conv = getattr(lib.nn.functional, name)
        return lambda x, w, b, **kw: conv(x, w, b, **kw)
    _compare(fn, arrays, kwargs, TOLERANCE[dtype])


def test_convolution_node_saves_torchs_arguments():
    seen = {}
    for name, lib in ENGINES.items():
        x, w = lib.ones(1, 2, 5, 5), lib.ones(3, 2, 3, 3, requires_grad=True)
        node = lib.conv2d(x, w, stride=2, padding=1).grad_fn
        seen[name] = (node.name(), [n is None for n, _ in node.next_functions],
                      node._saved_stride, node._saved_padding, node._saved_dilation,
                      node._saved_groups, node._saved_transposed, node._saved_output_padding,
                      node._saved_bias_sym_sizes_opt, tuple(node._saved_weight.shape))
    assert seen["mini"] == seen["torch"]


POOL = [  # (function, input shape, positional arguments, keyword arguments)
    ("max_pool2d", (1, 6, 28, 28), ((2, 2),), {}),
    ("max_pool2d", (2, 3, 9, 8), ((3, 2),), dict(stride=(2, 1), padding=1, dilation=(1, 2),
                                                 ceil_mode=True)),
    ("max_pool2d", (3, 7, 7), (3,), dict(stride=2, ceil_mode=True)),
    ("max_pool2d", (2, 3, 8, 8), (3,), dict(stride=1, padding=1, return_indices=True)),
    ("avg_pool2d", (2, 10, 4, 4), (4,), {}),
    ("avg_pool2d", (2, 3, 9, 8), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ("avg_pool2d", (2, 3, 9, 8), (3,), dict(stride=2, padding=1, ceil_mode=True,
                                            count_include_pad=False)),
    ("avg_pool2d", (2, 3, 9, 8), ((3, 2),), dict(stride=1, padding=1, divisor_override=2)),
    ("adaptive_avg_pool2d", (2, 3, 9, 8), ((4, 3),), {}),
    ("adaptive_avg_pool2d", (2, 10, 2, 2), (1,), {}),  # torch takes a mean: MeanBackward1
    ("adaptive_avg_pool2d", (3, 9, 8), ((None, 5),), {}),
    ("max_pool1d", (2, 3, 9), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ("avg_pool1d", (2, 3, 9), (3,), dict(stride=2, padding=1, count_include_pad=False)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", POOL, ids=lambda c: f"{c[0]}-{c[1]}-{c[3]}")
def test_pooling_matches_torch(case, dtype):
    name, shape, args, kwargs = case
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)

    def fn(lib):
        pool = getattr(lib.nn.functional, name)
        return lambda x, **kw: pool(x, *args, **kw)
    _compare(fn, [x], kwargs, TOLERANCE[dtype])


def test_max_pool_indices_are_torchs():
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    x[0, 0, :2, :2] = 1.0  # a tie: the first maximum wins
    out = {name: lib.nn.functional.max_pool2d(lib.tensor(x), 3, 2, 1, return_indices=True)
           for name, lib in ENGINES.items()}
    assert out["mini"][1].dtype == autograd_mini.int64
    np.testing.assert_array_equal(out["mini"][1].numpy(), out["torch"][1].numpy())
    np.testing.assert_array_equal(out["mini"][0].numpy(), out["torch"][0].numpy())


MODULES = [
    "nn.Conv2d(1, 6, 5)", "nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)",
    "nn.Conv2d(2, 4, 3, padding='same', dilation=2, groups=2, bias=False)",
    "nn.Conv2d(2, 4, (3, 1), padding='valid')", "nn.Conv1d(2, 4, 3)", "nn.MaxPool2d(2)",
    "nn.MaxPool2d((2, 3), stride=1, return_indices=True)", "nn.AvgPool2d(2)",
    "nn.AvgPool2d(3, 1, 1, count_include_pad=False)", "nn.AvgPool2d((2, 3), ceil_mode=True)",
    "nn.AdaptiveAvgPool2d(1)", "nn.AdaptiveAvgPool2d((None, 3))", "nn.MaxPool1d(2)",
    "nn.AvgPool1d(2)",
]


@pytest.mark.parametrize("expression", MODULES)
def test_module_repr_and_seeded_parameters(expression):
    made = {}
    for name, lib in ENGINES.items():
        lib.manual_seed(0)
        made[name] = eval(expression, {"nn": lib.nn})
    assert repr(made["mini"]) == repr(made["torch"])
    mini_state, torch_state = made["mini"].state_dict(), made["torch"].state_dict()
    assert list(mini_state) == list(torch_state)
    for key in torch_state:  # kaiming_uniform_ then uniform_: torch's draws
        np.testing.assert_array_equal(mini_state[key].numpy(), torch_state[key].numpy())


MODULE_INPUTS = {"nn.Conv1d(2, 4, 3)": (2, 2, 9), "nn.MaxPool1d(2)": (2, 2, 9),
                 "nn.AvgPool1d(2)": (2, 2, 9)}


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("expression", MODULES)
def test_module_forward_and_backward_match_torch(expression):
    shape = MODULE_INPUTS.get(expression, (2, 1 if "(1," in expression else 2, 9, 8))
    results = {}
    for name, lib in ENGINES.items():
        lib.manual_seed(0)
        module = eval(expression, {"nn": lib.nn})
        x = lib.randn(*shape, requires_grad=True)
        out = module(x)
        out = out[0] if isinstance(out, tuple) else out
        (out * out).sum().backward()
        results[name] = [out.detach().numpy(), x.grad.numpy()] + [
            p.grad.numpy() for p in module.parameters()]
    for mini, ref in zip(results["mini"], results["torch"], strict=True):
        np.testing.assert_allclose(mini, ref, rtol=1e-4, atol=1e-5)


ERRORS = [  # (expression, names: F, x4 = a (1, 2, 8, 8) input, w = a (4, 2, 3, 3) weight)
    "F.conv2d(torch.randn(1, 3, 8, 8), w)",
    "F.conv2d(x4, w, groups=3)",
    "F.conv2d(torch.randn(8, 8), w)",
    "F.conv2d(torch.randn(1, 2, 2, 2), w)",
    "F.conv2d(x4, w, stride=2, padding='same')",
    "F.conv2d(x4, w, padding='foo')",
    "F.conv2d(x4, w, torch.randn(3))",
    "F.conv1d(torch.randn(2, 8, 8), w[:, :, 0])",
    "F.conv2d(x4.double(), w)", "F.conv2d(x4, w, torch.randn(4).double())",
    "nn.Conv2d(2, 4, 3)(x4.double())", "F.conv2d(x4, w[:, :, 0])",
    "F.conv2d(x4, w[:, :, 0], torch.randn(4).double())",
    "F.conv2d(torch.randn(1, 3, 8, 8).double(), w)", "F.conv2d(x4, w.double(), w[:, 0, 0, 0])",
    "F.conv2d(x4, w, torch.randn(4).half())", "F.conv2d(x4, w.half())",
    "F.max_pool2d(x4, 2, padding=2)",
    "F.max_pool2d(torch.randn(8, 8), 2)",
    "F.max_pool2d(x4, 9)",
    "F.avg_pool2d(x4, 9)",
    "F.adaptive_avg_pool2d(torch.randn(8), 2)",
    "nn.Conv2d(3, 4, 3, groups=2)", "nn.Conv2d(2, 3, 3, groups=2)",
    "nn.Conv2d(2, 4, 3, groups=0)", "nn.Conv2d(2, 4, 3, padding='same', stride=2)",
    "nn.Conv2d(2, 4, 3, padding='foo')",
]


@pytest.mark.parametrize("expression", ERRORS)
def test_errors_are_torchs(expression):
    raised = {}
    for name, lib in ENGINES.items():
        scope = {"torch": lib, "F": lib.nn.functional, "nn": lib.nn,
                 "x4": lib.randn(1, 2, 8, 8), "w": lib.randn(4, 2, 3, 3)}
        with pytest.raises(Exception) as info:
            eval(expression, scope)
        raised[name] = (type(info.value), str(info.value))
    assert raised["mini"] == raised["torch"]


def test_double_backward_through_conv_is_refused():
    # torch differentiates a convolution's backward again; autograd_mini does not (its
    # docstring says so) and says so rather than return a wrong second derivative.
    x = autograd_mini.randn(1, 1, 6, 6, requires_grad=True)
    w = autograd_mini.randn(2, 1, 3, 3, requires_grad=True)
    loss = autograd_mini.conv2d(x, w).pow(2).sum()
    with pytest.raises(NotImplementedError, match="double backward"):
        autograd_mini.autograd.grad(loss, w, create_graph=True)


# PyTorch's 60-minute blitz, "Neural Networks" (beginner/blitz/neural_networks_tutorial.py),
# every statement, printing as it does (plus the loss after the optimizer's step).
BLITZ_NEURAL_NETWORKS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output


net = Net()
print(net)
params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight
input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)
net.zero_grad()
out.backward(torch.randn(1, 10))
output = net(input)
target = torch.randn(10)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)
print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU
net.zero_grad()     # zeroes the gradient buffers of all parameters

print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)

loss.backward()

print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)
learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)
import torch.optim as optim

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
print(criterion(net(input), target))
"""

# "What is torch.nn really?", sections "Switch to CNN" and "nn.Sequential", on random
# stand-ins for MNIST batches (the tutorial downloads the data set).
NN_REALLY_CNN = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

x_train = torch.rand(128, 784)
y_train = torch.randint(0, 10, (128,))
bs, lr, epochs = 32, 0.1, 2
loss_func = F.cross_entropy


class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x):
    return x.view(-1, 1, 28, 28)


def fit(model, opt):
    for epoch in range(epochs):
        for i in range(len(x_train) // bs):
            xb, yb = x_train[i * bs:(i + 1) * bs], y_train[i * bs:(i + 1) * bs]
            loss = loss_func(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        print(epoch, loss_func(model(x_train), y_train))


model = Mnist_CNN()
fit(model, optim.SGD(model.parameters(), lr=lr, momentum=0.9))

model = nn.Sequential(
    Lambda(preprocess),
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
print(model)
fit(model, optim.SGD(model.parameters(), lr=lr, momentum=0.9))
"""


@pytest.mark.parametrize("program", [BLITZ_NEURAL_NETWORKS, NN_REALLY_CNN],
                         ids=["blitz_neural_networks", "nn_really_cnn"])
def test_cnn_program_prints_what_torch_prints(program):
    program = program.replace("import torch\n", "import torch\ntorch.manual_seed(0)\n", 1)
    outputs = {}
    for engine in ("torch", "mini"):
        # `import torch.nn as nn` would find torch's own nn: point the submodules at mini's
        source = program if engine == "torch" else (
            program.replace("import torch.", "import autograd_mini.")
                   .replace("from torch import", "from autograd_mini import"))
        outputs[engine], _ = run_program(source, engine)
    assert outputs["torch"].count("\n") >= 8
    # the one difference on purpose: the engine's Size prints as autograd_mini.Size (tensor.py)
    assert_same_output(outputs["mini"].replace("autograd_mini.Size", "torch.Size"),
                       outputs["torch"])
