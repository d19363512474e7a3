"""Lesson 1's widget: a point on a loss curve, and the tangent autograd finds there.

Training moves a weight ``w`` downhill on the loss curve ``L(w)``. Which way is
downhill is the sign of the slope ``dL/dw``, the derivative autograd computes. The
widget's slider moves ``w``; the picture shows the curve, the point and the tangent
line with that slope, and the text gives the slope from both engines.
"""

from html import escape

import ipywidgets as widgets
import numpy as np

from . import PICTURE_WIDTH, at_point, on_grid, plot_png

TANGENT_HALF_WIDTH = 0.15  # of the curve's width: long enough to see, short enough to stay near the point


class TangentLine:
    """A loss curve over ``domain``, and its value and slope at any ``w`` by autograd.

    ``loss`` takes a tensor and uses tensor methods and operators only, so it runs on
    both engines: ``lambda w: (w - 1) ** 2 + (3 * w).sin()``.
    """

    def __init__(self, loss, domain=(-3.0, 3.0), samples=201):
        self.loss = loss
        self.domain = tuple(float(end) for end in domain)
        self.ws = np.linspace(*self.domain, samples)
        (self.curve, _), _ = on_grid(loss, self.ws)  # autograd_mini's values draw the curve

    def at(self, w):
        """The loss and its slope at ``w``: a PointResult (``.value``, ``.gradient``, ``.comparison``)."""
        return at_point(self.loss, w)

    def tangent(self, point):
        """Two points of the tangent line at ``point``, with autograd_mini's slope."""
        half = TANGENT_HALF_WIDTH * (self.domain[1] - self.domain[0])
        ws = np.array([point.x - half, point.x + half])
        return ws, point.value[0] + point.gradient[0] * (ws - point.x)

    def describe(self, point):
        """The slope in words: its value on each engine, and which way is downhill."""
        slope = point.gradient[0]
        if slope > 0:
            downhill = "the loss rises to the right, so a gradient-descent step moves w to the left"
        elif slope < 0:
            downhill = "the loss falls to the right, so a gradient-descent step moves w to the right"
        else:
            downhill = "the curve is flat here: a minimum, a maximum or a saddle, and gradient descent stops"
        return (f"w = {point.x:.2f}: L(w) = {point.value[0]:.4f}, slope dL/dw = {slope:.4f} (autograd_mini) "
                f"and {point.gradient[1]:.4f} (torch); {downhill}.")

    def draw(self, axes, point):
        """The curve, the point and its tangent on matplotlib ``axes``."""
        axes.plot(self.ws, self.curve, color="#1f77b4", label="loss L(w)")
        axes.plot(*self.tangent(point), color="#d62728", linewidth=2,
                  label=f"tangent, slope {point.gradient[0]:.3f}")
        axes.plot([point.x], [point.value[0]], "o", color="#d62728", markersize=8)
        spread = self.curve.max() - self.curve.min()
        axes.set_ylim(self.curve.min() - 0.1 * spread, self.curve.max() + 0.1 * spread)  # fixed, so the curve does not jump
        axes.set_xlabel("w (a weight)")
        axes.set_ylabel("L(w)")
        axes.legend(loc="best")
        axes.grid(alpha=0.3)

    def png(self, point):
        return plot_png(self.draw, point)


class TangentWidget(widgets.VBox):
    """A slider for ``w``, the slope on both engines, and the picture."""

    def __init__(self, loss, domain=(-3.0, 3.0), w=None, step=0.05):
        self.logic = TangentLine(loss, domain)
        low, high = self.logic.domain
        self.slider = widgets.FloatSlider(value=low + 0.2 * (high - low) if w is None else w, min=low, max=high,
                                          step=step, description="w", continuous_update=True,
                                          layout=widgets.Layout(width="500px"))
        self.readout = widgets.HTML()
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=PICTURE_WIDTH))
        super().__init__([self.slider, self.readout, self.picture])
        self.slider.observe(self._update, names="value")
        self._update()

    def _update(self, change=None):
        self.point = self.logic.at(self.slider.value)
        agree = self.point.comparison
        mark = ('<span style="color:#1a7f37">✓ the engines agree</span>' if agree.ok else
                f'<span style="color:#cf222e">{escape(agree.verdict())}</span>')
        self.readout.value = f"{escape(self.logic.describe(self.point))} {mark}"
        self.picture.value = self.logic.png(self.point)

    def __repr__(self):
        # the text a notebook stores for the widget: short and the same on every run
        return f"TangentWidget(w={self.slider.value:.2f}; run the notebook to move the slider)"
