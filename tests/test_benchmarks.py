"""The benchmark harness runs end to end, and its hand-written NumPy references are right:
a ratio against a wrong reference would mean nothing. No timing is asserted."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

# benchmarks/ is not an installed package (pyproject installs the engine and the course only):
# import it from the repository, whichever way pytest was started.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cases import functional, mlp, rows, tiny  # noqa: E402
from benchmarks.child import attempt  # noqa: E402
from benchmarks.environment import ROOT, child_env  # noqa: E402
from benchmarks.runner import Child, Conductor, measure_case, run_child  # noqa: E402
from benchmarks.settings import QUICK  # noqa: E402


def torch_grads(loss_fn, constant_arrays, param_arrays) -> list[np.ndarray]:
    params = [torch.tensor(array, requires_grad=True) for array in param_arrays]
    loss_fn(*(torch.tensor(array) for array in constant_arrays), *params).backward()
    return [param.grad.numpy() for param in params]


def test_tiny_numpy_backward_matches_torch():
    # Ten steps of the seed's loop: the benchmark's thousand overflow to inf, where any two
    # backward formulas would "agree".
    arrays = tiny.make_inputs(np.float64)
    expected = torch_grads(lambda *leaves: tiny.autograd_forward(*leaves, steps=10), [], arrays)
    assert all(np.isfinite(grad).all() for grad in expected)
    for grad, want in zip(tiny.numpy_grads(*arrays, steps=10), expected, strict=True):
        np.testing.assert_allclose(grad, want, rtol=1e-10)


def test_mlp_numpy_backward_matches_torch():
    data, params = mlp.make_inputs(np.float64)
    expected = torch_grads(mlp.autograd_loss, data, params)
    loss, grads = mlp.numpy_loss_and_grads(*data, *params)
    np.testing.assert_allclose(loss, mlp.autograd_loss(*map(torch.tensor, data + params)).item(), rtol=1e-12)
    for grad, want in zip(grads, expected, strict=True):
        np.testing.assert_allclose(grad, want, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    ("closed_form", "transform", "fn"),
    [
        (functional.numpy_jacobian, torch.autograd.functional.jacobian, functional.vector_fn),
        (functional.numpy_hessian, torch.autograd.functional.hessian, functional.scalar_fn),
    ],
)
def test_functional_closed_forms_match_torch(closed_form, transform, fn):
    x = functional.make_input(np.float64)
    np.testing.assert_allclose(closed_form(x), transform(fn, torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-12)


def test_an_exception_in_a_case_becomes_the_rows_error():
    class Broken:
        @staticmethod
        def run(engine, settings):
            raise ValueError("no such op")

    assert attempt(Broken, "numpy", QUICK, {}) == {"error": "ValueError: no such op"}


def test_a_child_that_dies_is_reported_not_raised():
    spec = {"case": "no-such-case", "engine": "numpy", "settings": QUICK.as_dict()}
    result = run_child(spec, child_env(QUICK.threads, native_blas=False), QUICK.timeout_s)
    assert result["error"].startswith("child exited with code 1: KeyError")


# A stand-in for benchmarks/child.py that speaks its protocol over two rows, logging each step
# to a shared file, so a test can see the order of the steps of all engines. `behaviour` makes it
# die, hang or print garbage at its first step of the second row.
FAKE_CHILD = """
import json, sys, time
name, log, behaviour = sys.argv[1:]
rows = {}
for row in ("first", "second"):
    print("READY", row, flush=True)
    times = []
    while sys.stdin.readline().strip() == "go":
        if row == "second" and behaviour == "dies":
            sys.exit("died mid-row")
        if row == "second" and behaviour == "hangs":
            time.sleep(60)
        with open(log, "a") as file:
            file.write(name + "\\n")
        times.append(0.001)
        print("garbage" if row == "second" and behaviour == "garbles" else "TIME 0.001", flush=True)
    rows[row] = {"times": times}
print("BENCHMARK-RESULT " + json.dumps({"rows": rows}), flush=True)
"""


def run_fakes(tmp_path, behaviours: dict[str, str], **settings) -> tuple[dict, list[str]]:
    log = tmp_path / "steps.log"
    log.touch()
    env = child_env(1, native_blas=False)
    children = {
        name: Child([sys.executable, "-c", FAKE_CHILD, name, str(log), behaviour], env)
        for name, behaviour in behaviours.items()
    }
    try:
        results = Conductor(children, ["first", "second"], replace(QUICK, **settings)).run()
    finally:
        for child in children.values():
            child.close()
    return results, log.read_text().split()


def test_engines_take_turns_step_by_step(tmp_path):
    behaviours = dict.fromkeys(("mini", "torch", "numpy"), "works")
    results, steps = run_fakes(tmp_path, behaviours, repeats=4, budget_s=60)
    assert steps == ["mini", "torch", "numpy"] * 8  # four rounds of each row
    assert all(len(result["times"]) == 4 for rows_ in results.values() for result in rows_.values())


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("dies", "child exited with code 1: died mid-row"),
        ("hangs", "timed out after 2 s"),
        ("garbles", "unexpected output from the child: 'garbage'"),
    ],
)
def test_a_child_that_fails_mid_row_is_reported_not_raised(tmp_path, behaviour, error):
    behaviours = {"mini": "works", "torch": behaviour, "numpy": "works"}
    results, steps = run_fakes(tmp_path, behaviours, repeats=3, budget_s=60, timeout_s=2)
    # Its results only come at its end: every row of the failed engine gets the error.
    assert results["torch"] == {"first": {"error": error}, "second": {"error": error}}
    # The others go on taking turns without it, as many steps each.
    # (The garbling one logged its step before printing garbage instead of TIME.)
    second_row = ["mini", "torch", "numpy"] if behaviour == "garbles" else ["mini", "numpy"]
    assert steps == ["mini", "torch", "numpy"] * 3 + second_row + ["mini", "numpy"] * 2
    assert [len(results[engine]["second"]["times"]) for engine in ("mini", "numpy")] == [3, 3]


@pytest.mark.slow
def test_the_engines_of_a_real_case_get_as_many_timed_runs():
    results = measure_case("tiny", QUICK, child_env(QUICK.threads, native_blas=False))
    counts = {engine: len(results[engine]["tiny"]["times"]) for engine in ("mini", "torch", "numpy")}
    assert len(set(counts.values())) == 1, counts


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("benchmarks")
    command = [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return out


@pytest.mark.slow
def test_quick_run_reports_every_row_on_every_engine(quick_run):
    report = json.loads((quick_run / "latest.json").read_text())
    assert list(report["rows"]) == [row.name for row in rows()]
    for name, row in report["rows"].items():
        for engine in ("torch", "numpy"):
            assert isinstance(row["engines"][engine].get("value"), int | float), (name, engine)
        if row["case"] != "memory":
            # torch checks the hand-written NumPy of every timed row, and the agreement check itself.
            assert row["engines"]["torch"]["agrees_with_numpy"] is True, name
        mini = row["engines"]["mini"]
        failure = mini.get("error", mini.get("na"))
        assert isinstance(mini.get("value"), int | float) or isinstance(failure, str), name
    assert report["machine"]["torch_threads"] == 1
    assert {target["status"] for target in report["targets"]} <= {"PASS", "MISS", "n/a"}
    assert (quick_run / "latest.md").read_text().startswith("# autograd_mini benchmarks")
    assert (quick_run / "latest.png").read_bytes().startswith(b"\x89PNG")
