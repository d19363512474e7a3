"""chain: 10^3, 10^4 and 10^5 chained multiplications of a one-element tensor, then backward.

A graph as deep as it is long: it shows whether an engine's backward is iterative and linear in
the number of nodes (a recursive one hits Python's recursion limit, a quadratic one slows down
per op as the chain grows).
"""

import numpy as np

from benchmarks.engines import autograd_step, leaves
from benchmarks.timing import timed

DEPTHS = (10**3, 10**4, 10**5)
FACTOR = 1.0001  # 1.0001 ** 1e5 is about e**10: finite in float32 at every depth
ROWS = [
    (f"chain_{depth}", f"{depth} x `y = y * {FACTOR}` on 1 element, then backward", {"depth": depth})
    for depth in DEPTHS
]


def make_inputs(dtype=np.float32) -> list[np.ndarray]:
    return [np.ones(1, dtype)]


def autograd_forward(x, depth):
    y = x
    for _ in range(depth):
        y = y * FACTOR
    return y.sum()


def numpy_grads(x, depth) -> list[np.ndarray]:
    y = x
    for _ in range(depth):
        y = y * FACTOR
    # Multiplying by a constant needs no saved input: backward is the same chain of products.
    grad = np.ones_like(x)
    for _ in range(depth):
        grad = grad * FACTOR
    return [grad]


def run(engine, settings, depth) -> dict:
    arrays = make_inputs()
    if engine.tb is None:
        return timed(lambda: numpy_grads(*arrays, depth), settings)
    params = leaves(engine.tb, arrays)
    return timed(autograd_step(lambda: autograd_forward(*params, depth), params), settings)
