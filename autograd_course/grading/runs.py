"""Run one submission in its sandbox until every exercise is probed or the runs are used up.

What can go wrong, and what happens then (each case ends up in the feedback):

- a cell raises: the cells after it still run, and what exists is probed;
- a cell runs longer than ``cell_seconds``: the runner interrupts it and goes on;
- the cells together run longer than ``notebook_seconds``: the rest is not run, what exists
  is probed;
- the run dies in a cell (``os._exit``, a crash, out of memory, a signal) or hangs in one so
  that the wall clock kills it (an ignored interrupt, ``SIGSTOP``): a new sandbox runs the
  cells again without that one, at most ``restarts`` times; probes already sent are kept;
- a probe runs student code that loops forever: the probe gives up after ``check_seconds``;
- the sandbox does not start (nothing of the submission has run yet): it is started once more,
  then the row says the grader failed.
"""

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .plan import steps


@dataclass(frozen=True)
class Note:
    kind: str  # "error", "timeout", "crash", "output" or "grader": what the summary counts
    text: str


@dataclass
class Outcome:
    probes: dict = field(default_factory=dict)  # exercise -> the bytes its probe sent
    gave_up: dict = field(default_factory=dict)  # exercise -> (status word, why it has no probe data)
    notes: list = field(default_factory=list)
    start_failure: str = None  # why the sandbox never started, when it did not


class _Parsed:
    """What one run's messages say."""

    def __init__(self, messages, exercises):
        self.probes, self.timeouts, self.ran = {}, [], {}
        self.current = self.out_of_time = self.probing = None
        for line in messages:
            kind, _, rest = line.partition(b" ")
            try:
                if kind == b"cell":
                    self.current = int(rest)
                elif kind == b"ran":
                    number, _, report = rest.partition(b" ")
                    self.ran[int(number)] = json.loads(report)
                    self.current = None
                elif kind == b"probing":
                    self.probing = rest.decode("ascii")
                elif kind in (b"probe", b"probe-timeout"):
                    name, _, raw = rest.partition(b" ")
                    name = name.decode("ascii")
                    self.probing = None
                    if name in exercises and name not in self.probes and name not in self.timeouts:
                        (self.timeouts.append(name) if kind == b"probe-timeout" else self.probes.__setitem__(name, raw))
                elif kind == b"out-of-time":
                    self.out_of_time = int(rest)
            except (ValueError, UnicodeDecodeError, RecursionError):
                continue  # a line the submission wrote itself: it proves nothing


def _write_input(folder, data, plan):
    (folder / "submission.ipynb").write_bytes(data)
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")


class SubmissionRun:
    def __init__(self, submission, lesson, exercises, limits, sandbox):
        self.submission, self.lesson, self.exercises = submission, lesson, exercises
        self.limits, self.sandbox = limits, sandbox
        self.outcome = Outcome()
        self.noted = set()

    def _note(self, kind, text):
        if (kind, text) not in self.noted:
            self.noted.add((kind, text))
            self.outcome.notes.append(Note(kind, text))

    def _plan(self, skipped, paths):
        _, notebook, _ = paths
        return {
            "lesson": self.lesson,
            "notebook": str(notebook),
            "course_root": str(Path(__file__).resolve().parents[2]),
            "steps": steps(self.submission.cells, self.exercises, skipped, set(self.outcome.probes) | set(self.outcome.gave_up)),
            "cell_seconds": self.limits.cell_seconds,
            "notebook_seconds": self.limits.notebook_seconds,
            "check_seconds": self.limits.check_seconds,
            "limits": self.limits.runner_limits(),
        }

    def _run_once(self, skipped):
        with tempfile.TemporaryDirectory(prefix="grade-input-") as input_dir, \
                tempfile.TemporaryDirectory(prefix="grade-scratch-") as scratch:
            input_dir, scratch = Path(input_dir), Path(scratch)
            plan = self._plan(skipped, self.sandbox.paths(input_dir, scratch))
            _write_input(input_dir, self.submission.data, plan)
            probes = sum(step[0] == "probe" for step in plan["steps"])
            seconds = self.limits.notebook_seconds + probes * (self.limits.check_seconds + 2) + 15
            return self.sandbox.run(input_dir, scratch, self.limits, seconds)

    def _record(self, parsed):
        for number, report in parsed.ran.items():
            if not isinstance(report, dict):
                continue
            printed = report.get("printed")
            if isinstance(printed, int) and printed > self.limits.output_bytes:
                self._note("output", f"cell {number} printed {printed / 1e6:.0f} MB of output")
            error = report.get("error")
            if isinstance(error, dict):
                kind, message = str(error.get("type"))[:60], str(error.get("message"))[:200]
                if kind == "CellTimedOut":
                    self._note("timeout", f"cell {number} was interrupted after {report.get('seconds', 0):.3g} s (an endless loop?)")
                else:
                    self._note("error", f"cell {number} raised {kind}: {message}" if message else f"cell {number} raised {kind}")
        if parsed.out_of_time is not None:
            self._note(
                "timeout",
                f"cell {parsed.out_of_time} and the cells after it were not run: the notebook's time "
                f"limit ({self.limits.notebook_seconds:g} s) ran out",
            )
        for name, raw in parsed.probes.items():
            self.outcome.probes.setdefault(name, raw)
        for name in parsed.timeouts:
            self.outcome.gave_up.setdefault(
                name, ("not yet", f"the check gave up after {self.limits.check_seconds:g} s running your code: does it loop forever?")
            )

    def _ended_how(self, result):
        if result.killed_after is not None:
            return f"hung or stopped (killed after {result.killed_after:.0f} s)"
        if result.returncode in (-9, 137):
            return "was killed (out of memory, or a signal)"
        return f"ended the run (exit status {result.returncode})"

    def run(self):
        """The Outcome: probe data per exercise, or why there is none, and the notes."""
        skipped, starts_failed = set(), 0
        runs = 0
        while runs <= self.limits.restarts:
            result = self._run_once(skipped)
            if not result.ready:
                starts_failed += 1
                if starts_failed <= 1:
                    continue  # retried once: no cell of the submission has run yet
                self.outcome.start_failure = (
                    f"the sandbox did not start twice ({self._ended_how(result)}: "
                    f"{result.stderr_tail.strip().splitlines()[-1:] or ['no message']})"
                )
                return self.outcome
            runs += 1
            parsed = _Parsed(result.messages, self.exercises)
            self._record(parsed)
            if result.printed > self.limits.output_bytes:
                self._note("output", f"the notebook printed {result.printed / 1e6:.0f} MB of output")
            if result.finished:
                break
            if parsed.probing in self.exercises:
                self.outcome.gave_up.setdefault(
                    parsed.probing, ("not checked", f"running your code for this check {self._ended_how(result)}")
                )
                continue  # again, without this probe
            if parsed.current is None:  # died between cells, outside any probe
                self._note("crash", f"the run {self._ended_how(result)} between cells")
                break
            skipped.add(parsed.current)
            self._note(
                "crash",
                f"cell {parsed.current} {self._ended_how(result)}: it was left out, and the cells "
                "before it were run again in a new sandbox",
            )
        for name in self.exercises:
            if name not in self.outcome.probes:
                self.outcome.gave_up.setdefault(name, ("not checked", "the notebook's run stopped before this exercise's check"))
        return self.outcome
