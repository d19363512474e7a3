"""The course's interactive widgets, one file each.

- ``tangent.TangentWidget`` (lesson 1): move a point along a loss curve and see the
  tangent whose slope autograd computes, on both engines.
- ``explorer.ExplorerWidget`` (lesson 4): pick a function and a point; see the graph
  both engines record, and the value and gradient there.
- ``stepper`` (lesson 12): step through a backward pass one node at a time.

Each widget is a plain logic class (what to compute, testable without a browser or
kernel) wrapped by an ipywidgets box (what to show). Pictures are PNG bytes in an
``ipywidgets.Image``, so a widget redraws the same way in JupyterLab, in a saved
notebook's widget state, and in a test.

This module holds what the widgets share: evaluating a function and its derivative
at one point on both engines, and drawing a matplotlib figure as PNG bytes.
"""

import io
from dataclasses import dataclass

import numpy as np

from ..compare import Comparison, compare_all, twin

FIGURE_SIZE = (6, 3.6)  # inches, at DPI: the PNG is 600 pixels wide...
DPI = 100
PICTURE_WIDTH = f"{FIGURE_SIZE[0] * DPI}px"  # ...and shown at that width, not stretched to the cell


@dataclass(frozen=True)
class PointResult:
    """``f`` and ``df/dx`` at one point ``x``, by each engine's autograd.

    ``inputs`` and ``outputs`` are the ``(autograd_mini, torch)`` tensors, kept so a
    widget can draw the graph they recorded.
    """

    x: float
    value: tuple
    gradient: tuple
    comparison: Comparison
    inputs: tuple
    outputs: tuple


def at_point(f, x):
    """Evaluate ``f`` at the scalar ``x`` on both engines and backpropagate.

    ``f`` takes one tensor and uses only tensor methods and operators
    (``(2 * x**2 * x.sin()).exp()``), so the same function runs on either engine.
    """
    inputs = twin(np.float32(x), requires_grad=True)
    outputs = tuple(f(t) for t in inputs)
    for output in outputs:
        output.backward()
    gradients = tuple(t.grad for t in inputs)
    comparison = compare_all({"f(x)": outputs, "df/dx": gradients})
    return PointResult(
        x=float(inputs[0].item()),
        value=tuple(output.item() for output in outputs),
        gradient=tuple(gradient.item() for gradient in gradients),
        comparison=comparison,
        inputs=inputs,
        outputs=outputs,
    )


def on_grid(f, xs):
    """``(f(xs), df/dx at xs)`` as NumPy arrays for each engine, for elementwise ``f``.

    One backward of ``f(x).sum()`` gives every point's derivative at once: each
    output depends on its own input only, so d(sum)/dx_i = df/dx at x_i.
    """
    results = []
    for x in twin(xs, requires_grad=True):
        y = f(x)
        y.sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    return tuple(results)


def plot_png(draw, *args):
    """PNG bytes of a figure that ``draw(axes, *args)`` draws, made without pyplot (no global
    state, nothing displayed), so the widgets can draw in a test as in JupyterLab."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_SIZE)
    FigureCanvasAgg(figure)
    draw(figure.add_subplot(), *args)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
