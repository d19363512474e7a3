"""What the build-it-yourself track's checks (lesson14 .. lesson17) share.

In the track the student writes the engine, so a probe does more than read objects: it
calls the student's classes on inputs the check chooses and sends back plain numbers and
arrays. Probe-side helpers here never trust a student's object to be what it claims (a
``.data`` may be anything), and judge-side helpers read that data defensively.
"""

import secrets

import numpy as np

from .exercise import NotAttempted, NotYet, attempt, describe_error, expect_ran
from .tensors import close

DEEP = 5000  # steps of the deep chain a probe builds: far past Python's recursion limit


# -- probe side -------------------------------------------------------------------------

def number(value):
    """A student's number as a float, or None when it is not one."""
    try:
        result = float(value)
    except Exception:  # a student's object may raise anything from __float__
        return None
    return result


def array(value):
    """A student's array (or number) as a float64 NumPy array, or None."""
    try:
        result = np.array(value, dtype=np.float64)
    except Exception:
        return None
    return result if result.size <= 100_000 else None


def run(function, *args):
    """``attempt`` that also keeps the error's data JSON-ready: ``(result, error or None)``."""
    return attempt(function, *args)


def catching(function, *args):
    """``run`` keeping an error's whole message (torch's are long; ``run`` keeps a line)."""
    try:
        return function(*args), None
    except (Exception, SystemExit) as error:
        return None, {"type": type(error).__name__, "message": str(error)[:1000],
                      "stub": isinstance(error, NotImplementedError)}


def new_seed():
    """The seed a probe draws its random shapes and values from; the judge gets it and
    rebuilds the same inputs, so its references never come from the student's objects."""
    return secrets.randbelow(2**31)


# -- judge side -------------------------------------------------------------------------

def seed_in(data):
    seed = data.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**31:
        raise NotYet("the check's data about your answer is not readable")
    return seed


def part(data, key):
    """``data[key]`` as a dict (one probed case), else NotYet."""
    found = data.get(key)
    if not isinstance(found, dict):
        raise NotYet("the check's data about your answer is not readable")
    return found


def ran(case, label, explain=None):
    """The case ran without raising; else the stub's NotAttempted or the error as a hint."""
    error = case.get("error")
    expect_ran(error, label, explain)


def float_in(case, key, label):
    value = case.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotYet(f"{label} is not a number")
    return float(value)


def array_in(case, key, label):
    value = case.get(key)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise NotYet(f"{label} is not an array of numbers")
    return value.astype(np.float64)


def same(actual, expected, rtol=1e-6, atol=1e-9):
    return close(actual, expected, rtol=rtol, atol=atol)


def expect_no_recursion(case, hint):
    """NotYet with ``hint`` when the case raised RecursionError (a recursive graph walk)."""
    error = case.get("error")
    if isinstance(error, dict) and error.get("type") == "RecursionError":
        raise NotYet(hint)


def expect_attempted(data, keys, label):
    """NotAttempted when every probed case hit the handed-out stub."""
    cases = [data.get(key) for key in keys]
    stubs = [isinstance(case, dict) and isinstance(case.get("error"), dict) and case["error"].get("stub") is True
             for case in cases]
    if cases and all(stubs):
        raise NotAttempted(f"{label} still raises NotImplementedError: replace `# Your code here` "
                           "and the `raise` below it with your code")


__all__ = ["DEEP", "number", "array", "run", "catching", "new_seed", "expect_no_recursion", "seed_in", "part", "ran", "float_in",
           "array_in", "same", "expect_attempted", "describe_error"]
