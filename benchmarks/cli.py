"""`python -m benchmarks [--quick] ...`: runs every row on every engine and writes the results."""

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import settings as presets
from benchmarks.cases import CASES, rows
from benchmarks.engines import ENGINE_NAMES
from benchmarks.environment import child_env
from benchmarks.plot import save_plot
from benchmarks.report import cell, markdown, seconds, size
from benchmarks.results import assemble
from benchmarks.runner import measure_case, run_child
from benchmarks.targets import evaluate

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Quick runs (CI, ./course test) go elsewhere by default, so they never overwrite a full run's results.
QUICK_RESULTS_DIR = RESULTS_DIR / "quick"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repeats (CI): well under a minute")
    parser.add_argument("--out", type=Path, help="folder for latest.{md,json,png} "
                        "(default: benchmarks/results, or benchmarks/results/quick with --quick)")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch.set_num_threads, and the BLAS/OpenMP threads of every engine (default 1)")
    parser.add_argument("--native-blas", action="store_true",
                        help="full runs only: unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for the children")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated subset of {','.join(CASES)} (default: all)")
    parser.add_argument("--repeats", type=int, help="timed runs per measurement, at most")
    parser.add_argument("--warmup", type=int, help="untimed runs before timing")
    args = parser.parse_args(argv)
    for option, least in (("torch_threads", 1), ("repeats", 1), ("warmup", 0)):
        if getattr(args, option) is not None and getattr(args, option) < least:
            parser.error(f"--{option.replace('_', '-')} must be at least {least}")
    if args.quick and args.native_blas:
        parser.error("--native-blas is for full runs: quick (CI) runs keep the machine's BLAS settings")
    args.out = args.out or (QUICK_RESULTS_DIR if args.quick else RESULTS_DIR)
    args.cases = args.cases.split(",")
    unknown = set(args.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    return args


def measure_cases(case_names: list[str], settings, env: dict[str, str]) -> dict:
    """Every row of every case on every engine: one child process per case and engine, the
    engines of a case running side by side, their timed steps interleaved (runner.py)."""
    results_by_row = {}
    for case in case_names:
        by_engine = measure_case(case, settings, env)
        for row in rows([case]):
            for engine in ENGINE_NAMES:
                result = by_engine[engine].get(row.name, {"error": "the child reported nothing for this row"})
                results_by_row.setdefault(row.name, {})[engine] = result
                # Progress on stderr, so stdout holds the report alone.
                shown = seconds if result.get("measured_by") == "perf_counter" else size
                print(f"{row.name:>14} {engine:>6}: {cell(result, shown)}", file=sys.stderr, flush=True)
    return {row.name: assemble(row, results_by_row[row.name]) for row in rows(case_names)}


def write_outputs(report: dict, out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(report)
    (out / "latest.md").write_text(text + "\n")
    (out / "latest.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    save_plot(report, out / "latest.png")
    return text


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = presets.choose(
        args.quick, repeats=args.repeats, warmup=args.warmup, threads=args.torch_threads
    )
    env = child_env(settings.threads, args.native_blas)
    started = time.perf_counter()
    run = {
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "native_blas": args.native_blas,
        "settings": settings.as_dict(),
    }
    machine = run_child({"probe": True, "settings": settings.as_dict()}, env, settings.timeout_s)
    measured = measure_cases(args.cases, settings, env)
    run["duration_s"] = round(time.perf_counter() - started, 1)
    report = {"run": run, "machine": machine, "rows": measured, "targets": evaluate(measured)}
    print(write_outputs(report, args.out))
    return 0
