"""Grade one submitted file into one row of the grade table; never raises, never skips a file.

The submission runs in its sandbox (``runs``); what its probes sent is decoded here, capped
and as data only (``checks.wire``), and judged in this process by the course's own checks,
which compute their references themselves.
"""

import importlib
import importlib.util
from dataclasses import dataclass, field
from time import monotonic

from ..checks import exercises_in, wire
from ..checks.exercise import Result, Status
from .runs import Note, SubmissionRun
from .submission import Unreadable, display_name, lesson_name, read_submission


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

    @property
    def grader_failed(self):
        return any(note.kind == "grader" for note in self.notes)


def lesson_exercises(lesson):
    """``[(name, Exercise)]`` of a checks module such as ``lesson03``; [] when there is none."""
    if lesson is None or importlib.util.find_spec(f"autograd_course.checks.{lesson}") is None:
        return []
    return exercises_in(importlib.import_module(f"autograd_course.checks.{lesson}"))


def _legacy(data):
    """The verdict a check not yet split into probe and judge reached inside the sandbox."""
    result = data.get("legacy_result")
    status = {status.value: status for status in Status}.get(result.get("status") if isinstance(result, dict) else None)
    return Result(status, str(result.get("message", ""))[:500]) if status else None


def judge(exercise, raw):
    """The Result for the bytes a probe sent (maybe forged: they are checked as any data)."""
    try:
        data = wire.decode(raw)
    except wire.BadData as bad:
        return Result(Status.NOT_YET, f"the data about your answer could not be read ({bad})")
    if exercise.legacy and isinstance(data, dict) and _legacy(data):
        return _legacy(data)
    return exercise.judge(data)


def _feedback(verdicts, notes):
    """``verdicts``: exercise -> (status word, message)."""
    parts = [f"{name}: {word}: {message}" for name, (word, message) in verdicts.items() if word != "correct"]
    parts.extend(note.text for note in notes)
    return " | ".join(parts) or "all correct"


def lesson_of(submission, path, lesson):
    """The lesson to grade and, when it cannot be, the reason. The notebook's metadata (written
    by build_exercises) decides; ``--lesson`` must agree with it."""
    named = submission.lesson
    if lesson and named and named != lesson:
        return lesson, f"this notebook holds the exercises of {named} (its metadata says so), not of {lesson}"
    return lesson or named or lesson_name(path.name), None


def grade_file(path, lesson, limits, sandbox, submission=None):
    """The row for the file at ``path``; ``lesson`` (e.g. ``"lesson03"``) is what --lesson said."""
    row = Row(file=display_name(path))
    started = monotonic()

    def for_lesson(name):
        row.lesson = name
        exercises = lesson_exercises(name)
        row.max_points = sum(exercise.points for _, exercise in exercises)
        row.points = {name: 0 for name, _ in exercises}
        return exercises

    try:
        for_lesson(lesson)
        submission = submission or read_submission(path)
        named, wrong_lesson = lesson_of(submission, path, lesson)
        exercises = for_lesson(named)
        if wrong_lesson:
            raise Unreadable(wrong_lesson)
        if not exercises:
            raise Unreadable(
                "cannot tell which lesson's exercises this is: name the lesson with --lesson"
                if row.lesson is None
                else f"there are no checks called {row.lesson}"
            )
        outcome = SubmissionRun(submission, row.lesson, [name for name, _ in exercises], limits, sandbox).run()
        if outcome.start_failure:
            raise RuntimeError(outcome.start_failure)
        verdicts = {}
        for name, exercise in exercises:
            if name in outcome.probes:
                result = judge(exercise, outcome.probes[name])
                verdicts[name] = (result.status.value, result.message)
            else:
                verdicts[name] = outcome.gave_up[name]
            row.statuses[name] = verdicts[name][0]
            row.points[name] = exercise.points if row.statuses[name] == "correct" else 0
        row.notes = outcome.notes
        row.feedback = _feedback(verdicts, row.notes)
    except Unreadable as problem:
        row.notes = [Note("unreadable", str(problem))]
        row.feedback = str(problem)
    except Exception as error:  # a grader bug must not cost the other submissions their rows
        row = failed_row(path, error)
    if display_name(path) != str(path):
        row.feedback += " | the file name is not UTF-8: shown here with \\x escapes"
    row.seconds = monotonic() - started
    return row


def failed_row(path, error):
    """The row of a submission the grader itself failed on."""
    return Row(
        file=display_name(path),
        notes=[Note("grader", f"grader error: {error!r}")],
        feedback=f"the grader failed on this file ({error}); please report it",
    )
