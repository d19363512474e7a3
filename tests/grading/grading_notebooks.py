"""Building submissions for the grader's tests, and looking at what a run left behind."""

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import autograd_course
from autograd_course.grading.sandbox import unavailable

ROOT = Path(autograd_course.__file__).resolve().parents[1]
LESSON = "03_backward_and_grad_exercises.ipynb"  # two exercises: q1 (a gradient), q2 (retain_grad)

NO_SANDBOX = unavailable()
needs_bwrap = pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox here: {NO_SANDBOX}")


def solution():
    return nbformat.read(ROOT / "solutions" / LESSON, as_version=4)


def blank():
    return nbformat.read(ROOT / "exercises" / LESSON, as_version=4)


def check_cell(notebook, exercise):
    """The index in ``notebook.cells`` of the exercise's check cell."""
    for index, cell in enumerate(notebook.cells):
        tag = cell.get("metadata", {}).get("autograd_course", {}).get("exercise")
        if tag == exercise or (cell.cell_type == "code" and cell.source.startswith(f"{exercise}.check()")):
            return index
    raise LookupError(exercise)


def with_cell(notebook, source, after=None):
    """``notebook`` with a code cell holding ``source``: after the check cell of exercise
    ``after``, after the first code cell (the imports) when ``after`` is None, at the end
    when it is "end"."""
    if after == "end":
        index = len(notebook.cells)
    elif after is None:
        index = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code") + 1
    else:
        index = check_cell(notebook, after) + 1
    notebook.cells.insert(index, nbformat.v4.new_code_cell(source))
    return notebook


def with_answer(notebook, exercise, source):
    """``notebook`` with the cell before the exercise's check cell (its answer) holding ``source``."""
    notebook.cells[check_cell(notebook, exercise) - 1].source = source
    return notebook


def write(folder, name, notebook):
    path = Path(folder) / name
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return path


def checksums(folder):
    """{relative path: sha256} of every file under ``folder``."""
    folder = Path(folder)
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def processes_with(marker):
    """Command lines of the running processes that mention ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in command:
                found.append(command.replace(b"\0", b" ").decode("utf-8", "replace"))
    return found


def grade(arguments, cwd=None, env=None, timeout=1800):
    """Run the grader as an instructor does; the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "autograd_course.grade", *map(str, arguments)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
    )


def rows_of(csv_path):
    """{file column as written: row}, cells as written (escaped)."""
    with open(csv_path, newline="", encoding="utf-8") as file:
        return {row["file"]: row for row in csv.DictReader(file)}
