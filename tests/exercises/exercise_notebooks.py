"""Running an exercise notebook's code in this process, the way a student's kernel would.

The cells run in order in one namespace; a cell that raises is recorded the way IPython
records it (``sys.last_value``) and the next cell still runs, as in a notebook run with
"Run All" and errors allowed. Check cells are skipped: the tests call ``Exercise.grade``
themselves.
"""

import itertools
import re
import sys
import warnings
from pathlib import Path

import nbformat

from autograd_course.build_exercises import BEGIN, strip_solutions

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
ENGINES = ("torch", "autograd_mini")
CHECK_CELL = re.compile(r"^(q\d+)\.check\(\)", re.MULTILINE)
IMPORT_ENGINE = re.compile(r"^import (?:torch|autograd_mini as torch)\b", re.MULTILINE)


def notebook_paths(folder):
    return sorted(folder.glob("*_exercises.ipynb"))


def lesson_of(path):
    return nbformat.read(path, as_version=4).metadata["autograd_course"]["checks"]


def code_cells(path):
    return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def regions(cells):
    """``{exercise name: [(cell index, region number in that cell), ...]}``: a solution region
    belongs to the first check cell after it."""
    owned, pending = {}, []
    for index, source in enumerate(cells):
        count = sum(line.strip() == BEGIN for line in source.splitlines())
        pending.extend((index, number) for number in range(count))
        check = CHECK_CELL.search(source)
        if check:
            owned[check.group(1)] = pending
            pending = []
    return owned


def with_answer(cells, exercise, code, region=0):
    """``cells`` with the exercise's region number ``region`` holding ``code`` instead of the
    solution; its other regions keep their solutions."""
    index, target = regions(cells)[exercise][region]
    numbers = itertools.count()

    def replace(indent, solution):
        if next(numbers) != target:
            return solution
        return [indent + line for line in code.strip("\n").splitlines()]

    changed = list(cells)
    changed[index] = strip_solutions(cells[index], replace=replace)
    return changed


def with_engine(cells, engine):
    """Switch the notebook's ``import ... as torch`` line to ``engine``."""
    line = "import torch" if engine == "torch" else "import autograd_mini as torch"
    return [IMPORT_ENGINE.sub(line, source) for source in cells]


def run(cells, engine, errors=None):
    """Execute the cells (but not the check cells) with ``engine`` as ``torch``; returns the
    namespace. What the cells raise is appended to ``errors``, if given."""
    namespace = {"__name__": "__main__"}
    for attribute in ("last_type", "last_value", "last_traceback"):
        if hasattr(sys, attribute):
            delattr(sys, attribute)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wrong answers warn (float32 gradcheck, overflow); a notebook shows it
        for source in with_engine(cells, engine):
            if CHECK_CELL.search(source):
                continue
            try:
                exec(compile(source, "<cell>", "exec"), namespace)
            except Exception as error:
                sys.last_type, sys.last_value, sys.last_traceback = type(error), error, error.__traceback__
                if errors is not None:
                    errors.append(error)
    return namespace
