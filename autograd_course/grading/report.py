"""The grade table (CSV, one row per submission) and the summary written beside it."""

import csv
import statistics
from pathlib import Path

# How the summary names each kind of problem (the kinds are those of grading.kernel.Note).
PROBLEMS = {
    "unreadable": "could not be graded (not a notebook, or no lesson)",
    "error": "a cell raised an error",
    "timeout": "a cell was interrupted, or the time limit ran out",
    "crash": "the kernel died or hung",
    "output": "a cell printed more than 1 MB",
    "grader": "the grader itself failed (please report)",
}


def exercise_columns(rows):
    """``[(column name, lesson, exercise name)]``: bare names (``q1``) when every row is the same
    lesson, else prefixed with the lesson (``lesson03.q1``)."""
    lessons = sorted({row.lesson for row in rows if row.points})
    columns = []
    for lesson in lessons:
        names = next(list(row.points) for row in rows if row.lesson == lesson and row.points)
        columns.extend((name if len(lessons) == 1 else f"{lesson}.{name}", lesson, name) for name in names)
    return columns


def _number(value):
    return f"{value:g}"


def write_csv(rows, path):
    columns = exercise_columns(rows)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["file", "lesson", *(column for column, _, _ in columns), "total", "max", "feedback"])
        for row in rows:
            scores = [_number(row.points[name]) if row.lesson == lesson else "" for _, lesson, name in columns]
            writer.writerow(
                [row.file, row.lesson or "", *scores, _number(row.total), _number(row.max_points), row.feedback]
            )


def summary(rows, seconds, jobs):
    """The short report: counts, totals, per-exercise pass rate, problems and timing."""
    lines = [f"Graded {len(rows)} submission(s) in {seconds:.1f} s with {jobs} job(s)."]
    if rows:
        lines.append(
            f"Time: {seconds / len(rows):.1f} s per submission overall; each took "
            f"{statistics.mean(row.seconds for row in rows):.1f} s in its own kernel."
        )
    graded = [row for row in rows if row.points]
    if graded:
        totals = [row.total for row in graded]
        top = max(row.max_points for row in graded)
        lines.append(
            f"Total points: mean {statistics.mean(totals):.2f}, median {_number(statistics.median(totals))}, "
            f"min {_number(min(totals))}, max {_number(max(totals))} (out of {_number(top)})."
        )
        lines.append("Correct answers per exercise:")
        for column, lesson, name in exercise_columns(rows):
            attempts = [row for row in graded if row.lesson == lesson]
            correct = sum(row.statuses.get(name) == "correct" for row in attempts)
            lines.append(f"  {column:<16} {correct:>4} / {len(attempts):<4} {100 * correct / len(attempts):5.1f} %")
    problems = [(kind, sum(any(note.kind == kind for note in row.notes) for row in rows)) for kind in PROBLEMS]
    problems = [(kind, count) for kind, count in problems if count]
    if problems:
        lines.append("Submissions with problems (details in the feedback column):")
        lines.extend(f"  {count:>4}  {PROBLEMS[kind]}" for kind, count in problems)
    return "\n".join(lines) + "\n"


def summary_path(csv_path):
    csv_path = Path(csv_path)
    return csv_path.with_name(f"{csv_path.stem}_summary.txt")
