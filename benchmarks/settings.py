"""How long and how often to measure: the full run and the quick (CI) run."""

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Settings:
    repeats: int  # timed runs per measurement, at most
    warmup: int  # untimed runs first (imports, caches, BLAS buffers)
    budget_s: float  # stop repeating once this much time went by (always at least one timed run);
    # for the timed runs, a row's budget is shared by its engines, which take turns (runner.py)
    timeout_s: float  # a child process running longer than this is reported as an error
    threads: int  # torch intra-op threads, and the BLAS/OpenMP threads of every child

    def as_dict(self) -> dict:
        return asdict(self)


# budget_s: 40 s of rounds (one step of each engine) gives mini about as many runs of the
# slowest row (chain_100000: 2.5 s per step) as the 20 s each engine had alone before interleaving.
FULL = Settings(repeats=25, warmup=3, budget_s=40.0, timeout_s=600.0, threads=1)
# Small enough that `python -m benchmarks --quick` takes well under a minute on 2 cores (about
# 35 s of CPU time here). The timeouts only catch a hung child (silent for that long): a loaded
# machine must not turn a slow torch row into an error.
QUICK = Settings(repeats=3, warmup=1, budget_s=0.5, timeout_s=120.0, threads=1)


def choose(quick: bool, **overrides) -> Settings:
    given = {name: value for name, value in overrides.items() if value is not None}
    return replace(QUICK if quick else FULL, **given)
