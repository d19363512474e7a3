"""Short real-style programs (tutorial, d2l and beginner style), run once with
`import torch` and once with `import autograd_mini as torch`: each program's printed
output must be the same (reprs may say autograd_mini where torch says torch).

Each engine runs every program in one fresh process (one import of torch, not one per
program); a program must leave the grad mode as it found it.
Add a program: drop a pNN_*.py file here that prints what it computes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PROGRAMS = sorted(p.name for p in HERE.glob("p[0-9][0-9]_*.py"))

# Run each program with `torch` bound to the engine under test; report what each printed.
RUNNER = """
import contextlib, io, json, os, runpy, sys, traceback
sys.path.insert(0, os.path.dirname(sys.argv[2]))  # the programs' shared _program_tools
if sys.argv[1] == "mini":
    import autograd_mini
    sys.modules["torch"] = autograd_mini
results = {}
for path in sys.argv[2:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            runpy.run_path(path, run_name="__main__")
            error = None
        except Exception:
            error = traceback.format_exc()
    results[path] = [out.getvalue(), error]
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def outputs():
    paths = [str(HERE / p) for p in PROGRAMS]
    result = {}
    for engine in ("torch", "mini"):
        done = subprocess.run([sys.executable, "-c", RUNNER, engine, *paths],
                              capture_output=True, text=True, timeout=300, check=True)
        result[engine] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("program", PROGRAMS)
def test_program_prints_the_same(program, outputs):
    path = str(HERE / program)
    ref_out, ref_error = outputs["torch"][path]
    out, error = outputs["mini"][path]
    assert ref_error is None, ref_error
    assert error is None, error
    assert out.replace("autograd_mini.", "torch.") == ref_out


def test_there_are_programs():
    assert len(PROGRAMS) >= 6
