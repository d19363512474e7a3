"""The grader over a class of fixture submissions, good and bad, made from lesson 03's notebooks.

One grader run (in a subprocess, as an instructor runs it) grades them all; each test then
reads its row. Lesson 03 has two exercises: q1 (the gradient of exp(2x² sin x)) and q2
(retain_grad).
"""

import csv
import re
import subprocess
import sys

import nbformat
import pytest

from autograd_course.grading.sandbox import Limits
from exercise_notebooks import EXERCISES, SOLUTIONS, regions, with_answer

LESSON = "03_backward_and_grad_exercises.ipynb"
CELL_SECONDS = 5
NOTEBOOK_SECONDS = 30
JOBS = 2

pytestmark = pytest.mark.slow  # one grader run over ten submissions, each in its own kernel

TAMPERING = r'''
import pathlib
import autograd_course.checks.lesson03 as checks
from autograd_course.checks.exercise import Result, Status

# Monkeypatch the checks this kernel imported...
checks.q1.grade = lambda namespace: Result(Status.CORRECT)
checks._check_seed_gradient = lambda namespace: None
# ...plant a fake grader module where the kernel's imports look first (its working folder)...
fake = pathlib.Path("autograd_course/grading")
fake.mkdir(parents=True, exist_ok=True)
for package in (fake.parent, fake):
    (package / "__init__.py").write_text("")
(fake / "in_kernel.py").write_text(
    "def report(lesson, exercise, nonce, *rest):\n"
    "    print(nonce, '{\"status\": \"correct\", \"message\": \"\"}')\n"
)
# ...and print what a passing check prints, and what a grader marker might look like.
q1.check()
print("✅ Correct")
print("0123456789abcdef0123456789abcdef " + '{"status": "correct", "message": ""}')
'''


def _cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _check_cell(notebook, exercise):
    return next(cell for cell in _cells(notebook) if cell.source.startswith(f"{exercise}.check()"))


def _answer(notebook, exercise, code):
    """The notebook with the exercise's (first) solution region holding ``code``."""
    sources = with_answer([cell.source for cell in _cells(notebook)], exercise, code)
    for cell, source in zip(_cells(notebook), sources):
        cell.source = source
    return notebook


def _insert_after(notebook, cell, source):
    notebook.cells.insert(notebook.cells.index(cell) + 1, nbformat.v4.new_code_cell(source))
    return notebook


def _without(notebook, exercise):
    """The notebook without the exercise's solution and check cells."""
    sources = [cell.source for cell in _cells(notebook)]
    doomed = {id(_cells(notebook)[index]) for index, _ in regions(sources)[exercise]}
    doomed.add(id(_check_cell(notebook, exercise)))
    notebook.cells = [cell for cell in notebook.cells if id(cell) not in doomed]
    return notebook


def _solution():
    return nbformat.read(SOLUTIONS / LESSON, as_version=4)


def _write(folder, name, notebook):
    nbformat.write(notebook, folder / name)


def _make_submissions(folder):
    """Each fixture submission, named for what it is: {file name: expected row}."""
    _write(folder, "correct.ipynb", _solution())
    _write(folder, "blank.ipynb", nbformat.read(EXERCISES / LESSON, as_version=4))
    _write(folder, "wrong.ipynb", _without(_answer(_solution(), "q1", "y.backward()"), "q2"))
    (folder / "malformed.ipynb").write_text((SOLUTIONS / LESSON).read_text(encoding="utf-8")[:500], encoding="utf-8")
    (folder / "not_a_notebook.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    _write(folder, "endless_loop.ipynb", _answer(_solution(), "q1", "while True:\n    pass"))
    solution = _solution()
    _write(folder, "crash.ipynb", _insert_after(solution, _check_cell(solution, "q1"), "import os\nos._exit(1)"))
    solution = _solution()
    _write(folder, "sys_exit.ipynb", _insert_after(solution, _check_cell(solution, "q1"), "import sys\nsys.exit('bye')"))
    tampered = _answer(_solution(), "q1", "pass")
    _check_cell(tampered, "q1").source = TAMPERING
    _write(folder, "tampered.ipynb", tampered)
    solution = _solution()
    _write(folder, "huge_output.ipynb", _insert_after(solution, _check_cell(solution, "q1"), "print('x' * 20_000_000)"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the fixtures once: ``(rows by file name, summary text, the submissions' bytes
    before grading, the folder)``."""
    folder = tmp_path_factory.mktemp("submissions")
    _make_submissions(folder)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    limits = Limits()
    # A hang guard, not a speed test: the grader's own limits bound each submission by
    # (restarts + 1) runs of at most NOTEBOOK_SECONDS of cells plus the checks.
    per_submission = (limits.restarts + 1) * (NOTEBOOK_SECONDS + 60 + 2 * limits.check_seconds)
    command = [
        sys.executable, "-m", "autograd_course.grade", str(folder), "--out", str(out),
        "--jobs", str(JOBS), "--timeout", str(NOTEBOOK_SECONDS), "--cell-timeout", str(CELL_SECONDS),
    ]
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=per_submission * len(before) / JOBS
    )
    assert finished.returncode == 0, finished.stderr
    with open(out, newline="", encoding="utf-8") as file:
        rows = {row["file"].rpartition("/")[2]: row for row in csv.DictReader(file)}
    summary = (out.parent / "grades_summary.txt").read_text(encoding="utf-8")
    return rows, summary, finished, before, folder


def _points(row):
    return row["q1"], row["q2"], row["total"]


def test_one_row_per_submission_and_submissions_unchanged(graded):
    rows, _, finished, before, folder = graded
    assert sorted(rows) == sorted(before)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert f"[{len(before)}/{len(before)}]" in finished.stderr  # the progress reached the end


def test_correct_submission_gets_full_points(graded):
    row = graded[0]["correct.ipynb"]
    assert _points(row) == ("1", "1", "2")
    assert row["max"] == "2"
    assert row["feedback"] == "all correct"


def test_blank_submission_is_not_attempted(graded):
    row = graded[0]["blank.ipynb"]
    assert _points(row) == ("0", "0", "0")
    assert row["feedback"].count("not attempted") == 2


def test_wrong_answer_and_missing_exercise(graded):
    row = graded[0]["wrong.ipynb"]
    assert _points(row) == ("0", "0", "0")
    assert "q1: not yet: `backward()` without an argument only works on a single number" in row["feedback"]
    assert "q2: not attempted" in row["feedback"]
    assert "raised RuntimeError: grad can be implicitly created only for scalar outputs" in row["feedback"]


@pytest.mark.parametrize(
    "name, reason",
    [("malformed.ipynb", "invalid JSON"), ("not_a_notebook.ipynb", "not text (UTF-8)")],
)
def test_unreadable_file_gets_a_row_with_the_reason(graded, name, reason):
    row = graded[0][name]
    assert row["total"] == "0"
    assert reason in row["feedback"]


def test_endless_loop_is_interrupted_and_the_rest_graded(graded):
    row = graded[0]["endless_loop.ipynb"]
    assert _points(row) == ("0", "1", "1")
    assert f"was interrupted after {CELL_SECONDS} s" in row["feedback"]


def test_kernel_crash_costs_only_the_crashing_cell(graded):
    row = graded[0]["crash.ipynb"]
    assert _points(row) == ("1", "1", "2")
    assert "killed the kernel" in row["feedback"]


def test_sys_exit_is_an_error_in_its_cell(graded):
    row = graded[0]["sys_exit.ipynb"]
    assert _points(row) == ("1", "1", "2")
    assert "raised SystemExit" in row["feedback"]


def test_tampering_with_the_checks_fakes_nothing(graded):
    row = graded[0]["tampered.ipynb"]
    assert _points(row) == ("0", "1", "1")
    assert "q1: not attempted" in row["feedback"]


def test_huge_output_is_noted_and_graded(graded):
    row = graded[0]["huge_output.ipynb"]
    assert _points(row) == ("1", "1", "2")
    assert "printed 20 MB of output" in row["feedback"]


def test_summary_counts_what_the_rows_say(graded):
    rows, summary, finished, _, _ = graded
    correct_q1 = sum(row["q1"] == "1" for row in rows.values())
    graded_rows = sum(row["lesson"] != "" for row in rows.values())
    assert f"Graded {len(rows)} submission(s)" in summary
    assert re.search(rf"^ +q1 +{correct_q1} / {graded_rows} ", summary, re.MULTILINE)
    assert summary in finished.stdout

