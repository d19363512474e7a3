"""Parent side: one child process per (row, engine), whatever becomes of the child."""

import json
import signal
import subprocess
import sys

from benchmarks.child import RESULT_PREFIX
from benchmarks.environment import ROOT


def run_child(spec: dict, env: dict[str, str], timeout_s: float) -> dict:
    """The child's result, or {"error": ...} if it crashed, hung or printed no result."""
    command = [sys.executable, "-m", "benchmarks.child", json.dumps(spec)]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout_s:.0f} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line.removeprefix(RESULT_PREFIX))
    if done.returncode < 0:
        return {"error": f"child killed by {signal.Signals(-done.returncode).name}"}
    last_words = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"child exited with code {done.returncode}: {last_words}"}
