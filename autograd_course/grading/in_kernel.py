"""The grader's code inside a submission's kernel, run after the submission's own cells.

The grader has already removed every ``autograd_course`` module from ``sys.modules`` and put
the folder holding the course's package first on ``sys.path``, so the checks imported here are
fresh copies from the course, whatever the submission did to the copies it imported (or to
files next to it); ``package_dir`` is where they must come from. Each result goes out as one
line on stdout that starts with a random nonce the grader chose for this run: text the
submission prints cannot pass for a result.

What this does not stop is code written against the grader itself (an import hook, an audit
hook, patches to IPython or to torch): the submission runs in the same process as its checks.
"""

import importlib
import json
import signal
import sys
from pathlib import Path


class CheckTimedOut(BaseException):
    """Raised into a check that runs too long; a BaseException, so `except Exception` in the
    student's code cannot swallow it."""


def _on_alarm(signum, frame):
    raise CheckTimedOut


def _result(lesson, exercise, seconds, package_dir):
    module = importlib.import_module(f"autograd_course.checks.{lesson}")
    if not Path(module.__file__).resolve().is_relative_to(Path(package_dir).resolve()):
        return {"status": "error", "message": f"the checks were not loaded from the course ({module.__file__})"}
    from IPython import get_ipython

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        result = getattr(module, exercise).grade(get_ipython().user_ns)
    except CheckTimedOut:
        return {
            "status": "not yet",
            "message": f"the check gave up after {seconds:g} s running your code: does it loop forever?",
        }
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return {"status": result.status.value, "message": result.message}


def report(lesson, exercise, nonce, seconds, package_dir):
    """Grade one exercise on the notebook's objects and print the marker line."""
    try:
        result = _result(lesson, exercise, seconds, package_dir)
    except BaseException as error:  # noqa: BLE001 - whatever happens, the grader gets a line
        result = {"status": "error", "message": f"grading failed: {type(error).__name__}: {error}"}
    sys.stdout.write(f"{nonce} {json.dumps(result)}\n")
    sys.stdout.flush()
