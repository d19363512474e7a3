"""Torch computes 1/0, log(0) or exp(1000) silently (inf, nan); NumPy warns
("divide by zero encountered in divide") unless its error state says "ignore".

The engine ignores NumPy's floating-point errors only while it computes, so the
student's own NumPy code keeps its settings. `np.errstate(all="ignore")` does
exactly that, but entering it costs more than a small operation; `set_state(QUIET)`
sets the context variable np.errstate sets (NumPy >= 2), `restore(token)` undoes it.
An op run inside another op's work or a backward pass finds `state()` already
QUIET and skips both, so only the outermost call pays (Node.apply does this
inline: it runs once per op, and benchmarks/ tiny measures exactly that cost).

    with silenced():
        ...  # NumPy work, no RuntimeWarning
"""
from contextlib import contextmanager

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
except ImportError:  # a NumPy without it: the public way, slower
    QUIET = {"all": "ignore"}

    def state():
        return None

    def set_state(settings):
        errstate = np.errstate(**settings)
        errstate.__enter__()
        return errstate

    def restore(errstate):
        errstate.__exit__(None, None, None)
else:
    QUIET = _make_extobj(all="ignore")
    state = _extobj_contextvar.get
    set_state = _extobj_contextvar.set
    restore = _extobj_contextvar.reset


@contextmanager
def silenced():
    """`with silenced():` NumPy's errors ignored, for a whole backward pass."""
    token = set_state(QUIET)
    try:
        yield
    finally:
        restore(token)
