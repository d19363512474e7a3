"""Checks for exercises/01_why_autograd_exercises.ipynb: derivatives by hand and by numbers."""

import numpy as np
import torch

from .exercise import Exercise, call, expect, need
from .tensors import (
    array_of,
    close,
    expect_none_of,
    expect_tensor,
    notebook_engine,
    to_engine,
    values,
)

PRODUCT_RULE = (
    "f(x) = x · sin(x²) is a product: by the product rule its derivative has one term for "
    "each factor, and one of them is missing"
)
POINTS = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0]


def _autograd_derivative(f, points):
    """d f(x_i) / d x_i at each point, by torch's autograd (f acts elementwise)."""
    x = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    f(x).sum().backward()
    return x.grad.numpy()


def _check_df_dx(namespace):
    df_dx = need(namespace, "df_dx")
    x = to_engine(notebook_engine(namespace), POINTS, dtype="float64")
    found = array_of(call(df_dx, x), "df_dx(x)")
    expect(found.shape == x.shape, f"`df_dx(x)` has shape {found.shape}; it should match x's {tuple(x.shape)}")
    p = values(x)
    expect_none_of(
        found,
        [
            (p * np.sin(p**2), "`df_dx` returns f(x) itself: the task is its derivative"),
            (
                np.sin(p**2) + p * np.cos(p**2),
                "the chain rule's inner derivative is missing: sin(x²) changes with x through "
                "x², so its derivative picks up the derivative of x² as a factor",
            ),
            (2 * p**2 * np.cos(p**2), PRODUCT_RULE),
            (np.sin(p**2), PRODUCT_RULE),
        ],
    )
    expect(
        close(found, _autograd_derivative(lambda t: t * torch.sin(t**2), POINTS)),
        "`df_dx(x)` does not match the derivative autograd computes: redo the derivation "
        "step by step (product rule first, then the chain rule)",
    )


def _check_central_difference(namespace):
    central_difference = need(namespace, "central_difference")
    engine = notebook_engine(namespace)
    x = to_engine(engine, POINTS, dtype="float64")
    h = 1e-5

    def g(t):  # a function the student has not seen, so the answer cannot be tuned to it
        return engine.exp(t) * engine.sin(t)

    found = call(central_difference, g, x, h, name="central_difference")
    expect_tensor(found, "central_difference(f, x, h)")
    found = values(found)
    p = values(x)
    tolerance = {"rtol": 1e-7, "atol": 1e-9}  # a central difference in float64 is that close
    expect_none_of(
        found,
        [
            (
                (np.exp(p + h) * np.sin(p + h) - np.exp(p - h) * np.sin(p - h)) / h,
                "your result is twice the slope: the two points you compare are 2h apart, "
                "so divide their difference by that distance",
            ),
            (
                (np.exp(p + h) * np.sin(p + h) - np.exp(p) * np.sin(p)) / h,
                "that is a one-sided (forward) difference: its error shrinks only like h. "
                "Compare one point on each side of x instead",
            ),
        ],
        **tolerance,
    )
    expect(
        close(found, _autograd_derivative(lambda t: t.exp() * t.sin(), POINTS), **tolerance),
        "`central_difference(f, x, h)` is not the central difference quotient of f at x",
    )


q1 = Exercise(
    "df_dx",
    _check_df_dx,
    hints=[
        "f(x) = x · sin(x²) is a product of two factors that both depend on x.",
        "The second factor is a function of a function: sin(u) with u = x².",
    ],
)
q2 = Exercise(
    "central_difference",
    _check_central_difference,
    hints=[
        "Evaluate f a little to the right of x and a little to the left of x.",
        "A slope is a change in f divided by the change in x that caused it.",
    ],
)
