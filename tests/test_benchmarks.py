"""The benchmark harness runs end to end, and its hand-written NumPy references are right:
a ratio against a wrong reference would mean nothing. No timing is asserted."""

import json
import subprocess
import sys
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
from benchmarks.runner import run_child  # noqa: E402
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
