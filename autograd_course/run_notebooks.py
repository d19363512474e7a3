"""Run notebooks top to bottom and store their outputs in place.

    python -m autograd_course.run_notebooks notebooks/01_why_autograd.ipynb ...

The lessons are committed with their outputs (they read well on GitHub, and nbval
compares against them in CI), and those outputs must come from a real run: each
notebook runs in a fresh kernel of this Python, from its own folder (so relative
links and files work as they do in JupyterLab), with a time limit per cell.

A cell that raises stops the run and the notebook is left as it was on disk, unless
the cell is tagged ``raises-exception`` (it shows an error on purpose; nbval reads the
same tag). A tagged cell that does not raise is an error too. Cells that write to
stderr, usually a warning, are listed: a lesson must explain every warning it shows.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets import default

THIS_PYTHON = "autograd-course-this-python"
RAISES = "raises-exception"


class _ThisPythonKernels(KernelSpecManager):
    """Kernel specs that also know THIS_PYTHON: ipykernel on the running interpreter.

    A kernel named "python3" could be any Python on the machine (a user's own
    kernelspec wins over the virtualenv's); the course must run on the one that has
    autograd_mini, torch and this package installed.
    """

    def get_kernel_spec(self, kernel_name):
        if kernel_name == THIS_PYTHON:
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


class _ThisPythonKernelManager(AsyncKernelManager):
    @default("kernel_spec_manager")
    def _this_python_kernels(self):
        return _ThisPythonKernels(data_dir=self.data_dir)


class NotebookFailed(Exception):
    """A notebook did not run cleanly; the message says which cell and why."""


def _cells_tagged_but_not_raising(nb):
    return [index for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and RAISES in cell.metadata.get("tags", [])
            and not any(output.output_type == "error" for output in cell.get("outputs", []))]


def _stderr_lines(nb):
    """``(cell index, first line)`` for each cell that wrote to stderr."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                found.append((index, output.text.strip().splitlines()[0] if output.text.strip() else ""))
                break
    return found


def run_notebook(path, timeout=120):
    """Execute the notebook at ``path`` and write it back with its outputs.

    Returns the cells that wrote to stderr, as ``(cell index, first line)``. Raises
    NotebookFailed (and leaves the file untouched) when a cell fails.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=THIS_PYTHON,
        kernel_manager_class=_ThisPythonKernelManager,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,  # timestamps in every cell's metadata would change on every run
    )
    try:
        # the kernel process's own log (its transport warnings) is not the notebook's output
        client.execute(stderr=subprocess.DEVNULL)
    except CellTimeoutError as error:
        raise NotebookFailed(f"{path}: a cell ran longer than {timeout} s\n{error}") from None
    except CellExecutionError as error:
        raise NotebookFailed(f"{path}: a cell raised an error (tag it `{RAISES}` if it is meant to)\n"
                             f"{error}") from None
    not_raising = _cells_tagged_but_not_raising(nb)
    if not_raising:
        raise NotebookFailed(f"{path}: cells {not_raising} are tagged `{RAISES}` but did not raise")
    # the kernel that ran it is this Python; the file names the usual kernel, which Jupyter has
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)
    return _stderr_lines(nb)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograd_course.run_notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="the .ipynb files to run")
    parser.add_argument("--timeout", type=int, default=120, help="seconds a cell may run (default 120)")
    args = parser.parse_args(argv)
    failed = []
    for path in args.notebooks:
        start = time.perf_counter()
        try:
            stderr_cells = run_notebook(path, timeout=args.timeout)
        except NotebookFailed as error:
            print(f"FAILED {error}", file=sys.stderr)
            failed.append(path)
            continue
        print(f"ran {path} in {time.perf_counter() - start:.1f} s")
        for index, line in stderr_cells:
            print(f"  cell {index} wrote to stderr (explain it in the lesson): {line}")
    if failed:
        print(f"{len(failed)} of {len(args.notebooks)} notebooks failed: {', '.join(map(str, failed))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
