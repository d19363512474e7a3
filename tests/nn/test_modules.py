"""Every module against torch's from the same weights and inputs: outputs, gradients,
the recorded graph (node names and next_functions), reprs, registration, state_dict,
modes, and the errors."""
import pytest

from _nn_twin import ENGINES, assert_close, autograd_mini, copy_weights, np, same_draws, structure, torch

_rng = np.random.default_rng(5)


def _inputs(*shape):
    data = _rng.standard_normal(shape).astype(np.float32)
    return {name: lib.tensor(data.copy(), requires_grad=True) for name, lib in ENGINES.items()}


def _compare_call(make_module, *shape, through=None):
    """Build the module on both engines (same weights), run it on the same input, compare
    output, graph, and the gradients of input and parameters."""
    torch.manual_seed(0)
    ref = make_module(torch)
    mini = make_module(autograd_mini)
    copy_weights(mini, ref)
    x = _inputs(*shape)
    out_ref, out_mini = ref(x["torch"]), mini(x["mini"])
    assert_close(out_mini, out_ref)
    assert structure(out_mini) == structure(out_ref)
    weights = _rng.standard_normal(tuple(out_ref.shape)).astype(np.float32)
    (out_ref * torch.tensor(weights)).sum().backward()
    (out_mini * autograd_mini.tensor(weights)).sum().backward()
    assert_close(x["mini"].grad, x["torch"].grad)
    for (name, p_mini), (name_ref, p_ref) in zip(mini.named_parameters(), ref.named_parameters()):
        assert name == name_ref
        assert_close(p_mini.grad, p_ref.grad)
    return out_mini, out_ref


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 4, 3), (2, 2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(shape, bias):
    out_mini, out_ref = _compare_call(lambda lib: lib.nn.Linear(3, 5, bias=bias), *shape)
    assert out_mini.grad_fn.name() == out_ref.grad_fn.name()


def test_linear_on_2d_input_records_addmm_with_torch_saved_values():
    torch.manual_seed(0)
    ref = torch.nn.Linear(3, 2)
    mini = autograd_mini.nn.Linear(3, 2)
    copy_weights(mini, ref)
    x = _inputs(4, 3)
    node_ref, node_mini = ref(x["torch"]).grad_fn, mini(x["mini"]).grad_fn
    assert node_mini.name() == node_ref.name() == "AddmmBackward0"
    assert node_mini._saved_alpha == node_ref._saved_alpha
    assert node_mini._saved_beta == node_ref._saved_beta
    assert_close(node_mini._saved_mat1, node_ref._saved_mat1)
    assert_close(node_mini._saved_mat2, node_ref._saved_mat2)


def test_linear_on_a_non_contiguous_input_is_matmul_plus_bias():
    torch.manual_seed(0)
    ref = torch.nn.Linear(2, 3)
    mini = autograd_mini.nn.Linear(2, 3)
    copy_weights(mini, ref)
    x = _inputs(2, 2, 3)
    out_ref, out_mini = ref(x["torch"].transpose(1, 2)), mini(x["mini"].transpose(1, 2))
    assert out_mini.grad_fn.name() == out_ref.grad_fn.name() == "AddBackward0"
    assert_close(out_mini, out_ref)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.ReLU(), lambda lib: lib.nn.Tanh(), lambda lib: lib.nn.Sigmoid(),
    lambda lib: lib.nn.Softmax(dim=1), lambda lib: lib.nn.LogSoftmax(dim=-1),
    lambda lib: lib.nn.Flatten(), lambda lib: lib.nn.Flatten(0, 1), lambda lib: lib.nn.Identity(),
    lambda lib: lib.nn.Dropout(0.3).eval(),
    lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 2)),
    lambda lib: lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(8, 3), lib.nn.ReLU(),
                                  lib.nn.Linear(3, 1), lib.nn.Flatten(0, 1)),
], ids=["relu", "tanh", "sigmoid", "softmax", "log_softmax", "flatten", "flatten01",
        "identity", "dropout-eval", "sequential", "sequential-flatten"])
def test_module(make):
    shape = (3, 2, 4)
    if "Linear" in repr(make(autograd_mini)) and "Flatten" not in repr(make(autograd_mini)):
        shape = (3, 4)
    _compare_call(make, *shape)


def test_second_order_gradients_through_a_model():
    torch.manual_seed(0)
    models = {"torch": torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                           torch.nn.Linear(4, 1))}
    models["mini"] = autograd_mini.nn.Sequential(autograd_mini.nn.Linear(3, 4),
                                                 autograd_mini.nn.Tanh(), autograd_mini.nn.Linear(4, 1))
    copy_weights(models["mini"], models["torch"])
    x = _inputs(5, 3)
    results = {}
    for name, lib in ENGINES.items():
        model = models[name]
        y = model(x[name]).sum()
        (gx,) = lib.autograd.grad(y, x[name], create_graph=True)
        (gx * gx).sum().backward()
        results[name] = (gx, x[name].grad, model[0].weight.grad)
    for mini, ref in zip(results["mini"], results["torch"]):
        assert_close(mini, ref)


def test_init_draws_through_uniform_so_both_engines_can_start_alike(monkeypatch):
    same_draws(monkeypatch, seed=4)
    ref = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.Linear(3, 2, bias=False))
    mini = autograd_mini.nn.Sequential(autograd_mini.nn.Linear(5, 3),
                                       autograd_mini.nn.Linear(3, 2, bias=False))
    for p_mini, p_ref in zip(mini.parameters(), ref.parameters()):
        assert p_mini.tolist() == p_ref.tolist()


def test_default_init_bounds():
    """Without patching: weight and bias uniform on +-1/sqrt(in_features), as in torch."""
    layer = autograd_mini.nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.98 * bound   # spread over the whole range
        assert abs(values.mean()) < 0.1 * bound
    assert abs(layer.weight.detach().numpy().std() - bound / np.sqrt(3)) < 0.01 * bound


def test_reprs():
    def build(lib):
        class TinyModel(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.layer1 = lib.nn.Linear(10, 5)
                self.relu = lib.nn.ReLU()
                self.seq = lib.nn.Sequential(lib.nn.Linear(5, 1, bias=False), lib.nn.Flatten(0, 1),
                                             lib.nn.Sequential(lib.nn.Dropout(0.2), lib.nn.Tanh()))
                self.losses = lib.nn.ModuleList([lib.nn.MSELoss(reduction="sum"), lib.nn.L1Loss(),
                                                 lib.nn.CrossEntropyLoss(), lib.nn.BCEWithLogitsLoss(),
                                                 lib.nn.NLLLoss()])
                self.soft = lib.nn.Softmax(dim=1)
                self.ident = lib.nn.Identity()
                self.inplace = lib.nn.ReLU(inplace=True)
        return TinyModel()
    assert repr(build(autograd_mini)) == repr(build(torch))
    assert repr(autograd_mini.nn.Module()) == repr(torch.nn.Module()) == "Module()"


def test_parameter():
    for requires_grad in (True, False):
        data = np.array([[1.5, -2.0], [0.25, 3.0]], dtype=np.float32)
        p_mini = autograd_mini.nn.Parameter(autograd_mini.tensor(data), requires_grad=requires_grad)
        p_ref = torch.nn.Parameter(torch.tensor(data), requires_grad=requires_grad)
        assert repr(p_mini) == repr(p_ref)
        assert p_mini.is_leaf and p_mini.requires_grad == requires_grad
        assert isinstance(p_mini, autograd_mini.Tensor)
    base = autograd_mini.ones(2, requires_grad=True)
    p = autograd_mini.nn.Parameter(base * 2)  # a new leaf over the non-leaf's values
    assert p.is_leaf and p.grad_fn is None and p.tolist() == [2.0, 2.0]
    assert repr(autograd_mini.nn.Parameter()) == repr(torch.nn.Parameter())
    assert type(p * 2) is autograd_mini.Tensor


def _tree(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = lib.nn.Parameter(lib.ones(()))
            self.body = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
            self.shared = self.body[0]  # the same layer twice: its weights are listed once
            self.off = None

        def forward(self, x):
            return self.body(x) * self.scale
    return Net()


def test_registration_and_walks():
    mini, ref = _tree(autograd_mini), _tree(torch)
    assert [n for n, _ in mini.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in mini.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in mini.named_children()] == [n for n, _ in ref.named_children()]
    assert [type(m).__name__ for m in mini.modules()] == [type(m).__name__ for m in ref.modules()]
    assert [type(m).__name__ for m in mini.children()] == [type(m).__name__ for m in ref.children()]
    assert len(list(mini.parameters())) == len(list(ref.parameters())) == 5
    assert [n for n, _ in mini.named_parameters(recurse=False)] == ["scale"]
    assert list(mini.state_dict()) == list(ref.state_dict())
    assert mini.off is None and mini.body[0] is mini.shared
    del mini.shared
    assert "shared" not in dict(mini.named_children())


def test_state_dict_round_trip_from_torch_tensors_and_numpy():
    ref = _tree(torch)
    mini = _tree(autograd_mini)
    assert repr(mini.load_state_dict(ref.state_dict())) == "<All keys matched successfully>"
    x = _inputs(4, 2)
    assert_close(mini(x["mini"]), ref(x["torch"]))
    arrays = {k: v.numpy() * 2 for k, v in ref.state_dict().items()}
    mini.load_state_dict(arrays)
    assert mini.body[2].bias.tolist() == (ref.body[2].bias * 2).tolist()
    assert mini.body[2].bias.is_leaf and mini.body[2].bias.requires_grad
    sd = mini.state_dict()
    assert sd["scale"].requires_grad is False and sd["scale"].grad_fn is None


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - type and message are what is compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("state", [
    lambda lib: {"weight": lib.zeros(2, 3), "bias": lib.zeros(5)},
    lambda lib: {"weight": lib.zeros(5, 3)},
    lambda lib: {"weight": lib.zeros(5, 3), "bias": lib.zeros(5), "extra": lib.zeros(1)},
    lambda lib: {"weight": lib.zeros(5, 4), "extra": lib.zeros(1)},
], ids=["size", "missing", "unexpected", "all-three"])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors(state, strict):
    results = [_error(lambda: lib.nn.Linear(3, 5).load_state_dict(state(lib), strict=strict))
               for lib in (autograd_mini, torch)]
    assert results[0] == results[1]
    if not strict and results[0] is None:
        outcome = [repr(lib.nn.Linear(3, 5).load_state_dict(state(lib), strict=False))
                   for lib in (autograd_mini, torch)]
        assert outcome[0] == outcome[1]


class _NoForward:
    pass


@pytest.mark.parametrize("misuse", [
    lambda lib: type("X", (lib.nn.Module,), {})()(lib.ones(1)),
    lambda lib: lib.nn.Linear(3, 5)(lib.ones(2, 4)),
    lambda lib: lib.nn.Linear(3, 5)(lib.ones(4)),
    lambda lib: lib.nn.Linear(3, 5)(lib.ones(2, 2, 4)),
    lambda lib: lib.nn.Linear(3, 5, bias=False)(lib.ones(2, 4)),
    lambda lib: lib.nn.Linear(3, 5)(lib.ones(2, 3, dtype=lib.float64)),
    lambda lib: setattr(lib.nn.Linear(3, 5), "weight", lib.ones(5, 3)),
    lambda lib: setattr(lib.nn.Linear(3, 5), "weight", lib.ones(5, 3, dtype=lib.float64)),
    lambda lib: setattr(lib.nn.Linear(3, 5), "weight", 3),
    lambda lib: setattr(lib.nn.Linear(3, 5), "weight", _non_leaf_parameter(lib)),
    lambda lib: lib.nn.Linear(3, 5).register_parameter("extra", _non_leaf_parameter(lib)),
    lambda lib: lib.nn.Linear(3, 5).register_parameter("extra", lib.ones(2)),
    lambda lib: lib.nn.Linear(3, 5).register_parameter("a.b", None),
    lambda lib: lib.nn.Linear(3, 5).add_module("a.b", lib.nn.ReLU()),
    lambda lib: lib.nn.Linear(3, 5).register_buffer("a.b", None),
    lambda lib: lib.nn.Linear(3, 5).register_parameter("", None),
    lambda lib: lib.nn.Linear(3, 5).register_parameter("in_features", None),
    lambda lib: setattr(lib.nn.Sequential(lib.nn.ReLU()), "0", lib.ones(1)),
    lambda lib: lib.nn.Linear(3, 5).nope,
    lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3],
    lambda lib: lib.nn.Sequential(lib.nn.ReLU())[-2],
    lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.nn.Dropout(1.5),
    lambda lib: lib.nn.ReLU().train("yes"),
], ids=["no-forward", "linear-shape-2d", "linear-shape-1d", "linear-shape-3d", "mm-shape",
        "dtype", "tensor-as-parameter", "double-as-parameter", "int-as-parameter",
        "non-leaf-parameter", "register-non-leaf", "register-tensor", "dotted-name",
        "dotted-module-name", "dotted-buffer-name", "empty-name",
        "existing-attribute", "tensor-as-module", "missing-attribute", "index", "negative-index",
        "int-parameter", "dropout-p", "train-mode"])
def test_errors_match_torch(misuse):
    results = [_error(lambda: misuse(lib)) for lib in (autograd_mini, torch)]
    assert results[0] is not None
    assert results[0] == results[1]


def _non_leaf_parameter(lib):
    """A Parameter that got history: changed in place by a tensor that requires grad."""
    p = lib.nn.Parameter(lib.zeros(5, 3), requires_grad=False)
    p.add_(lib.ones(5, 3, requires_grad=True))
    return p


def test_train_eval_and_dropout():
    for lib in (autograd_mini, torch):
        model = lib.nn.Sequential(lib.nn.Linear(4, 4), lib.nn.Dropout(0.5))
        assert model.training and model[1].training
        assert model.eval() is model and not model.training and not model[1].training
        x = lib.ones(200, 4, requires_grad=True)
        assert lib.nn.functional.dropout(x, 0.5, training=False) is x
        model.train()
        assert model[1].training
    x = autograd_mini.ones(1000, requires_grad=True)
    y = autograd_mini.nn.Dropout(0.25)(x)
    assert y.grad_fn.name() == "MulBackward0"
    assert [type(n).__name__ if n else None for n, _ in y.grad_fn.next_functions] == \
        ["AccumulateGrad", None]
    values = set(np.round(y.detach().numpy(), 6).tolist())
    assert values == {0.0, np.float32(1 / 0.75).round(6)}
    assert 0.15 < (y.detach().numpy() == 0).mean() < 0.35
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # mask / (1 - p) again
    assert autograd_mini.nn.functional.dropout(x, 1.0).tolist() == [0.0] * 1000
    assert autograd_mini.nn.functional.dropout(x, 0.0) is x


def test_requires_grad_and_zero_grad():
    for lib in (autograd_mini, torch):
        model = lib.nn.Linear(3, 2)
        model(lib.ones(1, 3)).sum().backward()
        model.zero_grad(set_to_none=False)
        assert model.weight.grad.tolist() == [[0.0] * 3] * 2
        model.zero_grad()
        assert model.weight.grad is None
        assert model.requires_grad_(False) is model
        assert not any(p.requires_grad for p in model.parameters())
        assert model(lib.ones(1, 3)).grad_fn is None


def test_sequential_indexing_and_slicing():
    for lib in (autograd_mini, torch):
        seq = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.ReLU(), lib.nn.Linear(2, 1))
        assert len(seq) == 3 and isinstance(seq[-1], lib.nn.Linear)
        assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
        part = seq[1:]
        assert type(part) is lib.nn.Sequential and [n for n, _ in part.named_children()] == ["1", "2"]
        seq.append(lib.nn.Tanh())
        assert len(seq) == 4
    mini = autograd_mini.nn.Sequential(autograd_mini.nn.Linear(3, 2), autograd_mini.nn.ReLU())
    ref = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    assert repr(mini[0:1]) == repr(ref[0:1])


def test_to_double():
    layer = autograd_mini.nn.Linear(2, 2).double()
    assert layer.weight.dtype == autograd_mini.float64 and layer.weight.requires_grad
    assert layer(autograd_mini.ones(1, 2, dtype=autograd_mini.float64)).dtype == autograd_mini.float64
    assert layer.to(autograd_mini.float32).bias.dtype == autograd_mini.float32
