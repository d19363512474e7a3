"""Lesson 13's checks (second derivatives, a clipping hook, the node anomaly detection names):
the solution passes on both engines, the handed-out notebook is not attempted and says why,
students' usual mistakes get the hint that names them, answers that only fit the notebook's
own inputs fail on the check's, forged data passes only when it is the right answer, and the
batch grader gives the same verdicts from its sandbox.

The attempts live here rather than in exercise_cases.py, which holds lessons 1-12.
"""

import csv
import inspect
import subprocess
import sys
import textwrap

import nbformat
import numpy as np
import pytest

from autograd_course.checks import Status, exercises_in
from autograd_course.checks import lesson13
from autograd_course.checks.wire import decode
from autograd_course.grading.sandbox import unavailable
from exercise_cases import CORRECT, NOT_ATTEMPTED, Case, right, stub
from exercise_notebooks import ENGINES, EXERCISES, SOLUTIONS, code_cells, run
from test_checks import probe_as_graded, with_answers

NAME = "13_grad_hooks_anomaly_exercises.ipynb"
SOLUTION, EXERCISE = SOLUTIONS / NAME, EXERCISES / NAME
CHECKS = dict(exercises_in(lesson13))

# The solution of exercise 1 with its two gradient lines open.
SECOND = """
x = x.detach().requires_grad_(True)
(first,) = {first}
(second,) = {second}
return {result}
"""


def second(first="torch.autograd.grad(f(x).sum(), x, create_graph=True)",
           second="torch.autograd.grad(first.sum(), x)", result="second"):
    return SECOND.format(first=first, second=second, result=result)


CLAMP = "return t.register_hook(lambda grad: {hook})"

# Exercise 4's solution with its capture of the warnings open.
NAN_SOURCE = """
x = x.detach().requires_grad_(True)
with warnings.catch_warnings(record=True) as caught, torch.autograd.detect_anomaly():
    warnings.simplefilter("always")
{run}
for warning in caught:
    message = str(warning.message)
    if message.startswith("Error detected in "):
        return {found}
return None
"""
CAUGHT = "    try:\n        f(x).backward()\n    except RuntimeError:\n        pass"


def nan_source(run=CAUGHT, found='message.split()[3].rstrip(".")'):
    return NAN_SOURCE.format(run=run, found=found)


CASES = {
    "q1": [
        Case("create_graph forgotten", second(first="torch.autograd.grad(f(x).sum(), x)"), "Pass `create_graph=True`"),
        Case(
            "input does not require grad",
            second().replace("x = x.detach().requires_grad_(True)\n", ""),
            "the first gradient failed: the check's `x` does not require grad",
        ),
        Case("not summed", second(first="torch.autograd.grad(f(x), x, create_graph=True)"), "the gradient of the sum"),
        Case(
            "the tuple grad returns",
            "x = x.detach().requires_grad_(True)\n(first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)\n"
            "return torch.autograd.grad(first.sum(), x)",
            "returns a tuple holding one tensor",
        ),
        Case("the first derivative", second(result="first"), "holds the first derivative"),
        Case("one float", second(result="second.item()"), "`.item()` turns a single number into a float"),
        Case("summed to one number", second(result="second.sum()"), "should hold 5 values, one per point"),
        Case("grad only once", "x = x.detach().requires_grad_(True)\nreturn torch.autograd.grad(f(x).sum(), x)[0]", "fewer than twice"),
        Case(
            "functional.hessian",
            "return torch.autograd.functional.hessian(lambda t: f(t).sum(), x).diagonal()",
            "uses `functional.hessian`",
        ),
        Case("the given f's derivative by hand (cheat)", "return 12 * x ** 2 - 6", "fewer than twice"),
        Case(
            "grad called for show, the given f's numbers returned (cheat)",
            second(result="12 * x.detach() ** 2 - 6"),
            "does not hold the second derivative",
        ),
        Case("typo", second(result="secnd"), "calling `second_derivative` raised NameError"),
        right("grad_outputs instead of sum", second(
            first="torch.autograd.grad(f(x), x, torch.ones_like(x), create_graph=True)",
            second="torch.autograd.grad(first, x, torch.ones_like(first))",
        )),
        right("as a list", second(result="second.tolist()")),
        right("float64, with a graph", second(second="torch.autograd.grad(first.sum(), x, create_graph=True)").replace(
            "x.detach()", "x.detach().double()")),
        stub(),
    ],
    "q2": [
        Case("hook returns None", "def hook(grad):\n    grad.clamp(-1.0, 1.0)\n\nreturn t.register_hook(hook)", "came through unchanged"),
        Case("no handle returned", "t.register_hook(lambda grad: grad.clamp(-1.0, 1.0))", "returns None: return the handle"),
        Case("the hook returned", "hook = lambda grad: grad.clamp(-1.0, 1.0)\nt.register_hook(hook)\nreturn hook", "not a handle with `.remove()`"),
        Case("other bounds", CLAMP.format(hook="grad.clamp(0.0, 1.0)"), "every entry clamped to [-1, 1]"),
        Case("scaled instead of clamped", CLAMP.format(hook="grad / grad.abs().max()"), "scales the whole gradient"),
        Case("the gradient's own .grad", CLAMP.format(hook="t.grad.clamp(-1.0, 1.0)"), "the gradient is the hook's argument"),
        Case("a list", CLAMP.format(hook="grad.clamp(-1.0, 1.0).tolist()"), "return the clamped gradient as a tensor"),
        Case("on a detached copy", "return t.detach().register_hook(lambda grad: grad.clamp(-1.0, 1.0))", "register the hook on `t` itself"),
        Case(
            "two hooks, one handle",
            "t.register_hook(lambda grad: grad.clamp(-1.0, 1.0))\n" + CLAMP.format(hook="grad.clamp(-1.0, 1.0)"),
            "still changed",
        ),
        Case(
            "the notebook's clipped gradient hard-coded (cheat)",
            CLAMP.format(hook="torch.tensor([-1.0, 0.5, 1.0, -0.25])"),
            "another shape than the gradient",
        ),
        right("torch.clamp with keywords", CLAMP.format(hook="torch.clamp(grad, min=-1.0, max=1.0)")),
        right(
            "a named hook with where",
            "def hook(grad):\n    return torch.where(grad > 1, torch.ones_like(grad), torch.where(grad < -1, -torch.ones_like(grad), grad))\n\n"
            "handle = t.register_hook(hook)\nreturn handle",
        ),
        stub(),
    ],
    "q3": [
        Case(
            "the intuitive guess",
            'spread_node = "SqrtBackward0"\nspread_line = "lengths = torch.sqrt(squared.sum(1))"',
            "not the node that anomaly detection names",
        ),
        Case("name without its number", 'spread_node = "PowBackward"\nspread_line = "squared = offsets ** 2"', "with its number"),
        Case(
            "the whole first line",
            'spread_node = "Error detected in PowBackward0."\nspread_line = "squared = offsets ** 2"',
            "just the node's name",
        ),
        Case(
            "a node object",
            "spread_node = spread(points.detach().requires_grad_(True)).grad_fn\nspread_line = 'squared = offsets ** 2'",
            "take its `.name()`",
        ),
        Case("the wrong line", 'spread_node = "PowBackward0"\nspread_line = "lengths = torch.sqrt(squared.sum(1))"', "`spread_node` is right, but"),
        Case("the File entry", "spread_node = \"PowBackward0\"\nspread_line = 'File \"<cell>\", line 4, in spread'", "one line of `spread`"),
        Case("a line number", 'spread_node = "PowBackward0"\nspread_line = 4', "a str such as"),
        Case("None", 'spread_node = None\nspread_line = "squared = offsets ** 2"', "`spread_node` is None"),
        right("the right-hand side, spaced", 'spread_node = " PowBackward0 "\nspread_line = "offsets  ** 2"'),
        Case("nothing written", "pass", "define `spread_node` and `spread_line`", status=NOT_ATTEMPTED),
    ],
    "q4": [
        Case("the error not caught", nan_source(run="    f(x).backward()"), "catch it"),
        Case("the first warning", nan_source(found="message").replace('if message.startswith("Error detected in "):\n        ', "if True:\n        "), "Anomaly Detection has been enabled"),
        Case("the last operation", "x = x.detach().requires_grad_(True)\nreturn f(x).grad_fn.name()", "not the last operation of `f`"),
        Case("x without requires_grad", nan_source().replace("x = x.detach().requires_grad_(True)\n", ""), "does not require grad: use a copy"),
        Case(
            "anomaly mode left on",
            "torch.autograd.set_detect_anomaly(True)\n" + nan_source().replace("torch.autograd.detect_anomaly()", "warnings.catch_warnings()"),
            "still on after `nan_source` returns",
        ),
        Case(
            "nothing returned without a NaN",
            nan_source().replace("return None", "return [][0]"),
            "for a function whose backward makes no NaN, `nan_source` raised IndexError",
        ),
        Case("node and line", nan_source(found='(message.split()[3].rstrip("."), None)'), "but it is a tuple"),
        Case("the notebook's answer hard-coded (cheat)", 'return "PowBackward0"', "does not return the node"),
        Case("always None", "return None", "returned None for a program whose backward makes a NaN"),
        right(
            "from the error's message",
            "x = x.detach().requires_grad_(True)\nwith torch.autograd.detect_anomaly():\n    try:\n        f(x).backward()\n"
            "    except RuntimeError as error:\n        return str(error).split(\"'\")[1]\nreturn None",
        ),
        right("set_detect_anomaly as a block", nan_source().replace("torch.autograd.detect_anomaly()", "torch.autograd.set_detect_anomaly(True)")),
        stub(),
    ],
}
ATTEMPTS = [
    pytest.param(name, case, engine, id=f"{name}-{case.label}-{engine}")
    for name, cases in CASES.items() for case in cases for engine in case.engines
]


def judged(cells, engine):
    """{exercise: the judge's verdict on the data probed at its check cell}."""
    _, probed = probe_as_graded(cells, engine, "lesson13")
    return {name: check.judge(decode(probed[name])) for name, check in CHECKS.items()}


def test_every_exercise_has_attempts_of_each_kind():
    assert sorted(CASES) == sorted(CHECKS)
    assert not any(check.legacy for check in CHECKS.values())  # probe and judge, as the grader needs
    for name, cases in CASES.items():
        statuses = {case.status for case in cases}
        assert {"not yet", CORRECT, NOT_ATTEMPTED} <= statuses, name
        assert sum(case.status == "not yet" for case in cases) >= 6, name


@pytest.mark.parametrize("engine", ENGINES)
def test_the_solution_passes_on_both_engines(engine):
    errors = []
    namespace = run(code_cells(SOLUTION), engine, errors)
    assert errors == []
    assert all(result.status is Status.CORRECT for result in judged(code_cells(SOLUTION), engine).values())
    assert all(check.grade(namespace).status is Status.CORRECT for check in CHECKS.values())


@pytest.mark.parametrize("engine", ENGINES)
def test_the_handed_out_notebook_is_not_attempted_and_says_what_to_do(engine):
    results = judged(code_cells(EXERCISE), engine)
    assert {name: result.status for name, result in results.items()} == dict.fromkeys(CHECKS, Status.NOT_ATTEMPTED)
    assert "`second_derivative` still raises NotImplementedError" in results["q1"].message
    assert "`clip_gradient` still raises NotImplementedError" in results["q2"].message
    assert results["q3"].message.startswith("define `spread_node` and `spread_line`")
    assert "`nan_source` still raises NotImplementedError" in results["q4"].message


@pytest.mark.parametrize("name, case, engine", ATTEMPTS)
def test_attempt_gets_its_verdict_and_hint(name, case, engine):
    cells = with_answers(code_cells(SOLUTION), name, dict(((case.region, case.code), *case.more)))
    result = judged(cells, engine)[name]
    assert result.status.value == case.status, result
    assert case.hint in result.message, result


def test_no_hint_names_an_answer():
    """The hints of wrong answers to exercises 3 and 4 never spell the node or the line
    (unless they quote the student's own answer)."""
    node, line = lesson13._reference("spread")
    for name in ("q3", "q4"):
        for case in CASES[name]:
            cells = with_answers(code_cells(SOLUTION), name, {case.region: case.code})
            message = judged(cells, "torch")[name].message
            assert (node not in message or node in case.code) and line not in message, case.label


def test_references_agree_with_the_math_and_with_what_anomaly_mode_says():
    t = np.asarray(lesson13.POINTS)
    by_hand = -4 * t**3 * np.sin(2 * t) + 12 * t**2 * np.cos(2 * t) + 6 * t * np.sin(2 * t)
    np.testing.assert_allclose(lesson13._derivatives()[1], by_hand, rtol=1e-12, atol=1e-12)
    assert lesson13._reference("spread") == ("PowBackward0", "squared = offsets ** 2")
    assert lesson13._reference("energy") == ("MulBackward0", "squares = centred * centred")
    assert lesson13._reference("entropy") == ("LogBackward0", "logs = torch.log(p)")
    assert lesson13._reference("smooth") == (None, None)


def test_the_notebooks_spread_is_the_one_the_check_knows():
    """q3's judge finds the answer in its own copy of `spread`: the given cell must match it."""
    given = textwrap.dedent(inspect.getsource(lesson13.programs(None)["spread"])).strip()
    for path in (SOLUTION, EXERCISE):
        cells = [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
        assert any(given in cell for cell in cells), path


def test_forged_data_passes_only_as_the_right_answer():
    _, probed = probe_as_graded(code_cells(SOLUTION), "torch", "lesson13")
    for name, check in CHECKS.items():
        data = decode(probed[name])
        assert check.judge(data).status is Status.CORRECT, name
        for key in data:
            for junk in (None, "junk", {"kind": "tensor"}, {"kind": "other", "type": "list"}, [1, 2], 7, {"found": None}):
                if junk != data[key]:
                    assert check.judge({**data, key: junk}).status is not Status.CORRECT, (name, key, junk)
    programs = decode(probed["q4"])["programs"]
    for program in programs:
        for found in ({"kind": "str", "value": "PowBackward0"}, {"kind": "other", "type": "NoneType"}):
            forged = {"programs": {**programs, program: {**programs[program], "found": found}}}
            if forged["programs"][program]["found"] != programs[program]["found"]:
                assert CHECKS["q4"].judge(forged).status is Status.NOT_YET, (program, found)


NO_SANDBOX = unavailable()


@pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox here: {NO_SANDBOX}")
def test_the_grader_gives_the_same_verdicts_from_its_sandbox(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "solved.ipynb").write_bytes(SOLUTION.read_bytes())
    (submissions / "blank.ipynb").write_bytes(EXERCISE.read_bytes())
    cheat = nbformat.read(SOLUTION, as_version=4)
    for cell in cheat.cells:  # exercise 2's hook returns the notebook's clipped gradient
        cell.source = cell.source.replace("grad.clamp(-1.0, 1.0)", "torch.tensor([-1.0, 0.5, 1.0, -0.25])")
    nbformat.write(cheat, submissions / "cheat.ipynb")
    out = tmp_path / "grades.csv"
    finished = subprocess.run(
        [sys.executable, "-m", "autograd_course.grade", str(submissions), "--out", str(out), "--jobs", "2"],
        capture_output=True, text=True, timeout=900,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    with open(out, newline="", encoding="utf-8") as file:
        rows = {row["file"].rpartition("/")[2]: row for row in csv.DictReader(file)}
    assert [rows["solved.ipynb"][name] for name in ("q1", "q2", "q3", "q4", "total")] == ["1", "1", "1", "1", "4"]
    assert rows["blank.ipynb"]["total"] == "0" and rows["blank.ipynb"]["feedback"].count("not attempted") == 4
    assert [rows["cheat.ipynb"][name] for name in ("q1", "q2", "q3", "q4")] == ["1", "0", "1", "1"]
    assert "another shape than the gradient" in rows["cheat.ipynb"]["feedback"]
