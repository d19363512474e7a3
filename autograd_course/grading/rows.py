"""Grade one submitted file into one row of the grade table; never raises, never skips a file."""

import importlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

from ..checks import exercises_in
from .kernel import PACKAGE_DIR, KernelRun, Note
from .submission import Unreadable, lesson_name, read_submission

# A check's statuses read as they are, except the grader's own "error": the check did not run.
STATUS_WORDS = {"error": "not checked"}


@dataclass
class Row:
    file: str
    lesson: str = None
    points: dict = field(default_factory=dict)  # exercise name -> points earned
    statuses: dict = field(default_factory=dict)  # exercise name -> "correct", "not yet", ...
    max_points: float = 0
    notes: list = field(default_factory=list)  # Notes on what went wrong
    feedback: str = ""
    seconds: float = 0.0

    @property
    def total(self):
        return sum(self.points.values())


def lesson_exercises(lesson):
    """``[(name, Exercise)]`` of a checks module such as ``lesson03``; [] when there is none."""
    if lesson is None or importlib.util.find_spec(f"autograd_course.checks.{lesson}") is None:
        return []
    return exercises_in(importlib.import_module(f"autograd_course.checks.{lesson}"))


def kernel_environment():
    """The kernel imports the course from where this grader found it, installed or not."""
    paths = [str(PACKAGE_DIR.parent), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in paths if path)}


def _feedback(row, results):
    parts = []
    for name, result in results.items():
        if result["status"] != "correct":
            parts.append(f"{name}: {STATUS_WORDS.get(result['status'], result['status'])}: {result['message']}")
    parts.extend(note.text for note in row.notes)
    return " | ".join(parts) or "all correct"


def grade_file(path, lesson, limits):
    """The row for the file at ``path``; ``lesson`` (e.g. ``"lesson03"``) overrides what the
    notebook's metadata and its file name say."""
    path = Path(path)
    row = Row(file=str(path))
    started = monotonic()
    try:
        submission = read_submission(path)
        row.lesson = lesson or submission.lesson or lesson_name(path.name)
        exercises = lesson_exercises(row.lesson)
        row.max_points = sum(exercise.points for _, exercise in exercises)
        row.points = {name: 0 for name, _ in exercises}
        if not exercises:
            raise Unreadable(
                "cannot tell which lesson's exercises this is: name the lesson with --lesson"
                if row.lesson is None
                else f"there are no checks called {row.lesson}"
            )
        with tempfile.TemporaryDirectory(prefix="grade-") as workdir:
            outcome = KernelRun(submission.cells, workdir, limits, kernel_environment()).grade(
                row.lesson, [name for name, _ in exercises]
            )
        row.notes = outcome.notes
        for name, exercise in exercises:
            row.statuses[name] = outcome.results[name]["status"]
            row.points[name] = exercise.points if row.statuses[name] == "correct" else 0
        row.feedback = _feedback(row, outcome.results)
    except Unreadable as problem:
        row.notes = [Note("unreadable", str(problem))]
        row.feedback = str(problem)
    except Exception as error:  # a grader bug must not cost the other submissions their rows
        row = failed_row(path, error)
    row.seconds = monotonic() - started
    return row


def failed_row(path, error):
    """The row of a submission the grader itself failed on."""
    return Row(
        file=str(path),
        notes=[Note("grader", f"grader error: {error!r}")],
        feedback=f"the grader failed on this file ({error!r}); please report it",
    )
