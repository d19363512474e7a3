"""Reading submitted files: only code cells, numbered as Jupyter shows them; the lesson they
belong to; and a reason, in words, for each file that is not a notebook."""

import nbformat
import pytest

from autograd_course.grade import parse_arguments
from autograd_course.grading.submission import Cell, Unreadable, lesson_name, read_submission


@pytest.mark.parametrize(
    "text, lesson",
    [("3", "lesson03"), ("lesson12", "lesson12"), ("03_backward_and_grad_exercises.ipynb", "lesson03"),
     ("alice.ipynb", None), ("2024_homework.ipynb", None)],
)
def test_lesson_names(text, lesson):
    assert lesson_name(text) == lesson


def test_submission_keeps_code_sources_numbered_as_jupyter_shows_them(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output("stream", text="stored")]),
            nbformat.v4.new_code_cell(["y = ", "2"]),
        ],
        metadata={"autograd_course": {"checks": "lesson05"}},
    )
    path = tmp_path / "alice.ipynb"
    nbformat.write(notebook, path)
    submission = read_submission(path)
    assert submission.cells == [Cell(2, "x = 1"), Cell(3, "y = 2")]
    assert submission.lesson == "lesson05"


@pytest.mark.parametrize(
    "content, reason",
    [("[1, 2]", "the JSON has no list of cells"), ('{"cells": [{"cell_type": "code", "source": 5}]}', "cell 1 has no text source")],
)
def test_json_that_is_not_a_notebook_is_unreadable(tmp_path, content, reason):
    path = tmp_path / "odd.ipynb"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(Unreadable, match=reason):
        read_submission(path)


def test_lesson_option_is_normalised_and_must_exist(capsys):
    options = parse_arguments(["submissions", "--out", "grades.csv", "--lesson", "3"])
    assert options.lesson == "lesson03"
    with pytest.raises(SystemExit):
        parse_arguments(["submissions", "--out", "grades.csv", "--lesson", "99"])
    assert "no exercises for lesson99" in capsys.readouterr().err
