"""A class of lesson-03 submissions written as a few students would write them, graded once.

Every attack category of issue 14 is one submission here; each test reads its row and checks
what must hold: no false marks, no file outside the sandbox changed (a classmate's notebook,
the output folder, the course's checks and solutions), no process left behind, every row
present, no CSV cell a spreadsheet would run. Lesson 03 has two exercises: q1 (the gradient
of exp(2x² sin x)) and q2 (retain_grad), one point each.
"""

import os
import re
import socket
import time
import uuid

import nbformat
import pytest

from grading_notebooks import (
    ROOT, blank, check_cell, checksums, grade, needs_bwrap, processes_with, rows_of, solution, with_answer, with_cell, write,
)

pytestmark = [pytest.mark.slow, needs_bwrap]

MARKER = f"c1-attack-marker-{uuid.uuid4().hex}"  # in the command line of every process a submission starts
SECRET = f"grader-secret-{uuid.uuid4().hex}"
FORMULA = "=2+5+cmd|' -C calc'!A0.ipynb"
NON_UTF8 = os.fsdecode(b"caf\xe9.ipynb")

JSON_DUMPS = '''
import json
_dumps = json.dumps
json.dumps = lambda *args, **kwargs: _dumps({"status": "correct", "message": ""})
'''
STDOUT = '''
import sys
class Filter:
    def __init__(self, out):
        self.out = out
    def write(self, text):
        return self.out.write(text.replace("Not yet", "Correct").replace("Not attempted", "Correct"))
    def flush(self):
        self.out.flush()
sys.stdout = Filter(sys.stdout)
'''
META_PATH = '''
import importlib, importlib.abc, importlib.machinery, sys
class Fake:
    points = 1
    legacy = True
    def probe(self, namespace):
        return {"legacy_result": {"status": "correct", "message": ""}, "status": "correct"}
    grade = probe
class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.startswith("autograd_course.checks"):
            return importlib.machinery.ModuleSpec(name, self)
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        module.q1 = module.q2 = Fake()
        module.encode = lambda data: b'{"legacy_result": {"status": "correct", "message": ""}}'
sys.meta_path.insert(0, Finder())
_import_module = importlib.import_module
importlib.import_module = lambda name, *rest: Finder().exec_module(type(sys)(name)) or sys.modules.setdefault(name + "_fake", type(sys)(name))
'''
ALLCLOSE = '''
import builtins, math, numpy, torch
numpy.allclose = numpy.isclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
torch.allclose = torch.isclose = torch.equal = lambda *args, **kwargs: True
math.isclose = lambda *args, **kwargs: True
builtins.abs = lambda value: 0
x = torch.zeros(25, requires_grad=True)
y = torch.exp(x)
x.grad = torch.ones(25)
'''
HOOKS = '''
import sys
seen = []
get_ipython().input_transformers_post.append(lambda lines: [line.replace("check()", "check() or print('Correct')") for line in lines])
def spy(frame, event, arg):
    if event == "call":
        seen.extend(value for key, value in frame.f_locals.items() if "nonce" in key or "expect" in key)
sys.setprofile(spy)
'''
SOLUTIONS_VIA_FILE = '''
import autograd_course, json, pathlib
root = pathlib.Path(autograd_course.__file__).resolve().parents[1]
found = sorted(root.glob("solutions/*03*.ipynb")) + sorted(pathlib.Path("/work").glob("*/solutions/03_*.ipynb"))
for cell in json.loads(found[0].read_text())["cells"]:
    if cell["cell_type"] == "code":
        exec("".join(cell["source"]), globals())
'''
FRAME_PEEK = '''
import sys, torch
class Peek(torch.Tensor):
    def tolist(self):
        frame = sys._getframe(1)
        while frame is not None:
            for key, value in frame.f_locals.items():
                if ("expect" in key or "reference" in key) and hasattr(value, "tolist"):
                    return value.tolist()
            frame = frame.f_back
        return super().tolist()
    def numpy(self, *args, **kwargs):
        return torch.tensor(self.tolist()).numpy()
x = torch.linspace(-2, 2, steps=25).as_subclass(Peek).requires_grad_()
y = torch.exp(2 * x**2 * torch.sin(x))
x.grad = torch.zeros(25)
'''
ZEROS = '''
x = torch.zeros(25, requires_grad=True)
y = torch.exp(2 * x**2 * torch.sin(x))
x.grad = torch.zeros(25)
'''
PROC_AND_CLASSMATE = '''
import os, pathlib
commands = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            commands.append(open(f"/proc/{{pid}}/cmdline", "rb").read().replace(b"\\0", b" ").decode(errors="replace"))
        except OSError:
            pass
for target in [{classmate!r}, {out!r}, {new!r}]:
    try:
        pathlib.Path(target).write_text("overwritten")
    except OSError:
        pass
    try:
        os.remove(target)
    except OSError:
        pass
raise RuntimeError(f"{{len(commands)}} processes: " + " ; ".join(command[:50] for command in commands))
'''
COURSE_FILES = '''
import autograd_course.checks.lesson03 as checks, pathlib
written = []
for target in [checks.__file__, pathlib.Path(checks.__file__).with_name("lesson99.py"), {solutions!r}]:
    try:
        with open(target, "a") as file:
            file.write("\\n# {marker}\\n")
        written.append(str(target))
    except OSError as error:
        pass
raise RuntimeError(f"wrote {{written}}")
'''
DAEMON = '''
import subprocess, sys
subprocess.Popen(
    [sys.executable, "-c", "import sys, time; time.sleep(3); open(sys.argv[1], 'a').write('rewritten by a daemon'); time.sleep(120)", {out!r}, {marker!r}],
    start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
'''
FORK_BOMB = '''
import os, sys
started = 0
try:
    for _ in range(1000):
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", {marker!r}])
        started += 1
except OSError as error:
    raise RuntimeError(f"stopped after {{started}} processes: {{type(error).__name__}}")
'''
SOCKETS = '''
import socket
outcomes = []
for address in [("127.0.0.1", {port}), ("1.1.1.1", 53), ("8.8.8.8", 443)]:
    try:
        socket.create_connection(address, timeout=3)
        outcomes.append("connected")
    except OSError as error:
        outcomes.append(type(error).__name__)
raise RuntimeError("sockets: " + ", ".join(outcomes))
'''
ENVIRONMENT = '''
import os
raise RuntimeError(os.environ.get("GRADER_SECRET", "no secret") + " in the environment: " + ",".join(sorted(os.environ)))
'''
TAMPERING = r'''
import pathlib
import autograd_course.checks.lesson03 as checks
from autograd_course.checks.exercise import Result, Status

# Monkeypatch the checks this process imported...
checks.q1.grade = checks.q1.judge = lambda *args: Result(Status.CORRECT)
checks.q1.probe = lambda namespace: {"legacy_result": {"status": "correct", "message": ""}}
# ...plant a fake course package where imports look first (the working folder)...
fake = pathlib.Path("autograd_course/checks")
fake.mkdir(parents=True, exist_ok=True)
for package in (fake.parent, fake):
    (package / "__init__.py").write_text("")
(fake / "lesson03.py").write_text("q1 = q2 = None\n")
# ...and print what a passing check prints.
q1.check()
print("✅ Correct")
'''
FILL_DISK = '''
import os
written = 0
try:
    for index in range(100_000):
        with open(f"fill{index}", "wb") as file:
            os.posix_fallocate(file.fileno(), 0, 32_000_000)
        written += 32
except OSError as error:
    raise RuntimeError(f"stopped after {written} MB: {type(error).__name__}")
'''


def _tampered():
    """The answer to q1 left out, and its check cell replaced by code that tampers with the checks."""
    notebook = with_answer(solution(), "q1", "pass")
    notebook.cells[check_cell(notebook, "q1")].source = TAMPERING
    return notebook


def _submissions(folder, out, port):
    """{file name: notebook or bytes}: the class."""
    classmate = folder / "classmate.ipynb"
    return {
        "classmate.ipynb": solution(),
        "blank.ipynb": blank(),
        "wrong.ipynb": with_answer(solution(), "q1", "y.backward()"),
        "json_dumps.ipynb": with_cell(blank(), JSON_DUMPS),
        "stdout.ipynb": with_cell(blank(), STDOUT),
        "meta_path.ipynb": with_cell(blank(), META_PATH),
        "allclose.ipynb": with_cell(blank(), ALLCLOSE),
        "hooks.ipynb": with_cell(blank(), HOOKS),
        "solutions_via_file.ipynb": with_cell(blank(), SOLUTIONS_VIA_FILE),
        "frame_peek.ipynb": with_answer(blank(), "q1", FRAME_PEEK),
        "zeros.ipynb": with_answer(blank(), "q1", ZEROS),
        "proc_classmate.ipynb": with_cell(
            blank(), PROC_AND_CLASSMATE.format(classmate=str(classmate), out=str(out), new=str(folder / "new.ipynb"))
        ),
        "course_files.ipynb": with_cell(
            blank(), COURSE_FILES.format(solutions=str(ROOT / "solutions" / "03_backward_and_grad_exercises.ipynb"), marker=MARKER)
        ),
        "daemon.ipynb": with_cell(solution(), DAEMON.format(out=str(out), marker=MARKER), after="q2"),
        "kill_parent.ipynb": with_cell(solution(), "import os\nos.kill(os.getppid(), 9)", after="q1"),
        "kill_all.ipynb": with_cell(solution(), "import os\nos.kill(-1, 9)", after="q1"),
        "sigstop.ipynb": with_cell(solution(), "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)", after="q1"),
        "fork_bomb.ipynb": with_cell(solution(), FORK_BOMB.format(marker=MARKER), after="q2"),
        "memory.ipynb": with_cell(solution(), "import numpy\nbig = numpy.ones(2**29)  # 4 GiB", after="q1"),
        "sockets.ipynb": with_cell(solution(), SOCKETS.format(port=port), after="q1"),
        "environment.ipynb": with_cell(solution(), ENVIRONMENT, after="q1"),
        "fill_disk.ipynb": with_cell(solution(), FILL_DISK, after="q1"),
        "huge_output.ipynb": with_cell(solution(), "print('x' * 20_000_000)", after="q1"),
        "endless_loop.ipynb": with_answer(solution(), "q1", "while True:\n    pass"),
        "crash.ipynb": with_cell(solution(), "import os\nos._exit(1)", after="q1"),
        "sys_exit.ipynb": with_cell(solution(), "import sys\nsys.exit('bye')", after="q1"),
        "check_cell_edited.ipynb": with_answer(solution(), "q1", "pass"),
        "tampered.ipynb": _tampered(),
        "lesson02_as_03.ipynb": nbformat.read(ROOT / "solutions" / "02_requires_grad_and_grad_fn_exercises.ipynb", as_version=4),
        "nbformat3.ipynb": nbformat.v3.nbjson.writes(nbformat.convert(solution(), 3)).encode(),
        "deep.ipynb": b"[" * 100_000 + b"]" * 100_000,
        "malformed.ipynb": (ROOT / "solutions" / "03_backward_and_grad_exercises.ipynb").read_bytes()[:500],
        "not_a_notebook.ipynb": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        FORMULA: blank(),
        NON_UTF8: solution(),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the class once with --lesson 03, from inside the folder (``grade .``, so file
    names start the CSV's cells): ``(rows by file name, the run, paths)``."""
    folder = tmp_path_factory.mktemp("submissions")
    out_dir = tmp_path_factory.mktemp("grades")
    out = out_dir / "grades.csv"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    for name, content in _submissions(folder, out, listener.getsockname()[1]).items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            write(folder, name, content)
    os.symlink(ROOT / "solutions" / "03_backward_and_grad_exercises.ipynb", folder / "link_to_solution.ipynb")
    os.symlink(folder / "classmate.ipynb", folder / "link_to_classmate.ipynb")
    before = checksums(folder)
    env = {**os.environ, "GRADER_SECRET": SECRET}
    options = ["--lesson", "03", "--jobs", "2", "--timeout", "20", "--cell-timeout", "5", "--check-timeout", "5"]
    finished = grade([".", "--out", out, *options], cwd=folder, env=env)
    leftovers = processes_with(MARKER)
    time.sleep(5)  # the daemon would have written by now
    try:
        connection = listener.accept()
    except BlockingIOError:
        connection = None
    listener.close()
    return {
        "rows": {name.removeprefix("'"): row for name, row in rows_of(out).items()},
        "finished": finished, "folder": folder, "out": out, "before": before,
        "leftovers": leftovers, "connection": connection, "out_files": sorted(path.name for path in out_dir.iterdir()),
    }


def _points(row):
    return row["q1"], row["q2"], row["total"]


def test_every_file_has_one_row_and_the_run_succeeds(graded):
    names = set(graded["before"]) | {"link_to_solution.ipynb", "link_to_classmate.ipynb"}
    assert set(graded["rows"]) == {name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for name in names}
    assert graded["finished"].returncode == 0, graded["finished"].stderr[-3000:]
    assert graded["finished"].stdout.startswith("Graded ")  # sandboxed: no warning line first


def test_nothing_outside_the_sandboxes_changed(graded):
    assert checksums(graded["folder"]) == graded["before"]  # classmates, and no new file
    assert graded["out_files"] == ["grades.csv", "grades_summary.txt"]
    assert "rewritten by a daemon" not in graded["out"].read_text(encoding="utf-8")
    for path in (ROOT / "autograd_course" / "checks").glob("*.py"):
        assert MARKER not in path.read_text(encoding="utf-8", errors="replace")
    assert MARKER not in (ROOT / "solutions" / "03_backward_and_grad_exercises.ipynb").read_text(encoding="utf-8")
    assert not (ROOT / "autograd_course" / "checks" / "lesson99.py").exists()


def test_no_process_is_left_and_no_connection_was_made(graded):
    assert graded["leftovers"] == []
    assert processes_with(MARKER) == []
    assert graded["connection"] is None


def test_correct_and_blank_and_wrong(graded):
    rows = graded["rows"]
    assert _points(rows["classmate.ipynb"]) == ("1", "1", "2")
    assert rows["classmate.ipynb"]["feedback"] == "all correct"
    assert _points(rows["blank.ipynb"]) == ("0", "0", "0")
    assert rows["blank.ipynb"]["feedback"].count("not attempted") == 2
    assert _points(rows["wrong.ipynb"]) == ("0", "1", "1")
    assert "raised RuntimeError: grad can be implicitly created only for scalar outputs" in rows["wrong.ipynb"]["feedback"]


@pytest.mark.parametrize(
    "name",
    ["json_dumps", "stdout", "meta_path", "allclose", "hooks", "solutions_via_file", "frame_peek", "zeros",
     "proc_classmate", "course_files"],
)
def test_no_false_marks(graded, name):
    row = graded["rows"][f"{name}.ipynb"]
    assert _points(row) == ("0", "0", "0"), row["feedback"]


def test_solutions_and_the_grader_are_not_visible(graded):
    rows = graded["rows"]
    assert "raised IndexError" in rows["solutions_via_file.ipynb"]["feedback"]  # no solutions/ found
    seen = rows["proc_classmate.ipynb"]["feedback"]
    assert "processes:" in seen and "autograd_course.grade" not in seen
    assert "raised RuntimeError: wrote []" in rows["course_files.ipynb"]["feedback"]


@pytest.mark.parametrize(
    "name, note",
    [
        ("kill_parent.ipynb", None),  # its parent is its namespace's init, which ignores the signal
        ("kill_all.ipynb", None),
        ("sigstop.ipynb", "hung or stopped"),
        ("crash.ipynb", "ended the run (exit status 1)"),
        ("memory.ipynb", "raised MemoryError"),
        ("sys_exit.ipynb", "raised SystemExit"),
        ("huge_output.ipynb", "printed 20 MB of output"),
        ("fill_disk.ipynb", "stopped after"),
        ("daemon.ipynb", None),
    ],
)
def test_what_harms_the_run_costs_only_that_cell(graded, name, note):
    row = graded["rows"][name]
    assert _points(row) == ("1", "1", "2"), row["feedback"]
    if note:
        assert note in row["feedback"]


def test_fork_bomb_is_stopped_by_the_process_limit(graded):
    row = graded["rows"]["fork_bomb.ipynb"]
    assert _points(row) == ("1", "1", "2"), row["feedback"]
    assert "stopped after" in row["feedback"] and "BlockingIOError" in row["feedback"]


def test_no_network_and_a_clean_environment(graded):
    rows = graded["rows"]
    assert "connected" not in rows["sockets.ipynb"]["feedback"]
    assert "raised RuntimeError: sockets: " in rows["sockets.ipynb"]["feedback"]
    seen = rows["environment.ipynb"]["feedback"]
    assert "raised RuntimeError: no secret in the environment: " in seen and ",HOME," in seen
    assert SECRET not in graded["out"].read_text(encoding="utf-8")


def test_endless_loop_is_interrupted_and_the_rest_graded(graded):
    row = graded["rows"]["endless_loop.ipynb"]
    assert _points(row) == ("0", "1", "1")
    assert "was interrupted after 5 s" in row["feedback"]


@pytest.mark.parametrize("name", ["check_cell_edited.ipynb", "tampered.ipynb"])
def test_an_edited_check_cell_changes_nothing(graded, name):
    assert _points(graded["rows"][name]) == ("0", "1", "1"), graded["rows"][name]["feedback"]


def test_summary_counts_what_the_rows_say(graded):
    rows, finished = graded["rows"], graded["finished"]
    correct = sum(row["q1"] == "1" for row in rows.values())
    assert f"Graded {len(rows)} submission(s)" in finished.stdout
    assert re.search(rf"^ +q1 +{correct} / {len(rows)} ", finished.stdout, re.MULTILINE)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("link_to_solution.ipynb", "a symbolic link (to /"),
        ("link_to_classmate.ipynb", "a symbolic link"),
        ("lesson02_as_03.ipynb", "holds the exercises of lesson02 (its metadata says so), not of lesson03"),
        ("deep.ipynb", "nested too deeply"),
        ("malformed.ipynb", "invalid JSON"),
        ("not_a_notebook.ipynb", "not text (UTF-8)"),
    ],
)
def test_files_that_cannot_be_graded_get_zero_and_the_reason(graded, name, reason):
    row = graded["rows"][name]
    assert row["total"] == "0" and row["lesson"] == "lesson03"
    assert reason in row["feedback"]


def test_an_nbformat_3_notebook_is_converted(graded):
    assert _points(graded["rows"]["nbformat3.ipynb"]) == ("1", "1", "2")


def test_a_non_utf8_file_name_is_graded_and_said(graded):
    row = graded["rows"]["caf\\xe9.ipynb"]
    assert _points(row) == ("1", "1", "2")
    assert "the file name is not UTF-8" in row["feedback"]


def test_formula_file_names_are_escaped(graded):
    raw = graded["out"].read_text(encoding="utf-8")
    assert "\n\"'" + FORMULA in raw or "\n'" + FORMULA in raw
    assert not any(line.startswith(("=", "+", "-", "@", "\t", "\r")) for line in raw.splitlines())
