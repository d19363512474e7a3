"""The saved figure: mini's time ratios against the targets, and chain time against depth."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, in CI or anywhere else
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from benchmarks.engines import ENGINE_NAMES  # noqa: E402
from benchmarks.targets import RATIO_TARGETS  # noqa: E402

RATIOS = ("mini/torch", "mini/numpy")
BAR_WIDTH = 0.38


def bar_x(position: int, ratio_name: str) -> float:
    return position + (RATIOS.index(ratio_name) - 0.5) * BAR_WIDTH


def legend(axes) -> None:
    if axes.get_legend_handles_labels()[0]:  # nothing measured (a failed engine, a subset run): no box
        axes.legend()


def draw_ratios(axes, rows: dict) -> None:
    names = [name for name, row in rows.items() if row["case"] != "memory"]
    for ratio_name in RATIOS:
        xs, heights = [], []
        for position, name in enumerate(names):
            x, value = bar_x(position, ratio_name), rows[name]["ratios"][ratio_name]
            if value is None:
                axes.text(x, 1, "n/a", rotation=90, ha="center", va="bottom", fontsize=8)
            else:
                xs.append(x)
                heights.append(value)
        axes.bar(xs, heights, BAR_WIDTH, label=ratio_name)
    for number, target in enumerate(t for t in RATIO_TARGETS if t.row in names):
        x = bar_x(names.index(target.row), target.ratio)
        axes.hlines(target.limit, x - BAR_WIDTH / 2, x + BAR_WIDTH / 2, colors="red", linewidth=2.5,
                    label="target" if number == 0 else None)
    axes.axhline(1, color="gray", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axes.set_ylabel("time ratio (below 1: mini is faster)")
    axes.set_title("autograd_mini's time relative to torch and NumPy")
    legend(axes)


def draw_chain(axes, rows: dict) -> None:
    chain = [row for row in rows.values() if row["case"] == "chain"]
    for number, engine in enumerate(ENGINE_NAMES):
        points = [(row["params"]["depth"], row["engines"][engine].get("value")) for row in chain]
        points = [(depth, value) for depth, value in points if value is not None]
        if not points:
            continue
        depths, values = zip(*points)
        axes.plot(depths, values, "o-", color=f"C{number + 2}", label=engine)
        # Linear growth from the shallowest point: a measured line bending above it is superlinear.
        axes.plot(depths, [values[0] * depth / depths[0] for depth in depths], ":", color=f"C{number + 2}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("chain depth (ops)")
    axes.set_ylabel("forward + backward time (s)")
    axes.set_title("chain: time against depth (dotted: linear)")
    legend(axes)


def save_plot(report: dict, path: Path) -> None:
    figure, (ratios, chain) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [3, 2]})
    draw_ratios(ratios, report["rows"])
    draw_chain(chain, report["rows"])
    run = report["run"]
    figure.suptitle(f"{run['mode']} run, {run['date']}, {run['settings']['threads']} thread(s) per engine")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
