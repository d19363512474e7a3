"""The goals autograd_mini is measured against, each judged PASS, MISS or n/a."""

from typing import NamedTuple

from benchmarks.cases.chain import DEPTHS

# Time per op at the deepest chain over time per op at the shallowest. Linear growth gives about
# 1 (a little above for cache misses on a big graph, below as fixed costs spread out); a
# quadratic backward gives about 100.
LINEAR_GROWTH_LIMIT = 1.5
# "Nothing retained beyond the leaves' grads", less a margin for the few small Python objects
# (the loss tensor and the graph's nodes) that stay alive while `loss` is referenced; a saved
# activation of the mlp is 512 KiB.
RETAINED_LIMIT_BYTES = 64 * 1024


class RatioTarget(NamedTuple):
    row: str
    ratio: str  # "mini/torch" or "mini/numpy"
    limit: float


RATIO_TARGETS = (
    RatioTarget("tiny", "mini/torch", 0.5),
    RatioTarget("mlp", "mini/numpy", 1.10),
    RatioTarget("mlp_nn", "mini/numpy", 1.15),
    *(RatioTarget(f"chain_{depth}", "mini/torch", 1.0) for depth in DEPTHS),
)


def unmeasured(rows: dict, row_name: str, engines=("mini",)) -> tuple[str, str]:
    """(status, reason) of a target without a measurement: MISS if mini failed, else n/a."""
    if row_name not in rows:
        return "n/a", "not run"
    for engine in engines:
        result = rows[row_name]["engines"].get(engine, {})
        if "error" in result:
            return ("MISS" if engine == "mini" else "n/a"), f"{engine} error: {result['error']}"
        if "na" in result:
            return "n/a", f"{engine} n/a: {result['na']}"
    return "n/a", "not measured"


def verdict(target: str, limit: float, measured: float | None, show, fallback: tuple | None) -> dict:
    """A target's line: PASS or MISS by `measured <= limit`, else the fallback (status, reason)."""
    if measured is None:
        status, shown = fallback
    else:
        status, shown = ("PASS" if measured <= limit else "MISS"), show(measured)
    return {"target": target, "limit": limit, "measured": measured, "shown": shown, "status": status}


def ratio_verdict(rows: dict, target: RatioTarget) -> dict:
    other = target.ratio.split("/")[1]
    return verdict(
        f"{target.row}: mini <= {target.limit:g} x {other}",
        target.limit,
        rows.get(target.row, {}).get("ratios", {}).get(target.ratio),
        lambda ratio: f"{ratio:.3g} x",
        unmeasured(rows, target.row, ("mini", other)),
    )


def linear_growth_verdict(rows: dict) -> dict:
    shallow, deep = min(DEPTHS), max(DEPTHS)
    per_op, fallback = {}, None
    for depth in (shallow, deep):
        result = rows.get(f"chain_{depth}", {}).get("engines", {}).get("mini", {})
        if "value" not in result:
            fallback = unmeasured(rows, f"chain_{depth}")
            break
        per_op[depth] = result["value"] / depth
    return verdict(
        f"chain: mini grows linearly (time per op at {deep} / at {shallow} <= {LINEAR_GROWTH_LIMIT:g})",
        LINEAR_GROWTH_LIMIT,
        per_op[deep] / per_op[shallow] if fallback is None else None,
        lambda growth: f"{growth:.3g}",
        fallback,
    )


def memory_verdicts(rows: dict) -> list[dict]:
    mini = rows.get("memory", {}).get("engines", {}).get("mini", {})
    fallback = unmeasured(rows, "memory")
    not_freed = mini.get("saved_not_freed")
    if mini.get("saved_tensors") == 0:
        # Nothing to check means the graph protocol is missing, not that everything was freed.
        not_freed, fallback = None, ("MISS", "no `_saved_*` tensor found in mini's graph")
    return [
        verdict(
            f"memory: mini retains <= {RETAINED_LIMIT_BYTES // 1024} KiB beyond the leaves' grads",
            RETAINED_LIMIT_BYTES,
            mini.get("retained_beyond_grads_bytes"),
            lambda retained: f"{retained} B",
            fallback,
        ),
        verdict(
            "memory: every `_saved_*` tensor of mini's graph raises RuntimeError after backward",
            0,
            None if not_freed is None else len(not_freed),
            lambda count: f"{count} of {mini['saved_tensors']} still readable" + "".join(f", {n}" for n in not_freed),
            fallback,
        ),
    ]


def evaluate(rows: dict) -> list[dict]:
    ratios = [ratio_verdict(rows, target) for target in RATIO_TARGETS]
    return ratios + [linear_growth_verdict(rows)] + memory_verdicts(rows)
