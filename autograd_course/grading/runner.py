"""The grader's program inside a submission's sandbox: run the cells, probe at each check.

Started as a script (``python -I runner.py PLAN SCRATCH``) so that nothing of the course is
imported before the limits are set. It reads the plan the grader wrote (the cells to run and
where to probe, see ``grading.plan``), sets its own resource limits, then runs the cells in
an in-process IPython shell. At each check position it imports the course's check module
afresh and sends ``exercise.probe(namespace)``, encoded by ``checks.wire``, to the grader:
only data leaves the sandbox, and the verdict is computed outside (``Exercise.judge``).

Messages go out on the file descriptor the grader names (a pipe), one per line: ``ready``, ``cell N`` (cell N starts),
``ran N {json}`` (what happened in it), ``probing NAME``, ``probe NAME <wire bytes>``, ``probe-timeout NAME``,
``done``. The submission runs in this same process, so it can write lines of its own: that
forges nothing but its own data, which the judge checks like any other answer.

Started as root (the grader runs as root, see ``grading.sandbox``), it first gives up root
for uid 65534 and enters a user namespace of its own through a second bwrap: the process
limit then counts this sandbox's processes only.
"""

import json
import os
import resource
import signal
import sys
import time

RESULTS_FD = 3  # replaced by the number the grader passes
NOBODY = 65534


class CellTimedOut(BaseException):
    """Raised into a cell (or a probe) that runs too long; not an Exception, so a student's
    ``except Exception`` does not swallow it."""


def send(kind, payload=b""):
    try:
        os.write(RESULTS_FD, kind.encode() + (b" " + payload if payload else b"") + b"\n")
    except OSError:  # the submission closed it: its rows will say the data never came
        pass


def _on_alarm(signum, frame):
    raise CellTimedOut("the grader's time limit for one cell ran out")


def _limit(which, value):
    soft, hard = resource.getrlimit(which)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))


def set_limits(limits):
    """Memory (address space), CPU seconds, processes (threads count too), file size, no core
    dumps; lowering a limit needs no privilege."""
    _limit(resource.RLIMIT_AS, limits["memory_bytes"])
    _limit(resource.RLIMIT_CPU, limits["cpu_seconds"])
    _limit(resource.RLIMIT_NPROC, limits["processes"])
    _limit(resource.RLIMIT_FSIZE, limits["file_bytes"])
    _limit(resource.RLIMIT_CORE, 0)
    # A file grown past its limit raises OSError (EFBIG) in the cell instead of killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class _Sink:
    """Where the cells' print() goes: counted, never kept."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self):
        self.count = 0

    def write(self, text):
        self.count += len(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True


def _shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    return InteractiveShell.instance(config=config)


def _error_of(result):
    error = result.error_before_exec or result.error_in_exec
    if error is None:
        return None
    lines = str(error).strip().splitlines()
    return {"type": type(error).__name__, "message": (lines[0] if lines else "")[:200]}


class Runner:
    def __init__(self, plan):
        self.plan = plan
        self.saved = (list(sys.meta_path), list(sys.path_hooks), list(sys.path), __import__)

    def run_cell(self, number, source, seconds):
        sink = _Sink()
        sys.stdout = sys.stderr = sink
        send("cell", str(number).encode())
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))
        try:
            result = self.shell.run_cell(source, store_history=True)
            error = _error_of(result)
        except CellTimedOut:  # raised outside the cell's own code (IPython's hooks)
            error = {"type": "CellTimedOut", "message": ""}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        report = {"printed": sink.count, "seconds": seconds}
        if error is not None:
            report["error"] = error
        send("ran", str(number).encode() + b" " + json.dumps(report).encode())

    def _fresh_checks(self):
        """The course's check module imported again, past whatever the cells put in the way
        of imports (finders, hooks, modules in sys.modules)."""
        import builtins
        import importlib

        meta_path, path_hooks, path, original_import = self.saved
        sys.meta_path[:], sys.path_hooks[:], sys.path[:] = meta_path, path_hooks, path
        sys.path_importer_cache.clear()
        builtins.__import__ = original_import
        for name in [name for name in sys.modules if name == "autograd_course" or name.startswith("autograd_course.")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        wire = importlib.import_module("autograd_course.checks.wire")
        return importlib.import_module(f"autograd_course.checks.{self.plan['lesson']}"), wire

    def probe(self, name):
        send("probing", name.encode())
        signal.setitimer(signal.ITIMER_REAL, self.plan["check_seconds"])
        try:
            module, wire = self._fresh_checks()
            exercise = getattr(module, name)
            if getattr(exercise, "legacy", False):  # a check not yet split in probe and judge
                result = exercise.grade(self.shell.user_ns)
                raw = wire.encode({"legacy_result": {"status": result.status.value, "message": result.message}})
            else:
                raw = wire.encode(exercise.probe(self.shell.user_ns))
        except CellTimedOut:
            send("probe-timeout", name.encode())
            return
        except BaseException as error:  # noqa: BLE001 - whatever happens, the grader hears of it
            raw = json.dumps({"probe_error": f"{type(error).__name__}: {str(error)[:200]}"}).encode()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        send("probe", name.encode() + b" " + raw)

    def run(self):
        import numpy  # noqa: F401 - imported before the cells, outside their time limits
        import torch  # noqa: F401

        self.shell = _shell()
        send("ready")
        signal.signal(signal.SIGALRM, _on_alarm)
        deadline = time.monotonic() + self.plan["notebook_seconds"]
        for step in self.plan["steps"]:
            if step[0] == "probe":
                self.probe(step[1])
                continue
            _, number, source = step
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                send("out-of-time", str(number).encode())
                break
            self.run_cell(number, source, min(self.plan["cell_seconds"], remaining))
        send("done")


def _drop_root(bwrap_path, plan_path, scratch, results_fd):
    """Root in the outer sandbox: become uid 65534 and run again in a user namespace of its own."""
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    # A PID namespace of its own too, so that the runner's parent is that namespace's init,
    # which no signal from inside can kill (a killed parent would take the runner with it
    # a moment later, in whichever cell runs then).
    bwrap = ["bwrap", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY), "--unshare-pid",
             "--dev-bind", "/", "/"]  # /proc stays the outer sandbox's: bwrap may not mount another
    os.execv(bwrap_path, [*bwrap, "--die-with-parent", "--", sys.executable, "-I", __file__, plan_path, scratch, results_fd])


def main(plan_path, scratch, results_fd):
    global RESULTS_FD
    RESULTS_FD = int(results_fd)
    if os.getuid() == 0 and os.environ.get("AUTOGRAD_COURSE_SANDBOX") == "root":
        _drop_root(os.environ["AUTOGRAD_COURSE_BWRAP"], plan_path, scratch, results_fd)
    with open(plan_path, encoding="utf-8") as file:
        plan = json.load(file)
    set_limits(plan["limits"])
    os.chdir(scratch)
    with open(plan["notebook"], "rb") as source, open(os.path.join(scratch, "submission.ipynb"), "wb") as copy:
        copy.write(source.read())  # the submission's own copy, to read or spoil as it likes
    sys.path.insert(0, plan["course_root"])
    Runner(plan).run()


if __name__ == "__main__":
    main(*sys.argv[1:4])
