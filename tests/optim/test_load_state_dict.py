"""Optimizer.load_state_dict against torch's: an optimizer rebuilt from a state_dict (here
passed through torch.save / torch.load, as a checkpoint is) continues training exactly as
the one it was saved from; mismatched groups are refused with torch's errors."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nn"))
from _nn_twin import assert_close, autograd_mini, torch  # noqa: E402

_rng = np.random.default_rng(11)
X = _rng.standard_normal((6, 3)).astype(np.float32)
Y = _rng.standard_normal((6, 2)).astype(np.float32)

OPTIMIZERS = {"sgd_momentum": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9),
              "adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
              "adamw_amsgrad": lambda lib, p: lib.optim.AdamW(p, lr=0.01, amsgrad=True),
              "rmsprop": lambda lib, p: lib.optim.RMSprop(p, lr=0.01, momentum=0.5)}


def _steps(lib, model, optimizer, n):
    for _ in range(n):
        loss = lib.nn.functional.mse_loss(model(lib.tensor(X)), lib.tensor(Y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def _resumed(lib, make, start, path):
    """Train 3 steps, checkpoint, rebuild model and optimizer from the file, train 3 more."""
    model = lib.nn.Linear(3, 2)
    model.load_state_dict(start)
    optimizer = make(lib, model.parameters())
    _steps(lib, model, optimizer, 3)
    lib.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
    checkpoint = lib.load(path, weights_only=True)
    model = lib.nn.Linear(3, 2)
    model.load_state_dict(checkpoint["model"])
    optimizer = make(lib, model.parameters())
    optimizer.load_state_dict(checkpoint["optimizer"])
    _steps(lib, model, optimizer, 3)
    return model, optimizer


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_resumed_training_matches_torch(name, tmp_path):
    torch.manual_seed(0)
    start = torch.nn.Linear(3, 2).state_dict()
    ref, ref_opt = _resumed(torch, OPTIMIZERS[name], start, tmp_path / "torch.pt")
    mini, mini_opt = _resumed(autograd_mini, OPTIMIZERS[name], start, tmp_path / "mini.pt")
    for p_mini, p_ref in zip(mini.parameters(), ref.parameters()):
        assert_close(p_mini, p_ref)
    ref_state, mini_state = ref_opt.state_dict(), mini_opt.state_dict()
    assert mini_state["param_groups"] == ref_state["param_groups"]
    for index, values in ref_state["state"].items():
        assert sorted(mini_state["state"][index]) == sorted(values)
        for key, value in values.items():
            assert_close(mini_state["state"][index][key], value)


def test_loaded_hyper_parameters_replace_the_new_ones():
    for lib in (torch, autograd_mini):
        model = lib.nn.Linear(3, 2)
        saved = lib.optim.SGD(model.parameters(), lr=0.5, momentum=0.1).state_dict()
        optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
        optimizer.load_state_dict(saved)
        assert optimizer.param_groups[0]["lr"] == 0.5 and optimizer.param_groups[0]["momentum"] == 0.1
        assert optimizer.param_groups[0]["params"][0] is model.weight


@pytest.mark.parametrize("groups, message", [
    (lambda m: [{"params": [m.weight]}, {"params": [m.bias]}],
     "loaded state dict has a different number of parameter groups"),
    (lambda m: [m.weight], "loaded state dict contains a parameter group that doesn't match the size"),
])
def test_mismatched_state_dicts_are_refused(groups, message):
    for lib in (torch, autograd_mini):
        model = lib.nn.Linear(3, 2)
        saved = lib.optim.SGD(groups(model), lr=0.1).state_dict()
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1) if "size" in message else \
            lib.optim.SGD([model.weight, model.bias], lr=0.1)
        with pytest.raises(ValueError, match=message):
            optimizer.load_state_dict(saved)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_dict_prints_as_torch(name):
    """The saving tutorial prints optimizer.state_dict(): the same keys in the same order."""
    printed = []
    for lib in (torch, autograd_mini):
        model = lib.nn.Linear(3, 2)
        optimizer = OPTIMIZERS[name](lib, model.parameters())
        _steps(lib, model, optimizer, 1)
        state = optimizer.state_dict()
        printed.append((list(state), [list(g) for g in state["param_groups"]], state["param_groups"],
                        [list(s) for s in state["state"].values()]))
    assert printed[0] == printed[1]
