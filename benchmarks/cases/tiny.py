"""tiny: the seed's profiler loop, `z = (z / x) * y` a thousand times on 2x3 tensors, then backward.

Each op touches six numbers, so this measures the per-op overhead of an engine, nothing else.
The values overflow to inf or underflow to 0 within the loop, as in the seed; every engine
gets the same inputs, so they all do the same arithmetic.
"""

import numpy as np

from benchmarks.engines import autograd_step, leaves
from benchmarks.timing import timed

STEPS = 1000
ROWS = [("tiny", f"{STEPS} x `z = (z / x) * y` on 2x3, then backward", {})]


def make_inputs(dtype=np.float32, seed=0) -> list[np.ndarray]:
    """x = randn(2, 3), y = rand(2, 3), z = ones(2, 3), as in the seed, drawn with NumPy so that
    every engine gets the same numbers."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3)).astype(dtype)
    y = rng.random((2, 3)).astype(dtype)
    return [x, y, np.ones((2, 3), dtype)]


def autograd_forward(x, y, z, steps=STEPS):
    """The seed's loop, for torch and autograd_mini alike; returns the scalar to backward from."""
    for _ in range(steps):
        z = (z / x) * y
    return z.sum()


def numpy_grads(x, y, z, steps=STEPS) -> list[np.ndarray]:
    """Forward keeping each quotient z / x, then the chain rule by hand: grads of x, y, z."""
    quotients = []
    for _ in range(steps):
        quotient = z / x
        quotients.append(quotient)
        z = quotient * y
    grad_x = np.zeros_like(x)
    grad_y = np.zeros_like(y)
    grad_z = np.ones_like(z)  # d z.sum() / d z
    for quotient in reversed(quotients):
        grad_y += grad_z * quotient
        grad_quotient = grad_z * y
        grad_x -= grad_quotient * quotient / x  # d(z / x)/dx = -z / x**2 = -quotient / x
        grad_z = grad_quotient / x
    return [grad_x, grad_y, grad_z]


def run(engine, settings) -> dict:
    arrays = make_inputs()
    if engine.tb is None:
        return timed(lambda: numpy_grads(*arrays), settings)
    params = leaves(engine.tb, arrays)
    return timed(autograd_step(lambda: autograd_forward(*params), params), settings)
