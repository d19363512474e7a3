"""The schedulers that test_lr_scheduler.py does not cover, against torch's: PolynomialLR,
CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts and the two that hold others
(SequentialLR, ChainedScheduler). 30 steps give the very same lrs (and, for the cyclic
ones, momentums or Adam betas), state_dicts have torch's keys and values and resume the
schedule; errors and warnings are torch's."""
import pickle
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_lr_scheduler import EPOCHS, ENGINES, _error, _one_step, _warnings_of  # noqa: E402
from test_lr_scheduler import autograd_mini, torch  # noqa: E402


class Decay:
    """A callable object as CyclicLR's scale_fn: its attributes go into the state_dict."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return self.rate ** x


SCHEDULES = {
    "polynomial": lambda s, o: s.PolynomialLR(o, total_iters=12, power=2.0),
    "polynomial-linear": lambda s, o: s.PolynomialLR(o, total_iters=20),
    "cyclic": lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "cyclic-triangular2": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=5,
                                                  mode="triangular2"),
    "cyclic-exp-range": lambda s, o: s.CyclicLR(o, [0.01, 0.001][:len(o.param_groups)], 0.1,
                                                step_size_up=5, mode="exp_range", gamma=0.95),
    "cyclic-scale-fn": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=Decay(0.8),
                                               scale_mode="iterations", cycle_momentum=False),
    "one-cycle": lambda s, o: s.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS),
    "one-cycle-linear": lambda s, o: s.OneCycleLR(o, max_lr=0.5, epochs=3, steps_per_epoch=10,
                                                  anneal_strategy="linear", pct_start=0.25),
    "one-cycle-three-phase": lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=EPOCHS + 2,
                                                       three_phase=True, div_factor=10.0),
    "warm-restarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7),
    "warm-restarts-mult": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                     eta_min=0.001),
    "sequential": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=5), s.ExponentialLR(o, gamma=0.9),
            s.StepLR(o, step_size=3, gamma=0.5)], milestones=[5, 18]),
    "sequential-cosine": lambda s, o: s.SequentialLR(
        o, [s.ConstantLR(o, factor=0.5, total_iters=4), s.CosineAnnealingLR(o, T_max=10)],
        milestones=[6]),
    "chained": lambda s, o: s.ChainedScheduler(
        [s.LinearLR(o, start_factor=0.2, total_iters=6), s.ExponentialLR(o, gamma=0.95)]),
    "chained-with-optimizer": lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.3, total_iters=3), s.PolynomialLR(o, total_iters=25)],
        optimizer=o),
}


def _optimizer(lib, lrs=(0.1,), adam=False):
    groups = [{"params": [lib.tensor([1.0, -2.0], requires_grad=True)], "lr": lr} for lr in lrs]
    if adam:
        return lib.optim.Adam(groups, lr=lrs[0])
    return lib.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def _seen(scheduler, optimizer):
    return (scheduler.get_last_lr(),
            [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups])


def _run(lib, make, lrs=(0.1,), epochs=EPOCHS, adam=False):
    """Everything in the groups but the parameters (lr, momentum, betas, initial_lr,
    max_lr, ...) after construction and after each epoch, and get_last_lr()."""
    optimizer = _optimizer(lib, lrs, adam)
    scheduler = make(lib.optim.lr_scheduler, optimizer)
    seen = [_seen(scheduler, optimizer)]
    for _ in range(epochs):
        _one_step(optimizer)
        scheduler.step()
        seen.append(_seen(scheduler, optimizer))
    return seen, optimizer, scheduler


def _both(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right order must not warn
        return [_run(lib, *args, **kwargs) for lib in (autograd_mini, torch)]


@pytest.mark.parametrize("name", SCHEDULES)
def test_thirty_epochs_give_torchs_lrs(name):
    (mini, _, _), (ref, _, _) = _both(SCHEDULES[name])
    assert mini == ref  # the same float operations in the same order: equal, not close
    assert len({lr for (lrs, _) in ref for lr in lrs}) >= 5


@pytest.mark.parametrize("name", SCHEDULES)
def test_two_param_groups_keep_their_own_lr(name):
    (mini, _, mini_sched), (ref, _, ref_sched) = _both(SCHEDULES[name], lrs=(0.1, 0.003))
    assert mini == ref
    assert mini_sched.get_last_lr() == ref_sched.get_last_lr()


@pytest.mark.parametrize("name", ["cyclic", "cyclic-exp-range", "one-cycle",
                                  "one-cycle-three-phase"])
def test_cycle_momentum_moves_adams_beta1_as_torch(name):
    (mini, mini_opt, _), (ref, ref_opt, _) = _both(SCHEDULES[name], adam=True)
    assert mini == ref
    assert len({g["betas"][0] for _, groups in ref for g in groups}) >= 5
    assert_state_equal(mini_opt.state_dict()["param_groups"], ref_opt.state_dict()["param_groups"])


def assert_state_equal(mini, ref):
    assert mini == ref
    if isinstance(ref, dict):
        assert list(mini) == list(ref)


@pytest.mark.parametrize("name", SCHEDULES)
def test_state_dict_has_torchs_keys_and_resumes_the_schedule(name):
    make = SCHEDULES[name]
    states = {lib: _run(lib, make, epochs=12)[2].state_dict() for lib in ENGINES}
    mini, ref = states[autograd_mini], states[torch]
    assert list(mini) == list(ref)
    if "_schedulers" in ref:  # the inner schedulers' own state_dicts
        for m, r in zip(mini["_schedulers"], ref["_schedulers"]):
            assert_state_equal(m, r)
        mini, ref = ({k: v for k, v in s.items() if k != "_schedulers"} for s in (mini, ref))
    assert mini == ref

    # A fresh scheduler that loads the state (pickled, as a checkpoint is) and an optimizer
    # that loads its own goes on as the original would have: epochs 13..30.
    unbroken, _, _ = _run(torch, make)
    for lib in ENGINES:
        _, trained_opt, _ = _run(lib, make, epochs=12)
        optimizer = _optimizer(lib)
        scheduler = make(lib.optim.lr_scheduler, optimizer)
        optimizer.load_state_dict(trained_opt.state_dict())
        loaded = pickle.loads(pickle.dumps(states[lib]))
        scheduler.load_state_dict(loaded)
        resumed = []
        for _ in range(EPOCHS - 12):
            _one_step(optimizer)
            scheduler.step()
            resumed.append(_seen(scheduler, optimizer))
        assert resumed == unbroken[13:]


def test_cyclic_scale_fn_object_state_is_saved_a_function_is_not():
    for lib in ENGINES:
        s = lib.optim.lr_scheduler
        decay = Decay(0.8)
        scheduler = s.CyclicLR(_optimizer(lib), 0.01, 0.1, scale_fn=decay, cycle_momentum=False)
        state = scheduler.state_dict()
        assert state["_scale_fn_custom"] == {"rate": 0.8} and "_scale_fn_ref" not in state
        state["_scale_fn_custom"] = {"rate": 0.5}
        scheduler.load_state_dict(state)
        assert decay.rate == 0.5
        function = s.CyclicLR(_optimizer(lib), 0.01, 0.1, scale_fn=lambda x: 1.0,
                              cycle_momentum=False)
        assert function.state_dict()["_scale_fn_custom"] is None


def test_warm_restarts_with_fractional_epochs_per_batch():
    """As torch's docs show it: step(epoch + i / iters) once per batch."""
    runs = []
    for lib in ENGINES:
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=2)
        lrs = []
        for epoch in range(8):
            for i in range(4):
                _one_step(optimizer)
                scheduler.step(epoch + i / 4)
                lrs.append((scheduler.get_last_lr(), scheduler.T_cur, scheduler.T_i,
                            scheduler.last_epoch))
        runs.append(lrs)
    assert runs[0] == runs[1]


def test_one_cycle_past_total_steps_raises_as_torch():
    errors = []
    for lib in ENGINES:
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=3)
        for _ in range(3):
            _one_step(optimizer)
            scheduler.step()
        errors.append(_error(scheduler.step))
    assert errors[0] is not None and errors[0] == errors[1]


def test_scheduler_step_before_optimizer_step_warns_as_torch():
    def program(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
        for _ in range(3):
            scheduler.step()
            _one_step(optimizer)

    ref = _warnings_of(torch, program)
    assert len(ref) == 1 and "before `optimizer.step()`" in ref[0][1]
    assert _warnings_of(autograd_mini, program) == ref


@pytest.mark.parametrize("name", ["sequential", "chained", "cyclic", "warm-restarts",
                                  "polynomial"])
def test_wrong_order_and_get_lr_and_epoch_warnings_as_torch(name):
    """scheduler.step() before optimizer.step(), get_lr() outside step() and step(epoch):
    the warnings torch gives for each (none, for some of these)."""
    def program(lib):
        optimizer = _optimizer(lib)
        scheduler = SCHEDULES[name](lib.optim.lr_scheduler, optimizer)
        for _ in range(3):
            scheduler.step()
            _one_step(optimizer)
        if hasattr(scheduler, "get_lr") and not hasattr(scheduler, "_schedulers"):
            scheduler.get_lr()
            scheduler.step(4)
            return scheduler.get_last_lr()

    ref = _warnings_of(torch, program)
    assert _warnings_of(autograd_mini, program) == ref
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # compared above
        assert program(autograd_mini) == program(torch)


def test_sequential_lr_undoes_the_inner_first_steps():
    """Building SequentialLR puts the initial lr back and steps only the first scheduler:
    its state right after construction is torch's."""
    for name in ("sequential", "sequential-cosine"):
        seen = []
        for lib in ENGINES:
            optimizer = _optimizer(lib)
            scheduler = SCHEDULES[name](lib.optim.lr_scheduler, optimizer)
            seen.append((scheduler.last_epoch, optimizer.param_groups[0]["lr"],
                         [(s.last_epoch, s._step_count) for s in scheduler._schedulers]))
        assert seen[0] == seen[1]


@pytest.mark.parametrize("make", [
    lambda s, o: s.CyclicLR(object(), 0.1, 1.0),
    lambda s, o: s.CyclicLR(o, [0.1, 0.2], 1.0),
    lambda s, o: s.CyclicLR(o, 0.1, 1.0, mode="square"),
    lambda s, o: s.CyclicLR(s_opt_without_momentum(o), 0.1, 1.0),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=0),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, epochs=2.0, steps_per_epoch=3),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=-3),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="cosine"),
    lambda s, o: s.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=10),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
    lambda s, o: s.SequentialLR(o, [], milestones=[]),
    lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2), s.StepLR(o, 3)], milestones=[]),
    lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2), s.ReduceLROnPlateau(o)], milestones=[3]),
    lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2), object()], milestones=[3]),
    lambda s, o: s.ChainedScheduler([]),
    lambda s, o: s.ChainedScheduler([s.StepLR(o, 2), s.ReduceLROnPlateau(o)]),
], ids=["cyclic-not-an-optimizer", "cyclic-base-lr-count", "cyclic-mode",
        "cyclic-no-momentum", "one-cycle-no-steps", "one-cycle-total-steps",
        "one-cycle-epochs", "one-cycle-steps-per-epoch", "one-cycle-pct-start",
        "one-cycle-anneal", "one-cycle-max-lr-count", "restarts-T_0", "restarts-T_mult",
        "restarts-eta-min", "restarts-negative-epoch", "sequential-empty",
        "sequential-milestones", "sequential-plateau", "sequential-no-optimizer",
        "chained-empty", "chained-plateau"])
def test_errors_match_torch(make):
    errors = [_error(lambda: make(lib.optim.lr_scheduler, _optimizer(lib))) for lib in ENGINES]
    assert errors[0] is not None
    assert errors[0] == errors[1]


def s_opt_without_momentum(optimizer):
    """An optimizer whose defaults have neither momentum nor betas (RMSprop has momentum;
    a bare Optimizer subclass has neither)."""
    lib = autograd_mini if isinstance(optimizer, autograd_mini.optim.Optimizer) else torch
    return lib.optim.Optimizer(optimizer.param_groups[0]["params"], {"lr": 0.1})


def test_a_one_cycle_training_program_runs_unchanged():
    from test_lr_scheduler import assert_close, run_program
    program = """\
import torch

x = torch.tensor([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.25], [2.0, 1.0]])
y = torch.tensor([1.0, -0.5, 0.75, 2.0])
w = torch.zeros(2, requires_grad=True)
optimizer = torch.optim.AdamW([w], lr=0.01)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=4, steps_per_epoch=5)
for step in range(20):
    optimizer.zero_grad()
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(step, scheduler.get_last_lr(), optimizer.param_groups[0]["betas"])
"""
    printed, weights = {}, {}
    for engine in ("mini", "torch"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            printed[engine], namespace = run_program(program, engine)
        weights[engine] = namespace["w"]
    assert printed["mini"] == printed["torch"]
    assert_close(weights["mini"], weights["torch"])
