"""Timing one step: warm-up runs, then timed runs, reported as their median."""

import gc
import statistics
from time import perf_counter

import numpy as np

from benchmarks.engines import to_array
from benchmarks.settings import Settings


def within_budget(most: int, budget_s: float):
    """Yields up to `most` times, but stops (after the first) once `budget_s` seconds have passed."""
    deadline = perf_counter() + budget_s
    for count in range(most):
        if count and perf_counter() > deadline:
            return
        yield


def timed(step, settings: Settings) -> dict:
    """Times `step()` (which returns the arrays it computed) and fingerprints its last result.

    Warm-up and timed runs each get the time budget, so a slow engine pays it twice at most.
    The fingerprint (one L1 norm per returned array) lets the parent check that every engine
    computed what the NumPy reference did: a fast wrong answer is no result.
    """
    for _ in within_budget(settings.warmup, settings.budget_s):
        step()
    times = []
    for _ in within_budget(settings.repeats, settings.budget_s):
        # Collect the previous run's garbage now, so no run pays for another's.
        gc.collect()
        start = perf_counter()
        result = step()
        times.append(perf_counter() - start)
    return {
        "measured_by": "perf_counter",
        "value": statistics.median(times),
        "times": times,
        "fingerprint": fingerprint(result),
    }


def fingerprint(arrays) -> list[float]:
    return [float(np.abs(to_array(a).astype(np.float64)).sum()) for a in arrays]
