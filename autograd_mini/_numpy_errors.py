"""Torch computes 1/0, log(0) or exp(1000) silently (inf, nan); NumPy warns
("divide by zero encountered in divide") unless its error state says "ignore".

The engine ignores NumPy's floating-point errors only while it computes, so the
student's own NumPy code keeps its settings. `np.errstate(all="ignore")` does
exactly that, but entering it costs more than a small operation; `quiet()` sets
the context variable np.errstate sets (NumPy >= 2), and `restore(token)` undoes it.

    token = quiet()
    try:
        ...  # NumPy work
    finally:
        restore(token)
"""
from functools import partial

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
except ImportError:  # a NumPy without it: the public way, slower
    def quiet():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore(state):
        state.__exit__(None, None, None)
else:
    quiet = partial(_extobj_contextvar.set, _make_extobj(all="ignore"))
    restore = _extobj_contextvar.reset
