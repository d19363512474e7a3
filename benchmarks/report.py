"""The markdown report: what was measured, on what, and how it compares with the targets."""

from benchmarks.cases.chain import DEPTHS
from benchmarks.engines import ENGINE_NAMES
from benchmarks.results import AGREEMENT_RTOL


def seconds(value: float) -> str:
    for scale, unit in ((1, "s"), (1e-3, "ms")):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value * 1e6:.3g} us"


def size(value: int) -> str:
    for scale, unit in ((2**20, "MiB"), (2**10, "KiB")):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value} B"


def short(text: str, limit: int = 70) -> str:
    """One line, short enough for a table cell, with the pipes that would split the cell escaped."""
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    line = line if len(line) <= limit else line[: limit - 3] + "..."
    return line.replace("|", "\\|")


def cell(result: dict | None, show) -> str:
    if result is None:
        return "-"
    if "error" in result:
        return "error: " + short(result["error"])
    if "na" in result:
        return "n/a: " + short(result["na"])
    flag = " (differs)" if result.get("agrees_with_numpy") is False else ""
    return show(result["value"]) + flag


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g} x"


def table(header: list[str], lines: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(line) + " |" for line in lines),
    ]


def blas_kernel(machine: dict) -> str:
    runtime = machine.get("blas_runtime", "unknown")
    if isinstance(runtime, str):
        return runtime
    return "; ".join(
        f"{lib['internal_api']} {lib['version']} (kernel {lib['architecture']}, {lib['num_threads']} threads)"
        if lib["architecture"]
        else f"{lib['internal_api']} ({lib['num_threads']} threads)"
        for lib in runtime
    )


def header_lines(report: dict) -> list[str]:
    run, machine = report["run"], report["machine"]
    settings = run["settings"]
    known = machine.get  # the probe may have failed: every field is optional
    env = ", ".join(f"{name}={value}" for name, value in known("blas_env", {}).items())
    native = " (--native-blas: OpenBLAS coretype variables removed)" if run["native_blas"] else ""
    return [
        f"# autograd_mini benchmarks ({run['mode']} run, {run['date']})",
        "",
        f"- Machine: {known('cpu_model', '?')}, {known('cpu_count', '?')} CPUs ({known('cpus_usable', '?')} usable), "
        f"Python {known('python', '?')}, numpy {known('numpy', '?')} ({known('numpy_blas_build', '?')}), "
        f"torch {known('torch', '?')}" + (f". Machine probe failed: {machine['error']}" if "error" in machine else ""),
        f"- Threads: torch {known('torch_threads', '?')} (torch.set_num_threads), "
        f"BLAS/OpenMP {settings['threads']} for every engine.",
        f"- BLAS environment{native}: {env}",
        f"- BLAS libraries loaded: {blas_kernel(machine)}",
        f"- autograd_mini: {known('autograd_mini', '?')}",
        f"- Timing: median of up to {settings['repeats']} timed runs after up to {settings['warmup']} "
        f"warm-up runs; each case and engine in a fresh process, the engines of a row taking turns "
        f"step by step (one step of each per round, rounds stopping after {settings['budget_s']:g} s, "
        "one at least), so that a drift in the machine's speed moves all three alike "
        "(benchmarks/README.md).",
        "",
    ]


def time_lines(rows: dict) -> list[str]:
    lines = [
        [name, row["description"], *(cell(row["engines"].get(e), seconds) for e in ENGINE_NAMES),
         ratio(row["ratios"]["mini/torch"]), ratio(row["ratios"]["mini/numpy"])]
        for name, row in rows.items()
        if row["case"] != "memory"
    ]
    return [
        "## Time",
        "",
        *table(["row", "workload", *ENGINE_NAMES, "mini/torch", "mini/numpy"], lines),
        "",
        f"(differs): that engine's gradients (L1 norm of each) differ from the hand-written NumPy "
        f"ones by more than rtol={AGREEMENT_RTOL:g}, so its time is not comparable.",
        "",
    ]


def chain_lines(rows: dict) -> list[str]:
    def per_op(depth):
        return lambda value: seconds(value / depth)

    lines = [
        [str(depth), *(cell(rows[f"chain_{depth}"]["engines"].get(e), per_op(depth)) for e in ENGINE_NAMES)]
        for depth in DEPTHS
        if f"chain_{depth}" in rows
    ]
    if not lines:
        return []
    return ["## Chain: time per op (forward + backward)", "", *table(["depth", *ENGINE_NAMES], lines), ""]


def memory_lines(rows: dict) -> list[str]:
    if "memory" not in rows:
        return []
    lines = []
    for engine, result in rows["memory"]["engines"].items():
        if "value" not in result:
            lines.append([engine, cell(result, size), "", "", "", "", ""])
            continue
        beyond = result["retained_beyond_grads_bytes"]
        saved = result.get("saved_tensors")
        lines.append([
            engine,
            result["measured_by"],
            size(result["peak_bytes"]),
            size(result["retained_bytes"]),
            size(result["grad_bytes"]),
            "-" if beyond is None else size(beyond),
            "-" if saved is None else f"{saved - len(result['saved_not_freed'])} of {saved}",
        ])
    header = ["engine", "measured by", "peak", "retained after backward", "leaves' grads",
              "retained beyond grads", "saved tensors freed"]
    return [
        "## Memory: one mlp forward + backward",
        "",
        *table(header, lines),
        "",
        "Retained is measured while `loss` (so the graph) is still referenced. tracemalloc counts every "
        "NumPy allocation to the byte. torch's are invisible to it: its row is the growth of the resident "
        "set size, where pages its allocator kept from the warm-up run do not show again, so its peak is "
        "a lower bound and its retained memory is not comparable to the grads' bytes.",
        "",
    ]


def target_lines(targets: list[dict]) -> list[str]:
    counts = {status: sum(t["status"] == status for t in targets) for status in ("PASS", "MISS", "n/a")}
    lines = [[target["target"], short(target["shown"], 90), target["status"]] for target in targets]
    return [
        "## Targets",
        "",
        *table(["target", "measured", "result"], lines),
        "",
        ", ".join(f"{count} {status}" for status, count in counts.items()),
        "",
    ]


def markdown(report: dict) -> str:
    rows = report["rows"]
    lines = header_lines(report) + time_lines(rows) + chain_lines(rows) + memory_lines(rows)
    return "\n".join(lines + target_lines(report["targets"]))
