"""Where each exercise is probed, and the CSV's escaping and resuming: no sandbox needed."""

import pytest

from autograd_course.grading.plan import steps
from autograd_course.grading.report import GradeTable, safe_cell, unsafe_cell
from autograd_course.grading.submission import Cell


def test_probes_take_the_place_of_plain_check_cells():
    cells = [Cell(1, "import torch"), Cell(2, "x = 1"), Cell(3, "q1.check()\n# q1.hint()", "q1"),
             Cell(4, "u = 2"), Cell(5, "z = 3\nq2.check()", "q2"), Cell(6, "x = 99")]
    assert steps(cells, ["q1", "q2"]) == [
        ["cell", 1, "import torch"], ["cell", 2, "x = 1"], ["probe", "q1"],
        ["cell", 4, "u = 2"], ["cell", 5, "z = 3\nq2.check()"], ["probe", "q2"], ["cell", 6, "x = 99"],
    ]


def test_a_deleted_check_cell_is_probed_before_the_next_check_or_at_the_end():
    cells = [Cell(1, "x = 1"), Cell(2, "u = 2"), Cell(3, "q2.check()")]  # no metadata: found by source
    assert steps(cells, ["q1", "q2", "q3"]) == [
        ["cell", 1, "x = 1"], ["cell", 2, "u = 2"], ["probe", "q1"], ["probe", "q2"], ["probe", "q3"],
    ]
    assert steps(cells, ["q1", "q2"], skipped={2}, probed={"q1"}) == [["cell", 1, "x = 1"], ["probe", "q2"]]


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted", "plain", ""])
def test_cells_are_escaped_and_read_back(text):
    escaped = safe_cell(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unsafe_cell(escaped) == text


def test_resume_refuses_a_table_with_other_columns(tmp_path):
    path = tmp_path / "grades.csv"
    GradeTable(path, [("q1", "lesson03", "q1")]).close()
    with pytest.raises(ValueError, match="grade into a new file"):
        GradeTable(path, [("q1", "lesson02", "q1"), ("q2", "lesson02", "q2")], resume=True)
    assert GradeTable(path, [("q1", "lesson03", "q1")], resume=True).done == set()
