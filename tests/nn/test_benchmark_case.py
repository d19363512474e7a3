"""The `mlp_nn` benchmark row: its hand-written NumPy step (forward, backward, SGD update)
computes what torch's nn.Sequential + optim.SGD step computes, from the same weights, and
so does autograd_mini's; each step starts again from those weights."""
import numpy as np
import pytest
import torch

import autograd_mini
from benchmarks.cases import mlp, mlp_nn


def _nn_step(tb):
    data, param_arrays = mlp.make_inputs()
    model = tb.nn.Sequential(tb.nn.Linear(mlp.N_IN, mlp.N_HIDDEN), tb.nn.ReLU(),
                             tb.nn.Linear(mlp.N_HIDDEN, mlp.N_OUT))
    optimizer = tb.optim.SGD(model.parameters(), lr=mlp_nn.LR)
    inputs, targets = (tb.tensor(a) for a in data)
    return mlp_nn.nn_step(model, optimizer, tb.nn.MSELoss(), inputs, targets,
                          mlp_nn.nn_starting_weights(param_arrays))


@pytest.mark.parametrize("tb", [torch, autograd_mini], ids=["torch", "mini"])
def test_nn_step_matches_the_numpy_step(tb):
    data, param_arrays = mlp.make_inputs()
    numpy_step = mlp_nn.numpy_step(data, param_arrays, [p.copy() for p in param_arrays])
    step = _nn_step(tb)
    for _ in range(2):  # the second step starts from the same weights as the first
        expected = [p.copy() for p in numpy_step()]
        got = [p.detach().numpy().copy() for p in step()]
    for g, e in zip(got, mlp_nn.nn_starting_weights(expected)):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6)
