"""mlp_nn: one training step of the `mlp` case's network written with nn and optim.

nn.Sequential(Linear(784, 512), ReLU(), Linear(512, 10)), nn.MSELoss() and optim.SGD: forward,
loss, zero_grad, backward, step; against the hand-written NumPy forward, backward and
`w -= lr * grad`. Same data and weights as `mlp` (nn.Linear keeps its weight transposed).
Each timed step first puts the starting weights back, with the same np.copyto into every engine's
weights (through a NumPy view of them), so that every step computes the same numbers and the
parent can compare the updated weights.
"""

import numpy as np

from benchmarks.cases import mlp
from benchmarks.timing import timed

LR = 0.01
ROWS = [("mlp_nn", f"{mlp.N_IN}-{mlp.N_HIDDEN}-{mlp.N_OUT} MLP with nn.Sequential + optim.SGD, "
         f"batch {mlp.BATCH}: forward, backward, step", {})]


def nn_starting_weights(param_arrays):
    """The mlp case's [W1, b1, W2, b2] in nn.Linear's layout: weight is (out, in)."""
    w1, b1, w2, b2 = param_arrays
    return [np.ascontiguousarray(w1.T), b1, np.ascontiguousarray(w2.T), b2]


def nn_step(model, optimizer, loss_fn, inputs, targets, start):
    params = list(model.parameters())
    views = [param.detach().numpy() for param in params]  # share the weights' memory

    def step():
        for view, value in zip(views, start):
            np.copyto(view, value)
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return params
    return step


def numpy_step(data, param_arrays, start):
    def step():
        for param, value in zip(param_arrays, start):
            np.copyto(param, value)
        _, grads = mlp.numpy_loss_and_grads(*data, *param_arrays)
        for param, grad in zip(param_arrays, grads):
            param -= LR * grad
        return param_arrays
    return step


def run(engine, settings) -> dict:
    data, param_arrays = mlp.make_inputs()
    if engine.tb is None:
        start = [p.copy() for p in param_arrays]
        return timed(numpy_step(data, param_arrays, start), settings)
    tb = engine.tb
    model = tb.nn.Sequential(tb.nn.Linear(mlp.N_IN, mlp.N_HIDDEN), tb.nn.ReLU(),
                             tb.nn.Linear(mlp.N_HIDDEN, mlp.N_OUT))
    start = nn_starting_weights(param_arrays)
    kwargs = {"foreach": False} if tb.__name__ == "torch" else {}
    optimizer = tb.optim.SGD(model.parameters(), lr=LR, **kwargs)
    inputs, targets = (tb.tensor(a) for a in data)
    return timed(nn_step(model, optimizer, tb.nn.MSELoss(), inputs, targets, start), settings)
