"""The lr schedulers against torch's: the same schedule run on both engines (SGD over one
parameter, 30 epochs of optimizer.step() then scheduler.step()) gives the very same lr
sequence, in get_last_lr() and in the param_groups; plus state_dict round trips, two
param groups, the warnings and ReduceLROnPlateau on a given loss sequence; and a training
program, as a tutorial writes it, run unchanged on both."""
import pickle
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nn"))
from _nn_twin import assert_close, autograd_mini, run_program, torch  # noqa: E402

ENGINES = (autograd_mini, torch)
EPOCHS = 30


class Halving:
    """A callable object as lr_lambda: its attributes go into the state_dict."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


SCHEDULES = {
    "step": lambda s, o: s.StepLR(o, step_size=7, gamma=0.3),
    "multistep": lambda s, o: s.MultiStepLR(o, milestones=[3, 10, 10, 22], gamma=0.5),
    "exponential": lambda s, o: s.ExponentialLR(o, gamma=0.93),
    "lambda": lambda s, o: s.LambdaLR(o, lambda epoch: 1 / (1 + 0.1 * epoch)),
    "lambda-object": lambda s, o: s.LambdaLR(o, Halving(4)),
    "multiplicative": lambda s, o: s.MultiplicativeLR(o, lambda epoch: 0.95 if epoch % 2 else 1.01),
    "cosine": lambda s, o: s.CosineAnnealingLR(o, T_max=10),
    "cosine-eta-min": lambda s, o: s.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "linear": lambda s, o: s.LinearLR(o, start_factor=0.25, total_iters=8),
    "linear-down": lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=12),
    "constant": lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=4),
}


def _optimizer(lib, lrs=(0.1,)):
    groups = [{"params": [lib.tensor([1.0, -2.0], requires_grad=True)], "lr": lr} for lr in lrs]
    return lib.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def _one_step(optimizer):
    for group in optimizer.param_groups:
        (group["params"][0] ** 2).sum().backward()
    optimizer.step()
    optimizer.zero_grad()


def _run(lib, make, lrs=(0.1,), epochs=EPOCHS):
    """The lrs after construction and after each epoch: get_last_lr() and the groups' lr."""
    optimizer = _optimizer(lib, lrs)
    scheduler = make(lib.optim.lr_scheduler, optimizer)
    seen = [(scheduler.get_last_lr(), [g["lr"] for g in optimizer.param_groups])]
    for _ in range(epochs):
        _one_step(optimizer)
        scheduler.step()
        seen.append((scheduler.get_last_lr(), [g["lr"] for g in optimizer.param_groups]))
    return seen, optimizer, scheduler


@pytest.mark.parametrize("name", SCHEDULES)
def test_thirty_epochs_give_torchs_lrs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right order must not warn
        mini, _, _ = _run(autograd_mini, SCHEDULES[name])
        ref, _, _ = _run(torch, SCHEDULES[name])
    assert mini == ref  # the same float operations in the same order: equal, not close
    assert len({lr for (lrs, _) in ref for lr in lrs}) >= 2  # the schedule does change the lr


@pytest.mark.parametrize("name", SCHEDULES)
def test_two_param_groups_keep_their_own_lr(name):
    mini, mini_opt, mini_sched = _run(autograd_mini, SCHEDULES[name], lrs=(0.1, 0.003))
    ref, ref_opt, ref_sched = _run(torch, SCHEDULES[name], lrs=(0.1, 0.003))
    assert mini == ref
    assert mini_sched.base_lrs == ref_sched.base_lrs == [0.1, 0.003]
    assert ([g["initial_lr"] for g in mini_opt.param_groups]
            == [g["initial_lr"] for g in ref_opt.param_groups] == [0.1, 0.003])


def test_construction_is_epoch_zero_and_writes_initial_lr():
    for lib in ENGINES:
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.5)
        assert scheduler.last_epoch == 0 and scheduler._step_count == 1
        assert optimizer.param_groups[0]["initial_lr"] == 0.1
        assert optimizer.param_groups[0]["lr"] == scheduler.get_last_lr()[0] == 0.05


@pytest.mark.parametrize("name", ["step", "multistep", "cosine", "linear", "lambda-object"])
def test_state_dict_has_torchs_keys_and_resumes_the_schedule(name):
    make = SCHEDULES[name]
    states = {}
    for lib in ENGINES:
        _, _, scheduler = _run(lib, make, epochs=12)
        states[lib] = scheduler.state_dict()
    assert list(states[autograd_mini]) == list(states[torch])
    assert states[autograd_mini] == states[torch]

    # A fresh scheduler that loads the state (pickled, as a checkpoint is) goes on as the
    # original would have: epochs 13..30 as in an unbroken run.
    unbroken, _, _ = _run(torch, make)
    for lib in ENGINES:
        optimizer = _optimizer(lib)
        scheduler = make(lib.optim.lr_scheduler, optimizer)
        scheduler.load_state_dict(pickle.loads(pickle.dumps(states[lib])))
        for group, lr in zip(optimizer.param_groups, scheduler.get_last_lr()):
            group["lr"] = lr  # the optimizer's own state_dict would bring this back
        resumed = []
        for _ in range(EPOCHS - 12):
            _one_step(optimizer)
            scheduler.step()
            resumed.append(scheduler.get_last_lr())
        assert resumed == [lrs for lrs, _ in unbroken[13:]]


def test_lambda_state_dict_keeps_object_attributes_not_functions():
    for lib in ENGINES:
        optimizer = _optimizer(lib, lrs=(0.1, 0.2))
        halving = Halving(4)
        scheduler = lib.optim.lr_scheduler.LambdaLR(optimizer, [lambda e: 1.0, halving])
        state = scheduler.state_dict()
        assert state["lr_lambdas"] == [None, {"every": 4}]
        state["lr_lambdas"] = [None, {"every": 2}]
        scheduler.load_state_dict(state)
        assert halving.every == 2 and "lr_lambdas" in state


def _warnings_of(lib, program):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        program(lib)
    return [(r.category, str(r.message)) for r in record]


def test_scheduler_step_before_optimizer_step_warns_once_as_torch():
    def program(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2)
        for _ in range(3):
            scheduler.step()
            _one_step(optimizer)

    ref = _warnings_of(torch, program)
    assert len(ref) == 1 and "before `optimizer.step()`" in ref[0][1]
    assert _warnings_of(autograd_mini, program) == ref


def test_only_the_first_scheduler_step_is_checked():
    """torch checks the order at the user's first scheduler.step() only."""
    def program(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
        _one_step(optimizer)
        scheduler.step()
        scheduler.step()
        scheduler.step()

    assert _warnings_of(autograd_mini, program) == _warnings_of(torch, program) == []


def test_optimizer_step_replaced_after_the_scheduler_warns_as_torch():
    def program(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2)
        optimizer.step = type(optimizer).step.__get__(optimizer)
        optimizer.step()
        scheduler.step()

    ref = _warnings_of(torch, program)
    assert len(ref) == 1 and "overridden" in ref[0][1]
    assert _warnings_of(autograd_mini, program) == ref


def test_get_lr_outside_step_and_step_with_epoch_warn_as_torch():
    def program(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
        _one_step(optimizer)
        scheduler.get_lr()
        scheduler.step(7)  # the closed form: 0.1 * 0.5 ** (7 // 3)
        assert optimizer.param_groups[0]["lr"] == 0.1 * 0.5 ** 2

    ref = _warnings_of(torch, program)
    assert [m.split()[:3] for _, m in ref] == [["To", "get", "the"], ["The", "epoch", "parameter"]]
    assert _warnings_of(autograd_mini, program) == ref


def test_two_schedulers_chain_on_one_optimizer():
    results = []
    for lib in ENGINES:
        optimizer = _optimizer(lib)
        warmup = lib.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
        decay = lib.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
        lrs = []
        for _ in range(15):
            _one_step(optimizer)
            warmup.step()
            decay.step()
            lrs.append(optimizer.param_groups[0]["lr"])
        results.append(lrs)
    assert results[0] == results[1]


def test_resuming_needs_initial_lr_and_the_old_name_remains():
    errors = []
    for lib in ENGINES:
        with pytest.raises(KeyError) as info:
            lib.optim.lr_scheduler.StepLR(_optimizer(lib), step_size=2, last_epoch=4)
        errors.append(str(info.value))
        assert issubclass(lib.optim.lr_scheduler._LRScheduler, lib.optim.lr_scheduler.LRScheduler)
        assert lib.optim.lr_scheduler._LRScheduler.__name__ == "_LRScheduler"
    assert errors[0] == errors[1]


def _error(make):
    try:
        make()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("make", [
    lambda s, o: s.StepLR(object(), step_size=2),
    lambda s, o: s.ConstantLR(o, factor=1.5),
    lambda s, o: s.LinearLR(o, start_factor=0),
    lambda s, o: s.LinearLR(o, end_factor=-0.5),
    lambda s, o: s.LambdaLR(o, [lambda e: 1.0, lambda e: 2.0]),
    lambda s, o: s.MultiplicativeLR(o, 0.9),
    lambda s, o: s.ReduceLROnPlateau(o, factor=1.0),
    lambda s, o: s.ReduceLROnPlateau(o, mode="lowest"),
    lambda s, o: s.ReduceLROnPlateau(o, threshold_mode="ratio"),
    lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.0, 0.1]),
], ids=["not-an-optimizer", "constant-factor", "linear-start", "linear-end", "lambda-count",
        "multiplicative-not-callable", "plateau-factor", "plateau-mode", "plateau-threshold-mode",
        "plateau-min-lrs"])
def test_errors_match_torch(make):
    errors = [_error(lambda: make(lib.optim.lr_scheduler, _optimizer(lib))) for lib in ENGINES]
    assert errors[0] is not None
    assert errors[0] == errors[1]


LOSSES = [1.0, 0.9, 0.85, 0.85, 0.8499, 0.86, 0.87, 0.9, 0.7, 0.71, 0.72, 0.73, 0.74, 0.6,
          0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.59, 0.6, 0.6]

PLATEAUS = {
    "defaults": dict(),
    "patience": dict(patience=2),
    "abs-cooldown": dict(patience=1, threshold=0.01, threshold_mode="abs", cooldown=2),
    "min-lr": dict(patience=0, factor=0.5, min_lr=0.02),
    "eps": dict(patience=0, factor=0.9, min_lr=0.0999, eps=1e-3),
    "max": dict(mode="max", patience=1, factor=0.5),
    "max-abs": dict(mode="max", patience=1, threshold=0.05, threshold_mode="abs"),
}


@pytest.mark.parametrize("name", PLATEAUS)
def test_reduce_on_plateau_follows_torch_on_a_loss_sequence(name):
    runs = []
    for lib in ENGINES:
        optimizer = _optimizer(lib, lrs=(0.1, 0.04))
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **PLATEAUS[name])
        seen = [scheduler.get_last_lr()]
        for loss in LOSSES:
            _one_step(optimizer)
            scheduler.step(lib.tensor(loss))  # a 0-dim tensor, as a loss is
            seen.append((scheduler.get_last_lr(), [g["lr"] for g in optimizer.param_groups],
                         scheduler.best, scheduler.num_bad_epochs, scheduler.cooldown_counter))
        runs.append((seen, scheduler.state_dict()))
    assert runs[0] == runs[1]
    if name != "eps":
        assert runs[1][0][-1][0] != [0.1, 0.04]  # the lr was reduced at least once


def test_reduce_on_plateau_state_dict_round_trip():
    states = []
    for lib in ENGINES:
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", patience=1)
        for metric in (1.0, 0.5, 0.5):
            scheduler.step(metric)
        state = scheduler.state_dict()
        fresh = lib.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(lib))
        fresh.load_state_dict(pickle.loads(pickle.dumps(state)))
        assert fresh.mode == "max" and fresh.mode_worse == -float("inf")
        assert fresh.state_dict() == state
        states.append(state)
    assert list(states[0]) == list(states[1])
    assert states[0] == states[1]


# A training loop as a torch program writes it: warm-up then cosine decay, and a plateau
# scheduler on the validation loss; mini runs it through `import autograd_mini as torch`.
TRAINING_PROGRAM = """\
import torch

x = torch.tensor([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.25], [2.0, 1.0]])
y = torch.tensor([1.0, -0.5, 0.75, 2.0])
w = torch.zeros(2, requires_grad=True)
optimizer = torch.optim.SGD([w], lr=0.05, momentum=0.9)
warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20, eta_min=0.001)
for epoch in range(25):
    optimizer.zero_grad()
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    optimizer.step()
    (warmup if epoch < 5 else cosine).step()
    print(epoch, repr(optimizer.param_groups[0]["lr"]), cosine.get_last_lr())

plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=1, factor=0.5)
for val_loss in [0.5, 0.4, 0.45, 0.41, 0.42, 0.3, 0.31, 0.32]:
    plateau.step(val_loss)
    print(plateau.get_last_lr(), plateau.num_bad_epochs)
"""


def test_a_training_program_runs_unchanged_with_torchs_lrs():
    printed = {}
    weights = {}
    for engine in ("mini", "torch"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            printed[engine], namespace = run_program(TRAINING_PROGRAM, engine)
        weights[engine] = namespace["w"]
    assert printed["mini"] == printed["torch"]
    assert len(printed["torch"].splitlines()) == 25 + 8
    assert_close(weights["mini"], weights["torch"])
