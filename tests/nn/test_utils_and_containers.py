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
