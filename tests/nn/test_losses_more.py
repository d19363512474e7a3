"""binary_cross_entropy, huber_loss, smooth_l1_loss, kl_div and nll_loss on spatial
inputs, functional and as modules, against torch: values for every reduction, the
recorded graph, gradients for input and target, second derivatives, weights,
ignore_index, reprs, warnings and errors."""
import warnings

import pytest

from _nn_twin import ENGINES, assert_close, autograd_mini, np, structure, torch

_rng = np.random.default_rng(23)
# Away from 0 and 1, where BCE's log is clamped, and from each other at Huber's kinks.
PROBS = _rng.uniform(0.05, 0.95, (5, 4)).astype(np.float32)
TARGETS = _rng.uniform(0.05, 0.95, (5, 4)).astype(np.float32)
VALUES = (_rng.standard_normal((5, 4)) * 1.5).astype(np.float32)
OTHER = (_rng.standard_normal((5, 4)) * 1.5).astype(np.float32)
ELEMENT_WEIGHTS = _rng.uniform(0.2, 2.0, (5, 4)).astype(np.float32)
COLUMN_WEIGHTS = _rng.uniform(0.2, 2.0, 4).astype(np.float32)
LOG_PROBS = np.log(PROBS / PROBS.sum(1, keepdims=True)).astype(np.float32)
DIST = (TARGETS / TARGETS.sum(1, keepdims=True)).astype(np.float32)
REDUCTIONS = ["mean", "sum", "none"]


def _leaf(lib, array, requires_grad):
    t = lib.tensor(array.copy())
    return t.requires_grad_(True) if requires_grad and t.is_floating_point() else t


def _compare(program, arrays, grad_inputs=None, second_order=True):
    """program(lib, *tensors) on both engines: the result, its graph, the gradients of
    the inputs in grad_inputs (all float ones by default) and, with second_order, the
    gradients of the squared gradients."""
    grad_inputs = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"] \
        if grad_inputs is None else grad_inputs
    out = {}
    for name, lib in ENGINES.items():
        tensors = [_leaf(lib, a, i in grad_inputs) for i, a in enumerate(arrays)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kl_div's 'mean' warns: compared on its own
            y = program(lib, *tensors)
        wanted = [tensors[i] for i in grad_inputs]
        seed = lib.tensor(np.linspace(0.5, 1.5, max(y.numel(), 1), dtype=np.float32)
                          .reshape(tuple(y.shape)))
        grads = lib.autograd.grad(y, wanted, seed, create_graph=second_order, allow_unused=True)
        second = None
        if second_order:
            total = sum((g * g).sum() for g in grads if g is not None and g.requires_grad)
            if isinstance(total, lib.Tensor):
                second = lib.autograd.grad(total, wanted, allow_unused=True)
        out[name] = (y, grads, second)
    (y_mini, g_mini, s_mini), (y_ref, g_ref, s_ref) = out["mini"], out["torch"]
    assert_close(y_mini, y_ref)
    assert structure(y_mini) == structure(y_ref)
    for a, b in zip(g_mini, g_ref):
        assert_close(a, b, rtol=1e-5, atol=1e-6)
    if s_ref is not None or s_mini is not None:
        for a, b in zip(s_mini, s_ref):
            if b is not None and b._is_zerotensor():
                b = torch.zeros(b.shape)
            assert_close(a, b, rtol=1e-4, atol=1e-5)
    return y_mini, y_ref


def _weight(lib, w):
    return None if w is None else lib.tensor(w)


# -- binary_cross_entropy --------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, ELEMENT_WEIGHTS, COLUMN_WEIGHTS],
                         ids=["no-weight", "weight", "broadcast-weight"])
def test_binary_cross_entropy(reduction, weight):
    y_mini, _ = _compare(lambda lib, x, t: lib.nn.functional.binary_cross_entropy(
        x, t, weight=_weight(lib, weight), reduction=reduction), [PROBS, TARGETS])
    assert y_mini.grad_fn.name() == "BinaryCrossEntropyBackward0"
    _compare(lambda lib, x, t: lib.nn.BCELoss(weight=_weight(lib, weight), reduction=reduction)(x, t),
             [PROBS, TARGETS])


def test_binary_cross_entropy_saves_what_torch_saves():
    nodes = {}
    for name, lib in ENGINES.items():
        x, t = _leaf(lib, PROBS, True), _leaf(lib, TARGETS, False)
        nodes[name] = lib.nn.functional.binary_cross_entropy(x, t, lib.tensor(COLUMN_WEIGHTS),
                                                             reduction="sum").grad_fn
    assert nodes["mini"]._saved_reduction == nodes["torch"]._saved_reduction == 2
    for saved in ("_saved_self", "_saved_target", "_saved_weight"):
        assert_close(getattr(nodes["mini"], saved), getattr(nodes["torch"], saved))


def test_binary_cross_entropy_clamps_its_logs_at_minus_100():
    # x = 0 or 1 against the other label: log(0) is clamped, the loss is 100, not inf.
    x, t = np.array([0.0, 1.0, 0.0, 1.0], np.float32), np.array([1.0, 0.0, 0.0, 1.0], np.float32)
    _compare(lambda lib, x, t: lib.nn.functional.binary_cross_entropy(x, t, reduction="none"),
             [x, t], grad_inputs=[0], second_order=False)


# -- huber_loss and smooth_l1_loss -------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.5, 2.5])
def test_huber_loss(reduction, delta):
    y_mini, _ = _compare(lambda lib, x, t: lib.nn.functional.huber_loss(
        x, t, reduction=reduction, delta=delta), [VALUES, OTHER])
    assert y_mini.grad_fn.name() == "HuberLossBackward0"
    _compare(lambda lib, x, t: lib.nn.HuberLoss(reduction=reduction, delta=delta)(x, t),
             [VALUES, OTHER])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_loss_with_a_weight_multiplies_the_unreduced_loss(reduction):
    _compare(lambda lib, x, t, w: lib.nn.functional.huber_loss(x, t, reduction=reduction,
                                                               weight=w),
             [VALUES, OTHER, ELEMENT_WEIGHTS])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.5, 2.5, 0.0])
def test_smooth_l1_loss(reduction, beta):
    # beta = 0 is l1_loss in torch: sub, abs and a mean or sum, no SmoothL1LossBackward0.
    _compare(lambda lib, x, t: lib.nn.functional.smooth_l1_loss(x, t, reduction=reduction,
                                                                beta=beta), [VALUES, OTHER])
    y_mini, _ = _compare(lambda lib, x, t: lib.nn.SmoothL1Loss(reduction=reduction, beta=beta)(x, t),
                         [VALUES, OTHER])
    if beta:
        assert y_mini.grad_fn.name() == "SmoothL1LossBackward0"
        assert y_mini.grad_fn._saved_beta == beta


@pytest.mark.parametrize("fn", ["huber_loss", "smooth_l1_loss", "l1_loss"])
def test_broadcast_target_warns_as_torch(fn):
    x, y = VALUES[:, :1], VALUES[:, 0]
    seen = []
    for lib in (autograd_mini, torch):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            loss = getattr(lib.nn.functional, fn)(lib.tensor(x), lib.tensor(y))
        seen.append(([(r.category, str(r.message)) for r in record], loss.item()))
    assert seen[0][0] == seen[1][0] and len(seen[0][0]) == 1
    assert seen[0][1] == pytest.approx(seen[1][1], rel=1e-6)


# -- kl_div ---------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_records_what_torch_composes(reduction, log_target):
    target = np.log(DIST) if log_target else DIST
    _compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction=reduction,
                                                        log_target=log_target),
             [LOG_PROBS, target])
    _compare(lambda lib, x, t: lib.nn.KLDivLoss(reduction=reduction, log_target=log_target)(x, t),
             [LOG_PROBS, target])


def test_kl_div_counts_nothing_where_the_target_is_zero():
    target = DIST.copy()
    target[:, 0] = 0.0
    _compare(lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction="batchmean"),
             [LOG_PROBS, target], grad_inputs=[0])


def test_kl_div_mean_warns_as_torch():
    messages = []
    for lib in (autograd_mini, torch):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            lib.nn.functional.kl_div(lib.tensor(LOG_PROBS), lib.tensor(DIST))
            lib.nn.functional.kl_div(lib.tensor(LOG_PROBS), lib.tensor(DIST), reduction="sum")
        messages.append([(r.category, str(r.message)) for r in record])
    assert messages[0] == messages[1] and len(messages[0]) == 1


# -- nll_loss ---------------------------------------------------------------------------

_SPATIAL = {
    "1d": ((4,), np.array(2)),
    "2d": ((5, 4), np.array([0, 3, 1, -100, 2])),
    "3d": ((2, 4, 5), np.array([[0, 1, 2, 3, 0], [2, 2, -100, 1, 3]])),
    "4d": ((2, 4, 2, 3), np.array([[[0, 1, 2], [3, -100, 0]], [[2, 2, 1], [1, 3, 0]]])),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["no-weight", "weight"])
@pytest.mark.parametrize("case", list(_SPATIAL))
def test_nll_loss_on_spatial_inputs(case, weighted, reduction):
    shape, target = _SPATIAL[case]
    x = _rng.standard_normal(shape).astype(np.float32)
    # Linear in the input: no second derivative to compare (torch records a node that
    # gives zeros, autograd_mini a gradient that does not require grad).
    _compare(lambda lib, x, t: lib.nn.functional.nll_loss(
        x, t, weight=_weight(lib, COLUMN_WEIGHTS if weighted else None), reduction=reduction),
        [x, target], second_order=False)
    _compare(lambda lib, x, t: lib.nn.NLLLoss(weight=_weight(lib, COLUMN_WEIGHTS if weighted else None),
                                              reduction=reduction)(x, t), [x, target],
             second_order=False)


def test_nll_loss_takes_a_class_weight_of_any_shape_on_spatial_inputs():
    shape, target = _SPATIAL["4d"]
    x = _rng.standard_normal(shape).astype(np.float32)
    _compare(lambda lib, x, t: lib.nn.functional.nll_loss(x, t, lib.tensor(COLUMN_WEIGHTS).view(2, 2)),
             [x, target], second_order=False)


def test_nll_loss_ignore_index_on_4d_input():
    shape, target = _SPATIAL["4d"]
    target = np.where(target == -100, 3, target)  # -100 is a class like any other here
    x = _rng.standard_normal(shape).astype(np.float32)
    _compare(lambda lib, x, t: lib.nn.NLLLoss(ignore_index=1)(x, t), [x, target],
             second_order=False)


# -- modules ----------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.BCELoss(), lambda lib: lib.nn.BCELoss(lib.tensor(COLUMN_WEIGHTS)),
    lambda lib: lib.nn.HuberLoss(delta=0.5), lambda lib: lib.nn.SmoothL1Loss(beta=2.0),
    lambda lib: lib.nn.KLDivLoss(reduction="batchmean", log_target=True),
], ids=["bce", "bce-weight", "huber", "smooth-l1", "kl-div"])
def test_module_repr_options_and_buffers(make):
    mini, ref = make(autograd_mini), make(torch)
    assert repr(mini) == repr(ref)
    for option in ("reduction", "delta", "beta", "log_target"):
        assert getattr(mini, option, None) == getattr(ref, option, None)
    assert list(mini.state_dict()) == list(ref.state_dict())


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.BCELoss(size_average=False), lambda lib: lib.nn.SmoothL1Loss(reduce=False),
    lambda lib: lib.nn.KLDivLoss(size_average=False),
], ids=["bce", "smooth-l1", "kl-div"])
def test_legacy_flags_map_to_reduction(make):
    with pytest.warns(UserWarning):
        mini = make(autograd_mini)
    with pytest.warns(UserWarning):
        ref = make(torch)
    assert mini.reduction == ref.reduction


# -- errors -----------------------------------------------------------------------------

def _error(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001 - type and message are compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("misuse", [
    lambda lib, F: F.binary_cross_entropy(lib.tensor([0.5, 1.5]), lib.tensor([0.0, 1.0])),
    lambda lib, F: F.binary_cross_entropy(lib.tensor([0.5, -0.1]), lib.tensor([0.0, 1.0])),
    lambda lib, F: F.binary_cross_entropy(lib.tensor([0.5, float("nan")]), lib.tensor([0.0, 1.0])),
    lambda lib, F: F.binary_cross_entropy(lib.tensor([0.5, 0.5]), lib.tensor([0.0, 2.0])),
    lambda lib, F: F.binary_cross_entropy(lib.full((3, 4), 0.5), lib.full((4,), 0.5)),
    lambda lib, F: F.binary_cross_entropy(lib.full((3, 4), 0.5), lib.full((3, 4), 0.5),
                                          weight=lib.ones(3)),
    lambda lib, F: F.binary_cross_entropy(lib.full((3,), 0.5),
                                          lib.full((3,), 0.5, dtype=lib.float64)),
    lambda lib, F: F.binary_cross_entropy(lib.full((3,), 0.5), lib.full((3,), 0.5), reduction="avg"),
    lambda lib, F: F.huber_loss(lib.ones(3), lib.ones(3), delta=0.0),
    lambda lib, F: F.huber_loss(lib.ones(3), lib.ones(3), weight=lib.ones(2)),
    lambda lib, F: F.huber_loss(lib.ones(3), lib.ones(4)),
    lambda lib, F: F.smooth_l1_loss(lib.ones(3), lib.ones(3), beta=-1.0),
    lambda lib, F: F.kl_div(lib.ones(3), lib.ones(3), reduction="avg"),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 5), lib.zeros(2, 2, dtype=lib.int64)),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 5), lib.zeros(3, 5, dtype=lib.int64)),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 5), lib.full((2, 5), 3, dtype=lib.int64)),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 2, 2), lib.zeros(2, 2, dtype=lib.int64)),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 2, 2), lib.zeros(2, 2, 3, dtype=lib.int64)),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 2, 2), lib.full((2, 2, 2), -2, dtype=lib.int64)),
    lambda lib, F: F.nll_loss(lib.ones(2, 3), lib.tensor([0, 3])),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 2, 2), lib.full((2, 2, 2), -100, dtype=lib.int64),
                              ignore_index=1),
    lambda lib, F: F.nll_loss(lib.ones(2, 3), lib.tensor([0, 1]), weight=lib.ones(4)),
    lambda lib, F: F.nll_loss(lib.ones(3), lib.tensor(0), weight=lib.ones(3, 1)),
    lambda lib, F: F.nll_loss(lib.ones(2, 3, 2), lib.zeros(2, 2, dtype=lib.int64),
                              weight=lib.ones(4)),
], ids=["bce-input-above-1", "bce-input-below-0", "bce-input-nan", "bce-target", "bce-shapes",
        "bce-weight-shape", "bce-dtypes", "bce-reduction", "huber-delta", "huber-weight-shape",
        "huber-shapes", "smooth-l1-beta", "kl-div-reduction", "nll-3d-target-size",
        "nll-3d-batch-size", "nll-3d-class-out-of-range", "nll-4d-target-dims",
        "nll-4d-target-size", "nll-4d-negative-class", "nll-2d-class-out-of-range",
        "nll-4d-default-ignore-index-not-ignored", "nll-weight-size", "nll-weight-2d",
        "nll-3d-weight-size"])
def test_errors_match_torch(misuse):
    results = [_error(lambda: misuse(lib, lib.nn.functional)) for lib in (autograd_mini, torch)]
    assert results[1] is not None
    assert results[0] == results[1]


# -- a program that trains with them ------------------------------------------------------

TRAINING = """\
import torch

x = torch.randn(32, 4)
labels = (x[:, 0] + x[:, 1] > 0).float()
masks = (torch.rand(2, 1, 3, 3) > 0.5).long().squeeze(1)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1),
                            torch.nn.Sigmoid(), torch.nn.Flatten(0, 1))
teacher = torch.nn.Linear(4, 3)
student = torch.nn.Linear(4, 3)
seg = torch.nn.Linear(1, 2)
bce, huber, smooth = torch.nn.BCELoss(), torch.nn.HuberLoss(delta=0.5), torch.nn.SmoothL1Loss(beta=0.3)
kl, nll = torch.nn.KLDivLoss(reduction="batchmean"), torch.nn.NLLLoss(weight=torch.tensor([1.0, 3.0]))
print(bce, huber, smooth, kl, nll)
params = list(model.parameters()) + list(student.parameters()) + list(seg.parameters())
for step in range(40):
    p = model(x)
    soft = torch.nn.functional.log_softmax(student(x), dim=1)
    with torch.no_grad():
        target = torch.nn.functional.softmax(teacher(x), dim=1)
    pixels = torch.nn.functional.log_softmax(seg(masks.float().unsqueeze(-1)).permute(0, 3, 1, 2), 1)
    loss = bce(p, labels) + huber(p, labels) + smooth(p, labels) + kl(soft, target) + nll(pixels, masks)
    for q in params:
        q.grad = None
    loss.backward()
    with torch.no_grad():
        for q in params:
            q -= 0.5 * q.grad
    if step % 10 == 9:
        print(step, loss.item(), loss.grad_fn)
"""


def test_a_training_program_prints_what_torch_prints(monkeypatch):
    from _nn_twin import assert_same_output, run_program, same_draws
    same_draws(monkeypatch, seed=3)
    torch_out, _ = run_program(TRAINING, "torch")
    same_draws(monkeypatch, seed=3)
    mini_out, _ = run_program(TRAINING, "mini")
    assert torch_out.count("\n") == 5
    assert_same_output(mini_out, torch_out)
