"""Run ``runner.py`` on one submission inside bubblewrap, within limits, and collect what it sends.

The sandbox (``bwrap``, Debian's ``bubblewrap``) gives the submission:

- its own PID namespace, killed as a whole when the grader kills bwrap or exits
  (``--die-with-parent``): nothing the submission starts outlives its run;
- no network (a network namespace of its own, with only a loopback that is down);
- uid 65534 and no capabilities; a read-only view of the system (``/usr``), of Python, the
  venv and the course's two packages, and nothing else of the disk: no ``solutions/``, no
  other submission, no output folder, no home folder;
- a private writable ``/scratch`` (a size-capped tmpfs) where the runner puts its own copy
  of the submission, and a size-capped ``/tmp``;
- a clean environment (:func:`environment`), not the grader's.

The runner sets the resource limits itself (address space, CPU time, processes, file size):
it starts in a fresh user namespace, where the process count starts at zero, so each
sandbox gets the whole process limit for itself. When the grader runs as root, bwrap makes no
user namespace that would count processes (root is exempt from the process limit), so the
runner gives up root first and enters a user namespace through a second bwrap, nested in
the first (see ``runner._drop_root``). The wall-clock limit is enforced from here, by
killing bwrap's process group.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

RUNNER = Path(__file__).resolve().with_name("runner.py")
# The course's two packages, found without importing them.
PACKAGES = [Path(importlib.util.find_spec(name).origin).resolve().parent for name in ("autograd_course", "autograd_mini")]
NOBODY = 65534
INSTALL = (
    "install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install "
    "bubblewrap`; ./course setup installs it), or pass --no-sandbox to run submissions unisolated, "
    "with your own rights (only for notebooks you trust)"
)
MAX_MESSAGES = 32_000_000  # bytes of messages kept from one run; the rest is read and dropped


@dataclass
class Limits:
    notebook_seconds: float = 120
    cell_seconds: float = 30
    check_seconds: float = 10
    startup_seconds: float = 120  # starting Python and importing torch, on a busy machine
    restarts: int = 2
    memory_bytes: int = 2 * 1024**3  # address space; the course's notebooks peak near 0.7 GiB
    processes: int = 64  # processes and threads of one sandbox
    file_bytes: int = 64 * 1024**2
    scratch_bytes: int = 256 * 1024**2
    output_bytes: int = 1_000_000  # more printed than this is noted in the feedback

    def runner_limits(self):
        return {
            "memory_bytes": self.memory_bytes,
            "cpu_seconds": int(self.notebook_seconds + self.startup_seconds + 60),
            "processes": self.processes,
            "file_bytes": self.file_bytes,
        }


def environment(mode):
    """All the environment a submission sees."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/scratch" if mode != "none" else os.environ.get("TMPDIR", "/tmp"),
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "KINETO_LOG_LEVEL": "6",
        # One thread each: --jobs sandboxes share the cores, and threads count as processes.
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    if mode == "root":  # the runner's second bwrap, as uid 65534 (see runner._drop_root)
        env["AUTOGRAD_COURSE_SANDBOX"] = "root"
        env["AUTOGRAD_COURSE_BWRAP"] = shutil.which("bwrap") or "/usr/bin/bwrap"
    return env


def _read_only_paths():
    """What a run must see: the system, Python (wherever it is installed), the venv, the course."""
    paths = [Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).parent, *PACKAGES]
    etc = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime"]
    return [Path("/usr")] + [path.resolve() for path in paths] + [Path(path) for path in etc if os.path.exists(path)]


def _bind_arguments():
    arguments, made = [], set()
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            arguments += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            arguments += ["--ro-bind", str(top), str(top)]
    for path in dict.fromkeys(_read_only_paths()):
        if str(path).startswith("/usr/") and path != Path("/usr"):
            continue  # inside /usr, already there
        for parent in reversed(path.parents):
            if parent != Path("/") and parent not in made:
                made.add(parent)
                arguments += ["--perms", "0755", "--dir", str(parent)]  # bwrap makes them 0700
        arguments += ["--ro-bind", str(path), str(path)]
    return arguments


def sandbox_mode():
    return "root" if os.geteuid() == 0 else "user"


def bwrap_command(mode, input_dir, limits, command):
    isolation = (
        ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY), "--unshare-ipc", "--unshare-pid",
         "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        if mode == "user"
        else ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
              "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    )
    return [
        shutil.which("bwrap") or "bwrap",
        *isolation,
        "--die-with-parent",
        "--new-session",
        "--hostname", "sandbox",
        # The empty /tmp first, then the read-only binds over it: a course (and its venv)
        # checked out under /tmp, as a CI clone may be, stays visible inside.
        "--size", str(limits.scratch_bytes), "--perms", "1777", "--tmpfs", "/tmp",
        *_bind_arguments(),
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(limits.scratch_bytes), "--perms", "0777", "--tmpfs", "/scratch",
        "--ro-bind", str(input_dir), "/input",
        "--chdir", "/scratch",
        "--",
        *command,
    ]


def unavailable(mode=None):
    """Why submissions cannot be sandboxed here, with what to do; None when they can."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (this is {sys.platform}): grade on Linux, or " + INSTALL.split(", or ", 1)[1]
    if shutil.which("bwrap") is None:
        return "bwrap (bubblewrap) is not installed: " + INSTALL
    mode = mode or sandbox_mode()
    check = [sys.executable, "-I", "-c", "import sys"]
    if mode == "root":  # the runner's second, unprivileged bwrap must work too
        check[-1] = (
            "import os; os.setgroups([]); os.setgid(65534); os.setuid(65534); "
            f"os.execv({shutil.which('bwrap')!r}, ['bwrap', '--unshare-user', '--unshare-pid', '--dev-bind', '/', '/', '/bin/true'])"
        )
    empty = Path(os.environ.get("TMPDIR", "/tmp"))
    try:
        finished = subprocess.run(
            bwrap_command(mode, empty, Limits(), check), capture_output=True, text=True, timeout=60,
            env=environment(mode),
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not run ({error}): " + INSTALL
    if finished.returncode != 0:
        said = (finished.stderr.strip().splitlines() or ["no message"])[-1]
        return (
            f"bwrap is installed but cannot make a sandbox here ({said}); user namespaces may be "
            "switched off (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 "
            "kernel.apparmor_restrict_unprivileged_userns=0), or " + INSTALL.split(", or ", 1)[1]
        )
    return None


@dataclass
class RunResult:
    messages: list = field(default_factory=list)  # lines the runner sent, as bytes
    returncode: int = None
    killed_after: float = None  # seconds, when the wall clock ran out and the run was killed
    printed: int = 0  # bytes written to the run's stdout and stderr
    stderr_tail: str = ""
    seconds: float = 0.0

    @property
    def ready(self):
        return b"ready" in self.messages

    @property
    def finished(self):
        return bool(self.messages) and self.messages[-1] == b"done"


class _Reader(threading.Thread):
    """Reads a pipe to its end, keeping at most ``keep`` bytes (the first ones, or the last)."""

    def __init__(self, fd, keep, tail=False):
        super().__init__(daemon=True)
        self.fd, self.keep, self.tail = fd, keep, tail
        self.data, self.count = bytearray(), 0
        self.saw_ready = threading.Event()

    def run(self):
        with open(self.fd, "rb", buffering=0, closefd=True) as pipe:
            while chunk := pipe.read(65536):
                self.count += len(chunk)
                if self.tail:
                    self.data = (self.data + chunk)[-self.keep :]
                elif len(self.data) < self.keep:
                    self.data += chunk[: self.keep - len(self.data)]
                    if not self.saw_ready.is_set() and (self.data.startswith(b"ready\n") or b"\nready\n" in self.data):
                        self.saw_ready.set()


class Sandbox:
    """Runs submissions: ``Sandbox(mode)`` with mode "root", "user" or "none" (--no-sandbox)."""

    def __init__(self, mode):
        self.mode = mode
        self.live = set()  # running processes, killed if the grader is interrupted
        self.lock = threading.Lock()

    def paths(self, input_dir, scratch):
        """Where the runner finds the plan, the notebook and its scratch folder."""
        if self.mode == "none":
            return input_dir / "plan.json", input_dir / "submission.ipynb", scratch
        return Path("/input/plan.json"), Path("/input/submission.ipynb"), Path("/scratch")

    def command(self, input_dir, scratch, limits, results_fd):
        plan, _, scratch_inside = self.paths(input_dir, scratch)
        runner = [sys.executable, "-I", str(RUNNER), str(plan), str(scratch_inside), str(results_fd)]
        if self.mode == "none":
            return runner
        return bwrap_command(self.mode, input_dir, limits, runner)

    def prepare(self, input_dir):
        """Let the runner read its input: as uid 65534 when the grader is root."""
        if self.mode == "root":
            for path in [input_dir, *input_dir.iterdir()]:
                os.chown(path, NOBODY, NOBODY)

    def run(self, input_dir, scratch, limits, seconds):
        """Run the runner on the plan in ``input_dir``; kill it after ``seconds`` (counted from
        when it is ready) or ``limits.startup_seconds`` before that."""
        self.prepare(input_dir)
        started = monotonic()
        read_end, write_end = os.pipe()
        try:
            process = subprocess.Popen(
                self.command(input_dir, scratch, limits, write_end),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(write_end,), env=environment(self.mode), cwd=scratch, start_new_session=True,
            )
        except OSError as error:
            os.close(read_end)
            return RunResult(stderr_tail=f"could not start: {error}", seconds=monotonic() - started)
        finally:
            os.close(write_end)
        with self.lock:
            self.live.add(process)
        readers = [
            _Reader(read_end, MAX_MESSAGES),
            _Reader(os.dup(process.stdout.fileno()), 0),
            _Reader(os.dup(process.stderr.fileno()), 4096, tail=True),
        ]
        process.stdout.close()
        process.stderr.close()
        for reader in readers:
            reader.start()
        result = RunResult()
        try:
            result.killed_after = self._wait(process, readers[0], limits, seconds, started)
        finally:
            self._kill(process)
            with self.lock:
                self.live.discard(process)
        for reader in readers:
            reader.join(timeout=5)  # without a sandbox a daemon may hold a pipe open: move on
        result.returncode = process.returncode
        result.messages = bytes(readers[0].data).split(b"\n")[:-1] if readers[0].data else []
        result.printed = readers[1].count + readers[2].count
        result.stderr_tail = bytes(readers[2].data).decode("utf-8", "replace")
        result.seconds = monotonic() - started
        return result

    def _wait(self, process, messages, limits, seconds, started):
        """None when the run ended by itself, else the seconds after which it was killed."""
        while not messages.saw_ready.wait(0.05):
            if process.poll() is not None:
                return None
            if monotonic() - started > limits.startup_seconds:
                return monotonic() - started
        ready = monotonic()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return monotonic() - ready
        return None

    def _kill(self, process):
        """Kill the run's process group: bwrap, and with it (--die-with-parent) its namespace."""
        try:
            os.killpg(process.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        process.kill()
        process.wait()

    def kill_all(self):
        with self.lock:
            for process in list(self.live):
                self._kill(process)
