"""A grader killed midway keeps the rows it wrote and leaves no process behind; --resume
grades only what is missing."""

import signal
import subprocess
import sys
import time
import uuid

import pytest

from grading_notebooks import needs_bwrap, processes_with, rows_of, solution, with_cell, write

pytestmark = [pytest.mark.slow, needs_bwrap]

MARKER = f"c1-interrupted-marker-{uuid.uuid4().hex}"
SLEEPER = f'''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", {MARKER!r}], start_new_session=True)
'''


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_killed_grader_keeps_its_rows_and_resume_completes(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    names = [f"student{index}.ipynb" for index in range(4)]
    for name in names:
        write(folder, name, with_cell(solution(), SLEEPER))  # each run starts a process of its own
    out = tmp_path / "grades.csv"
    command = [sys.executable, "-m", "autograd_course.grade", str(folder), "--out", str(out), "--jobs", "1"]
    grader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: out.exists() and len(rows_of(out)) >= 1, 600), "no row was written"
        assert _wait_for(lambda: processes_with(MARKER), 300), "the next submission did not start"
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    kept = rows_of(out)
    assert 1 <= len(kept) < len(names)
    assert _wait_for(lambda: not processes_with(MARKER), 10), processes_with(MARKER)

    finished = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stderr[-3000:]
    rows = rows_of(out)
    assert sorted(path.rpartition("/")[2] for path in rows) == names  # each once
    assert all(rows[file] == row for file, row in kept.items())  # the kept rows unchanged
    assert all(row["total"] == "2" for row in rows.values())
    assert f"Resumed: {len(kept)} submission(s) were already in" in finished.stdout
    assert not processes_with(MARKER)
