"""Gaps filled in nn, each against torch run in the same test: Sequential's list methods
(del renumbers, slicing, insert, append, extend, pop, +, *), cross_entropy's
label_smoothing, Embedding's max_norm and padding_idx."""
import sys
import warnings
from collections import OrderedDict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nn_twin import ENGINES, assert_close, autograd_mini, np, structure, torch  # noqa: E402
from test_losses_more import _compare  # noqa: E402
from test_utils_and_containers import _both, _error  # noqa: E402


def _layers(nn):
    return [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)]


def _shape(seq):
    """What a program sees of a Sequential: its repr, names, parameters' names, length."""
    return (repr(seq), list(seq._modules), type(seq._modules).__name__,
            [k for k, _ in seq.named_parameters()], list(seq.state_dict()), len(seq))


SEQUENTIAL_PROGRAMS = {
    "del-middle": lambda nn, s: s.__delitem__(1),
    "del-negative": lambda nn, s: s.__delitem__(-2),
    "del-slice": lambda nn, s: s.__delitem__(slice(1, 4, 2)),
    "del-all": lambda nn, s: s.__delitem__(slice(None)),
    "pop": lambda nn, s: type(s.pop(2)).__name__,
    "pop-slice": lambda nn, s: repr(s.pop(slice(0, 2))),
    "insert": lambda nn, s: s.insert(2, nn.Sigmoid()) is s,
    "insert-negative": lambda nn, s: s.insert(-1, nn.Sigmoid()) is s,
    "insert-at-end": lambda nn, s: s.insert(5, nn.Sigmoid()) is s,
    "append": lambda nn, s: s.append(nn.Sigmoid()) is s,
    "extend": lambda nn, s: s.extend([nn.Sigmoid(), nn.Identity()]) is s,
    "extend-sequential": lambda nn, s: s.extend(nn.Sequential(nn.Sigmoid())) is s,
    "slice": lambda nn, s: _shape(s[1:4]),
    "slice-step": lambda nn, s: _shape(s[::-2]),
    "index": lambda nn, s: (repr(s[-1]), repr(s[0])),
    "setitem": lambda nn, s: s.__setitem__(-1, nn.Softmax(dim=1)),
    "add": lambda nn, s: _shape(s + nn.Sequential(nn.Sigmoid())),
    "iadd": lambda nn, s: s.__iadd__(nn.Sequential(nn.Sigmoid())) is s,
    "mul": lambda nn, s: _shape(nn.Sequential(nn.ReLU(), nn.Tanh()) * 3),
    "rmul": lambda nn, s: _shape(2 * nn.Sequential(nn.ReLU())),
    "imul": lambda nn, s: s.__imul__(2) is s,
    "del-then-append": lambda nn, s: (s.__delitem__(0), repr(s.append(nn.Sigmoid()))),
    "dir": lambda nn, s: [k for k in dir(s) if k.isdigit()],
}


@pytest.mark.parametrize("name", SEQUENTIAL_PROGRAMS)
def test_sequential_list_methods_as_torch(name):
    def program(lib):
        torch.manual_seed(0)
        seq = lib.nn.Sequential(*_layers(lib.nn))
        result = SEQUENTIAL_PROGRAMS[name](lib.nn, seq)
        return result if isinstance(result, (str, bool, list, tuple)) else None, _shape(seq)
    got = _both(program)
    assert got["mini"] == got["torch"]


def test_sequential_with_named_modules_renumbers_on_del_and_keeps_names_on_slice():
    def program(lib):
        nn = lib.nn
        seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU()),
                                         ("out", nn.Linear(2, 1))]))
        sliced = _shape(seq[1:])
        del seq[0]
        return sliced, _shape(seq)
    got = _both(program)
    assert got["mini"] == got["torch"]


def test_sequential_after_del_runs_with_torchs_values_and_gradients():
    x = np.random.default_rng(3).standard_normal((4, 2)).astype(np.float32)
    out = {}
    for name, lib in ENGINES.items():
        nn = lib.nn
        seq = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Tanh(), nn.Linear(3, 1))
        with lib.no_grad():
            for i, p in enumerate(seq.parameters()):
                p.copy_(lib.tensor(np.linspace(-1, 1, p.numel(), dtype=np.float32)
                                   .reshape(tuple(p.shape)) * (i + 1)))
        del seq[1]
        y = seq(lib.tensor(x)).sum()
        y.backward()
        out[name] = (y, [p.grad for p in seq.parameters()])
    assert_close(out["mini"][0], out["torch"][0])
    for a, b in zip(out["mini"][1], out["torch"][1]):
        assert_close(a, b)


@pytest.mark.parametrize("call", [
    lambda nn, s: s[5],
    lambda nn, s: s[-6],
    lambda nn, s: s.__delitem__(7),
    lambda nn, s: s.insert(6, nn.ReLU()),
    lambda nn, s: s.insert(-6, nn.ReLU()),
    lambda nn, s: s.insert(0, "relu"),
    lambda nn, s: s + [nn.ReLU()],
    lambda nn, s: s.__iadd__(3),
    lambda nn, s: s * 0,
    lambda nn, s: s * 1.5,
    lambda nn, s: s.__imul__(-1),
], ids=["index", "negative-index", "del", "insert-past-end", "insert-before-start",
        "insert-not-a-module", "add-list", "iadd-int", "mul-zero", "mul-float", "imul-negative"])
def test_sequential_errors_as_torch(call):
    got = _both(lambda lib: _error(lambda: call(lib.nn, lib.nn.Sequential(*_layers(lib.nn)))))
    assert got["torch"] is not None
    assert got["mini"] == got["torch"]


# -- cross_entropy's label_smoothing -----------------------------------------------------

_ce_rng = np.random.default_rng(5)
LOGITS = _ce_rng.standard_normal((6, 4)).astype(np.float32)
CLASSES = np.array([0, 3, 1, 3, 2, 1])
SPATIAL = _ce_rng.standard_normal((2, 4, 3)).astype(np.float32)
SPATIAL_CLASSES = np.array([[0, 3, 1], [2, 3, 3]])
PROBS = _ce_rng.random((6, 4)).astype(np.float32)
PROBS /= PROBS.sum(1, keepdims=True)
CLASS_WEIGHT = np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32)


def _cross_entropy(smoothing, weight=None, **kwargs):
    def program(lib, x, t):
        w = None if weight is None else lib.tensor(weight)
        return lib.nn.functional.cross_entropy(x, t, weight=w, label_smoothing=smoothing,
                                               **kwargs)
    return program


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, CLASS_WEIGHT], ids=["", "weight"])
@pytest.mark.parametrize("ignore_index", [-100, 3])
@pytest.mark.parametrize("smoothing", [0.1, 0.35, 1.0])
def test_label_smoothing_with_class_indices(reduction, weight, ignore_index, smoothing):
    _compare(_cross_entropy(smoothing, weight, ignore_index=ignore_index, reduction=reduction),
             [LOGITS, CLASSES])


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("weight", [None, CLASS_WEIGHT], ids=["", "weight"])
def test_label_smoothing_on_spatial_and_one_dimensional_inputs(reduction, weight):
    _compare(_cross_entropy(0.2, weight, ignore_index=3, reduction=reduction),
             [SPATIAL, SPATIAL_CLASSES])
    _compare(_cross_entropy(0.2, weight, reduction=reduction), [LOGITS[0], CLASSES[:1][0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, CLASS_WEIGHT], ids=["", "weight"])
def test_label_smoothing_with_class_probabilities(reduction, weight):
    """The target mixed with the uniform distribution: its gradient too is torch's."""
    _compare(_cross_entropy(0.25, weight, reduction=reduction), [LOGITS, PROBS])


def test_label_smoothing_when_every_target_is_ignored_is_nan_as_torch():
    _compare(_cross_entropy(0.1, ignore_index=3), [LOGITS[1::2], CLASSES[1::2]],
             second_order=False)


def test_cross_entropy_loss_module_with_label_smoothing():
    out = {}
    for name, lib in ENGINES.items():
        loss_fn = lib.nn.CrossEntropyLoss(weight=lib.tensor(CLASS_WEIGHT), label_smoothing=0.1)
        x = lib.tensor(LOGITS, requires_grad=True)
        loss = loss_fn(x, lib.tensor(CLASSES))
        loss.backward()
        out[name] = (repr(loss_fn), loss, x.grad, structure(loss))
    assert out["mini"][0] == out["torch"][0]
    assert_close(out["mini"][1], out["torch"][1])
    assert_close(out["mini"][2], out["torch"][2])
    assert out["mini"][3] == out["torch"][3]


@pytest.mark.parametrize("smoothing", [1.5, -0.2])
@pytest.mark.parametrize("target", [CLASSES, PROBS], ids=["indices", "probabilities"])
def test_label_smoothing_out_of_range_as_torch(smoothing, target):
    """Above 1 is an error; below 0, torch smooths nothing."""
    got = _both(lambda lib: _error(lambda: lib.nn.functional.cross_entropy(
        lib.tensor(LOGITS), lib.tensor(target), label_smoothing=smoothing).tolist()))
    assert got["mini"] == got["torch"]
    if smoothing < 0:
        _compare(_cross_entropy(smoothing), [LOGITS, target])


# -- Embedding's max_norm ------------------------------------------------------------------

EMBEDDING_WEIGHT = np.random.default_rng(8).standard_normal((6, 3)).astype(np.float32) * 3


@pytest.mark.parametrize("max_norm, norm_type, indices", [
    (1.5, 2.0, [[0, 2], [2, 4]]),
    (0.5, 1.0, [1, 3]),
    (1.0, float("inf"), [0, 1, 2, 3, 4, 5]),
    (2.0, 3.0, [5, 5, 0]),
    (100.0, 2.0, [0]),
], ids=["l2", "l1", "inf", "p3-repeated", "nothing-above"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_max_norm_renormalises_the_looked_up_rows_in_place(max_norm, norm_type,
                                                                     indices, padding_idx):
    out = {}
    for name, lib in ENGINES.items():
        emb = lib.nn.Embedding(6, 3, padding_idx=padding_idx, max_norm=max_norm,
                               norm_type=norm_type, _weight=lib.tensor(EMBEDDING_WEIGHT.copy()))
        version = emb.weight._version
        y = emb(lib.tensor(indices))
        (y * lib.tensor(np.arange(1.0, 4.0, dtype=np.float32))).sum().backward()
        out[name] = (y, emb.weight.detach().clone(), emb.weight.grad, emb.weight._version - version,
                     structure(y), repr(emb))
    for a, b in zip(out["mini"][:3], out["torch"][:3]):
        assert_close(a, b)
    assert out["mini"][3:] == out["torch"][3:]


def test_functional_embedding_max_norm_and_from_pretrained():
    out = {}
    for name, lib in ENGINES.items():
        weight = lib.tensor(EMBEDDING_WEIGHT.copy(), requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor([1, 4]), weight, max_norm=1.0)
        pretrained = lib.nn.Embedding.from_pretrained(lib.tensor(EMBEDDING_WEIGHT.copy()),
                                                      max_norm=2.0)
        z = pretrained(lib.tensor([[3, 0]]))
        out[name] = (y, weight.detach(), z, pretrained.weight, repr(pretrained))
    for a, b in zip(out["mini"][:4], out["torch"][:4]):
        assert_close(a, b)
    assert out["mini"][4] == out["torch"][4]


def test_embedding_max_norm_training_keeps_rows_within_the_norm():
    """Each forward renormalises before the lookup: three SGD steps as in torch."""
    out = {}
    for name, lib in ENGINES.items():
        emb = lib.nn.Embedding(6, 3, max_norm=2.0, _weight=lib.tensor(EMBEDDING_WEIGHT.copy()))
        optimizer = lib.optim.SGD(emb.parameters(), lr=0.5)
        for step in range(3):
            optimizer.zero_grad()
            loss = (emb(lib.tensor([[step, 5], [1, step + 2]])) ** 2).sum()
            loss.backward()
            optimizer.step()
        out[name] = (loss, emb.weight)
    assert_close(out["mini"][0], out["torch"][0])
    assert_close(out["mini"][1], out["torch"][1])


# -- prelu, glu, and pad's reflect / replicate modes --------------------------------------

_act_rng = np.random.default_rng(13)
X3 = _act_rng.standard_normal((2, 3, 4)).astype(np.float32)
X4 = _act_rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
X5 = _act_rng.standard_normal((1, 2, 3, 4, 5)).astype(np.float32)
CHANNEL_SLOPES = np.array([0.25, -0.5, 1.5], dtype=np.float32)


@pytest.mark.parametrize("x, w", [
    (X3, CHANNEL_SLOPES), (X4, CHANNEL_SLOPES), (X3, np.array([0.1], dtype=np.float32)),
    (X3, np.array(0.3, dtype=np.float32)), (X3[0, 0], np.array([0.2], dtype=np.float32)),
    (X3[0, :, 0], np.array([0.2], dtype=np.float32)),
], ids=["channels", "channels-4d", "one", "zero-dim-weight", "1d-input", "1d-input-2"])
def test_prelu_values_gradients_and_graph_as_torch(x, w):
    _compare(lambda lib, a, b: lib.nn.functional.prelu(a, b), [x, w])


@pytest.mark.parametrize("dim", [-1, 1, 0])
def test_glu_values_gradients_and_graph_as_torch(dim):
    x = X4[:, :, :, :4] if dim == -1 else X4[:2, :2] if dim == 1 else X4
    _compare(lambda lib, a: lib.nn.functional.glu(a, dim), [np.ascontiguousarray(x)])


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("x, pad", [
    (X3, (1, 2)), (X3[0], (3, 0)), (X3, (2, 1, 1, 2)), (X4, (0, 4, 2, 2)), (X4, (1, 1, 1, 1, 1, 1)),
    (X5, (2, 1, 0, 3, 1, 2)), (X3, (-1, 2)),
], ids=["1d", "1d-unbatched", "2d-on-3d", "2d", "3d-on-4d", "3d", "crop-and-pad"])
def test_pad_modes_values_gradients_and_graph_as_torch(mode, x, pad):
    """Not second order: torch's gradient records a node on the input (whose gradient is
    zeros), the engine's does not depend on it (a pad is linear)."""
    _compare(lambda lib, a: lib.nn.functional.pad(a, pad, mode=mode), [x], second_order=False)


def test_pad_modes_keep_integer_dtypes_and_take_value_zero_and_an_empty_batch():
    got = _both(lambda lib: [lib.nn.functional.pad(lib.tensor(X3).int(), (1, 2), mode=m).tolist()
                             for m in ("reflect", "replicate")]
                + [lib.nn.functional.pad(lib.tensor(X3), (1, 1), "reflect", 0.0).tolist(),
                   list(lib.nn.functional.pad(lib.tensor(X4[:0]), (1, 1, 2, 2), "reflect").shape),
                   list(lib.nn.functional.pad(lib.tensor(X3), (0, 0, -2, -1), "reflect").shape)])
    assert got["mini"] == got["torch"]


def test_prelu_and_glu_modules_as_torch():
    out = {}
    for name, lib in ENGINES.items():
        prelu, glu = lib.nn.PReLU(3, init=0.1), lib.nn.GLU(dim=1)
        x = lib.tensor(X4[:, :, :2], requires_grad=True)
        y = glu(prelu(x).transpose(1, 2))
        y.sum().backward()
        out[name] = (repr(prelu), repr(lib.nn.PReLU()), repr(glu), y, x.grad, prelu.weight.grad,
                     [k for k, _ in prelu.named_parameters()], structure(y))
    assert out["mini"][:3] == out["torch"][:3]
    for a, b in zip(out["mini"][3:6], out["torch"][3:6]):
        assert_close(a, b)
    assert out["mini"][6:] == out["torch"][6:]


@pytest.mark.parametrize("call", [
    lambda F, t: F.prelu(t(X3), t(CHANNEL_SLOPES[:2])),
    lambda F, t: F.prelu(t(X3), t(CHANNEL_SLOPES[None])),
    lambda F, t: F.prelu(t(X3), t(CHANNEL_SLOPES.astype(np.float64))),
    lambda F, t: F.prelu(t(np.float32(1.0)), t(CHANNEL_SLOPES)),
    lambda F, t: F.prelu(t(X3[0, 0]), t(CHANNEL_SLOPES)),
    lambda F, t: F.prelu(t(X3).int(), t(CHANNEL_SLOPES).int()),
    lambda F, t: F.glu(t(np.float32(1.0))),
    lambda F, t: F.glu(t(X3), 3),
    lambda F, t: F.glu(t(X3), 1),
    lambda F, t: F.glu(t(X3[:, :2]).int(), 1),
    lambda F, t: F.pad(t(X3), (4, 1), mode="reflect"),
    lambda F, t: F.pad(t(X3), (1, 1, 3, 1), mode="reflect"),
    lambda F, t: F.pad(t(X3), (4, 1, 1, 1), mode="reflect"),
    lambda F, t: F.pad(t(X4), (1, 1, 1, 1, 3, 1), mode="reflect"),
    lambda F, t: F.pad(t(X3), (1,), mode="replicate"),
    lambda F, t: F.pad(t(X3), (1, 1) * 4, mode="reflect"),
    lambda F, t: F.pad(t(X3), (1, 1) * 3, mode="replicate"),
    lambda F, t: F.pad(t(X3[0, 0]), (1, 1), mode="reflect"),
    lambda F, t: F.pad(t(X3), (1, 1), mode="reflect", value=1.0),
    lambda F, t: F.pad(t(X3), (1, 1), mode="wrap"),
    lambda F, t: F.pad(t(X3[:, :, :0]), (1, 1), mode="reflect"),
    lambda F, t: F.pad(t(X3[:0]), (1, 1, 1, 1), mode="replicate"),
    lambda F, t: F.pad(t(X4[:, :0]), (1, 1, 1, 1), mode="reflect"),
    lambda F, t: F.pad(t(X3), (-3, -2), mode="reflect"),
    lambda F, t: F.pad(t(X3), (-3, -2), mode="replicate"),
], ids=["prelu-count", "prelu-2d-weight", "prelu-dtypes", "prelu-zero-dim", "prelu-1d-input",
        "prelu-int", "glu-scalar", "glu-dim", "glu-odd", "glu-int", "reflect-too-wide",
        "reflect-2d-height", "reflect-2d-width", "reflect-3d-depth", "odd-length",
        "too-long", "size-6-on-3d", "1d-input", "value", "unknown-mode", "empty-width",
        "empty-unbatched-channels", "empty-channels", "reflect-crop-all", "replicate-crop-all"])
def test_prelu_glu_pad_errors_as_torch(call):
    got = _both(lambda lib: _error(lambda: call(lib.nn.functional, lib.tensor)))
    assert got["torch"] is not None
    assert got["mini"] == got["torch"]


# A program that uses them together, as a tutorial writes it; mini runs it through
# `import autograd_mini as torch`, its random initial weights torch's after manual_seed.
PROGRAM = """\
import torch

nn, F = torch.nn, torch.nn.functional
torch.manual_seed(0)
emb = nn.Embedding(10, 6, padding_idx=0, max_norm=1.0)
body = nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.0), nn.PReLU(), nn.Linear(8, 8), nn.GLU())
del body[1]
body.insert(2, nn.Identity())
print(body)
head = nn.Linear(4, 3)
model = nn.Sequential(emb, body) + nn.Sequential(head)
print(len(model), [type(m).__name__ for m in model])
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=8)
tokens = torch.tensor([[1, 4, 0, 7], [3, 3, 9, 0]])
targets = torch.tensor([[0, 1, 2, 1], [2, 0, 1, 1]])
for step in range(8):
    optimizer.zero_grad()
    logits = model(tokens)
    padded = F.pad(logits.transpose(1, 2), (1, 1), mode="replicate")[..., 1:-1]
    loss = loss_fn(padded, targets)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(step, f"{loss.item():.5f}", loss.grad_fn, scheduler.get_last_lr())
print(emb.weight.norm(dim=1))
"""


def test_a_program_using_the_new_pieces_prints_what_torch_prints():
    from _nn_twin import assert_same_output, run_program
    printed = {}
    for engine in ("mini", "torch"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            printed[engine], _ = run_program(PROGRAM, engine)
    assert_same_output(printed["mini"], printed["torch"])
    assert printed["torch"].count("AddBackward0") == 8
