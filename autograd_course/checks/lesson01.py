"""Checks for exercises/01_why_autograd_exercises.ipynb: derivatives by hand and by numbers.

The probes call the student's functions on points (and, for the central difference, a
function) the check chose; the judges compare with derivatives computed by torch's autograd.
"By hand" is watched: the probe counts the engine's autograd calls the function makes.
"""

import numpy as np
import torch

from .exercise import Exercise, NotYet, expect, expect_ran, need
from .observe import watch_calls
from .tensors import array_in, close, expect_none_of, kind_in, notebook_engine, read, read_array, tensor_in, to_engine

PRODUCT_RULE = (
    "f(x) = x · sin(x²) is a product: by the product rule its derivative has one term for "
    "each factor, and one of them is missing"
)
POINTS = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0]
H = 1e-5
AUTOGRAD_NAMES = ("backward", "grad", "torch.func") + tuple(f"functional.{name}" for name in ("jacobian", "vjp", "jvp"))


def _autograd_derivative(f, points):
    """d f(x_i) / d x_i at each point, by torch's autograd (f acts elementwise)."""
    x = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    f(x).sum().backward()
    return x.grad.numpy()


def _autograd_used(seen):
    calls = seen.get("calls") if isinstance(seen, dict) else None
    if not isinstance(calls, dict):
        raise NotYet("the check's data about your function's calls is not readable")
    return sorted(name for name in AUTOGRAD_NAMES if calls.get(name))


def _probe_df_dx(namespace):
    df_dx = need(namespace, "df_dx")
    x = to_engine(notebook_engine(namespace), POINTS, dtype="float64")
    found, error, seen = watch_calls(df_dx, x)
    return {"found": read_array(found), "error": error, "seen": seen}


def _judge_df_dx(data):
    expect_ran(data.get("error"), "df_dx")
    used = _autograd_used(data.get("seen"))
    expect(
        not used,
        "`df_dx` asks autograd for the derivative (it calls "
        + ", ".join(f"`{name}`" for name in used)
        + "): this exercise is the derivation by hand; write the formula with tensor operations only",
    )
    found = array_in(data, "found", "df_dx(x)")
    expect(found.shape == (len(POINTS),), f"`df_dx(x)` has shape {found.shape}; it should match x's ({len(POINTS)},)")
    p = np.asarray(POINTS)
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


def _probe_central_difference(namespace):
    central_difference = need(namespace, "central_difference")
    engine = notebook_engine(namespace)

    def g(t):  # a function the student has not seen, so the answer cannot be tuned to it
        return engine.exp(t) * engine.sin(t)

    found, error, seen = watch_calls(central_difference, g, to_engine(engine, POINTS, dtype="float64"), H)
    return {"found": read(found), "error": error, "seen": seen}


def _judge_central_difference(data):
    expect_ran(data.get("error"), "central_difference")
    used = _autograd_used(data.get("seen"))
    expect(
        not used,
        "`central_difference` asks autograd for the derivative: this exercise approximates it "
        "from two values of f alone",
    )
    expect(
        kind_in(data, "found") == "tensor",
        f"`central_difference(f, x, h)` should return a tensor, but it returned a {kind_in(data, 'found')}",
    )
    found = tensor_in(data, "found", "central_difference(f, x, h)").values
    p = np.asarray(POINTS)
    tolerance = {"rtol": 1e-7, "atol": 1e-9}  # a central difference in float64 is that close
    expect_none_of(
        found,
        [
            (
                (np.exp(p + H) * np.sin(p + H) - np.exp(p - H) * np.sin(p - H)) / H,
                "your result is twice the slope: the two points you compare are 2h apart, "
                "so divide their difference by that distance",
            ),
            (
                (np.exp(p + H) * np.sin(p + H) - np.exp(p) * np.sin(p)) / H,
                "that is a one-sided (forward) difference: its error shrinks only like h. "
                "Compare one point on each side of x instead",
            ),
            (
                (np.exp(p) * np.sin(p) - np.exp(p - H) * np.sin(p - H)) / H,
                "that is a one-sided (backward) difference: its error shrinks only like h. "
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
    _probe_df_dx,
    _judge_df_dx,
    hints=[
        "f(x) = x · sin(x²) is a product of two factors that both depend on x.",
        "The second factor is a function of a function: sin(u) with u = x².",
    ],
)
q2 = Exercise(
    "central_difference",
    _probe_central_difference,
    _judge_central_difference,
    hints=[
        "Evaluate f a little to the right of x and a little to the left of x.",
        "A slope is a change in f divided by the change in x that caused it.",
    ],
)
