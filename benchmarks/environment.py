"""The environment of the child processes: pinned thread counts and, on request, native BLAS."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository, so children import its packages

# One value for all three: torch's OpenMP pool and the BLAS under NumPy (so under autograd_mini)
# get the same number of threads.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Set on some machines here because old OpenBLAS builds crash on their processor; they also force
# a slower kernel on a current NumPy. Only `--native-blas` (full runs) removes them.
CORETYPE_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def child_env(threads: int, native_blas: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update({name: str(threads) for name in THREAD_VARS})
    if native_blas:
        for name in CORETYPE_VARS:
            env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def blas_env() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in THREAD_VARS + CORETYPE_VARS}
