"""The tangent widget (lesson 1) and the function explorer (lesson 4), driven headlessly.

Expected derivatives are worked out by hand (stated at each) or computed with torch
directly; the widgets are driven by setting their controls' ``.value``, which fires
their observers without a kernel.
"""

import shutil

import numpy as np
import pytest
import torch

from autograd_course.widgets import at_point, on_grid
from autograd_course.widgets.explorer import FUNCTIONS, ExplorerWidget, FunctionExplorer
from autograd_course.widgets.tangent import TangentLine, TangentWidget

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz `dot` program is not on PATH")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def parabola(w):
    return (w - 1) ** 2  # dL/dw = 2 (w - 1), by hand


def wavy(w):
    return (w - 1) ** 2 * 0.5 + (3 * w).sin() * 0.4


def torch_derivative(f, x):
    t = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    f(t).backward()
    return t.grad.item()


def differs_by_engine(x):
    """A function the two engines disagree on, to see the widgets report it."""
    return x * 2 if isinstance(x, torch.Tensor) else x * 3


# --- shared helpers -------------------------------------------------------------------

def test_at_point_gives_value_and_derivative_on_both_engines():
    point = at_point(parabola, 0.25)
    assert point.value == pytest.approx(((0.25 - 1) ** 2,) * 2)
    assert point.gradient == pytest.approx((2 * (0.25 - 1),) * 2)
    assert point.comparison.ok


def test_on_grid_gives_each_points_derivative():
    xs = np.linspace(-2, 2, 9)
    for values, derivatives in on_grid(parabola, xs):
        np.testing.assert_allclose(values, (xs - 1) ** 2, rtol=1e-6)
        np.testing.assert_allclose(derivatives, 2 * (xs - 1), rtol=1e-6)


# --- tangent ------------------------------------------------------------------------------

def test_the_tangent_touches_the_curve_with_autograds_slope():
    logic = TangentLine(wavy)
    point = logic.at(0.7)
    assert point.gradient[0] == pytest.approx(torch_derivative(wavy, 0.7), rel=1e-5)
    ws, ls = logic.tangent(point)
    assert (ls[1] - ls[0]) / (ws[1] - ws[0]) == pytest.approx(point.gradient[0])
    assert np.interp(point.x, ws, ls) == pytest.approx(point.value[0])


def test_the_curve_is_the_loss_torch_computes():
    logic = TangentLine(wavy, domain=(-2, 2))
    with torch.no_grad():
        expected = wavy(torch.tensor(logic.ws, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(logic.curve, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("w, direction", [(2.0, "moves w to the left"), (0.0, "moves w to the right"),
                                          (1.0, "flat")])
def test_the_description_says_which_way_is_downhill(w, direction):
    logic = TangentLine(parabola)
    assert direction in logic.describe(logic.at(w))


def test_moving_the_slider_moves_the_point_and_redraws():
    widget = TangentWidget(wavy, domain=(-3, 3), w=-1.0)
    first_picture = widget.picture.value
    widget.slider.value = 1.5
    assert widget.point.x == pytest.approx(1.5)
    assert f"{torch_derivative(wavy, 1.5):.4f} (torch)" in widget.readout.value
    assert "✓ the engines agree" in widget.readout.value
    assert bytes(widget.picture.value).startswith(PNG_SIGNATURE) and widget.picture.value != first_picture


def test_the_tangent_widget_reports_engines_that_differ():
    widget = TangentWidget(differs_by_engine)
    assert "✗" in widget.readout.value and "differ" in widget.readout.value


def test_the_stored_text_of_the_widget_is_short_and_stable():
    widget = TangentWidget(parabola, w=0.5)
    assert widget._repr_mimebundle_()["text/plain"] == repr(widget) == repr(TangentWidget(parabola, w=0.5))
    assert "0x" not in repr(widget)


# --- explorer -------------------------------------------------------------------------------

def test_the_seed_function_has_the_derivative_worked_out_by_hand():
    # f = exp(2x² sin x), so f' = f · (4x sin x + 2x² cos x)
    x = 0.8
    f = np.exp(2 * x**2 * np.sin(x))
    point = FunctionExplorer().at("exp(2x² sin x)", x)
    expected = f * (4 * x * np.sin(x) + 2 * x**2 * np.cos(x))
    assert point.gradient == pytest.approx((expected, expected), rel=1e-5)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_function_agrees_with_torch_on_the_whole_curve(name):
    explorer = FunctionExplorer()
    assert explorer.curves_agree(name)
    (_, mini_df), _ = explorer.curves(name)
    x = explorer.xs[17]
    assert mini_df[17] == pytest.approx(torch_derivative(FUNCTIONS[name], x), rel=1e-5, abs=1e-6)


def test_curves_that_differ_are_noticed():
    explorer = FunctionExplorer({"bad": differs_by_engine})
    assert not explorer.curves_agree("bad")


@needs_dot
def test_the_graph_is_both_engines_side_by_side():
    explorer = FunctionExplorer()
    graphs = explorer.graph(explorer.at("3(x + 2)²", 0.5))
    assert graphs.identical
    html = graphs._repr_html_()
    assert "AddBackward0" in html and "autograd_mini" in html and "torch" in html


@needs_dot
def test_choosing_a_function_and_a_point_redraws_everything():
    widget = ExplorerWidget(x=0.5)
    assert "ExpBackward0" in widget.graphs.value
    first_picture = widget.picture.value
    widget.dropdown.value = "x sin x"
    assert "ExpBackward0" not in widget.graphs.value and "SinBackward0" in widget.graphs.value
    widget.slider.value = -1.0
    expected = torch_derivative(FUNCTIONS["x sin x"], -1.0)
    assert f"df/dx = {expected:.4f} (autograd_mini), {expected:.4f} (torch)" in widget.readout.value
    assert "✓ the engines agree" in widget.readout.value
    assert bytes(widget.picture.value).startswith(PNG_SIGNATURE) and widget.picture.value != first_picture
    assert repr(widget) == "ExplorerWidget(f='x sin x', x=-1.00; run the notebook to explore)"


@needs_dot
def test_the_explorer_reports_engines_that_differ():
    widget = ExplorerWidget({"bad": differs_by_engine})
    assert "✗ the engines differ" in widget.readout.value
