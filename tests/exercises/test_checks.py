"""Every check, run on the objects a notebook's code creates: as handed out (not attempted),
with the solution (correct), and with students' attempts (exercise_cases.py), for torch and
for autograd_mini. Each probe runs at its check cell's position, as the batch grader runs it,
and its data goes through the wire to the judge; later cells cannot change the verdict."""

import importlib
import itertools
import sys
import types
import warnings

import pytest
import torch

from autograd_course.build_exercises import strip_solutions
from autograd_course.checks import Exercise, Status, exercises_in
from autograd_course.checks.wire import decode, encode
from exercise_cases import CASES
from exercise_notebooks import (
    CHECK_CELL,
    ENGINES,
    EXERCISES,
    SOLUTIONS,
    code_cells,
    lesson_of,
    notebook_paths,
    regions,
    run,
    with_answer,
    with_engine,
)


def _engine_or_skip(engine):
    if engine == "autograd_mini":
        pytest.importorskip("autograd_mini", reason="the autograd_mini engine does not import yet")


def _module(lesson):
    return importlib.import_module(f"autograd_course.checks.{lesson}")


def _exercises(path):
    return exercises_in(_module(lesson_of(path)))


SOLUTION_IDS = {lesson_of(path): path for path in notebook_paths(SOLUTIONS)}
COURSE = [f"lesson{number:02d}" for number in range(1, 13)]  # lesson13: test_lesson13.py; 14+: tests/track
ALL_EXERCISES = [
    f"{lesson}.{name}" for lesson, path in SOLUTION_IDS.items() for name, _ in _exercises(path)
]
COURSE_EXERCISES = [exercise for exercise in ALL_EXERCISES if exercise.partition(".")[0] in COURSE]
ATTEMPTS = [
    pytest.param(exercise, case, engine, id=f"{exercise}-{case.label}-{engine}")
    for exercise, cases in CASES.items()
    for case in cases
    for engine in case.engines
]


def probe_as_graded(cells, engine, lesson):
    """Run the cells like a student's kernel, and at each check cell (instead of running it)
    probe that exercise, as the batch grader does; returns (namespace, {name: wire bytes})."""
    exercises = dict(exercises_in(_module(lesson)))
    namespace = {"__name__": "__main__"}
    for attribute in ("last_type", "last_value", "last_traceback"):
        if hasattr(sys, attribute):
            delattr(sys, attribute)
    probed = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source in with_engine(cells, engine):
            check = CHECK_CELL.search(source)
            if check:
                probed[check.group(1)] = encode(exercises[check.group(1)].probe(namespace))
                continue
            try:
                exec(compile(source, "<cell>", "exec"), namespace)
            except Exception as error:
                sys.last_type, sys.last_value, sys.last_traceback = type(error), error, error.__traceback__
    return namespace, probed


def with_answers(cells, exercise, answers):
    """``cells`` with the exercise's regions numbered as the keys of ``answers`` holding
    their code (several regions of one cell are replaced in one pass)."""
    owned = regions(cells)[exercise]
    assert all(region < len(owned) for region in answers)
    changed = list(cells)
    for index in sorted({owned[region][0] for region in answers}):
        targets = {owned[region][1]: code for region, code in answers.items() if owned[region][0] == index}
        numbers = itertools.count()

        def replace(indent, solution, targets=targets, numbers=numbers):
            code = targets.get(next(numbers))
            return solution if code is None else [indent + line for line in code.strip("\n").splitlines()]

        changed[index] = strip_solutions(cells[index], replace=replace)
    return changed


def verdict(exercise, lesson, cells, engine):
    """The judge's verdict on the data probed at the exercise's check cell."""
    name = exercise
    _, probed = probe_as_graded(cells, engine, lesson)
    return dict(exercises_in(_module(lesson)))[name].judge(decode(probed[name]))


def test_every_lesson_has_an_exercise_notebook_and_twelve_exercises_in_all():
    assert set(COURSE) <= set(SOLUTION_IDS)
    assert len(COURSE_EXERCISES) >= 12


def test_every_exercise_has_attempts_and_every_attempt_an_exercise():
    assert sorted(CASES) == sorted(COURSE_EXERCISES)
    assert sum(len(cases) for cases in CASES.values()) >= 8 * len(COURSE_EXERCISES)
    for exercise, cases in CASES.items():
        assert any(case.status == "not yet" for case in cases), exercise


def test_every_check_is_split_into_probe_and_judge():
    for lesson, path in SOLUTION_IDS.items():
        for name, exercise in _exercises(path) if lesson in COURSE else ():
            assert not exercise.legacy, f"{lesson}.{name}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", notebook_paths(EXERCISES), ids=lambda path: path.stem)
def test_handed_out_exercises_run_and_are_not_attempted(path, engine):
    _engine_or_skip(engine)
    errors = []
    namespace = run(code_cells(path), engine, errors)
    assert errors == []
    for name, exercise in _exercises(path):
        result = exercise.grade(namespace)
        assert result.status is Status.NOT_ATTEMPTED, (name, result)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", notebook_paths(SOLUTIONS), ids=lambda path: path.stem)
def test_solutions_are_correct_where_they_are_checked_and_at_the_end(path, engine):
    _engine_or_skip(engine)
    errors = []
    namespace = run(code_cells(path), engine, errors)
    assert errors == []
    _, probed = probe_as_graded(code_cells(path), engine, lesson_of(path))
    for name, exercise in _exercises(path):
        assert exercise.judge(decode(probed[name])).status is Status.CORRECT, name
        assert exercise.grade(namespace).status is Status.CORRECT, name


@pytest.mark.parametrize("exercise, case, engine", ATTEMPTS)
def test_attempt_gets_its_verdict_and_hint(exercise, case, engine):
    _engine_or_skip(engine)
    lesson, name = exercise.split(".")
    cells = code_cells(SOLUTION_IDS[lesson])
    cells = with_answers(cells, name, dict(((case.region, case.code), *case.more)))
    result = verdict(name, lesson, cells, engine)
    assert result.status.value == case.status, result
    assert case.hint in result.message


def test_a_cell_after_the_check_cannot_change_its_verdict():
    """The next exercise's given cell reassigns `p, q, r, s`; a later cell raises."""
    cells = code_cells(SOLUTION_IDS["lesson02"])
    cells = with_answer(
        cells, "q1", "x = torch.linspace(-2, 2, steps=25, requires_grad=True)\np = x**2\nq = 2 * p\nr = torch.sin(x)\ns = q * r\ny = torch.exp(s)"
    )
    assert verdict("q1", "lesson02", cells, "torch").status is Status.CORRECT
    cells = with_answer(code_cells(SOLUTION_IDS["lesson03"]), "q2", "raise RuntimeError('a later cell fails')")
    assert verdict("q1", "lesson03", cells, "torch").status is Status.CORRECT


def test_a_broken_backward_makes_gradcheck_raise_and_the_check_says_so():
    cells = code_cells(SOLUTION_IDS["lesson12"])
    cells = with_answer(cells, "q1", "(result,) = ctx.saved_tensors\nreturn grad_output * result", region=1)
    for engine in ENGINES:
        result = verdict("q2", "lesson12", cells, engine)
        assert result.status is Status.NOT_YET
        assert "gradcheck raised a GradcheckError" in result.message, (engine, result)


def test_no_hint_of_lesson_07_names_the_right_count():
    right = str(_module("lesson07")._reference_count())
    for case in CASES["lesson07.q1"]:
        cells = with_answer(code_cells(SOLUTION_IDS["lesson07"]), "q1", case.code)
        assert right not in verdict("q1", "lesson07", cells, "torch").message, case.label


def _raises(*args):
    raise ZeroDivisionError


JUNK = {"None": None, "text": "text", "number": 7, "odd tensor": torch.zeros(2, 2, 2), "raising function": _raises}


@pytest.mark.parametrize("junk", JUNK.values(), ids=JUNK.keys())
@pytest.mark.parametrize("path", notebook_paths(SOLUTIONS), ids=lambda path: path.stem)
def test_checks_never_raise_on_objects_unlike_the_answer(path, junk):
    namespace = run(code_cells(path), "torch")
    for name, value in list(namespace.items()):
        if not name.startswith("_") and not isinstance(value, (types.ModuleType, Exercise)):
            namespace[name] = junk
    for name, exercise in _exercises(path):
        assert exercise.grade(namespace).status is not Status.CORRECT, name


# -- what a submission can do to its own process cannot pass: the judge runs on data ------

PATCHES = """
import builtins, math
import numpy
numpy.allclose = lambda *args, **kwargs: True
torch.allclose = lambda *args, **kwargs: True
math.isclose = lambda *args, **kwargs: True
builtins.abs = lambda value: 0
"""


def test_patched_comparisons_in_the_students_process_do_not_change_the_verdict():
    import builtins
    import math

    import numpy

    kept = (numpy.allclose, torch.allclose, math.isclose, builtins.abs)
    cells = code_cells(SOLUTION_IDS["lesson03"])
    honest = verdict("q1", "lesson03", with_answer(cells, "q1", "x.grad = torch.zeros(25)"), "torch")
    try:
        _, probed = probe_as_graded(with_answer(cells, "q1", PATCHES + "x.grad = torch.zeros(25)"), "torch", "lesson03")
    finally:
        numpy.allclose, torch.allclose, math.isclose, builtins.abs = kept
    patched = dict(exercises_in(_module("lesson03")))["q1"].judge(decode(probed["q1"]))  # the grader's own process
    assert patched == honest and honest.status is Status.NOT_YET


PEEKER = '''
import sys

class Peeker(torch.Tensor):
    """Answers every question about itself with an array found in a caller's frame."""
    asked = []

    def _peek(self):
        Peeker.asked.append(True)
        frame = sys._getframe(1)
        while frame is not None:
            for value in frame.f_locals.values():
                if type(value).__name__ == "ndarray" and value.shape == (9,):
                    return value
            frame = frame.f_back
        return self

    def tolist(self):
        return self._peek().tolist()

    def numpy(self, *args, **kwargs):
        return self._peek()

    def __array__(self, *args, **kwargs):
        return self._peek()


def df_dx(x):
    return torch.zeros(9, dtype=torch.float64).as_subclass(Peeker)
'''


def test_a_tensor_that_peeks_at_the_checks_frames_finds_nothing_and_is_not_asked():
    cells = code_cells(SOLUTION_IDS["lesson01"])
    index = regions(cells)["q1"][0][0]
    cells = list(cells)
    cells[index] = PEEKER
    namespace, probed = probe_as_graded(cells, "torch", "lesson01")
    result = dict(exercises_in(_module("lesson01")))["q1"].judge(decode(probed["q1"]))
    assert result.status is Status.NOT_YET
    assert namespace["Peeker"].asked == []
    assert dict(exercises_in(_module("lesson01")))["q1"].grade(namespace) == result


@pytest.mark.parametrize("exercise", COURSE_EXERCISES)
def test_forged_data_gets_the_verdict_of_the_data_and_no_more(exercise):
    """A submission can forge only its own data: the solution's data passes, and the same
    data with each top-level entry replaced by junk never passes (a count replaced by another
    count is honest data, and what the cell before raised does not matter to a right answer)."""
    lesson, name = exercise.split(".")
    _, probed = probe_as_graded(code_cells(SOLUTION_IDS[lesson]), "torch", lesson)
    check = dict(exercises_in(_module(lesson)))[name]
    data = decode(probed[name])
    assert check.judge(data).status is Status.CORRECT
    for key in data:
        for junk in (None, "junk", {"kind": "tensor"}, {"kind": "other", "type": "list"}, [1, 2], 7):
            forged = {**data, key: junk}
            if forged[key] == data[key] or key == "last_error" or (isinstance(data[key], int) and junk == 7):
                continue
            assert check.judge(forged).status is not Status.CORRECT, (key, junk)
