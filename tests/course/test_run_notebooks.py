"""run_notebooks: executes notebooks in place, in this Python, from their folder."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograd_course.run_notebooks import RAISES, run_notebook

pytestmark = pytest.mark.slow  # each notebook starts a kernel


def write_notebook(path, *sources, tags=None):
    """A notebook with one code cell per source; ``tags`` maps a cell index to its tags."""
    cells = [new_code_cell(source, metadata={"tags": (tags or {}).get(index, [])})
             for index, source in enumerate(sources)]
    nbformat.write(new_notebook(cells=cells), path)
    return path


def outputs(path):
    return [cell.outputs for cell in nbformat.read(path, as_version=4).cells]


def test_a_clean_run_stores_outputs_and_lists_stderr(tmp_path):
    path = write_notebook(
        tmp_path / "lesson.ipynb",
        "import os, sys, warnings\nprint(os.getcwd())\nprint(sys.executable)",
        "1 / 0",
        "warnings.warn('explain me')",
        "6 * 7",
        tags={1: [RAISES]},
    )
    stderr_cells = run_notebook(path)
    cwd_and_python, error, warning, result = outputs(path)
    assert cwd_and_python[0].text.splitlines() == [str(tmp_path.resolve()), sys.executable]
    assert error[0].output_type == "error" and error[0].ename == "ZeroDivisionError"
    assert result[0].data["text/plain"] == repr(6 * 7)
    assert [index for index, _ in stderr_cells] == [2]
    assert "explain me" in stderr_cells[0][1]
    assert "kernelspec" in nbformat.read(path, as_version=4).metadata


def test_failures_exit_non_zero_and_leave_the_files_alone(tmp_path):
    raising = write_notebook(tmp_path / "raising.ipynb", "x = 1", "undefined_name")
    quiet = write_notebook(tmp_path / "quiet.ipynb", "x = 1", tags={0: [RAISES]})
    before = {path: path.read_bytes() for path in (raising, quiet)}
    run = subprocess.run([sys.executable, "-m", "autograd_course.run_notebooks", str(raising), str(quiet)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "NameError" in run.stderr and "undefined_name" in run.stderr
    assert f"{quiet}: cells [0] are tagged `{RAISES}` but did not raise" in run.stderr
    assert {path: path.read_bytes() for path in before} == before
