"""The grade table (CSV, one row per submission) and the summary written beside it."""

import csv
import statistics
from pathlib import Path

# How the summary names each kind of problem (the kinds are those of grading.runs.Note).
PROBLEMS = {
    "unreadable": "could not be graded (not a notebook, or no lesson)",
    "error": "a cell raised an error",
    "timeout": "a cell was interrupted, or the time limit ran out",
    "crash": "a run died or hung in a cell",
    "output": "a cell printed more than 1 MB",
    "grader": "the grader itself failed (please report)",
}


def exercise_columns(lessons):
    """``[(column name, lesson, exercise name)]`` for the lessons graded: bare names (``q1``)
    when there is one lesson, else prefixed with the lesson (``lesson03.q1``)."""
    from .rows import lesson_exercises

    lessons = sorted(set(lessons) - {None})
    columns = []
    for lesson in lessons:
        names = [name for name, _ in lesson_exercises(lesson)]
        columns.extend((name if len(lessons) == 1 else f"{lesson}.{name}", lesson, name) for name in names)
    return columns


def _number(value):
    return f"{value:g}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def safe_cell(text):
    """``text`` that no spreadsheet reads as a formula (OWASP's rule: a leading quote before
    =, +, -, @, tab or CR). A text that begins with a quote gets one too, so that
    :func:`unsafe_cell` gives back exactly what was escaped."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_cell(text):
    return text[1:] if text.startswith("'") else text


class GradeTable:
    """The CSV, written a row at a time and flushed, so that a run killed midway keeps every
    row graded so far. With ``resume``, an existing table is kept and appended to."""

    def __init__(self, path, columns, resume=False):
        self.columns = columns
        self.header = ["file", "lesson", *(column for column, _, _ in columns), "total", "max", "feedback"]
        self.done = set()
        if resume and Path(path).exists() and Path(path).stat().st_size:
            with open(path, newline="", encoding="utf-8") as file:
                reader = csv.reader(file)
                header = next(reader, None)
                if header != self.header:
                    raise ValueError(
                        f"{path} has the columns {header}, not {self.header}: grade into a new file"
                    )
                self.done = {unsafe_cell(row[0]) for row in reader if row}
            self.file = open(path, "a", newline="", encoding="utf-8")
        else:
            self.file = open(path, "w", newline="", encoding="utf-8")
            self._write(self.header)

    def _write(self, cells):
        csv.writer(self.file).writerow([safe_cell(cell) for cell in cells])
        self.file.flush()

    def write(self, row):
        scores = [_number(row.points[name]) if row.lesson == lesson and name in row.points else "" for _, lesson, name in self.columns]
        self._write([row.file, row.lesson or "", *scores, _number(row.total), _number(row.max_points), row.feedback])

    def close(self):
        self.file.close()


def read_rows(path):
    """The table's rows as dicts, cells unescaped."""
    with open(path, newline="", encoding="utf-8") as file:
        return [{key: unsafe_cell(value) for key, value in row.items()} for row in csv.DictReader(file)]


UNISOLATED = (
    "WARNING: submissions ran unisolated (--no-sandbox): each could read and change anything "
    "the grader's user can, and its verdicts are only as trustworthy as its author."
)


def summary(rows, seconds, jobs, sandboxed=True):
    """The short report: counts, totals, per-exercise pass rate, problems and timing."""
    lines = [] if sandboxed else [UNISOLATED]
    lines.append(f"Graded {len(rows)} submission(s) in {seconds:.1f} s with {jobs} job(s).")
    if rows:
        lines.append(
            f"Time: {seconds / len(rows):.1f} s per submission overall; each took "
            f"{statistics.mean(row.seconds for row in rows):.1f} s in its own sandbox."
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
        for column, lesson, name in exercise_columns(row.lesson for row in graded):
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
