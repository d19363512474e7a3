"""What the results depend on, described from inside a child (so with the children's environment)."""

import importlib
import os
import platform
from pathlib import Path

import numpy as np

from benchmarks.environment import blas_env


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe(threads: int) -> dict:
    import torch  # after numpy, so threadpoolctl below sees both engines' libraries

    torch.set_num_threads(threads)
    numpy_blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas_build": f"{numpy_blas.get('name')} {numpy_blas.get('version')}",
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "torch_mkl": torch.backends.mkl.is_available(),
        "autograd_mini": mini_status(),
        "blas_env": blas_env(),
        "blas_runtime": blas_runtime(),
    }


def mini_status() -> str:
    try:
        importlib.import_module("autograd_mini")
    except Exception as error:  # any failure to import is what the report must show
        return f"not importable: {type(error).__name__}: {error}"
    return "importable"


def blas_runtime() -> list[dict] | str:
    """The BLAS and OpenMP libraries loaded, with the kernel OpenBLAS chose ("architecture")."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed: only the environment above is known"
    keys = ("internal_api", "version", "architecture", "num_threads", "filepath")
    return [{key: info.get(key) for key in keys} for info in threadpool_info()]
