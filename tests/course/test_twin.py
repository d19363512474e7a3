"""%%twin: a cell written as plain PyTorch runs on torch and on autograd_mini, and is compared.

Most tests drive the magic's ``Twin`` on a plain dict as the notebook namespace; a cell
that must differ between the engines asks ``torch.__name__``, which is "torch" in the
notebook and "autograd_mini" in the shadow namespace. The last tests load the magic
into a real IPython shell.
"""
import re
from pathlib import Path

import numpy as np
import pytest
import torch

import autograd_mini
from autograd_course.twin_cell import Twin

ON_TORCH = 'torch.__name__ == "torch"'
SANITIZE = Path(__file__).resolve().parents[2] / "nbval_sanitize.cfg"


@pytest.fixture
def twin():
    ns = {}
    exec("import torch\nimport numpy as np", ns)
    return Twin(user_ns=ns)


def run(twin, line, cell):
    report, error, value = twin.run(line, cell)
    return report


# --- results named on the line ----------------------------------------------------------

def test_agreeing_results_give_one_line_naming_what_was_compared(twin):
    report = run(twin, "y, x.grad", "x = torch.ones(3, requires_grad=True)\ny = (x * 2).sum()\ny.backward()")
    assert report.ok
    assert repr(report) == ("✓ autograd_mini agrees: y, x.grad "
                            "(value, shape, dtype, requires_grad, is_leaf, grad_fn)")


def test_the_table_is_shown_when_asked_for(twin):
    text = repr(run(twin, "--table y", "y = torch.ones(2) * 3"))
    assert text.splitlines()[1].split() == ["value", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn"]
    assert "✓ exact match" in text


@pytest.mark.parametrize("cell, column", [
    (f"y = torch.ones(2) * (3 if {ON_TORCH} else 4)", "value"),
    (f"x = torch.ones(2, requires_grad=True)\ny = x * 2 if {ON_TORCH} else x + 2\ny = y * 1", "value"),
    (f"x = torch.ones(2, requires_grad=True)\ny = x * 2 if {ON_TORCH} else x + x", "grad_fn"),
    (f"y = torch.ones(2, requires_grad={ON_TORCH})", "requires_grad"),
])
def test_a_difference_is_reported_with_the_table(twin, cell, column):
    report = run(twin, "y", cell)
    assert not report.ok
    assert column in report.comparison.rows[0].problems
    text = repr(report)
    assert text.startswith("✗ autograd_mini differs from torch in: y (")
    assert "mini vs torch" in text  # the table comes with a mismatch


def test_a_gradient_difference_is_reported(twin):
    cell = (f"x = torch.ones(2, requires_grad=True)\n(x * (2 if {ON_TORCH} else 5)).sum().backward()")
    report = run(twin, "x.grad", cell)
    assert report.comparison.rows[0].problems == ["value"]
    assert "MISMATCH (max abs diff 3)" in repr(report)


def test_a_node_is_compared_by_its_name(twin):
    cell = f"x = torch.ones(2, requires_grad=True)\ny = x * 2 if {ON_TORCH} else x / 0.5"
    report = run(twin, "y.grad_fn", cell)
    assert report.comparison.rows[0].attributes["grad_fn"].mini == "DivBackward0"
    assert not report.ok


def test_a_name_the_mini_run_did_not_make_is_a_mismatch(twin):
    report = run(twin, "y", f"if {ON_TORCH}:\n    y = torch.ones(1)")
    assert "cannot read it: NameError" in repr(report)


# --- one program, two namespaces --------------------------------------------------------

def test_the_shadow_namespace_persists_across_cells(twin):
    run(twin, "", "a = torch.ones(2, requires_grad=True)")
    report = run(twin, "b", "b = a * 3")
    assert report.ok
    assert isinstance(twin.shadow["a"], autograd_mini.Tensor)
    assert isinstance(twin.user_ns["a"], torch.Tensor)


def test_import_torch_in_a_cell_imports_autograd_mini_in_the_shadow(twin):
    run(twin, "", "import torch as T\nfrom torch import no_grad\nv = T.ones(1)")
    assert twin.shadow["T"] is autograd_mini
    assert twin.shadow["no_grad"] is autograd_mini.no_grad
    assert isinstance(twin.on_mini("v"), autograd_mini.Tensor)


def test_torch_names_imported_in_an_ordinary_cell_mean_autograd_mini_in_the_shadow(twin):
    exec("import torch.nn as nn\nfrom torch.autograd.functional import jacobian\nfrom torch import no_grad",
         twin.user_ns)
    report = run(twin, "J", "with no_grad():\n    J = jacobian(lambda v: v.exp(), torch.ones(3))")
    assert report.ok
    assert twin.shadow["nn"] is autograd_mini.nn and twin.shadow["no_grad"] is autograd_mini.no_grad
    assert twin.shadow["jacobian"] is autograd_mini.autograd.functional.jacobian


def test_plain_values_come_from_the_notebook_copied(twin):
    # an ordinary cell made rng and a list; both runs draw the same numbers from copies
    twin.user_ns["rng"] = np.random.default_rng(0)
    twin.user_ns["items"] = [1.0, 2.0]
    report = run(twin, "t", "t = torch.tensor(rng.standard_normal(3))\nitems.append(3.0)")
    assert report.ok
    assert twin.user_ns["items"] == [1.0, 2.0, 3.0]  # appended once, not twice
    expected = np.random.default_rng(0).standard_normal(3)  # float64, as torch.tensor keeps it
    assert np.array_equal(twin.on_mini("t").numpy(), expected)


def test_torch_values_of_ordinary_cells_are_not_copied(twin):
    exec("t = torch.ones(2)\ndef f(x):\n    return torch.sin(x)", twin.user_ns)
    run(twin, "", "pass")
    assert "t" not in twin.shadow and "f" not in twin.shadow


# --- random draws -----------------------------------------------------------------------

def test_random_draws_are_torchs_numbers_on_both_engines(twin):
    report = run(twin, "x, y", "torch.manual_seed(0)\nx = torch.randn(2, 3)\ny = torch.rand(4, requires_grad=True)")
    assert report.ok and report.draws == 2
    torch.manual_seed(0)
    assert np.array_equal(twin.on_mini("x").numpy(), torch.randn(2, 3).numpy())
    assert twin.on_mini("y").requires_grad
    assert "torch's random numbers (2 draws)" in repr(report)


def test_in_place_random_fills_are_replayed(twin):
    report = run(twin, "w", "w = torch.empty(3, 2)\nw.uniform_(-1, 1)\nw.normal_()")
    assert report.ok and report.draws == 2


def test_a_draw_only_one_engine_makes_is_reported(twin):
    report = run(twin, "", f"if not {ON_TORCH}:\n    torch.randn(2)")
    assert "the random draws" in report.problems


# --- errors and warnings ----------------------------------------------------------------

def test_the_same_error_on_both_engines_agrees_and_torchs_error_is_returned(twin):
    report, error, _ = twin.run("", "torch.tensor([1, 2], requires_grad=True)")
    assert report.ok
    assert isinstance(error, RuntimeError) and "floating point" in str(error)
    assert repr(report) == "✓ autograd_mini agrees: the same RuntimeError"


@pytest.mark.parametrize("cell", [
    f"if {ON_TORCH}:\n    raise ValueError('only torch')",
    f"if not {ON_TORCH}:\n    raise ValueError('only mini')",
    f"raise ValueError('torch' if {ON_TORCH} else 'mini')",
])
def test_an_error_only_one_engine_raises_or_another_message_is_a_mismatch(twin, cell):
    report = run(twin, "", cell)
    assert report.problems == ["the error"]
    assert "autograd_mini: " in repr(report) and "torch: " in repr(report)


def test_the_same_warning_agrees_and_a_different_one_does_not(twin):
    cell = "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.grad"
    with pytest.warns(UserWarning, match="not a leaf"):  # torch's warning is shown as usual
        report = run(twin, "", cell)
    assert report.ok and repr(report) == "✓ autograd_mini agrees: the same UserWarning"
    cell = f"import warnings\nif {ON_TORCH}:\n    warnings.warn('careful')"
    with pytest.warns(UserWarning):
        report = run(twin, "", cell)
    assert report.problems == ["the warnings"]
    assert "autograd_mini warned: no warning" in repr(report)


# --- stable text ------------------------------------------------------------------------

def _sanitize(text):
    lines = SANITIZE.read_text().splitlines()
    pairs = [(a[len("regex: "):], b[len("replace: "):]) for a, b in zip(lines, lines[1:])
             if a.startswith("regex: ") and b.startswith("replace: ")]
    for pattern, replacement in pairs:
        text = re.sub(pattern, replacement, text)
    return text


@pytest.mark.parametrize("line", ["y", "--table y"])
def test_one_ulp_of_float_noise_gives_the_text_of_an_exact_match(twin, line):
    exact = run(twin, line, "y = torch.tensor([1.0, 3.0])")
    noisy = run(twin, line, "import numpy as np\none = np.float32(1)\n"
                            f"y = torch.tensor([1.0 if {ON_TORCH} else np.nextafter(one, one + 1), 3.0])")
    assert noisy.ok
    assert noisy.comparison.rows[0].value == "close match"
    if line == "y":
        assert repr(noisy) == repr(exact)
    assert _sanitize(repr(noisy)) == _sanitize(repr(exact))
    assert _sanitize(noisy._repr_html_()) == _sanitize(exact._repr_html_())


# --- in a real IPython shell ------------------------------------------------------------

@pytest.fixture(scope="module")
def shell():
    from IPython.testing.globalipapp import start_ipython
    ip = start_ipython()
    ip.run_line_magic("load_ext", "autograd_course")
    ip.run_cell("import torch")
    return ip


def test_the_magic_runs_a_cell_and_raises_torchs_error(shell, capsys):
    result = shell.run_cell("%%twin y\nx = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ny")
    assert result.success and isinstance(result.result, torch.Tensor)  # the last line's value is torch's
    out = capsys.readouterr().out
    assert out.index("tensor(2., grad_fn=<SumBackward0>)") < out.index("✓ autograd_mini agrees: y (value")
    result = shell.run_cell("%%twin\ny.backward()\ny.backward()")
    assert isinstance(result.error_in_exec, RuntimeError)
    assert "backward through the graph a second time" in str(result.error_in_exec)
    out = capsys.readouterr().out
    assert "✓ autograd_mini agrees: the same RuntimeError" in out
    assert "run_cell_magic" not in out  # the traceback shows the cell's lines, not the magic's


def test_only_torchs_run_shows_output(shell, capsys):
    shell.run_cell("%%twin\nfrom IPython.display import display\nprint('printed')\ndisplay('displayed')")
    out = capsys.readouterr().out
    assert out.count("printed") == 1 and out.count("displayed") == 1
