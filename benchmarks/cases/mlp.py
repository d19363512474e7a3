"""mlp: one training step (forward and backward) of a 784-512-10 ReLU network, batch 256, float32.

The loss is the mean squared error against random targets: it needs only matmul, broadcast add,
relu, subtraction, ** and mean, which every engine has. Time goes into the two big matmuls
(256x784 by 784x512, forward and for W1's grad), so an engine on NumPy can come close to the
hand-written version only if its per-op overhead and extra copies are small.
"""

import numpy as np

from benchmarks.engines import autograd_step, constants, leaves
from benchmarks.timing import timed

BATCH, N_IN, N_HIDDEN, N_OUT = 256, 784, 512, 10
ROWS = [("mlp", f"{N_IN}-{N_HIDDEN}-{N_OUT} ReLU MLP, batch {BATCH}: forward + backward", {})]


def make_inputs(dtype=np.float32, seed=0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(data, params): data = [inputs, targets]; params = [W1, b1, W2, b2], scaled so the
    hidden activations stay of order one."""
    rng = np.random.default_rng(seed)

    def normal(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(dtype)

    data = [normal(BATCH, N_IN), normal(BATCH, N_OUT)]
    params = [
        normal(N_IN, N_HIDDEN, scale=N_IN**-0.5),
        normal(N_HIDDEN, scale=0.1),
        normal(N_HIDDEN, N_OUT, scale=N_HIDDEN**-0.5),
        normal(N_OUT, scale=0.1),
    ]
    return data, params


def autograd_loss(inputs, targets, w1, b1, w2, b2):
    """The network and its loss, for torch and autograd_mini alike."""
    hidden = (inputs @ w1 + b1).relu()
    outputs = hidden @ w2 + b2
    return ((outputs - targets) ** 2).mean()


def numpy_loss_and_grads(inputs, targets, w1, b1, w2, b2):
    """The same step by hand: in-place where it saves a temporary, as a careful person writes it."""
    hidden = inputs @ w1
    hidden += b1
    np.maximum(hidden, 0, out=hidden)
    error = hidden @ w2
    error += b2
    error -= targets
    loss = np.mean(error**2)

    grad_outputs = error * (2 / error.size)
    grad_w2 = hidden.T @ grad_outputs
    grad_b2 = grad_outputs.sum(axis=0)
    grad_hidden = grad_outputs @ w2.T
    grad_hidden *= hidden > 0  # relu passes the gradient where its output is positive
    grad_w1 = inputs.T @ grad_hidden
    grad_b1 = grad_hidden.sum(axis=0)
    return loss, [grad_w1, grad_b1, grad_w2, grad_b2]


def run(engine, settings) -> dict:
    data, param_arrays = make_inputs()
    if engine.tb is None:
        return timed(lambda: numpy_loss_and_grads(*data, *param_arrays)[1], settings)
    inputs, targets = constants(engine.tb, data)
    params = leaves(engine.tb, param_arrays)
    return timed(autograd_step(lambda: autograd_loss(inputs, targets, *params), params), settings)
