"""exercises/ is built from solutions/: stubs for the solution regions, no outputs, never stale."""

import shutil

import nbformat
import pytest

from autograd_course.build_exercises import (
    BEGIN,
    CHECK_CALL,
    END,
    STUB,
    MarkerError,
    exercise_notebook,
    main,
    stamp,
    strip_solutions,
)
from exercise_notebooks import EXERCISES, SOLUTIONS, notebook_paths


def test_exercises_folder_is_up_to_date():
    """CI fails here when a solution changed and `python -m autograd_course.build_exercises`
    was not run."""
    assert main(["--check", "--solutions", str(SOLUTIONS), "--exercises", str(EXERCISES)]) == 0


def test_check_reports_stale_missing_and_leftover_notebooks_and_build_repairs_them(tmp_path, capsys):
    shutil.copytree(EXERCISES, tmp_path, dirs_exist_ok=True)
    first, second = notebook_paths(tmp_path)[:2]
    first.write_text(first.read_text(encoding="utf-8").replace(STUB, "x = 1"), encoding="utf-8")
    second.unlink()
    leftover = tmp_path / "99_gone_exercises.ipynb"
    shutil.copy(first, leftover)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    arguments = ["--solutions", str(SOLUTIONS), "--exercises", str(tmp_path)]

    assert main(["--check", *arguments]) == 1
    reported = capsys.readouterr().err
    assert all(f"stale: {path}" in reported for path in (first, second, leftover))
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before  # --check writes nothing

    assert main(arguments) == 0
    assert not leftover.exists()
    assert main(["--check", *arguments]) == 0


def test_solution_region_becomes_a_stub_at_its_indentation():
    source = f"a = 1\ndef f(x):\n    {BEGIN}\n    return x + a\n    {END}\n{BEGIN}\nb = f(2)\n{END}\nprint(a)"
    assert strip_solutions(source) == (
        f"a = 1\ndef f(x):\n    {STUB}\n    raise NotImplementedError\n{STUB}\nprint(a)"
    )


@pytest.mark.parametrize(
    "source",
    [f"{BEGIN}\nx = 1", f"x = 1\n{END}", f"{BEGIN}\n{BEGIN}\nx = 1\n{END}\n{END}"],
    ids=["unclosed", "unopened", "nested"],
)
def test_unbalanced_markers_are_an_error(source):
    with pytest.raises(MarkerError):
        strip_solutions(source)


def test_exercise_notebook_has_no_outputs_and_leaves_the_solution_alone():
    solution = nbformat.read(notebook_paths(SOLUTIONS)[0], as_version=4)
    kept = nbformat.writes(solution)
    exercise = exercise_notebook(solution)
    assert nbformat.writes(solution) == kept
    code = [cell for cell in exercise.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert any(cell.outputs for cell in solution.cells if cell.cell_type == "code")


@pytest.mark.parametrize("path", notebook_paths(EXERCISES), ids=lambda path: path.stem)
def test_handed_out_notebook_shows_no_solution_and_links_its_lesson(path):
    notebook = nbformat.read(path, as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells)
    assert BEGIN not in text and END not in text
    assert STUB in text
    lesson = path.name.removesuffix("_exercises.ipynb")
    assert f"](../notebooks/{lesson}.ipynb)" in notebook.cells[0].source


@pytest.mark.parametrize("folder", [SOLUTIONS, EXERCISES], ids=["solutions", "exercises"])
def test_every_check_cell_names_its_exercise_and_the_notebook_its_kind(folder):
    """The batch grader probes at the cell whose metadata names the exercise, whatever the
    student did to its source, and reads the lesson from the notebook's metadata."""
    for path in notebook_paths(folder):
        if folder == SOLUTIONS and not path.name[:2] <= "13":
            continue  # stamped when their track reruns them (`build_exercises --run`)
        notebook = nbformat.read(path, as_version=4)
        course = notebook.metadata["autograd_course"]
        assert course["kind"] == "exercises" and course["checks"].startswith("lesson"), path
        named = [
            cell.metadata["autograd_course"]["exercise"]
            for cell in notebook.cells
            if "exercise" in cell.metadata.get("autograd_course", {})
        ]
        called = [CHECK_CALL.search(cell.source).group(1) for cell in notebook.cells if cell.cell_type == "code" and CHECK_CALL.search(cell.source)]
        assert named == called and named, path


def test_stamp_moves_the_exercise_name_with_the_check_call():
    notebook = nbformat.v4.new_notebook(metadata={"autograd_course": {"checks": "lesson03"}})
    notebook.cells = [
        nbformat.v4.new_code_cell("q2.check()", metadata={"autograd_course": {"exercise": "q1"}}),
        nbformat.v4.new_code_cell("x = 1", metadata={"autograd_course": {"exercise": "q1"}}),
    ]
    stamp(notebook)
    assert notebook.metadata["autograd_course"] == {"checks": "lesson03", "kind": "exercises"}
    assert notebook.cells[0].metadata == {"autograd_course": {"exercise": "q2"}}
    assert notebook.cells[1].metadata == {}
    with pytest.raises(MarkerError):
        stamp(nbformat.v4.new_notebook())


def test_only_builds_the_matching_notebooks_and_leaves_the_others_alone(tmp_path):
    shutil.copytree(EXERCISES, tmp_path, dirs_exist_ok=True)
    first, second = notebook_paths(tmp_path)[:2]
    for path in (first, second):
        path.write_text(path.read_text(encoding="utf-8").replace(STUB, "x = 1"), encoding="utf-8")
    kept = second.read_bytes()
    only = first.name.removesuffix("_exercises.ipynb")
    assert main(["--only", only, "--solutions", str(SOLUTIONS), "--exercises", str(tmp_path)]) == 0
    assert main(["--check", "--only", only, "--solutions", str(SOLUTIONS), "--exercises", str(tmp_path)]) == 0
    assert second.read_bytes() == kept
