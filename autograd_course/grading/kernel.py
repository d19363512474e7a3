"""Run a submission's cells in a fresh kernel, then the checks, within fixed limits.

What can go wrong, and what happens then (each case ends up in the feedback):

- a cell raises: the cells after it still run (``allow_errors``), and what exists is graded;
- a cell runs longer than ``cell_seconds``: it is interrupted and the next cell runs; a kernel
  that ignores the interrupt is replaced (see below);
- the cells together run longer than ``notebook_seconds``: the cells not yet run are skipped,
  and what exists is graded;
- the kernel dies (``os._exit``, a crash, running out of memory) or hangs: a new kernel runs
  the cells again without the one that killed it, at most ``restarts`` times;
- a check runs student code that loops forever: the check gives up after ``check_seconds``.

torch is imported before the first cell, outside these limits. A cell's output is never
stored, only its size is counted, so a cell that prints gigabytes costs time (bounded by the
limits above) but not memory. The checks report through marker lines that start with a
random nonce, in a silent execution: the submission's IPython hooks never see the grader's
code.
"""

import json
import math
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

import autograd_course
from autograd_course.checks.exercise import first_line

PACKAGE_DIR = Path(autograd_course.__file__).resolve().parent
TIMED_OUT = "CellTimedOut"  # the error name nbclient reports for an interrupted cell
PROBE_SECONDS = 10  # how long an interrupted kernel gets to become responsive again
# Imported before the submission's cells, outside their time limits: importing torch takes
# seconds (more on a busy machine), which must not count against the cell that imports it.
PRELOAD = "import numpy, torch"
PRELOAD_SECONDS = 120


@dataclass
class Limits:
    notebook_seconds: float = 120
    cell_seconds: float = 30
    check_seconds: float = 10
    restarts: int = 2


@dataclass(frozen=True)
class Note:
    kind: str  # "error", "timeout", "crash" or "output": what the summary counts
    text: str


@dataclass
class Outcome:
    results: dict = field(default_factory=dict)  # exercise name -> {"status", "message"}
    notes: list = field(default_factory=list)  # Notes on what went wrong while running


class _Restart(Exception):
    """The kernel must be replaced: it died, or it ignored an interrupt."""


class _Client(NotebookClient):
    """nbclient keeping no outputs, only how many bytes each cell printed, and each cell's reply."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.printed = {}  # cell index -> bytes of output
        self.replies = {}  # cell index -> the kernel's execute_reply
        self.on_cell_executed = self._remember_reply

    def _remember_reply(self, cell, cell_index, execute_reply):
        self.replies[cell_index] = execute_reply

    def output(self, outs, msg, display_id, cell_index):
        self.printed[cell_index] = self.printed.get(cell_index, 0) + len(str(msg["content"]))
        return None


def _grading_setup(package_dir):
    """The grader's first cell: fresh checks from the course, whatever the notebook did."""
    return (
        "import sys as _grader_sys\n"
        f"_grader_sys.path.insert(0, {str(package_dir.parent)!r})\n"
        "for _grader_name in [name for name in _grader_sys.modules\n"
        "                     if name == 'autograd_course' or name.startswith('autograd_course.')]:\n"
        "    del _grader_sys.modules[_grader_name]\n"
        "import autograd_course.grading.in_kernel as _grader_in_kernel\n"
    )


class KernelRun:
    """One submission's run: ``KernelRun(cells, ...).grade(lesson, exercises)``; ``cells`` holds
    ``(number, source)`` pairs, the number being what the feedback calls the cell."""

    def __init__(self, cells, workdir, limits, env=None):
        self.numbers = [number for number, _ in cells]
        self.cells = [source for _, source in cells]
        self.limits = limits
        self.start_options = {"cwd": str(workdir), "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in self.cells])
        self.client = _Client(
            notebook,
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMED_OUT, "evalue": "", "traceback": []},
            shutdown_kernel="immediate",
            record_timing=False,
        )
        self.nonce = secrets.token_hex(16)
        self.outcome = Outcome()
        self.skipped = set()  # cells that killed or hung the kernel: left out of later runs
        self.noted = set()  # (cell, kind) already in the notes: reruns do not repeat them
        self.deadline = None

    def _note(self, index, kind, text):
        if (index, kind) not in self.noted:
            self.noted.add((index, kind))
            self.outcome.notes.append(Note(kind, f"cell {self.numbers[index]} {text}"))

    def _execute(self, index, timeout):
        """Run cell ``index``; returns the reply's content."""
        self.client.timeout = math.ceil(timeout)
        self.client.execute_cell(self.client.nb.cells[index], index)
        reply = self.client.replies.pop(index, None)
        return reply["content"] if reply else {"status": "ok"}

    def _responsive(self):
        try:
            self._silent("pass", PROBE_SECONDS)
        except TimeoutError:
            return False
        return True

    def _silent(self, code, timeout):
        """Execute grader code without history or IPython events; returns its stdout."""
        printed = []

        def collect(msg):
            if msg["msg_type"] == "stream" and msg["content"].get("name") == "stdout":
                printed.append(msg["content"]["text"])

        run_sync(self.client.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout, output_hook=collect
        )
        return "".join(printed)

    def _preload(self):
        try:
            self._silent(PRELOAD, PRELOAD_SECONDS)
        except TimeoutError:
            self.outcome.notes.append(Note("crash", f"the kernel took more than {PRELOAD_SECONDS} s to import torch"))
            raise _Restart from None

    def _run_cells(self):
        for index, source in enumerate(self.cells):
            if index in self.skipped or not source.strip():
                continue
            remaining = self.deadline - monotonic()
            if remaining <= 0:
                self._note(
                    index,
                    "timeout",
                    f"and the cells after it were not run: the notebook's time limit "
                    f"({self.limits.notebook_seconds:g} s) ran out",
                )
                return
            try:
                reply = self._execute(index, min(self.limits.cell_seconds, remaining))
            except DeadKernelError:
                self.skipped.add(index)
                self._note(
                    index,
                    "crash",
                    "killed the kernel (os._exit, a crash, or out of memory): it was left out, "
                    "and the cells before it were run again in a new kernel",
                )
                raise _Restart from None
            printed = self.client.printed.pop(index, 0)
            if printed > 1_000_000:
                self._note(index, "output", f"printed {printed / 1e6:.0f} MB of output")
            if reply.get("status") != "error":
                continue
            if reply.get("ename") == TIMED_OUT:
                self._note(index, "timeout", f"was interrupted after {self.client.timeout} s (an endless loop?)")
                if not self._responsive():
                    self.skipped.add(index)
                    self._note(
                        index,
                        "crash",
                        "ignored the interrupt: it was left out, and the cells before it were run "
                        "again in a new kernel",
                    )
                    raise _Restart
            else:
                self._note(index, "error", f"raised {reply.get('ename')}: {first_line(reply.get('evalue'))}")

    def _grade_exercises(self, lesson, exercises):
        try:
            self._silent(_grading_setup(PACKAGE_DIR), PROBE_SECONDS + self.limits.check_seconds)
        except TimeoutError:
            self.outcome.notes.append(Note("crash", "the kernel stopped answering after the last cell"))
            raise _Restart from None
        for name in exercises:
            if name in self.outcome.results:
                continue
            code = (
                f"_grader_in_kernel.report({lesson!r}, {name!r}, {self.nonce!r}, "
                f"{self.limits.check_seconds!r}, {str(PACKAGE_DIR)!r})"
            )
            try:
                printed = self._silent(code, self.limits.check_seconds + 10)
            except TimeoutError:
                printed = None
            if not run_sync(self.client.km.is_alive)():
                self.outcome.results[name] = {"status": "error", "message": "the kernel died while checking this exercise"}
                raise _Restart
            if printed is None:
                self.outcome.results[name] = {"status": "error", "message": "the check did not finish, and the kernel hung"}
                raise _Restart
            self.outcome.results[name] = self._marker(printed) or {
                "status": "error",
                "message": "the check sent no result (did the notebook replace sys.stdout?)",
            }

    def _marker(self, printed):
        for line in printed.splitlines():
            if line.startswith(self.nonce + " "):
                return json.loads(line[len(self.nonce) + 1 :])
        return None

    def grade(self, lesson, exercises):
        """Run the cells, then check each exercise; returns an :class:`Outcome`."""
        self.deadline = monotonic() + self.limits.notebook_seconds
        for _ in range(self.limits.restarts + 1):
            try:
                with self.client.setup_kernel(**self.start_options):
                    self._preload()
                    self._run_cells()
                    self._grade_exercises(lesson, exercises)
                return self.outcome
            except _Restart:
                continue
        for name in exercises:
            self.outcome.results.setdefault(
                name, {"status": "error", "message": f"not checked: the kernel failed {self.limits.restarts + 1} times"}
            )
        return self.outcome
