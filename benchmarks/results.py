"""Turning the children's results into rows: ratios between engines and a check of agreement."""

import numpy as np

from benchmarks.engines import ENGINE_NAMES

# Sums of |gradient| over up to 400k float32 numbers, added in different orders by each engine.
AGREEMENT_RTOL = 1e-3


def ratio(results: dict, numerator: str, denominator: str) -> float | None:
    """value(numerator) / value(denominator), if both were measured the same way."""
    top, bottom = results.get(numerator, {}), results.get(denominator, {})
    if "value" not in top or "value" not in bottom or top["measured_by"] != bottom["measured_by"]:
        return None
    return top["value"] / bottom["value"] if bottom["value"] > 0 else None


def assemble(row, results: dict[str, dict]) -> dict:
    """The row's entry in latest.json. Fingerprints are compared to NumPy's, then dropped."""
    reference = results.get("numpy", {}).get("fingerprint")
    for result in results.values():
        fingerprint = result.pop("fingerprint", None)
        if fingerprint is not None and reference is not None:
            result["agrees_with_numpy"] = bool(
                np.allclose(fingerprint, reference, rtol=AGREEMENT_RTOL, equal_nan=True)
            )
    return {
        "case": row.case,
        "description": row.description,
        "params": row.params,
        "engines": {name: results[name] for name in ENGINE_NAMES if name in results},
        "ratios": {f"mini/{other}": ratio(results, "mini", other) for other in ("torch", "numpy")},
    }
