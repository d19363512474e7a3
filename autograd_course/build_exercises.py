"""Build the handed-out notebooks in ``exercises/`` from the complete ones in ``solutions/``.

A solution notebook marks each answer nbgrader's way::

    def fixed(x):
        ### BEGIN SOLUTION
        return (torch.exp(x) + 1) * x
        ### END SOLUTION

The exercise notebook gets a stub at the same indentation instead: ``# Your code here``, plus
``raise NotImplementedError`` inside a function body (a body cannot be empty; the checks
report that as "not attempted"). Outputs and execution counts are cleared.

    python -m autograd_course.build_exercises            # write exercises/
    python -m autograd_course.build_exercises --check    # exit 1 if exercises/ is stale
    python -m autograd_course.build_exercises --run      # first rerun solutions/ in place

``--run`` executes each solution notebook in a fresh kernel and stores its outputs, which
nbval then compares on every test run.

Both kinds of notebook carry what the batch grader reads: the notebook's metadata names its
check module and kind (``{"autograd_course": {"checks": "lesson03", "kind": "exercises"}}``),
and each check cell (the one calling ``q1.check()``) names its exercise
(``{"autograd_course": {"exercise": "q1"}}``), so the grader probes at that cell's position
even when a student edited the cell.
"""

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = "# Your code here"
SUFFIX = "_exercises.ipynb"
KIND = "exercises"
CHECK_CALL = re.compile(r"^(q\d+)\.check\(\)", re.MULTILINE)


class MarkerError(ValueError):
    """A solution region that does not open and close properly."""


def stub(indent, solution):
    """What replaces a solution region (its lines are ``solution``) indented by ``indent``."""
    return [indent + STUB, indent + "raise NotImplementedError"] if indent else [STUB]


def strip_solutions(source, replace=stub):
    """``source`` with every solution region replaced by ``replace(indent, solution lines)``."""
    lines, region, indent = [], None, ""
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if region is not None:
                raise MarkerError(f"line {number}: {BEGIN} inside another solution region")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if region is None:
                raise MarkerError(f"line {number}: {END} without {BEGIN}")
            lines.extend(replace(indent, region))
            region = None
        elif region is not None:
            region.append(line)
        else:
            lines.append(line)
    if region is not None:
        raise MarkerError(f"{BEGIN} without {END}")
    return "\n".join(lines)


def stamp(notebook):
    """Write the grader's metadata into ``notebook`` (in place): its kind, next to the check
    module it already names, and the exercise of each check cell. Returns the notebook."""
    course = notebook.metadata.setdefault("autograd_course", {})
    if "checks" not in course:
        raise MarkerError("the notebook's metadata names no check module (autograd_course.checks)")
    course["kind"] = KIND
    for cell in notebook.cells:
        found = CHECK_CALL.search(cell.source) if cell.cell_type == "code" else None
        if found:
            cell.metadata.setdefault("autograd_course", {})["exercise"] = found.group(1)
        elif "autograd_course" in cell.metadata:
            cell.metadata["autograd_course"].pop("exercise", None)
            if not cell.metadata["autograd_course"]:
                del cell.metadata["autograd_course"]
    return notebook


def exercise_notebook(solution):
    """The handed-out version of a solution notebook (a new notebook; the input is unchanged)."""
    notebook = copy.deepcopy(solution)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            cell.source = strip_solutions(cell.source)
        except MarkerError as error:
            raise MarkerError(f"cell {index}: {error}") from None
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    return stamp(notebook)


def exercise_path(solution_path, exercises_dir):
    return Path(exercises_dir) / Path(solution_path).name


def build(solutions_dir, exercises_dir, check=False, only="*"):
    """Write (or with ``check``, only compare) every exercise notebook whose name matches
    ``only``; returns the stale paths: missing, different, or (when all are built) left over
    in ``exercises_dir`` without a solution."""
    solutions = sorted(Path(solutions_dir).glob(f"{only}{SUFFIX}"))
    stale = []
    for solution in solutions:
        target = exercise_path(solution, exercises_dir)
        try:
            text = nbformat.writes(exercise_notebook(nbformat.read(solution, as_version=4))) + "\n"
        except MarkerError as error:
            raise MarkerError(f"{solution}: {error}") from None
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {exercise_path(solution, exercises_dir).name for solution in solutions}
    for leftover in sorted(Path(exercises_dir).glob(f"*{SUFFIX}")) if only == "*" else ():
        if leftover.name not in expected:
            stale.append(leftover)
            if not check:
                leftover.unlink()
    return stale


def run_solutions(solutions_dir, timeout=600, only="*"):
    """Execute each solution notebook (whose name matches ``only``) in place, storing fresh outputs."""
    from nbclient import NotebookClient

    for path in sorted(Path(solutions_dir).glob(f"{only}{SUFFIX}")):
        notebook = stamp(nbformat.read(path, as_version=4))
        NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,  # no timestamps in the stored notebook
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        nbformat.write(notebook, path)
        print(f"ran {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograd_course.build_exercises", description=__doc__.split("\n\n")[0])
    parser.add_argument("--solutions", default="solutions", help="folder of solution notebooks (default: solutions)")
    parser.add_argument("--exercises", default="exercises", help="folder to write (default: exercises)")
    parser.add_argument("--check", action="store_true", help="only report whether the exercises are stale; exit 1 if so")
    parser.add_argument("--run", action="store_true", help="rerun the solution notebooks in place first")
    parser.add_argument("--only", default="*", help="only the notebooks whose name (before _exercises.ipynb) matches this glob, e.g. '0[1-9]*'")
    options = parser.parse_args(argv)
    if options.run and options.check:
        parser.error("--run changes solutions/; it cannot be combined with --check")
    if options.run:
        run_solutions(options.solutions, only=options.only)
    try:
        stale = build(options.solutions, options.exercises, check=options.check, only=options.only)
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if options.check:
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        if stale:
            print("run: python -m autograd_course.build_exercises", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        print(f"wrote {path}" if path.exists() else f"removed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
