"""Each misuse raises (or warns) with torch's own message: the same program on both
engines, and the two messages compared, so a change in either shows up here."""
import warnings

import numpy as np
import pytest
import torch

import autograd_mini


def _outcome(program, lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            program(lib)
        except Exception as e:  # noqa: BLE001 - the point is to capture any error
            return type(e).__name__, str(e), [str(w.message) for w in caught]
    return None, None, [(w.category.__name__, str(w.message)) for w in caught]


def _leaf(lib):
    return lib.tensor([0.5, -1.0, 2.0], requires_grad=True)


def _backward_twice(lib):
    y = _leaf(lib).sin().sum()
    y.backward()
    y.backward()


def _saved_input_modified(lib):
    b = _leaf(lib) * 1
    c = b.sin()          # sin saves its input
    b.add_(1)
    c.sum().backward()


def _saved_result_modified(lib):
    c = (_leaf(lib) * 1).exp()  # exp saves its result
    c.add_(1)
    c.sum().backward()


def _saved_leaf_modified(lib):
    a = _leaf(lib)
    c = a.sin()
    with lib.no_grad():
        a.mul_(2)
    c.sum().backward()


def _saved_access_after_free(lib):
    c = _leaf(lib).sin()
    c.sum().backward()
    c.grad_fn._saved_self


def _set_requires_grad(value):
    def program(lib):
        y = _leaf(lib) * 2
        y.requires_grad = value
    return program


def _set_int_requires_grad(lib):
    t = lib.tensor([1, 2])
    t.requires_grad = True


def _setitem_on_leaf(lib):
    x = _leaf(lib)
    x[0] = 1.0


def _isub_on_leaf(lib):
    x = _leaf(lib)
    x -= 1


ERRORS = {
    "non-scalar backward": lambda lib: (_leaf(lib) * 2).backward(),
    "backward without grad": lambda lib: lib.ones(3).sum().backward(),
    "broadcast": lambda lib: lib.ones(3) + lib.ones(4),
    "broadcast 2-D": lambda lib: lib.ones(2, 3) * lib.ones(4),
    "int requires_grad (factory)": lambda lib: lib.tensor([1, 2], requires_grad=True),
    "int requires_grad_()": lambda lib: lib.tensor([1, 2]).requires_grad_(),
    "int requires_grad =": _set_int_requires_grad,
    "numpy() of requires_grad": lambda lib: _leaf(lib).numpy(),
    "non-leaf requires_grad=False": _set_requires_grad(False),
    "non-leaf requires_grad=True": _set_requires_grad(True),
    "in-place on a leaf": lambda lib: _leaf(lib).sin_(),
    "add_ on a leaf": lambda lib: _leaf(lib).add_(1),
    "-= on a leaf": _isub_on_leaf,
    "x[i] = v on a leaf": _setitem_on_leaf,
    "module-level sin_ on a leaf": lambda lib: lib.sin_(_leaf(lib)),
    "saved input modified": _saved_input_modified,
    "saved result modified": _saved_result_modified,
    "saved leaf modified": _saved_leaf_modified,
    "backward twice": _backward_twice,
    "saved tensor after free": _saved_access_after_free,
    "gradient of wrong shape": lambda lib: (_leaf(lib) * 2).backward(lib.ones(4)),
    "fewer gradients than outputs": lambda lib: lib.autograd.backward(
        [_leaf(lib) * 2, _leaf(lib) * 3], [lib.ones(3)]),
    "item of many": lambda lib: _leaf(lib).item(),
    "reshape to wrong size": lambda lib: _leaf(lib).reshape(4),
    "mm shapes": lambda lib: lib.ones(2, 3) @ lib.ones(2, 3),
    "hook without grad": lambda lib: lib.ones(2).register_hook(lambda g: g),
    "grad of input without grad": lambda lib: lib.autograd.grad(_leaf(lib).sum(), lib.ones(2)),
    "grad of unused input": lambda lib: lib.autograd.grad(
        (_leaf(lib) * 2).sum(), [_leaf(lib)]),
    # A dim out of range: one message, worded from the tensor's own range, for every op.
    "sum dim out of range": lambda lib: lib.ones(2, 3).sum(5),
    "sum of dims, one out of range": lambda lib: lib.ones(2, 3).sum((0, -3)),
    "mean dim out of range": lambda lib: lib.ones(2, 3).mean(2),
    "max dim out of range": lambda lib: lib.ones(2, 3).max(4),
    "argmax dim out of range": lambda lib: lib.ones(2, 3).argmax(3),
    "squeeze dim out of range": lambda lib: lib.ones(2, 3).squeeze(3),
    "unsqueeze dim out of range": lambda lib: lib.ones(2, 3).unsqueeze(-4),
    "transpose dim out of range": lambda lib: lib.ones(2, 3).transpose(0, 5),
    "flatten dim out of range": lambda lib: lib.ones(2, 3).flatten(0, 7),
    "cat dim out of range": lambda lib: lib.cat([lib.ones(2, 3)] * 2, 3),
    "stack dim out of range": lambda lib: lib.stack([lib.ones(2, 3)] * 2, 4),
    "select dim out of range": lambda lib: lib.ones(2, 3).select(3, 0),
    "narrow dim out of range": lambda lib: lib.ones(2, 3).narrow(4, 0, 1),
    "0-d sum dim out of range": lambda lib: lib.tensor(2.0).sum(1),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_same_error_as_torch(name):
    expected = _outcome(ERRORS[name], torch)
    assert expected[0] is not None, "torch raised nothing: the case is wrong"
    assert _outcome(ERRORS[name], autograd_mini)[:2] == expected[:2]


OK_PROGRAMS = {
    # A graph whose nodes saved nothing backpropagates twice (field notes).
    "backward twice through add and sum": lambda lib: [(y := (_leaf(lib) + 1).sum()).backward(),
                                                       y.backward()],
    "in-place on a leaf under no_grad": lambda lib: [x := _leaf(lib), lib.no_grad().__enter__(),
                                                    x.sub_(1), lib.set_grad_enabled(True)],
    "retain_grad on a leaf is a no-op": lambda lib: _leaf(lib).retain_grad(),
    "a 0-d tensor takes dim 0": lambda lib: [lib.tensor(2.0).sum(0), lib.tensor(2.0).argmax(-1)],
}


@pytest.mark.parametrize("name", sorted(OK_PROGRAMS))
def test_same_success_as_torch(name):
    assert _outcome(OK_PROGRAMS[name], torch) == (None, None, [])
    assert _outcome(OK_PROGRAMS[name], autograd_mini) == (None, None, [])


def test_non_leaf_grad_warns_like_torch():
    def read(lib):
        y = _leaf(lib) * 2
        return y.grad

    for lib in (torch, autograd_mini):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert read(lib) is None
        assert [w.category for w in caught] == [UserWarning]
        messages = [str(w.message) for w in caught]
        if lib is torch:
            expected = messages[0]
        else:  # the whole text, torch's "(Triggered internally at <its C++ source>)" too
            assert messages[0] == expected


def test_retained_non_leaf_grad_reads_without_warning():
    for lib in (torch, autograd_mini):
        y = _leaf(lib) * 2
        y.retain_grad()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y.sum().backward()
            np.testing.assert_array_equal(np.asarray(y.grad.tolist()), [1.0, 1.0, 1.0])


def test_negative_dims_pick_the_same_dimension_as_torch():
    """narrow(-1, ...) sliced dimension 0 before dims were wrapped in one place."""
    values = np.arange(6.0).reshape(2, 3)
    for program in (lambda t: t.narrow(-1, 1, 2), lambda t: t.select(-1, 2),
                    lambda t: t.sum(-1), lambda t: t.unsqueeze(-1), lambda t: t.transpose(-1, -2)):
        mini, expected = program(autograd_mini.tensor(values)), program(torch.tensor(values))
        np.testing.assert_array_equal(mini.numpy(), expected.numpy())
