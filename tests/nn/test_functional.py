"""nn.functional and the loss modules against torch: values for every reduction, gradients
for input and target, second derivatives, node names and graph structure, warnings and
errors."""
import warnings

import pytest

from _nn_twin import ENGINES, assert_close, autograd_mini, np, structure, torch

_rng = np.random.default_rng(11)
LOGITS = _rng.standard_normal((5, 4)).astype(np.float32) * 2
PROBS = _rng.random((5, 4)).astype(np.float32)
CLASSES = np.array([0, 3, 1, 1, 2])
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.0, 0.25], dtype=np.float32)
SOFT_TARGETS = (PROBS / PROBS.sum(1, keepdims=True)).astype(np.float32)


def _leaf(lib, array, requires_grad=True):
    t = lib.tensor(array.copy())
    return t.requires_grad_(True) if requires_grad and t.is_floating_point() else t


def _compare(program, arrays, grad_inputs=None, second_order=True):
    """Run program(lib, *tensors) on both engines; compare the result, its graph, the
    gradients of the float inputs, and (second_order) the gradients of a function of
    those gradients."""
    grad_inputs = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"] \
        if grad_inputs is None else grad_inputs
    out = {}
    for name, lib in ENGINES.items():
        tensors = [_leaf(lib, a, i in grad_inputs) for i, a in enumerate(arrays)]
        y = program(lib, *tensors)
        wanted = [tensors[i] for i in grad_inputs]
        seed = lib.tensor(np.linspace(0.5, 1.5, max(y.numel(), 1), dtype=np.float32).reshape(
            tuple(y.shape)))
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
        assert_close(a, b)
    if s_ref is not None or s_mini is not None:
        for a, b in zip(s_mini, s_ref):
            if b is not None and b._is_zerotensor():  # torch's symbolic zeros (abs'' = 0)
                b = torch.zeros(b.shape)
            assert_close(a, b, rtol=1e-4, atol=1e-5)
    return y_mini


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction):
    _compare(lambda lib, x, y: lib.nn.functional.mse_loss(x, y, reduction=reduction), [LOGITS, PROBS])
    _compare(lambda lib, x, y: lib.nn.MSELoss(reduction=reduction)(x, y), [LOGITS, PROBS])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_loss(reduction):
    _compare(lambda lib, x, y: lib.nn.L1Loss(reduction=reduction)(x, y), [LOGITS, PROBS])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", ["none", "weight", "pos_weight", "both"])
def test_binary_cross_entropy_with_logits(reduction, weights):
    w = CLASS_WEIGHTS if weights in ("weight", "both") else None
    pw = CLASS_WEIGHTS[::-1].copy() if weights in ("pos_weight", "both") else None

    def program(lib, x, y):
        kw = dict(weight=None if w is None else lib.tensor(w),
                  pos_weight=None if pw is None else lib.tensor(pw))
        return lib.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction, **kw)
    _compare(program, [LOGITS, PROBS])

    def module(lib, x, y):
        return lib.nn.BCEWithLogitsLoss(weight=None if w is None else lib.tensor(w),
                                        pos_weight=None if pw is None else lib.tensor(pw),
                                        reduction=reduction)(x, y)
    _compare(module, [LOGITS, PROBS])


def test_binary_cross_entropy_with_large_logits_does_not_overflow():
    _compare(lambda lib, x, y: lib.nn.functional.binary_cross_entropy_with_logits(x, y),
             [np.array([-120.0, -30.0, 0.0, 40.0, 150.0], np.float32),
              np.array([0.0, 1.0, 0.5, 0.0, 1.0], np.float32)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 1},
                                     {"weight": True, "ignore_index": 3}])
def test_cross_entropy_and_nll_loss(reduction, options):
    def kwargs(lib):
        kw = dict(options, reduction=reduction)
        if kw.pop("weight", False):
            kw["weight"] = lib.tensor(CLASS_WEIGHTS)
        return kw
    _compare(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, **kwargs(lib)), [LOGITS, CLASSES])
    _compare(lambda lib, x, t: lib.nn.CrossEntropyLoss(**kwargs(lib))(x, t), [LOGITS, CLASSES])
    _compare(lambda lib, x, t: lib.nn.functional.nll_loss(
        lib.nn.functional.log_softmax(x, dim=1), t, **kwargs(lib)), [LOGITS, CLASSES])
    _compare(lambda lib, x, t: lib.nn.NLLLoss(**kwargs(lib))(x.log_softmax(1), t), [LOGITS, CLASSES])


def test_cross_entropy_on_one_sample():
    _compare(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), [LOGITS[0], np.array(2)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_probabilities(reduction):
    y = _compare(lambda lib, x, p: lib.nn.functional.cross_entropy(x, p, reduction=reduction),
                 [LOGITS, SOFT_TARGETS], grad_inputs=[0])
    if reduction == "mean":
        assert y.grad_fn.name() == "DivBackward1"


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax(dim):
    _compare(lambda lib, x: lib.nn.functional.softmax(x, dim=dim), [LOGITS])
    _compare(lambda lib, x: lib.nn.functional.log_softmax(x, dim), [LOGITS])
    _compare(lambda lib, x: lib.softmax(x, dim), [LOGITS])
    _compare(lambda lib, x: x.log_softmax(dim), [LOGITS])


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 2)])
def test_softmax_implicit_dim_warns_as_torch(shape):
    x = _rng.standard_normal(shape).astype(np.float32)
    for fn in ("softmax", "log_softmax"):
        seen = []
        for lib in (autograd_mini, torch):
            with warnings.catch_warnings(record=True) as record:
                warnings.simplefilter("always")
                y = getattr(lib.nn.functional, fn)(lib.tensor(x))
            seen.append(([str(r.message) for r in record], y.tolist()))
        assert seen[0][0] == seen[1][0] and len(seen[0][0]) == 1
        np.testing.assert_allclose(seen[0][1], seen[1][1], rtol=1e-6)


def test_relu_linear_and_activations():
    w, b = _rng.standard_normal((3, 4)).astype(np.float32), _rng.standard_normal(3).astype(np.float32)
    _compare(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [LOGITS, w, b])
    _compare(lambda lib, x, w: lib.nn.functional.linear(x, w), [LOGITS, w])
    _compare(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [LOGITS[0], w, b])
    _compare(lambda lib, x: lib.nn.functional.relu(x), [LOGITS])
    _compare(lambda lib, x: lib.nn.functional.relu(x * 1, inplace=True), [LOGITS])
    _compare(lambda lib, x: lib.nn.functional.tanh(x) + lib.nn.functional.sigmoid(x), [LOGITS])


def test_addmm_with_beta_and_alpha():
    m1, m2 = _rng.standard_normal((2, 3)).astype(np.float32), _rng.standard_normal((3, 4)).astype(np.float32)
    _compare(lambda lib, b, m1, m2: lib.addmm(b, m1, m2, beta=0.5, alpha=2.0),
             [_rng.standard_normal(4).astype(np.float32), m1, m2])


def test_size_mismatch_warns_as_torch():
    x, y = LOGITS[:, :1], LOGITS[:, 0]
    for fn in ("mse_loss", "l1_loss"):
        seen = []
        for lib in (autograd_mini, torch):
            with warnings.catch_warnings(record=True) as record:
                warnings.simplefilter("always")
                loss = getattr(lib.nn.functional, fn)(lib.tensor(x), lib.tensor(y))
            seen.append(([str(r.message) for r in record], loss.item()))
        assert seen[0][0] == seen[1][0]
        assert seen[0][1] == pytest.approx(seen[1][1], rel=1e-6)


def _error(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001 - type and message are compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("misuse", [
    lambda lib, F: F.mse_loss(lib.ones(3), lib.ones(4)),
    lambda lib, F: F.mse_loss(lib.ones(3), lib.ones(3), reduction="avg"),
    lambda lib, F: F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(4)),
    lambda lib, F: F.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1, 5])),
    lambda lib, F: F.cross_entropy(lib.ones(3, 4), lib.tensor([0, -1, 2])),
    lambda lib, F: F.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1])),
    lambda lib, F: F.nll_loss(lib.ones(3, 4), lib.tensor([0.0, 1.0, 2.0])),
    lambda lib, F: F.dropout(lib.ones(3), p=-0.1),
], ids=["mse-shapes", "reduction", "bce-shapes", "class-out-of-range", "negative-class",
        "batch-size", "float-classes", "dropout-p"])
def test_errors_match_torch(misuse):
    results = [_error(lambda: misuse(lib, lib.nn.functional)) for lib in (autograd_mini, torch)]
    assert results[0] is not None
    assert results[0] == results[1]
