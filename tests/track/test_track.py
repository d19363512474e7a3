"""The build-it-yourself track (lessons 14-17): the solutions' engine passes every check, each
usual mistake gets its own hint, the handed-out notebooks run and are not attempted, and the
verdict is the judge's verdict on the probe's data after the wire."""

import importlib

import pytest

from autograd_course.checks import Status, exercises_in
from autograd_course.checks.wire import decode, encode
from exercise_notebooks import EXERCISES, SOLUTIONS, code_cells, regions, run, with_answer
from track_cases import CASES

LESSONS = [f"lesson{number}" for number in range(14, 18)]


def _solution(lesson):
    (path,) = SOLUTIONS.glob(f"{lesson[-2:]}_*_exercises.ipynb")
    return path


def _exercises(lesson):
    return dict(exercises_in(importlib.import_module(f"autograd_course.checks.{lesson}")))


def _present(lessons):
    return [lesson for lesson in lessons if list(SOLUTIONS.glob(f"{lesson[-2:]}_*_exercises.ipynb"))]


TRACK = _present(LESSONS)
WRONG = [pytest.param(exercise, case, id=f"{exercise}-{case.label}")
         for exercise, cases in CASES.items() if exercise.split(".")[0] in TRACK for case in cases]


@pytest.fixture(scope="module")
def solved():
    """Each solution notebook's namespace, run once (the deep-chain probes take a moment)."""
    return {lesson: run(code_cells(_solution(lesson)), "torch") for lesson in TRACK}


@pytest.mark.parametrize("lesson", TRACK)
def test_the_solutions_engine_passes_every_check(lesson, solved):
    for name, exercise in _exercises(lesson).items():
        result = exercise.grade(solved[lesson])
        assert result.status is Status.CORRECT, (name, result.message)


@pytest.mark.parametrize("lesson", TRACK)
def test_grade_is_the_judge_of_the_probe_after_the_wire(lesson, solved):
    for name, exercise in _exercises(lesson).items():
        data = decode(encode(exercise.probe(solved[lesson])))
        assert exercise.judge(data) == exercise.grade(solved[lesson]), name


@pytest.mark.parametrize("lesson", TRACK)
def test_the_handed_out_notebook_runs_and_is_not_attempted(lesson):
    path = EXERCISES / _solution(lesson).name
    errors = []
    namespace = run(code_cells(path), "torch", errors)
    assert errors == []
    for name, exercise in _exercises(lesson).items():
        result = exercise.grade(namespace)
        assert result.status is Status.NOT_ATTEMPTED, (name, result.message)


@pytest.mark.parametrize("lesson", TRACK)
def test_every_exercise_has_its_usual_mistakes(lesson):
    assert {f"{lesson}.{name}" for name in _exercises(lesson)} <= set(CASES)


@pytest.mark.parametrize("exercise, case", WRONG)
def test_a_usual_mistake_gets_its_hint(exercise, case):
    lesson, name = exercise.split(".")
    cells = code_cells(_solution(lesson))
    assert len(regions(cells)[name]) > case.region
    namespace = run(with_answer(cells, name, case.code, case.region), "torch")
    result = _exercises(lesson)[name].grade(namespace)
    assert result.status is Status.NOT_YET, result
    assert case.hint in result.message


def test_the_course_tools_follow_the_protocol_on_the_students_engine(solved):
    """draw_graph's text form and the backward stepper work on the engine of lesson 16, and
    say what they say for torch; the stepper changes no `.grad`."""
    import torch

    from autograd_course.graph import graph_text
    from autograd_course.widgets.stepper import BackwardStepper

    Tensor = solved["lesson16"]["Tensor"]
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x + 2
    out = (y * y * 3).mean()
    x_torch = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y_torch = x_torch + 2
    out_torch = (y_torch * y_torch * 3).mean()
    assert graph_text(out, names={"x": x, "y": y}) == graph_text(out_torch, names={"x": x_torch, "y": y_torch})
    stepper = BackwardStepper(out, names={"x": x})
    assert [step.name for step in stepper.steps] == [
        "MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad"]
    stepper.go(len(stepper))
    ((_, grad),) = stepper.leaf_grads().values()
    out_torch.backward()
    assert grad.tolist() == x_torch.grad.tolist()
    assert x.grad is None
    assert "paths meet here, so the gradients add up" in "\n".join(_describe_at(stepper, "AddBackward0"))


def _describe_at(stepper, name):
    stepper.go(next(index for index, step in enumerate(stepper.steps, 1) if step.name == name))
    return stepper.describe()
