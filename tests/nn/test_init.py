"""nn.init against torch's: the gains, fans and bounds (exactly, by recording what each
initialiser asks `uniform_` / `normal_` for), the values drawn (statistically), the
constant fills, and the errors."""
import math
import warnings

import pytest

from _nn_twin import ENGINES, autograd_mini, np, torch

SHAPES = [(5, 3), (4, 3, 2, 2), (7, 1)]


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("leaky_relu", 3),
    ("selu", None)])
def test_calculate_gain(nonlinearity, param):
    assert autograd_mini.nn.init.calculate_gain(nonlinearity, param) == \
        torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("shape", SHAPES)
def test_fans(shape):
    assert autograd_mini.nn.init._calculate_fan_in_and_fan_out(autograd_mini.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def _recording(monkeypatch):
    """Make uniform_ / normal_ record their arguments (and fill with zeros)."""
    calls = {name: [] for name in ENGINES}
    for name, lib in ENGINES.items():
        for method in ("uniform_", "normal_"):
            def record(self, a=0.0, b=1.0, *, generator=None, _name=name, _method=method, _lib=lib):
                calls[_name].append((_method, a, b, _lib.is_grad_enabled()))
                return self
            monkeypatch.setattr(lib.Tensor, method, record)
    return calls


INITIALISERS = [
    ("uniform_", dict(a=-0.3, b=0.7)), ("normal_", dict(mean=0.5, std=2.0)),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", dict(a=math.sqrt(5))),
    ("kaiming_uniform_", dict(mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", {}), ("kaiming_normal_", dict(mode="FAN_OUT", nonlinearity="tanh")),
    ("xavier_uniform_", {}), ("xavier_uniform_", dict(gain=2.0)),
    ("xavier_normal_", {}), ("xavier_normal_", dict(gain=0.5)),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name, kwargs", INITIALISERS)
def test_bounds_are_torch_bounds(monkeypatch, shape, name, kwargs):
    calls = _recording(monkeypatch)
    for lib in ENGINES.values():
        w = lib.nn.Parameter(lib.zeros(*shape))
        assert getattr(lib.nn.init, name)(w, **kwargs) is w
    assert calls["mini"] == calls["torch"]
    assert len(calls["mini"]) == 1 and calls["mini"][0][3] is False  # drawn under no_grad


def test_linear_reset_parameters_asks_for_torch_bounds(monkeypatch):
    calls = _recording(monkeypatch)
    for lib in ENGINES.values():
        lib.nn.Linear(6, 4)
        lib.nn.Linear(3, 2, bias=False)
    assert calls["mini"] == calls["torch"] and len(calls["mini"]) == 3
    assert calls["mini"][0][2] == pytest.approx(1 / math.sqrt(6))


@pytest.mark.parametrize("name, low, high", [
    ("kaiming_uniform_", -math.sqrt(6 / 300), math.sqrt(6 / 300)),
    ("xavier_uniform_", -math.sqrt(6 / 500), math.sqrt(6 / 500)),
])
def test_uniform_values_fill_their_range(name, low, high):
    autograd_mini.manual_seed(0)
    w = getattr(autograd_mini.nn.init, name)(autograd_mini.empty(200, 300), **(
        {"nonlinearity": "relu"} if name.startswith("kaiming") else {}))
    values = w.numpy()
    assert low <= values.min() < low * 0.99 and high * 0.99 < values.max() <= high
    assert abs(values.mean()) < 0.01 * high
    assert values.std() == pytest.approx(high / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize("name, std", [
    ("kaiming_normal_", math.sqrt(2 / 300)), ("xavier_normal_", math.sqrt(2 / 500))])
def test_normal_values_have_the_std(name, std):
    kwargs = {"nonlinearity": "relu"} if name.startswith("kaiming") else {}
    values = getattr(autograd_mini.nn.init, name)(autograd_mini.empty(200, 300), **kwargs).numpy()
    assert values.std() == pytest.approx(std, rel=0.02)
    assert abs(values.mean()) < 0.02 * std
    assert values.dtype == np.float32


def test_constant_fills():
    for lib in ENGINES.values():
        w = lib.nn.Parameter(lib.empty(2, 3))
        assert lib.nn.init.constant_(w, 0.25).tolist() == [[0.25] * 3] * 2
        assert lib.nn.init.ones_(w).tolist() == [[1.0] * 3] * 2
        assert lib.nn.init.zeros_(w).tolist() == [[0.0] * 3] * 2
        assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_zero_element_tensor_warns():
    seen = []
    for lib in ENGINES.values():
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
        seen.append([str(r.message) for r in record])
    assert seen[0] == seen[1] == ["Initializing zero-element tensors is a no-op"]


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("misuse", [
    lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
    lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 2), mode="fan_avg"),
    lambda lib: lib.nn.init.calculate_gain("softplus"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", "x"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", True),
    lambda lib: lib.nn.Parameter(lib.empty(2)).uniform_(),
    lambda lib: lib.nn.Parameter(lib.empty(2)).normal_(),
], ids=["fan-of-1d", "mode", "gain", "slope", "bool-slope", "uniform-leaf", "normal-leaf"])
def test_errors_match_torch(misuse):
    results = [_error(lambda: misuse(lib)) for lib in ENGINES.values()]
    assert results[0] is not None and results[0] == results[1]
