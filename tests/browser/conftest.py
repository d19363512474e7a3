"""Fixtures for the browser test: JupyterLab serving a copy of the course, and a Chromium page.

The server runs from this environment's `jupyter`, with every Jupyter directory (config,
data, runtime, user settings, workspaces) in a temporary folder, so neither the user's own
JupyterLab settings nor an earlier run change what the test sees. The settings the test
needs are in jupyterlab_settings/, next to this file, which the server uses as its
app_settings_dir.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SERVED = ("notebooks", "exercises")  # autograd_course itself is importable: the project is installed
SCREENSHOTS = REPO / "artifacts" / "browser"
SERVER_START_SECONDS = 60
SERVER_STOP_SECONDS = 15
LOG_TAIL_LINES = 40
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@dataclass
class JupyterLab:
    """A running `jupyter lab`: where it listens, its token, what it serves, its log."""

    base_url: str
    token: str
    root: Path
    log_path: Path
    process: subprocess.Popen

    def lab_url(self, path, workspace):
        """The URL that opens ``path`` in JupyterLab, in a workspace of its own, emptied first."""
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{path}?reset&token={self.token}"

    def api(self, endpoint, method="GET", timeout=2):
        request = urllib.request.Request(
            f"{self.base_url}/api/{endpoint}", method=method,
            headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status

    def log_tail(self, lines=LOG_TAIL_LINES):
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(lab):
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"jupyter lab exited with code {lab.process.returncode} before it answered:\n"
                        f"{lab.log_tail()}")
        try:
            if lab.api("status") == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet
        time.sleep(0.25)
    pytest.fail(f"jupyter lab did not answer /api/status within {SERVER_START_SECONDS} s:\n{lab.log_tail()}")


def _stop(lab):
    """Ask the server to shut down (it stops its kernels first); terminate it if it does not."""
    try:
        lab.api("shutdown", method="POST")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        pass  # already gone, or not answering: terminate below
    try:
        lab.process.wait(SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        lab.process.terminate()
        try:
            lab.process.wait(SERVER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            lab.process.kill()
            lab.process.wait()


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """JupyterLab on localhost, serving a copy of notebooks/ and exercises/, stopped at the end."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "course"
    for folder in SERVED:
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    jupyter_dirs = {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
        "IPYTHONDIR": "ipython",
    }
    env = {**os.environ, **{name: str(base / folder) for name, folder in jupyter_dirs.items()}}
    port, token = _free_port(), secrets.token_hex(16)
    log_path = base / "server.log"
    command = [
        str(Path(sys.executable).parent / "jupyter"), "lab",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False", f"--LabApp.app_settings_dir={HERE / 'jupyterlab_settings'}",
        "--allow-root",  # CI containers run as root; the server only listens on localhost
    ]
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, root, log_path, process)
    try:
        _wait_until_up(lab)
        yield lab
    finally:
        _stop(lab)


@pytest.fixture
def page_errors():
    """What the page logged as errors: console errors and uncaught exceptions."""
    return []


@pytest.fixture
def page(chromium_executable, page_errors):
    """A headless Chromium page (Debian's Chromium, never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            new_page = browser.new_page(viewport={"width": 1400, "height": 1000})
            new_page.on("console", lambda message: message.type == "error"
                        and page_errors.append(f"console: {message.text}"))
            new_page.on("pageerror", lambda error: page_errors.append(f"uncaught: {error}"))
            yield new_page
        finally:
            browser.close()


@pytest.fixture
def screenshot(page):
    """``screenshot(name)`` saves the whole page to artifacts/browser/<name>.png.

    The folder starts empty, so it never mixes pictures from an earlier run with this one's.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()

    def save(name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return save


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """On a failure, add the server's log and the page's errors to the report, and save what
    the page showed as artifacts/browser/failure.png."""
    try:
        return (yield)
    except (Exception, pytest.fail.Exception):
        from playwright.sync_api import Error as PlaywrightError

        lab, errors = item.funcargs.get("jupyter_lab"), item.funcargs.get("page_errors")
        save_screenshot = item.funcargs.get("screenshot")
        if save_screenshot is not None:
            try:
                save_screenshot("failure")
            except PlaywrightError as error:  # the page may be what failed; the report still matters
                item.add_report_section("call", "failure screenshot", f"not saved: {error}")
        if lab is not None:
            item.add_report_section("call", f"jupyter lab log (last {LOG_TAIL_LINES} lines)", lab.log_tail())
        if errors is not None:
            item.add_report_section("call", "page errors", "\n".join(errors) or "(none)")
        raise
