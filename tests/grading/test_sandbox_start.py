"""A sandbox that fails to start is started once more; then the row says the grader failed
and the exit status says so too. Without bwrap the grader stops and says how to install it,
unless --no-sandbox is given, and then the summary's first line says so."""

import pytest

import autograd_course.grade as grade_command
from autograd_course.grading import sandbox as sandbox_module
from autograd_course.grading.rows import grade_file
from autograd_course.grading.sandbox import Limits, Sandbox, sandbox_mode
from grading_notebooks import needs_bwrap, rows_of, solution, write

pytestmark = pytest.mark.slow


class FlakySandbox(Sandbox):
    """A sandbox whose first ``failures`` starts fail, as a start can on a busy machine."""

    def __init__(self, mode, failures):
        super().__init__(mode)
        self.failures = failures

    def command(self, *args):
        if self.failures:
            self.failures -= 1
            return ["/bin/false"]
        return super().command(*args)


@needs_bwrap
def test_a_failed_start_is_retried_once(tmp_path):
    path = write(tmp_path, "alice.ipynb", solution())
    row = grade_file(path, "lesson03", Limits(), FlakySandbox(sandbox_mode(), failures=1))
    assert (row.total, row.feedback) == (2, "all correct")


@needs_bwrap
def test_two_failed_starts_fail_the_row_and_the_run(tmp_path, monkeypatch):
    path = write(tmp_path, "alice.ipynb", solution())
    row = grade_file(path, "lesson03", Limits(), FlakySandbox(sandbox_mode(), failures=2))
    assert row.grader_failed and row.total == 0
    assert "the sandbox did not start twice" in row.feedback
    monkeypatch.setattr(grade_command, "Sandbox", lambda mode: FlakySandbox(mode, failures=99))
    assert grade_command.main([str(path), "--out", str(tmp_path / "grades.csv")]) == 1
    assert "the grader failed on this file" in rows_of(tmp_path / "grades.csv")[str(path)]["feedback"]


def test_without_bwrap_the_grader_stops_and_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    path = write(tmp_path, "alice.ipynb", solution())
    monkeypatch.setattr(sandbox_module.shutil, "which", lambda name: None)
    assert grade_command.main([str(path), "--out", str(tmp_path / "grades.csv")]) == 2
    error = capsys.readouterr().err
    assert "bwrap (bubblewrap) is not installed" in error and "sudo apt-get install bubblewrap" in error
    assert "--no-sandbox" in error
    assert not (tmp_path / "grades.csv").exists()


def test_no_sandbox_grades_and_says_so_first(tmp_path, capsys):
    path = write(tmp_path, "alice.ipynb", solution())
    assert grade_command.main([str(path), "--out", str(tmp_path / "grades.csv"), "--no-sandbox"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("WARNING: submissions ran unisolated (--no-sandbox)")
    assert (tmp_path / "grades_summary.txt").read_text(encoding="utf-8").startswith("WARNING: submissions ran unisolated")
    assert rows_of(tmp_path / "grades.csv")[str(path)]["total"] == "2"
