"""What a student sees: q.check() and q.hint() print a result or a hint and never raise."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from autograd_course.checks import Exercise, Status
from autograd_course.checks.exercise import call, expect, need


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
