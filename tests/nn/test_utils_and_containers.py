"""nn.utils (gradient clipping, parameters as one vector) and the containers
(ModuleList, ModuleDict, ParameterList, ParameterDict) against torch's: values,
gradients, registration, state_dict keys, reprs and errors."""
import warnings

import pytest

from _nn_twin import ENGINES, assert_close, autograd_mini, copy_weights, np, structure, torch

_rng = np.random.default_rng(11)


def _model_with_grads(scale=1.0):
    """The same two-layer model on both engines, with the same gradients."""
    torch.manual_seed(0)
    models = {"torch": torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                           torch.nn.Linear(4, 2))}
    models["mini"] = autograd_mini.nn.Sequential(autograd_mini.nn.Linear(3, 4),
                                                 autograd_mini.nn.Tanh(),
                                                 autograd_mini.nn.Linear(4, 2))
    copy_weights(models["mini"], models["torch"])
    x = _rng.standard_normal((5, 3)).astype(np.float32) * scale
    for name, lib in ENGINES.items():
        (models[name](lib.tensor(x)) ** 2).sum().backward()
    return models


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.05, 1e6])
def test_clip_grad_norm_returns_the_total_norm_and_scales_down_only(norm_type, max_norm):
    models = _model_with_grads(scale=3.0)
    totals = {name: lib.nn.utils.clip_grad_norm_(models[name].parameters(), max_norm, norm_type)
              for name, lib in ENGINES.items()}
    assert_close(totals["mini"], totals["torch"], rtol=1e-5)
    assert totals["mini"].requires_grad is totals["torch"].requires_grad is False
    assert totals["mini"].dtype == autograd_mini.float32
    for p_mini, p_ref in zip(models["mini"].parameters(), models["torch"].parameters()):
        assert_close(p_mini.grad, p_ref.grad, rtol=1e-5)


def test_clip_grad_norm_of_one_tensor_and_of_no_gradients():
    for lib in ENGINES.values():
        p = lib.tensor([3.0, 4.0], requires_grad=True)
        p.grad = lib.tensor([3.0, 4.0])
        total = lib.nn.utils.clip_grad_norm_(p, 1.0)
        assert abs(total.item() - 5.0) < 1e-6
        assert np.allclose(p.grad.tolist(), [3 / (5 + 1e-6), 4 / (5 + 1e-6)])
        q = lib.tensor([1.0], requires_grad=True)
        empty = lib.nn.utils.clip_grad_norm_([q], 1.0)
        assert empty.item() == 0.0 and tuple(empty.shape) == () and q.grad is None


def test_clip_grad_norm_of_an_empty_generator_warns_as_torch():
    messages = {}
    for name, lib in ENGINES.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        messages[name] = [str(w.message) for w in caught]
    assert messages["mini"] == messages["torch"] != []


def test_clip_grad_norm_nonfinite_error_matches_torch():
    errors = {}
    for name, lib in ENGINES.items():
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        p.grad = lib.tensor([float("inf"), 1.0])
        with pytest.raises(RuntimeError) as info:
            lib.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        errors[name] = str(info.value)
        assert lib.nn.utils.clip_grad_norm_([p], 1.0).item() == float("inf")
    assert errors["mini"] == errors["torch"]


def test_clip_grad_norm_deprecated_name_warns_as_torch():
    messages = {}
    for name, lib in ENGINES.items():
        p = lib.tensor([3.0, 4.0], requires_grad=True)
        p.grad = lib.tensor([3.0, 4.0])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.utils.clip_grad_norm([p], 1.0)
        messages[name] = [(w.category, str(w.message)) for w in caught]
    assert messages["mini"] == messages["torch"]


def test_clip_grad_value_clamps_each_gradient():
    models = _model_with_grads(scale=3.0)
    for name, lib in ENGINES.items():
        assert lib.nn.utils.clip_grad_value_(models[name].parameters(), 0.5) is None
    for p_mini, p_ref in zip(models["mini"].parameters(), models["torch"].parameters()):
        assert_close(p_mini.grad, p_ref.grad)
        assert max(abs(v) for v in np.ravel(p_mini.grad.tolist())) <= 0.5


def test_parameters_to_vector_records_cat_of_views_and_back():
    models = _model_with_grads()
    vecs = {name: lib.nn.utils.parameters_to_vector(models[name].parameters())
            for name, lib in ENGINES.items()}
    assert_close(vecs["mini"], vecs["torch"])
    assert structure(vecs["mini"]) == structure(vecs["torch"])
    for name, lib in ENGINES.items():
        new = lib.arange(vecs[name].numel(), dtype=lib.float32)
        lib.nn.utils.vector_to_parameters(new, models[name].parameters())
    for (k, p_mini), (k_ref, p_ref) in zip(models["mini"].named_parameters(),
                                           models["torch"].named_parameters()):
        assert k == k_ref and type(p_mini).__name__ == type(p_ref).__name__ == "Parameter"
        assert_close(p_mini.detach(), p_ref.detach())


def test_vector_to_parameters_rejects_a_non_tensor_as_torch():
    errors = {}
    for name, lib in ENGINES.items():
        with pytest.raises(TypeError) as info:
            lib.nn.utils.vector_to_parameters([1.0, 2.0], [lib.nn.Parameter(lib.zeros(2))])
        errors[name] = str(info.value)
    assert errors["mini"] == errors["torch"]


def _both(program):
    """Run program(lib) on each engine; return {name: result}."""
    return {name: program(lib) for name, lib in ENGINES.items()}


def _error(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return type(e).__name__, str(e)
    return None


def test_module_list_registers_indexes_and_prints_as_torch():
    def program(lib):
        nn = lib.nn
        layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        layers.append(nn.ReLU())
        layers.insert(1, nn.Tanh())
        layers.extend([nn.Linear(2, 1)])
        layers += [nn.Sigmoid()]
        model = nn.Module()
        model.layers = layers
        return (repr(model), repr(layers[1:3]), repr(layers[-1]), len(layers),
                [type(m).__name__ for m in layers], [k for k, _ in model.named_parameters()],
                list(model.state_dict()), repr(nn.ModuleList()), repr(layers + [nn.ReLU()]),
                _error(lambda: layers[9]), _error(lambda: layers.extend(3)))
    got = _both(program)
    assert got["mini"] == got["torch"]


def test_module_list_del_and_pop_renumber_as_torch():
    def program(lib):
        nn = lib.nn
        layers = nn.ModuleList([nn.Linear(1, 1), nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()])
        popped = layers.pop(1)
        del layers[0]
        del layers[1:]
        return repr(layers), type(popped).__name__, list(layers._modules)
    got = _both(program)
    assert got["mini"] == got["torch"]


def test_module_list_forward_runs_each_layer_with_torch_gradients():
    got = {}
    torch.manual_seed(0)
    ref = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(2)])
    mini = autograd_mini.nn.ModuleList([autograd_mini.nn.Linear(3, 3) for _ in range(2)])
    copy_weights(mini, ref)
    x = _rng.standard_normal((4, 3)).astype(np.float32)
    for name, (lib, model) in {"torch": (torch, ref), "mini": (autograd_mini, mini)}.items():
        h = lib.tensor(x)
        for layer in model:
            h = layer(h).tanh()
        h.sum().backward()
        got[name] = h, [p.grad for p in model.parameters()]
    assert_close(got["mini"][0], got["torch"][0])
    assert structure(got["mini"][0]) == structure(got["torch"][0])
    for g_mini, g_ref in zip(got["mini"][1], got["torch"][1]):
        assert_close(g_mini, g_ref)


def test_module_dict_as_torch():
    def program(lib):
        nn = lib.nn
        d = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.ReLU()})
        d.update([("c", nn.Tanh())])
        d["e"] = nn.Sigmoid()
        popped = d.pop("a")
        return (repr(d), list(d), list(d.keys()), [type(m).__name__ for m in d.values()],
                [k for k, _ in d.items()], "b" in d, len(d), type(popped).__name__,
                list(d.state_dict()), [k for k, _ in d.named_parameters()],
                _error(lambda: d["zz"]), _error(lambda: d.update(3)),
                _error(lambda: d.update([3])), _error(lambda: d.update([("x",)])))
    got = _both(program)
    assert got["mini"] == got["torch"]


def test_parameter_list_as_torch():
    def program(lib):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.zeros(2, 3)), lib.zeros(2, dtype=lib.float64), 3])
        pl.append(lib.ones(1))
        pl.extend([nn.Parameter(lib.ones(4))])
        model = nn.Module()
        model.pl = pl
        return (repr(model), repr(pl[1:3]), len(pl), [type(p).__name__ for p in pl], pl[2],
                [k for k, _ in model.named_parameters()], list(model.state_dict()),
                [p.requires_grad for p in model.parameters()], repr(nn.ParameterList()),
                _error(lambda: pl[9]), _error(lambda: pl.extend(lib.zeros(2))), _error(pl))
    got = _both(program)
    assert got["mini"] == got["torch"]


def test_parameter_dict_as_torch():
    def program(lib):
        nn = lib.nn
        pd = nn.ParameterDict({"w": nn.Parameter(lib.zeros(2)), "b": lib.zeros(1, dtype=lib.float64)})
        pd.update([("z", lib.ones(3)), ("y", "text")])
        pd["a"] = nn.Parameter(lib.ones(2, 2))
        popped = pd.pop("z")
        return (repr(pd), list(pd), list(pd.keys()), [k for k, _ in pd.items()], "w" in pd,
                len(pd), type(popped).__name__, pd.get("nope", 5), list(pd.state_dict()),
                [k for k, _ in pd.named_parameters()], repr(pd.copy()), pd.popitem()[0],
                _error(lambda: pd["zz"]), _error(lambda: pd.update(3)),
                _error(lambda: pd.update([("x",)])), _error(lambda: pd(1)))
    got = _both(program)
    assert got["mini"] == got["torch"]


def test_parameter_containers_train_with_an_optimizer():
    got = {}
    for name, lib in ENGINES.items():
        weights = lib.nn.ParameterList([lib.tensor([1.0, -2.0]), lib.tensor([0.5])])
        scales = lib.nn.ParameterDict({"s": lib.tensor([2.0])})
        opt = lib.optim.SGD([*weights.parameters(), *scales.parameters()], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = (weights[0] * scales["s"]).pow(2).sum() + weights[1].sum()
            loss.backward()
            opt.step()
        got[name] = [p.detach() for p in (*weights, scales["s"])]
    for p_mini, p_ref in zip(got["mini"], got["torch"]):
        assert_close(p_mini, p_ref)
