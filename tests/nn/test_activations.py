"""nn.functional's activations, pad, normalize, cosine_similarity and one_hot, and the
activation modules, against torch: values, dtypes, grad_fn names and graphs, gradients
and second derivatives, at the kinks and bounds too (0, the thresholds, the clamps)."""
import pytest

from _nn_twin import autograd_mini, np, torch  # noqa: F401  (puts tests/engine on the path)
from _twin_grads import compare

X = [-25.0, -3.5, -3.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0, 6.0, 7.5, 25.0]


def F(lib):
    return lib.nn.functional


# name -> (program, smooth: also compare the second derivative)
FUNCTIONAL = {
    "gelu": (lambda m, x: F(m).gelu(x), True),
    "gelu tanh": (lambda m, x: F(m).gelu(x, approximate="tanh"), True),
    "silu": (lambda m, x: F(m).silu(x), True),
    "mish": (lambda m, x: F(m).mish(x), True),
    "leaky_relu": (lambda m, x: F(m).leaky_relu(x), True),
    "leaky_relu 0.2": (lambda m, x: F(m).leaky_relu(x, negative_slope=0.2), True),
    "elu": (lambda m, x: F(m).elu(x), True),
    "elu 0.5": (lambda m, x: F(m).elu(x, alpha=0.5), True),
    "selu": (lambda m, x: F(m).selu(x), True),
    "celu": (lambda m, x: F(m).celu(x, alpha=2.0), True),
    "softplus": (lambda m, x: F(m).softplus(x), True),
    "softplus beta": (lambda m, x: F(m).softplus(x, beta=2, threshold=5), True),
    "hardtanh": (lambda m, x: F(m).hardtanh(x), True),
    "hardtanh bounds": (lambda m, x: F(m).hardtanh(x, -3.0, 1.5), True),
    "relu6": (lambda m, x: F(m).relu6(x), True),
    "hardsigmoid": (lambda m, x: F(m).hardsigmoid(x), True),
    "hardswish": (lambda m, x: F(m).hardswish(x), True),
    "logsigmoid": (lambda m, x: F(m).logsigmoid(x), True),
    "softsign": (lambda m, x: F(m).softsign(x), True),
    "tanhshrink": (lambda m, x: F(m).tanhshrink(x), True),
    "softmin": (lambda m, x: F(m).softmin(x, dim=0), True),
    "pad": (lambda m, x: F(m).pad(x, (2, 1)), True),
    "pad value": (lambda m, x: F(m).pad(x.reshape(2, 7), (1, 0, 0, 2), value=-1.5), True),
    "pad crops": (lambda m, x: F(m).pad(x.reshape(2, 7), (-2, 1, 1, -1)), True),
    "pad 3 dims": (lambda m, x: F(m).pad(x.reshape(1, 2, 7), (1, 1, 1, 1, 1, 1)), True),
    "normalize": (lambda m, x: F(m).normalize(x.reshape(2, 7)), True),
    "normalize p=1 dim=0": (lambda m, x: F(m).normalize(x.reshape(2, 7), p=1.0, dim=0), True),
    "normalize a zero row": (lambda m, x: F(m).normalize(x.reshape(7, 2) * (x.reshape(7, 2) > 5)),
                             False),
}
INPLACE = {
    "leaky_relu_": lambda m, x: F(m).leaky_relu(x * 1, 0.1, inplace=True),
    "elu_": lambda m, x: F(m).elu(x * 1, inplace=True),
    "selu_": lambda m, x: F(m).selu(x * 1, inplace=True),
    "celu_": lambda m, x: F(m).celu(x * 1, alpha=0.5, inplace=True),
    "hardtanh_": lambda m, x: F(m).hardtanh(x * 1, inplace=True),
    "relu6_": lambda m, x: F(m).relu6(x * 1, inplace=True),
    "silu_": lambda m, x: F(m).silu(x * 1, inplace=True),
    "hardswish_": lambda m, x: F(m).hardswish(x * 1, inplace=True),
}
PAIRS = {
    "cosine_similarity": lambda m, a, b: F(m).cosine_similarity(a, b),
    "cosine_similarity dim=0": lambda m, a, b: F(m).cosine_similarity(a, b, dim=0),
    "cosine_similarity broadcast": lambda m, a, b: F(m).cosine_similarity(a, b[:1]),
}
A = [[1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [3.0, 1.0, -1.0]]
B = [[2.0, 1.0, -0.5], [1.0, 2.0, 3.0], [-3.0, -1.0, 1.0]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_against_torch(name, dtype):
    program, smooth = FUNCTIONAL[name]
    compare(program, [X], smooth, False, dtype)


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_functional_against_torch(name):
    compare(INPLACE[name], [X], True, False, np.float32)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_cosine_similarity_against_torch(name):
    compare(PAIRS[name], [A, B], True, False, np.float32)


def test_integer_inputs_where_torch_takes_them():
    for f in ("hardtanh", "relu6", "softsign", "tanhshrink"):
        mine = getattr(F(autograd_mini), f)(autograd_mini.tensor([3, -2, 0]))
        ref = getattr(F(torch), f)(torch.tensor([3, -2, 0]))
        assert str(mine.dtype) == str(ref.dtype).replace("torch.", "autograd_mini.")
        np.testing.assert_allclose(mine.tolist(), ref.tolist(), rtol=1e-6)


def test_one_hot():
    for lib in (autograd_mini, torch):
        labels = lib.tensor([[0, 2], [1, 1]])
        assert F(lib).one_hot(labels).tolist() == [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 1, 0]]]
        assert F(lib).one_hot(labels, 4).shape == (2, 2, 4)
        assert F(lib).one_hot(labels).dtype == lib.int64


INTEGER_REFUSED = ["gelu", "silu", "mish", "leaky_relu", "elu", "selu", "celu", "softplus",
                   "logsigmoid", "hardsigmoid", "hardswish"]


@pytest.mark.parametrize("program", [
    lambda m: F(m).one_hot(m.tensor([1.0, 2.0])),
    lambda m: F(m).one_hot(m.tensor([1, 5]), 3),
    lambda m: F(m).one_hot(m.tensor([1, -1])),
    lambda m: F(m).one_hot(m.tensor([1, 2]).to(m.int32)),
    lambda m: F(m).one_hot(m.tensor([], dtype=m.int64)),
    lambda m: F(m).pad(m.ones(2), (1,)),
    lambda m: F(m).pad(m.ones(2), (1, 1, 1, 1)),
    lambda m: F(m).pad(m.ones(2), (-2, -1)),
    lambda m: F(m).pad(m.ones(2), (1, 1), mode="nonsense"),
    lambda m: F(m).gelu(m.ones(2), approximate="exact"),
    lambda m: F(m).hardtanh(m.ones(2), 2.0, 1.0),
    *[lambda m, f=f: getattr(F(m), f)(m.tensor([1, -2])) for f in INTEGER_REFUSED],
], ids=["one_hot float", "one_hot too large", "one_hot negative", "one_hot int32", "one_hot empty",
        "pad odd", "pad too long", "pad crops too much", "pad mode", "gelu approximate",
        "hardtanh bounds", *INTEGER_REFUSED])
def test_errors_match_torch(program):
    with pytest.raises(Exception) as ref:
        program(torch)
    with pytest.raises(type(ref.value)) as mine:
        program(autograd_mini)
    assert str(mine.value) == str(ref.value)


def _modules(nn):
    return [nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.Mish(), nn.LeakyReLU(), nn.LeakyReLU(0.2),
            nn.ELU(), nn.ELU(alpha=0.5), nn.CELU(1.5), nn.SELU(), nn.Softplus(),
            nn.Softplus(beta=2, threshold=10), nn.Hardtanh(), nn.Hardtanh(-2, 2), nn.ReLU6(),
            nn.LogSigmoid(), nn.Softsign(), nn.Tanhshrink(), nn.Hardswish(), nn.Hardsigmoid(),
            nn.Softmin(dim=0), nn.SiLU(inplace=True), nn.LeakyReLU(0.1, inplace=True),
            nn.ELU(inplace=True), nn.SELU(True), nn.ReLU6(inplace=True),
            nn.Hardtanh(-1.0, 1.0, True)]


@pytest.mark.parametrize("index", range(len(_modules(torch.nn))))
def test_modules_against_torch(index):
    assert repr(_modules(autograd_mini.nn)[index]) == repr(_modules(torch.nn)[index])

    def program(m, x):
        module = _modules(m.nn)[index]
        return module(x * 1) if getattr(module, "inplace", False) else module(x)
    compare(program, [X], True, False, np.float32)


def test_modules_in_a_model():
    """A small MLP with the new activations trains alike on both engines."""
    outs = []
    for lib in (autograd_mini, torch):
        nn = lib.nn
        model = nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 4), nn.LeakyReLU(0.1),
                              nn.Linear(4, 2), nn.Softplus())
        rng = np.random.default_rng(0)
        with lib.no_grad():
            for p in model.parameters():
                p.copy_(lib.tensor(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32)))
        x = lib.tensor(rng.uniform(-2, 2, (5, 3)).astype(np.float32))
        loss = model(F(lib).pad(x, (0, 0))).sum()
        loss.backward()
        outs.append([loss.item()] + [p.grad.tolist() for p in model.parameters()])
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-5)
    for g_mini, g_ref in zip(outs[0][1:], outs[1][1:]):
        np.testing.assert_allclose(g_mini, g_ref, rtol=1e-4, atol=1e-6)


SAVED = {
    "tan": lambda L, x, y: x.tan(), "asin": lambda L, x, y: (x * 0.1).asin(),
    "expm1": lambda L, x, y: x.expm1(), "rsqrt": lambda L, x, y: x.rsqrt(),
    "round decimals": lambda L, x, y: x.round(decimals=1), "x % 2": lambda L, x, y: x % 2,
    "atan2": lambda L, x, y: x.atan2(y), "hypot": lambda L, x, y: x.hypot(y),
    "xlogy": lambda L, x, y: L.xlogy(2.0, y), "x % y": lambda L, x, y: x % y,
    "clamp_min": lambda L, x, y: x.clamp_min(0.0), "clamp_max": lambda L, x, y: x.clamp_max(y),
    "gelu": lambda L, x, y: F(L).gelu(x, approximate="tanh"),
    "leaky_relu": lambda L, x, y: F(L).leaky_relu(x, 0.2),
    "selu": lambda L, x, y: F(L).selu(x), "celu": lambda L, x, y: F(L).celu(x, 0.5),
    "softplus": lambda L, x, y: F(L).softplus(x, 2), "hardtanh": lambda L, x, y: F(L).relu6(x),
    "logsigmoid": lambda L, x, y: F(L).logsigmoid(x), "pad": lambda L, x, y: F(L).pad(x, (1, 2)),
    "elu_": lambda L, x, y: F(L).elu(x * 1, inplace=True),
}


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_attributes_as_torch_names_them(name):
    """What a graph drawer reads off a node: `_saved_self`, `_saved_alpha`, ..."""
    found = []
    for lib in (autograd_mini, torch):
        x = lib.tensor([0.5, -1.5], requires_grad=True)
        y = lib.tensor([1.0, -2.0], requires_grad=True)
        node = SAVED[name](lib, x, y).grad_fn
        saved = {}
        for attr in sorted(a for a in dir(node) if a.startswith("_saved_") and not a.endswith("_raw")):
            value = getattr(node, attr)
            saved[attr] = value.tolist() if hasattr(value, "tolist") else value
        found.append(saved)
    mine, ref = found
    assert mine.keys() == ref.keys()
    for key in ref:
        if isinstance(ref[key], str):
            assert mine[key] == ref[key]
        else:
            np.testing.assert_allclose(mine[key], ref[key], rtol=1e-6)
