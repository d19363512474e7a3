"""Parent side: the child processes, whatever becomes of them, and the interleaved timing.

All engines' children of a case start at once and warm up; then, row by row, the parent runs
their timed steps in turn (`go` to one child, wait for its `TIME`, `go` to the next): one round is
one step of each engine. Only one child computes at any moment, and every engine's median covers
the same stretch of time, so a change in the machine's speed moves all of them together.

A child that dies, stays silent for settings.timeout_s or breaks the protocol becomes an
{"error": ...} for each of its rows (its results only come at its end); the others carry on.
"""

import json
import queue
import signal
import subprocess
import sys
import tempfile
import threading

from benchmarks.cases import rows
from benchmarks.child import RESULT_PREFIX
from benchmarks.engines import ENGINE_NAMES
from benchmarks.environment import ROOT
from benchmarks.timing import within_budget


class ChildFailed(Exception):
    """A child died, hung or printed something unexpected; the message is its engine's error."""


def child_command(spec: dict) -> list[str]:
    return [sys.executable, "-m", "benchmarks.child", json.dumps(spec)]


class Child:
    """A child process, spoken to one line at a time."""

    def __init__(self, command: list[str], env: dict[str, str]):
        # stderr goes to a file: a pipe that nobody reads would block a child that writes a lot.
        self.stderr = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
        )
        # A thread reads stdout into a queue, so that waiting for a line can time out.
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # end of output

    def send(self, command: str) -> None:
        try:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        except OSError:
            pass  # the child is gone; receive() will say how

    def receive(self, timeout_s: float) -> tuple[str, object]:
        """The next message: ("READY", row name), ("TIME", seconds) or ("RESULT", the result)."""
        try:
            line = self.lines.get(timeout=timeout_s)
        except queue.Empty:
            raise ChildFailed(f"timed out after {timeout_s:.0f} s") from None
        if line is None:
            raise ChildFailed(self._how_it_ended(timeout_s))
        try:
            if line.startswith(RESULT_PREFIX):
                return "RESULT", json.loads(line.removeprefix(RESULT_PREFIX))
            word, _, value = line.partition(" ")
            if word == "READY":
                return word, value
            if word == "TIME":
                return word, float(value)
        except ValueError:
            pass
        raise ChildFailed(f"unexpected output from the child: {line[:100]!r}")

    def _how_it_ended(self, timeout_s: float) -> str:
        try:
            code = self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return "the child closed its output but did not exit"
        if code < 0:
            return f"child killed by {signal.Signals(-code).name}"
        self.stderr.seek(0)
        last_words = (self.stderr.read().strip().splitlines() or ["no output"])[-1]
        return f"child exited with code {code}: {last_words}"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        # The reader stops at the end of stdout, which comes with the child's end (unless a process
        # the child started holds it: then leave the pipe to the garbage collector, not hang).
        self.reader.join(timeout=5)
        if not self.reader.is_alive():
            self.process.stdout.close()
        try:
            self.process.stdin.close()
        except OSError:
            pass  # a command it never read: nothing to keep
        self.stderr.close()


def run_child(spec: dict, env: dict[str, str], timeout_s: float) -> dict:
    """A child that needs no driving (the machine probe): its result, or {"error": ...}."""
    child = Child(child_command(spec), env)
    try:
        kind, result = child.receive(timeout_s)
        return result if kind == "RESULT" else {"error": f"unexpected {kind} from the child"}
    except ChildFailed as failure:
        return {"error": str(failure)}
    finally:
        child.close()


class Conductor:
    """Drives the children of one case through its rows, interleaving their timed steps."""

    def __init__(self, children: dict[str, Child], row_names: list[str], settings):
        self.children, self.row_names, self.settings = children, row_names, settings
        self.ready = {}  # engine -> the row its child is warmed up for, waiting for `go`
        self.results = {}  # engine -> {row name: result}, once its child has finished or failed

    def run(self) -> dict[str, dict]:
        for engine in self.children:
            self.listen(engine)
        while self.ready:
            # The earliest row any child is ready for; children ready for a later one (they
            # failed or skipped a row) wait, idle, until its turn.
            row = min(self.ready.values(), key=self.row_names.index)
            engines = [engine for engine, ready_for in self.ready.items() if ready_for == row]
            for engine in engines:
                del self.ready[engine]
            self.time_row(engines)
        return self.results

    def time_row(self, engines: list[str]) -> None:
        """Rounds of one step per engine, within the row's repeats and budget; then `stop`."""
        for _ in within_budget(self.settings.repeats, self.settings.budget_s):
            for engine in list(engines):
                self.children[engine].send("go")
                if not self.listen(engine, timing=True):
                    engines.remove(engine)  # its step failed or its child did: it left the row
            if not engines:
                return
        for engine in engines:
            self.children[engine].send("stop")
            self.listen(engine)

    def listen(self, engine: str, timing: bool = False) -> bool:
        """Takes the engine's next message; True if it is the TIME of a step (when `timing`)."""
        try:
            kind, value = self.children[engine].receive(self.settings.timeout_s)
            if kind == "TIME" and timing:
                return True
            if kind == "READY" and value in self.row_names:
                self.ready[engine] = value
            elif kind == "RESULT" and isinstance(value, dict) and isinstance(value.get("rows"), dict):
                self.results[engine] = value["rows"]
            else:
                raise ChildFailed(f"unexpected {kind} {value!r} from the child")
        except ChildFailed as failure:
            self.children[engine].close()
            self.results[engine] = {name: {"error": str(failure)} for name in self.row_names}
        return False


def measure_case(case: str, settings, env: dict[str, str]) -> dict[str, dict]:
    """{engine: {row name: result}} for every row of `case`, the engines' timed steps interleaved."""
    children = {}
    try:
        for engine in ENGINE_NAMES:
            spec = {"case": case, "engine": engine, "settings": settings.as_dict()}
            children[engine] = Child(child_command(spec), env)
        return Conductor(children, [row.name for row in rows([case])], settings).run()
    finally:
        for child in children.values():
            child.close()
