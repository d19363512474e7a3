"""functional: `autograd.functional.jacobian` and `hessian` of functions of 100 inputs.

torch builds both row by row (one backward per output, and the Hessian as the Jacobian of a
gradient taken with create_graph=True), so this measures many small backward passes and double
backward. The NumPy version is the closed form worked out by hand: a floor, not a competitor.
"""

import importlib

import numpy as np

from benchmarks.engines import NotApplicable, constants
from benchmarks.timing import timed

N = 100
ROWS = [
    ("jacobian", f"jacobian of x.exp() * x.sum(), {N} inputs -> {N} outputs", {"which": "jacobian"}),
    ("hessian", f"hessian of (x.sin() * x).sum(), {N} inputs", {"which": "hessian"}),
]


def make_input(dtype=np.float32, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(N).astype(dtype)


def vector_fn(x):
    return x.exp() * x.sum()


def scalar_fn(x):
    return (x.sin() * x).sum()


def numpy_jacobian(x: np.ndarray) -> np.ndarray:
    """d(exp(x_i) * sum(x)) / dx_j = exp(x_i) + [i == j] exp(x_i) sum(x)."""
    exp = np.exp(x)
    jacobian = np.repeat(exp[:, None], x.size, axis=1)
    jacobian[np.diag_indices(x.size)] += exp * x.sum()
    return jacobian


def numpy_hessian(x: np.ndarray) -> np.ndarray:
    """d2(sum_k x_k sin x_k) / dx_i dx_j = [i == j] (2 cos x_i - x_i sin x_i)."""
    return np.diag(2 * np.cos(x) - x * np.sin(x))


FUNCTIONS = {"jacobian": vector_fn, "hessian": scalar_fn}
CLOSED_FORMS = {"jacobian": numpy_jacobian, "hessian": numpy_hessian}


def run(engine, settings, which) -> dict:
    array = make_input()
    if engine.tb is None:
        return timed(lambda: [CLOSED_FORMS[which](array)], settings)
    module_name = f"{engine.tb.__name__}.autograd.functional"
    try:
        functional = importlib.import_module(module_name)
    except ImportError as error:
        raise NotApplicable(f"{module_name} cannot be imported ({error})") from error
    transform = getattr(functional, which)  # functional.jacobian or functional.hessian
    (x,) = constants(engine.tb, [array])
    return timed(lambda: [transform(FUNCTIONS[which], x)], settings)
