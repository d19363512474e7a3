"""Timing one step: warm-up runs, then timed runs, reported as their median.

In a child process the parent decides when each timed run happens (`Driver`, below): it runs one
step of each engine in turn, so that every engine's runs are spread over the same stretch of
time. This machine's speed drifts (see the README's "How timing works"): engines timed one after
the other, minutes apart, gave ratios that changed twofold from one run to the next.
"""

import gc
import statistics
from time import perf_counter

import numpy as np

from benchmarks.engines import to_array
from benchmarks.settings import Settings


class Driver:
    """The child's end of the interleaving protocol (runner.py holds the parent's end).

    After its warm-up the child says `READY <row>`; then the parent says `go` (the child runs one
    timed step and answers `TIME <seconds>`) until it says `stop`. Between two commands the child
    waits on its stdin, so it takes no CPU time from the engine being timed.
    """

    def __init__(self, commands, replies):
        self.commands, self.replies = commands, replies
        self.row = None  # set by the child before each row, named in READY

    def say(self, message: str) -> None:
        print(message, file=self.replies, flush=True)

    def turns(self):
        """Yields once per `go`, until `stop`."""
        self.say(f"READY {self.row}")
        while (command := self.commands.readline().strip()) != "stop":
            if command != "go":
                # End of input: the parent is gone. SystemExit, because attempt() would turn any
                # Exception into a row error and carry on with the next row's warm-up.
                raise SystemExit(f"expected go or stop from the parent, got {command!r}")
            yield


# Set in child processes (child.py). None: timed() runs its own series (a call outside a child).
driver: Driver | None = None


def within_budget(most: int, budget_s: float):
    """Yields up to `most` times, but stops (after the first) once `budget_s` seconds have passed."""
    deadline = perf_counter() + budget_s
    for count in range(most):
        if count and perf_counter() > deadline:
            return
        yield


def timed(step, settings: Settings) -> dict:
    """Times `step()` (which returns the arrays it computed) and fingerprints its last result.

    The warm-up stops after its run count or the time budget, as does the timed series when no
    parent drives it.
    The fingerprint (one L1 norm per returned array) lets the parent check that every engine
    computed what the NumPy reference did: a fast wrong answer is no result.
    """
    for _ in within_budget(settings.warmup, settings.budget_s):
        step()
    times = []
    turns = driver.turns() if driver else within_budget(settings.repeats, settings.budget_s)
    for _ in turns:
        # Collect the previous run's garbage now, so no run pays for another's.
        gc.collect()
        start = perf_counter()
        result = step()
        times.append(perf_counter() - start)
        if driver:
            driver.say(f"TIME {times[-1]!r}")
    return {
        "measured_by": "perf_counter",
        "value": statistics.median(times),
        "times": times,
        "fingerprint": fingerprint(result),
    }


def fingerprint(arrays) -> list[float]:
    return [float(np.abs(to_array(a).astype(np.float64)).sum()) for a in arrays]
