"""Every check, run on the objects a notebook's code creates: as handed out (not attempted),
with the solution (correct) and with typical wrong answers (not yet, with the right hint),
for torch and for autograd_mini."""

import importlib
import types

import pytest
import torch

from autograd_course.checks import Exercise, Status, exercises_in
from exercise_cases import CASES
from exercise_notebooks import (
    ENGINES,
    EXERCISES,
    SOLUTIONS,
    code_cells,
    lesson_of,
    notebook_paths,
    regions,
    run,
    with_answer,
)


def _engine_or_skip(engine):
    if engine == "autograd_mini":
        pytest.importorskip("autograd_mini", reason="the autograd_mini engine does not import yet")


def _exercises(path):
    return exercises_in(importlib.import_module(f"autograd_course.checks.{lesson_of(path)}"))


SOLUTION_IDS = {lesson_of(path): path for path in notebook_paths(SOLUTIONS)}
ALL_EXERCISES = [
    f"{lesson}.{name}" for lesson, path in SOLUTION_IDS.items() for name, _ in _exercises(path)
]
WRONG_ANSWERS = [
    pytest.param(exercise, case, id=f"{exercise}-{case.label}")
    for exercise, cases in CASES.items()
    for case in cases
]


def test_every_lesson_has_an_exercise_notebook_and_twelve_exercises_in_all():
    lessons = [f"lesson{number:02d}" for number in range(1, 13)]
    assert sorted(SOLUTION_IDS)[:12] == lessons  # then the build-it-yourself track, lesson14 ..
    assert len(ALL_EXERCISES) >= 12


def test_every_exercise_has_wrong_answers_and_every_case_an_exercise():
    # the build-it-yourself track (lesson14 ..) keeps its cases in tests/track/track_cases.py
    assert sorted(CASES) == sorted(name for name in ALL_EXERCISES if name < "lesson14")


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
def test_solutions_are_correct(path, engine):
    _engine_or_skip(engine)
    errors = []
    namespace = run(code_cells(path), engine, errors)
    assert errors == []
    for name, exercise in _exercises(path):
        assert exercise.grade(namespace).status is Status.CORRECT, name


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("exercise, case", WRONG_ANSWERS)
def test_wrong_answer_gets_its_hint(exercise, case, engine):
    _engine_or_skip(engine)
    lesson, name = exercise.split(".")
    cells = code_cells(SOLUTION_IDS[lesson])
    assert len(regions(cells)[name]) > case.region
    namespace = run(with_answer(cells, name, case.code, case.region), engine)
    result = dict(_exercises(SOLUTION_IDS[lesson]))[name].grade(namespace)
    assert result.status is Status.NOT_YET
    assert case.hint in result.message


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
