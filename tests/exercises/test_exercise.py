"""What a student sees: q.check() and q.hint() print a result or a hint and never raise;
the probe's data crosses the wire as plain, checked data; the judge never raises on it."""

import math

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell

from autograd_course.checks import Exercise, Status
from autograd_course.checks.exercise import attempt, call, expect, expect_ran, need
from autograd_course.checks.tensors import read, tensor_in
from autograd_course.checks.wire import BadData, decode, encode


def _positive(namespace):
    value = need(namespace, "value")
    expect(value > 0, "`value` should be positive")


def _calls_student(namespace):
    call(need(namespace, "student"), name="student")


def positive():
    return Exercise("positive", _positive, hints=["first hint", "second hint"])


@pytest.mark.parametrize(
    "variables, printed",
    [
        ({"value": 3}, "✅ Correct\n"),
        ({"value": -1}, "❌ Not yet: `value` should be positive\n"),
        ({}, "➖ Not attempted: define `value` in the cell above, then run this check again\n"),
        ({"value": "three"}, "❌ Not yet: the check could not inspect your answer (TypeError: "),
    ],
    ids=["correct", "not yet", "not attempted", "unexpected object"],
)
def test_check_prints_its_result_for_the_callers_variables(capsys, variables, printed):
    exec("q.check()", {"q": positive(), **variables})  # a script's globals, as in plain Python
    assert capsys.readouterr().out.startswith(printed)


@pytest.mark.parametrize(
    "student, status, message",
    [
        ("raise NotImplementedError", Status.NOT_ATTEMPTED, "`student` still raises NotImplementedError"),
        ("raise SystemExit('bye')", Status.NOT_YET, "calling `student` raised SystemExit: bye"),
        ("raise ValueError('first line\\nsecond line')", Status.NOT_YET, "calling `student` raised ValueError: first line"),
    ],
    ids=["stub", "sys.exit", "exception"],
)
def test_student_code_that_raises_becomes_a_result(student, status, message):
    namespace = {}
    exec(f"def student():\n    {student}", namespace)
    result = Exercise("calls", _calls_student, hints=[]).grade(namespace)
    assert result.status is status
    assert result.message.startswith(message)


def test_hints_come_one_after_the_other_then_start_again(capsys):
    exercise = positive()
    for _ in range(3):
        exercise.hint()
    assert capsys.readouterr().out.splitlines() == [
        "💡 Hint 1/2: first hint",
        "💡 Hint 2/2: second hint",
        "💡 Hint 1/2: first hint",
    ]


@pytest.fixture
def ipython():
    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


def test_in_ipython_check_reads_user_ns_and_displays_html_with_a_text_fallback(ipython, monkeypatch):
    shown = []
    monkeypatch.setattr(ipython.display_pub, "publish", lambda data, **options: shown.append(data))
    ipython.user_ns.update(q=positive(), value=-2)
    ipython.run_cell("q.check()")
    (bundle,) = shown
    assert bundle["text/plain"] == "❌ Not yet: `value` should be positive"
    assert "<code>value</code> should be positive" in bundle["text/html"]


# -- probe and judge --------------------------------------------------------------------

def _probe_positive(namespace):
    return {"value": read(need(namespace, "value"))}


def _judge_positive(data):
    value = data["value"].get("value")
    expect(isinstance(value, (int, float)) and value > 0, "`value` should be positive")


def positive_split():
    return Exercise("positive", _probe_positive, _judge_positive, hints=["first hint"])


@pytest.mark.parametrize(
    "variables, status, message",
    [
        ({"value": 3}, Status.CORRECT, ""),
        ({"value": -1}, Status.NOT_YET, "`value` should be positive"),
        ({}, Status.NOT_ATTEMPTED, "define `value` in the cell above, then run this check again"),
        ({"value": object()}, Status.NOT_YET, "`value` should be positive"),
    ],
    ids=["correct", "not yet", "not attempted", "unexpected object"],
)
def test_grade_is_the_judges_verdict_on_the_probes_data(variables, status, message):
    exercise = positive_split()
    assert exercise.grade(variables) == exercise.judge(decode(encode(exercise.probe(variables))))
    assert exercise.grade(variables) == exercise.judge(exercise.probe(variables))
    result = exercise.grade(variables)
    assert (result.status, result.message) == (status, message)


def test_a_probe_that_raises_gives_data_and_the_judge_a_not_yet():
    def probe(namespace):
        raise ValueError("broken\nsecond line")

    exercise = Exercise("raises", probe, _judge_positive)
    assert exercise.probe({}) == {"probe_error": "ValueError: broken"}
    result = exercise.grade({})
    assert (result.status, result.message) == (Status.NOT_YET, "the check could not inspect your answer (ValueError: broken)")


@pytest.mark.parametrize(
    "data",
    [None, [], "text", {"value": None}, {"value": {"kind": "int"}}, {"missing": "x"}, {"missing": [1]}, {"probe_error": 3}],
    ids=["None", "list", "text", "value None", "no value", "missing text", "missing number", "probe_error number"],
)
def test_the_judge_never_raises_and_never_passes_junk_data(data):
    result = positive_split().judge(data)
    assert result.status is not Status.CORRECT


def test_forged_data_gets_the_verdict_its_values_deserve():
    """A submission can forge only its own data: forged data that passes is the right answer."""
    exercise = positive_split()
    assert exercise.judge({"value": {"kind": "int", "value": 5}}).status is Status.CORRECT
    assert exercise.judge({"value": {"kind": "int", "value": -5}}).status is Status.NOT_YET


def test_attempt_turns_what_student_code_raises_into_data_and_expect_ran_into_hints():
    def stub():
        raise NotImplementedError

    def sad():
        raise RuntimeError("grad can be implicitly created only for scalar outputs\nmore")

    assert attempt(lambda: 4) == (4, None)
    assert attempt(stub) == (None, {"type": "NotImplementedError", "message": "", "stub": True})
    _, error = attempt(sad)
    assert error == {"type": "RuntimeError", "message": "grad can be implicitly created only for scalar outputs", "stub": False}
    assert attempt(lambda: exit(3))[1]["type"] == "SystemExit"
    outcomes = []
    for explain in (None, {"scalar outputs": "backward needs a number"}):
        result = Exercise("e", lambda ns: {}, lambda data: expect_ran(error, "sad", explain)).judge({})
        outcomes.append(result.message)
    assert outcomes == [
        "calling `sad` raised RuntimeError: grad can be implicitly created only for scalar outputs",
        "backward needs a number",
    ]
    result = Exercise("e", lambda ns: {}, lambda data: expect_ran(attempt(stub)[1], "stub")).judge({})
    assert result.status is Status.NOT_ATTEMPTED and "still raises NotImplementedError" in result.message


class Liar(torch.Tensor):
    """A tensor whose own methods report the values a check might expect."""

    def tolist(self):
        return [1.0, 2.0, 3.0]

    def numpy(self):
        return np.array([1.0, 2.0, 3.0])

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in ("detach", "to", "numpy", "tolist", "clone"):
            return torch.tensor([1.0, 2.0, 3.0])
        return super().__torch_function__(func, types, args, kwargs or {})


@pytest.mark.parametrize("engine", ["torch", "autograd_mini"])
def test_read_sees_a_tensors_own_values_whatever_its_methods_say(engine):
    if engine == "torch":
        tensor = torch.zeros(3).as_subclass(Liar)
    else:
        import autograd_mini

        class MiniLiar(autograd_mini.Tensor):
            __slots__ = ()

            def tolist(self):
                return [1.0, 2.0, 3.0]

        tensor = autograd_mini.zeros(3)
        tensor.__class__ = MiniLiar
    seen = tensor_in(decode(encode({"t": read(tensor)})), "t")
    assert seen.values.tolist() == [0.0, 0.0, 0.0]
    assert (seen.dtype, seen.shape, seen.requires_grad, seen.grad_fn, seen.engine) == ("float32", (3,), False, None, engine)


@pytest.mark.parametrize("engine", ["torch", "autograd_mini"])
def test_read_reports_flags_node_and_gradient_like_the_engine(engine):
    module = pytest.importorskip(engine)
    x = module.tensor([1.0, 2.0], dtype=module.float64, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    seen_x, seen_y = (tensor_in({"t": read(t)}, "t") for t in (x, y))
    assert (seen_x.dtype, seen_x.is_leaf, seen_x.grad.values.tolist()) == ("float64", True, [2.0, 4.0])
    assert (seen_y.shape, seen_y.is_leaf, seen_y.grad_fn, seen_y.grad) == ((), False, "SumBackward0", None)


# -- the wire ---------------------------------------------------------------------------

def test_wire_round_trips_plain_data_and_arrays():
    data = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "flags": np.array([True, False]),
        "ints": np.array([[1, -2]], dtype=np.int64),
        "numbers": [1, 2.5, math.inf, -math.inf, True, None, "x[{\"]"],
        "pair": (1, 2),
        "scalar": np.float64(0.5),
    }
    back = decode(encode(data))
    for key in ("a", "flags", "ints"):
        assert back[key].dtype == data[key].dtype and np.array_equal(back[key], data[key])
    assert back["numbers"] == data["numbers"]
    assert back["pair"] == [1, 2] and back["scalar"] == 0.5
    assert math.isnan(decode(encode([math.nan]))[0])


@pytest.mark.parametrize(
    "value",
    [torch.zeros(2), object(), {1: "x"}, {"__ndarray__": 1}, np.array(["a"]), np.array([1j])],
    ids=["tensor", "object", "int key", "reserved key", "string array", "complex array"],
)
def test_wire_refuses_to_encode_anything_but_plain_data(value):
    with pytest.raises(TypeError):
        encode({"v": value})


def _array_json(dtype="float64", shape="[2]", data='"AAAAAAAAAAAAAAAAAAAAAA=="'):
    return f'{{"__ndarray__":{{"dtype":"{dtype}","shape":{shape},"data":{data}}}}}'.encode()


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{", "not valid JSON"),
        (b"[NaN]", "bare NaN"),
        (b"[" * 50 + b"]" * 50, "nested more than 40"),
        (b"[" + b"1," * 300 + b"1]", "more than 100 values"),
        (b"x" * 101, "more than the 100 allowed"),
        (_array_json(dtype="object"), "dtype 'object'"),
        (_array_json(shape="[3]"), "needs 24"),
        (_array_json(shape="[-1]"), "sizes >= 0"),
        (_array_json(shape="[100000, 100000]"), "more than 100 values"),
        (_array_json(data="7"), "base64 string"),
        (_array_json(data='"***"'), "not valid base64"),
        (b'{"__float__":"1e999"}', "unknown special float"),
        (b'{"__float__":"nan","x":1}', "alone in its object"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_wire_rejects_what_encode_did_not_write_with_a_reason(raw, reason):
    limits = {"max_items": 100} if reason.startswith("more than 100 values") else {}
    limits = {"max_bytes": 100} if "allowed" in reason else limits
    with pytest.raises(BadData, match=reason):
        decode(raw, **limits)
    assert issubclass(BadData, ValueError)


def test_wire_arrays_are_copies_in_native_byte_order():
    back = decode(encode({"a": np.arange(3, dtype=">f8")}))["a"]
    assert back.dtype == np.float64 and back.flags.writeable and back.tolist() == [0.0, 1.0, 2.0]
