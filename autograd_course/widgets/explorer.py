"""Lesson 4's widget: pick a function and a point; see the graph and the gradient.

Every time a function runs on a tensor that requires grad, autograd records a new
graph, and the value and derivative change with the point while the graph's shape
does not. The widget makes that visible: a dropdown picks the function, a slider
the point ``x``; it shows the graph both engines recorded (``side_by_side``), the
value and gradient from each, and a plot of ``f`` and ``df/dx`` with the point.
"""

from html import escape

import ipywidgets as widgets
import numpy as np

from ..graph import side_by_side
from . import PICTURE_WIDTH, at_point, on_grid, plot_png

# Each uses tensor methods and operators only, so the same function runs on both engines.
FUNCTIONS = {
    "exp(2x² sin x)": lambda x: (2 * x**2 * x.sin()).exp(),
    "3(x + 2)²": lambda x: (x + 2) * (x + 2) * 3,
    "x sin x": lambda x: x * x.sin(),
    "tanh(3x) + x²/4": lambda x: (3 * x).tanh() + x**2 / 4,
    "sigmoid(2x - 1)": lambda x: (2 * x - 1).sigmoid(),
}

WIDE_RANGE = 50  # curves reaching past this are plotted on a symlog scale


class FunctionExplorer:
    """Functions of one variable over ``domain``, their graphs and their gradients."""

    def __init__(self, functions=None, domain=(-2.0, 2.0), samples=101):
        self.functions = dict(FUNCTIONS if functions is None else functions)
        self.domain = tuple(float(end) for end in domain)
        self.xs = np.linspace(*self.domain, samples)
        self._curves = {}

    def at(self, name, x):
        """Value and gradient of function ``name`` at ``x`` on both engines: a PointResult."""
        return at_point(self.functions[name], x)

    def graph(self, point):
        """Both engines' graphs for ``point``, side by side, with ``x`` and ``y`` named."""
        mini_names, torch_names = ({"x": x, "y": y} for x, y in zip(point.inputs, point.outputs))
        return side_by_side(point.outputs[0], point.outputs[1], mini_names, torch_names)

    def curves(self, name):
        """``((f, df/dx) by autograd_mini, (f, df/dx) by torch)`` over the domain; computed once per function."""
        if name not in self._curves:
            self._curves[name] = on_grid(self.functions[name], self.xs)
        return self._curves[name]

    def curves_agree(self, name, rtol=1.3e-6, atol=1e-5):
        """Whether both engines give the same f and df/dx at every sample."""
        (mini_f, mini_df), (torch_f, torch_df) = self.curves(name)
        return (np.allclose(mini_f, torch_f, rtol=rtol, atol=atol)
                and np.allclose(mini_df, torch_df, rtol=rtol, atol=atol))

    def draw(self, axes, name, point):
        """``f`` and ``df/dx`` over the domain (autograd_mini's lines, torch's dots) and the point."""
        (mini_f, mini_df), (torch_f, torch_df) = self.curves(name)
        every = max(1, len(self.xs) // 20)
        axes.plot(self.xs, mini_f, color="#1f77b4", label="f(x)")
        axes.plot(self.xs, mini_df, color="#ff7f0e", label="df/dx")
        axes.plot(self.xs[::every], torch_f[::every], ".", color="#1f77b4", label="torch's f and df/dx")
        axes.plot(self.xs[::every], torch_df[::every], ".", color="#ff7f0e")
        axes.plot([point.x], [point.value[0]], "o", color="#1f77b4", markersize=8)
        axes.plot([point.x], [point.gradient[0]], "o", color="#ff7f0e", markersize=8)
        axes.axvline(point.x, color="#999999", linewidth=1, linestyle="--")
        if max(np.abs(mini_f).max(), np.abs(mini_df).max()) > WIDE_RANGE:
            # linear near zero, logarithmic beyond: exp(2x² sin x) spans 0 to 5,000
            axes.set_yscale("symlog", linthresh=1)
            axes.set_ylim(bottom=min(mini_f.min(), mini_df.min()) - 0.5)  # symlog's margins would reach -100
            axes.set_ylabel("symlog scale")
        axes.set_xlabel("x")
        axes.set_title(name)
        axes.legend(loc="best", fontsize=8)
        axes.grid(alpha=0.3)

    def png(self, name, point):
        return plot_png(self.draw, name, point)


class ExplorerWidget(widgets.VBox):
    """A dropdown and a slider; the values, both graphs and the plot update as they move."""

    def __init__(self, functions=None, domain=(-2.0, 2.0), name=None, x=0.5, step=0.05):
        self.logic = FunctionExplorer(functions, domain)
        names = list(self.logic.functions)
        self.dropdown = widgets.Dropdown(options=names, value=names[0] if name is None else name, description="f")
        self.slider = widgets.FloatSlider(value=x, min=self.logic.domain[0], max=self.logic.domain[1], step=step,
                                          description="x", continuous_update=False,  # each move redraws two graphs
                                          layout=widgets.Layout(width="400px"))
        self.readout = widgets.HTML()
        self.graphs = widgets.HTML()
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=PICTURE_WIDTH))
        super().__init__([widgets.HBox([self.dropdown, self.slider]), self.readout, self.picture, self.graphs])
        for control in (self.dropdown, self.slider):
            control.observe(self._update, names="value")
        self._update()

    def _update(self, change=None):
        name = self.dropdown.value
        self.point = self.logic.at(name, self.slider.value)
        (mini_value, torch_value), (mini_grad, torch_grad) = self.point.value, self.point.gradient
        agree = self.point.comparison.ok and self.logic.curves_agree(name)
        mark = ('<span style="color:#1a7f37">✓ the engines agree, here and along the whole curve</span>' if agree
                else '<span style="color:#cf222e">✗ the engines differ</span>')
        self.readout.value = (
            f"<b>{escape(name)}</b> at x = {self.point.x:.2f}: "
            f"f(x) = {mini_value:.4f} (autograd_mini), {torch_value:.4f} (torch); "
            f"df/dx = {mini_grad:.4f} (autograd_mini), {torch_grad:.4f} (torch). {mark}")
        self.picture.value = self.logic.png(name, self.point)
        self.graphs.value = self.logic.graph(self.point)._repr_html_()

    def __repr__(self):
        # the text a notebook stores for the widget: short and the same on every run
        return f"ExplorerWidget(f={self.dropdown.value!r}, x={self.slider.value:.2f}; run the notebook to explore)"
