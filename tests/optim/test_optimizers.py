"""SGD, Adam, AdamW and RMSprop against torch's (single-tensor, for-loop) implementations: the same
model from the same weights, 50 steps on the same data, parameters equal to float32
tolerance; plus param_groups, state, zero_grad, closures and the errors."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nn"))
from _nn_twin import assert_close, autograd_mini, torch  # noqa: E402

STEPS = 50
_rng = np.random.default_rng(7)
X = _rng.standard_normal((8, 4)).astype(np.float32)
Y = _rng.standard_normal((8, 2)).astype(np.float32)


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 2))


def _pair():
    torch.manual_seed(3)
    ref = _model(torch)
    mini = _model(autograd_mini)
    mini.load_state_dict(ref.state_dict())
    return mini, ref


def _train(lib, model, make_optimizer, steps=STEPS):
    optimizer = make_optimizer(lib, model.parameters())
    x, y = lib.tensor(X), lib.tensor(Y)
    losses = []
    for _ in range(steps):
        loss = lib.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return optimizer, losses


def _torch_single_tensor(cls):
    """torch's for-loop implementation (foreach=False), the one mini mirrors."""
    return lambda **kw: (lambda lib, params: (
        getattr(lib.optim, cls)(params, **kw, foreach=False) if lib is torch
        else getattr(lib.optim, cls)(params, **kw)))


CONFIGS = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd-momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
    "sgd-dampening": ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3)),
    "sgd-nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd-weight-decay": ("SGD", dict(lr=0.1, weight_decay=0.01, momentum=0.5)),
    "sgd-maximize": ("SGD", dict(lr=0.01, maximize=True)),
    "adam": ("Adam", dict(lr=0.01)),
    "adam-betas-eps": ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
    "adam-weight-decay": ("Adam", dict(lr=0.01, weight_decay=0.1)),
    "adam-amsgrad": ("Adam", dict(lr=0.01, amsgrad=True)),
    "adam-maximize": ("Adam", dict(lr=0.001, maximize=True)),
    "adam-decoupled": ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    "adamw": ("AdamW", dict(lr=0.01)),
    "adamw-weight-decay-amsgrad": ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    "rmsprop": ("RMSprop", dict(lr=0.01)),
    "rmsprop-alpha-eps": ("RMSprop", dict(lr=0.003, alpha=0.9, eps=1e-6)),
    "rmsprop-momentum": ("RMSprop", dict(lr=0.005, momentum=0.9)),
    "rmsprop-centered": ("RMSprop", dict(lr=0.005, centered=True, momentum=0.5)),
    "rmsprop-weight-decay": ("RMSprop", dict(lr=0.003, weight_decay=0.1)),
    "rmsprop-maximize": ("RMSprop", dict(lr=0.001, maximize=True)),
}


# Not bitwise: torch fuses its multiply-adds (add with alpha, lerp, addcmul: one rounding
# where NumPy rounds twice), its vectorised sqrt is not correctly rounded, and its matmuls
# sum in another order; each step differs by an ulp or so, and RMSprop's g / sqrt(v)
# amplifies that where v is small. Hence float32 tolerances, and the learning rates above
# keep each run away from a point where the trajectories would part.
RTOL, ATOL = 1e-4, 1e-6


@pytest.mark.parametrize("config", CONFIGS)
def test_fifty_steps_match_torch(config):
    cls, kwargs = CONFIGS[config]
    make = _torch_single_tensor(cls)(**kwargs)
    mini, ref = _pair()
    mini_opt, mini_losses = _train(autograd_mini, mini, make)
    ref_opt, ref_losses = _train(torch, ref, make)
    np.testing.assert_allclose(mini_losses, ref_losses, rtol=RTOL, atol=ATOL)
    for p_mini, p_ref in zip(mini.parameters(), ref.parameters()):
        assert_close(p_mini, p_ref, rtol=RTOL, atol=ATOL)
        state_mini, state_ref = mini_opt.state[p_mini], ref_opt.state[p_ref]
        assert sorted(state_mini) == sorted(state_ref)
        for key in state_ref:
            assert_close(state_mini[key], state_ref[key], rtol=RTOL, atol=ATOL)
    assert mini_opt.param_groups[0]["lr"] == ref_opt.param_groups[0]["lr"]


@pytest.mark.parametrize("config", CONFIGS)
def test_fifty_updates_from_the_same_gradients(config):
    """The update alone: both optimizers get the same gradient at each of 50 steps."""
    cls, kwargs = CONFIGS[config]
    make = _torch_single_tensor(cls)(**kwargs)
    rng = np.random.default_rng(0)
    start = rng.standard_normal((5, 7)).astype(np.float32)
    grads = [rng.standard_normal((5, 7)).astype(np.float32) for _ in range(STEPS)]
    results = []
    for lib in (autograd_mini, torch):
        p = lib.tensor(start.copy(), requires_grad=True)
        optimizer = make(lib, [p])
        for g in grads:
            p.grad = lib.tensor(g.copy())
            optimizer.step()
        results.append(p)
    assert_close(*results, rtol=1e-5, atol=1e-6)


def test_one_step_is_exact_for_sgd():
    """One plain SGD step is one float32 multiply-add per element: the very same numbers."""
    mini, ref = _pair()
    make = _torch_single_tensor("SGD")(lr=0.1)
    _train(autograd_mini, mini, make, steps=1)
    _train(torch, ref, make, steps=1)
    for p_mini, p_ref in zip(mini.parameters(), ref.parameters()):
        assert_close(p_mini, p_ref, rtol=0, atol=1e-7)


def test_param_groups_with_their_own_lr_and_add_param_group():
    results = []
    for lib in (autograd_mini, torch):
        torch.manual_seed(3)
        model = _model(lib)
        if lib is autograd_mini:
            model.load_state_dict(_pair()[1].state_dict())
        opt = lib.optim.SGD([{"params": model[0].parameters()}], lr=0.1, momentum=0.5)
        opt.add_param_group({"params": model[2].parameters(), "lr": 0.01})
        x, y = lib.tensor(X), lib.tensor(Y)
        for _ in range(5):
            opt.zero_grad()
            lib.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
        results.append((model, opt))
    (mini, mini_opt), (ref, ref_opt) = results
    assert [g["lr"] for g in mini_opt.param_groups] == [g["lr"] for g in ref_opt.param_groups]
    assert [g["momentum"] for g in mini_opt.param_groups] == [0.5, 0.5]
    for p_mini, p_ref in zip(mini.parameters(), ref.parameters()):
        assert_close(p_mini, p_ref)


def test_step_with_closure_returns_the_loss():
    losses = []
    for lib in (autograd_mini, torch):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.25)

        def closure():
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss
        losses.append([opt.step(closure).item() for _ in range(3)] + w.tolist())
    assert losses[0] == losses[1]


def test_zero_grad_set_to_none_or_zeros():
    for lib in (autograd_mini, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.Adam([w])
        (w * 3).sum().backward()
        opt.zero_grad(set_to_none=False)
        assert w.grad.tolist() == [0.0, 0.0] and w.grad.grad_fn is None
        opt.zero_grad()
        assert w.grad is None


def test_step_is_not_recorded_and_skips_params_without_grad():
    for lib in (autograd_mini, torch):
        w, unused = lib.tensor([1.0], requires_grad=True), lib.tensor([5.0], requires_grad=True)
        opt = lib.optim.SGD([w, unused], lr=0.5, momentum=0.9)
        (w * 2).sum().backward()
        opt.step()
        assert w.is_leaf and w.grad_fn is None and w.requires_grad
        assert w.tolist() == [0.0] and unused.tolist() == [5.0]
        assert list(opt.state[w]) == ["momentum_buffer"] and unused not in opt.state


@pytest.mark.parametrize("cls", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_param_groups_hold_torch_options_and_repr(cls):
    """Every option torch keeps in a param group is there (foreach, fused, differentiable,
    ...), so state_dict()['param_groups'] and the printed optimizer are torch's."""
    def describe(lib):
        optimizer = getattr(lib.optim, cls)([lib.nn.Parameter(lib.ones(2))], lr=0.1)
        return optimizer.state_dict()["param_groups"], repr(optimizer)
    assert describe(autograd_mini) == describe(torch)


def test_state_dict_keys_and_indices():
    mini, ref = _pair()
    make = _torch_single_tensor("Adam")(lr=0.01)
    mini_opt, _ = _train(autograd_mini, mini, make, steps=2)
    ref_opt, _ = _train(torch, ref, make, steps=2)
    sd_mini, sd_ref = mini_opt.state_dict(), ref_opt.state_dict()
    assert sorted(sd_mini["state"]) == sorted(sd_ref["state"])
    assert [g["params"] for g in sd_mini["param_groups"]] == [g["params"] for g in sd_ref["param_groups"]]
    assert sd_mini["state"][0]["step"].item() == sd_ref["state"][0]["step"].item() == 2.0


def _error(make):
    try:
        make()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD(p, lr=-1),
    lambda lib, p: lib.optim.SGD(p, momentum=-0.5),
    lambda lib, p: lib.optim.SGD(p, lr=0.1, nesterov=True),
    lambda lib, p: lib.optim.SGD(p, weight_decay=-1),
    lambda lib, p: lib.optim.Adam(p, betas=(1.0, 0.9)),
    lambda lib, p: lib.optim.Adam(p, betas=(0.9, -0.1)),
    lambda lib, p: lib.optim.Adam(p, eps=-1),
    lambda lib, p: lib.optim.RMSprop(p, alpha=-1),
    lambda lib, p: lib.optim.RMSprop(p, momentum=-1),
    lambda lib, p: lib.optim.SGD([], lr=0.1),
    lambda lib, p: lib.optim.SGD([p[0] * 2], lr=0.1),
    lambda lib, p: lib.optim.SGD([p[0], p[0]], lr=0.1).add_param_group({"params": [p[0]]}),
], ids=["sgd-lr", "sgd-momentum", "sgd-nesterov", "sgd-weight-decay", "adam-beta1",
        "adam-beta2", "adam-eps", "rmsprop-alpha", "rmsprop-momentum", "empty", "non-leaf",
        "duplicate-group"])
@pytest.mark.filterwarnings("ignore:optimizer contains a parameter group with duplicate")
def test_errors_match_torch(make):
    errors = [_error(lambda: make(lib, [lib.ones(2, requires_grad=True)]))
              for lib in (autograd_mini, torch)]
    assert errors[0] is not None
    assert errors[0] == errors[1]


def test_duplicate_parameters_warn_as_in_torch():
    messages = []
    for lib in (autograd_mini, torch):
        w = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning) as record:
            lib.optim.SGD([w, w], lr=0.1)
        messages.append([str(r.message) for r in record])
    assert messages[0] == messages[1]
