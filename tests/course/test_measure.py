"""What `retained_bytes` reports: the memory a forward pass keeps, with and without the graph.

The expected sizes are worked out by hand from what the graph must save: a chain of
`tanh` layers saves each layer's output (tanh's backward needs its result), so with
the graph the forward pass keeps at least one layer output per layer, and without it
only the result. Both engines are measured, each by its own tool.
"""

import numpy as np
import pytest
import torch

import autograd_mini
from autograd_course.measure import median_seconds, retained_bytes

ROWS, COLUMNS, LAYERS = 256, 32, 3
LAYER_BYTES = ROWS * COLUMNS * 4  # one float32 layer output


@pytest.fixture(params=["autograd_mini", "torch"])
def engine(request):
    return autograd_mini if request.param == "autograd_mini" else torch


def _forward(engine):
    rng = np.random.default_rng(0)
    x = engine.tensor(rng.standard_normal((ROWS, COLUMNS)).astype(np.float32))
    ws = [engine.tensor(rng.standard_normal((COLUMNS, COLUMNS)).astype(np.float32) / 6, requires_grad=True)
          for _ in range(LAYERS)]

    def run():
        h = x
        for w in ws:
            h = (h @ w).tanh()
        return h.sum()
    return run


def test_the_graph_keeps_every_layer_output(engine):
    assert retained_bytes(_forward(engine), engine) >= LAYERS * LAYER_BYTES


def test_without_the_graph_only_the_result_is_kept(engine):
    run = _forward(engine)

    def without_graph():
        with engine.no_grad():
            return run()
    assert retained_bytes(without_graph, engine) < LAYER_BYTES


def test_what_the_call_frees_is_not_counted(engine):
    def temporary():
        engine.ones(ROWS, COLUMNS) * 2  # made and dropped inside the call
        return None
    assert retained_bytes(temporary, engine) < LAYER_BYTES


def test_median_seconds_runs_the_function_once_more_than_asked():
    calls = []
    assert median_seconds(lambda: calls.append(1), repeats=5) >= 0
    assert len(calls) == 6  # one warm-up run, then the timed ones
