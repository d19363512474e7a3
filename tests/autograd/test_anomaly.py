"""Anomaly detection on both engines: the switches, the NaN error, and the warning that
shows the forward call of the failing node (its parents' too, under create_graph)."""
import os
import re
import warnings

import pytest
import torch

import autograd_mini

LIBS = [autograd_mini, torch]
_TORCH_DIR = os.path.dirname(torch.__file__)


def _frames_outside_torch(message):
    """torch's warning without its C++ suffix and without frames inside torch's own Python
    code (autograd.grad's, Function.apply's): autograd_mini leaves out its own frames too."""
    message = message.split(" (Triggered internally at")[0]
    entries = re.split(r"(?m)^(?=  File )", message)
    return "".join(e for e in entries if not e.startswith(f'  File "{_TORCH_DIR}'))


def _run(program, lib):
    """(outcome, [(warning category, text)]) of `program(lib)`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # NumPy's "invalid value" warnings are issue 12's item 9, tested on their own.
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        try:
            outcome = ("ok", program(lib))
        except Exception as error:  # noqa: BLE001 - compared with torch's
            outcome = (type(error).__name__, str(error))
    return outcome, [(w.category.__name__, _frames_outside_torch(str(w.message))) for w in caught]


def _same(program):
    # One call site for both engines, so the recorded stacks are the same lines.
    results = [_run(program, lib) for lib in LIBS]
    assert results[0] == results[1]
    return results[1]


def _nan_through_sqrt(lib):
    with lib.autograd.detect_anomaly():
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        y = x.sqrt() * 0  # backward of sqrt at 0: 0 * inf
        y.sum().backward()


def test_nan_in_backward_raises_and_warns_with_the_forward_stack():
    outcome, caught = _same(_nan_through_sqrt)
    assert outcome == ("RuntimeError", "Function 'SqrtBackward0' returned nan values in its 0th output.")
    assert [c for c, _ in caught] == ["UserWarning", "UserWarning"]
    assert caught[0][1] == ("Anomaly Detection has been enabled. This mode will increase the "
                            "runtime and should only be enabled for debugging.")
    assert caught[1][1].startswith("Error detected in SqrtBackward0. Traceback of forward call "
                                   "that caused the error:\n  File ")
    assert caught[1][1].endswith("y = x.sqrt() * 0  # backward of sqrt at 0: 0 * inf\n")


def test_check_nan_false_lets_nan_through():
    def program(lib):
        with lib.autograd.detect_anomaly(check_nan=False):
            inside = (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            (x.sqrt() * 0).sum().backward()
        return inside, str(x.grad), lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()

    outcome, caught = _same(program)
    assert outcome == ("ok", ((True, False), "tensor([nan, 0.])", False, True))
    assert len(caught) == 1


def test_the_switches_nest_and_restore():
    def program(lib):
        seen = [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        lib.autograd.set_detect_anomaly(True)
        seen.append(lib.is_anomaly_enabled())
        with lib.autograd.set_detect_anomaly(False):
            seen.append(lib.is_anomaly_enabled())
            with lib.autograd.detect_anomaly(check_nan=False) as entered:
                seen += [entered, lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
            seen.append(lib.is_anomaly_enabled())
        seen.append(lib.is_anomaly_enabled())
        lib.autograd.set_detect_anomaly(False)
        seen.append(lib.is_anomaly_enabled())
        lib.set_anomaly_enabled(True, check_nan=False)
        seen += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        lib.set_anomaly_enabled(False)
        seen += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        return seen

    outcome, _ = _same(program)
    assert outcome[1][:3] == [False, True, True]


def test_a_node_made_before_anomaly_mode_has_no_stack():
    def program(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        y = x.sqrt() * 0
        with lib.autograd.detect_anomaly():
            y.sum().backward()

    outcome, caught = _same(program)
    assert caught[-1][1] == ("Error detected in SqrtBackward0. No forward pass information "
                             "available. Enable detect anomaly during forward pass for more "
                             "information.")


def test_any_backward_error_gets_the_stack_and_the_in_place_hint_changes():
    def program(lib):
        with lib.autograd.detect_anomaly():
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            y = x.exp()
            y.mul_(2)
            y.sum().backward()

    outcome, caught = _same(program)
    assert outcome[1].endswith("Hint: the backtrace further above shows the operation that "
                               "failed to compute its gradient. The variable in question was "
                               "changed in there or anywhere later. Good luck!")
    assert caught[-1][1].startswith("Error detected in ExpBackward0.")


def test_the_nan_index_is_the_input_that_got_it():
    def program(lib):
        with lib.autograd.detect_anomaly():
            x = lib.tensor([1.0], requires_grad=True)
            w = lib.tensor([0.0], requires_grad=True)
            (x * w.sqrt() * 0).sum().backward()

    outcome, _ = _same(program)
    assert outcome == ("RuntimeError", "Function 'SqrtBackward0' returned nan values in its 0th output.")


def test_a_custom_function_returning_nan():
    def program(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return g * float("nan")

        with lib.autograd.detect_anomaly():
            x = lib.tensor([1.0], requires_grad=True)
            Bad.apply(x).sum().backward()

    outcome, caught = _same(program)
    assert outcome == ("RuntimeError", "Function 'BadBackward' returned nan values in its 0th output.")


def test_double_backward_names_the_node_that_made_the_failing_one():
    def program(lib):
        with lib.autograd.detect_anomaly():
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            y = x.sqrt()
            (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
            lib.autograd.grad((g * 0).sum(), x)

    outcome, caught = _same(program)
    assert outcome == ("RuntimeError", "Function 'DivBackward0' returned nan values in its 1th output.")
    assert caught[1][1].startswith("Error detected in DivBackward0.")
    assert caught[2][1].startswith("\n\nPrevious calculation was induced by SqrtBackward0. "
                                   "Traceback of forward call that induced the previous "
                                   "calculation:\n")
    assert caught[2][1].endswith("y = x.sqrt()\n")


def test_metadata_holds_the_stack_only_in_anomaly_mode():
    def program(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        before = (x * 2).grad_fn.metadata
        with lib.autograd.set_detect_anomaly(True):
            y = x * 2
        return before, sorted(y.grad_fn.metadata), type(y.grad_fn.metadata["traceback_"]).__name__

    assert _same(program)[0] == ("ok", ({}, ["traceback_"], "list"))


@pytest.fixture(autouse=True)
def _anomaly_mode_off():
    yield
    for lib in LIBS:
        lib.set_anomaly_enabled(False)
