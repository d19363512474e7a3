"""Lesson 7's profiler helpers: steadier profiles, what they count, and how to show them.

Every function here takes profiles and profilers as arguments instead of importing an
engine, so the same call works in a ``%%twin`` cell on torch and on autograd_mini:

- ``best_of``/``fastest``: one profile's times move with whatever else the machine does;
  after a warm-up run, the fastest of a few runs is the one least disturbed;
- ``call_counts``, ``children_of``, ``backward_nodes``, ``calls_by_shape``: the parts of a
  profile that do not change from run to run, as dicts that ``%%twin`` can compare;
- ``show_tables``, ``plot_per_call``, ``timeline``, ``draw_timelines``: the tables next
  to each other, and the pictures (shown with plt.show(), as in plots.py).
"""

import json
from collections import Counter
from html import escape
from pathlib import Path

EVALUATE = "autograd::engine::evaluate_function: "


# --- steadier profiles --------------------------------------------------------------------

def fastest(profiles):
    """The profile whose events took the least time in all (the sum of their self times)."""
    return min(profiles, key=lambda prof: prof.self_cpu_time_total)


def best_of(profile, run, runs=10, warmup=1, **options):
    """Call ``run()`` ``warmup`` times unprofiled, then ``runs`` times inside
    ``profile(**options)``; return the fastest of those profiles.

    ``profile`` is the engine's ``autograd.profiler.profile``. The warm-up takes the
    one-time costs (first allocations, caches, lazy set-up) out of the profile."""
    for _ in range(warmup):
        run()
    profiles = []
    for _ in range(runs):
        with profile(**options) as prof:
            run()
        profiles.append(prof)
    return fastest(profiles)


# --- what does not change from run to run ----------------------------------------------

def call_counts(prof):
    """``{operation name: number of calls}``, sorted by name."""
    return dict(sorted((row.key, row.count) for row in prof.key_averages()))


def children_of(prof, label):
    """How many events of each name sit directly inside the events named ``label``."""
    return dict(sorted(Counter(event.name for event in prof.function_events
                               if event.cpu_parent is not None and event.cpu_parent.name == label).items()))


def backward_nodes(prof, label="backward"):
    """How often the engine evaluated each kind of node inside ``label``, AccumulateGrad aside
    (the engines record the writes into ``.grad`` differently)."""
    return {name: count for name, count in children_of(prof, label).items()
            if name.startswith(EVALUATE) and "AccumulateGrad" not in name}


def calls_by_shape(prof):
    """``{"operation [input shapes]": number of calls}`` (a profile made with record_shapes=True)."""
    return dict(sorted((f"{row.key} {row.input_shapes}", row.count)
                       for row in prof.key_averages(group_by_input_shape=True)))


# --- showing profiles ----------------------------------------------------------------------

def tables_html(profiles, group_by_input_shape=False, **table_options):
    """``{engine name: profile}`` -> HTML with their tables side by side (wrapping on a narrow screen)."""
    boxes = "".join(
        f"<div><b>{escape(name)}</b><pre style='font-size:11px'>"
        f"{escape(prof.key_averages(group_by_input_shape=group_by_input_shape).table(**table_options))}"
        "</pre></div>"
        for name, prof in profiles.items())
    return f"<div style='display:flex;gap:2em;flex-wrap:wrap'>{boxes}</div>"


def show_tables(profiles, group_by_input_shape=False, **table_options):
    """Display ``tables_html``; ``table_options`` go to ``table()`` (sort_by=..., row_limit=...)."""
    from IPython.display import HTML, display
    display(HTML(tables_html(profiles, group_by_input_shape, **table_options)))


def plot_per_call(sizes, per_call_us, op="aten::mul"):
    """Show a log-log plot of ``{engine name: [µs per call, one per size]}`` against the sizes."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for (name, times), marker in zip(per_call_us.items(), "os^v"):
        ax.loglog(sizes, times, marker=marker, label=name)
    ax.set(xlabel="elements per tensor", ylabel=f"µs per {op} (median)",
           title="Per-call overhead, then the arithmetic")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    plt.show()


def timeline(path):
    """``[(name, start µs, duration µs, depth)]`` for each operation or label in a Chrome trace,
    starts counted from the first event, depth being how many events enclose it."""
    events = [e for e in json.loads(Path(path).read_text())["traceEvents"]
              if e.get("ph") == "X" and e.get("cat") in ("cpu_op", "user_annotation")]
    if not events:
        return []
    # longest first at one start time: an event that encloses another begins with it
    events.sort(key=lambda e: (e["ts"], -e["dur"]))
    start, open_ends, bars = events[0]["ts"], [], []
    for e in events:
        while open_ends and e["ts"] >= open_ends[-1]:
            open_ends.pop()
        bars.append((e["name"], e["ts"] - start, e["dur"], len(open_ends)))
        open_ends.append(e["ts"] + e["dur"])
    return bars


COLOURS = {"div": "tab:blue", "mul": "tab:orange", "sum": "tab:green"}  # by the operation a bar belongs to


def bar_colour(label, depth):
    """Our own labels (depth 0) purple; otherwise by the operation named in the label."""
    if depth == 0:
        return "tab:purple"
    kind = next((k for k in COLOURS if k in label.lower()), None)
    return COLOURS.get(kind, "tab:grey")


def short_label(label):
    """``autograd::engine::evaluate_function: DivBackward0`` -> ``eval DivBw``; ``aten::mul`` -> ``mul``."""
    return label.replace(EVALUATE, "eval ").replace("Backward0", "Bw").replace("aten::", "")


def draw_timeline(ax, bars, title=""):
    """Draw ``timeline()``'s bars on ``ax``, one row per depth; label the bars wide enough for it.
    Returns the bars' rectangles, one per event."""
    span = max((start + duration for _, start, duration, _ in bars), default=0) or 1
    drawn = []
    for label, start, duration, depth in bars:
        drawn.append(ax.broken_barh([(start, duration)], (-depth - 0.9, 0.8),
                                    color=bar_colour(label, depth), alpha=0.8))
        short = short_label(label)
        if duration > 0.006 * span * len(short):
            ax.text(start + duration / 2, -depth - 0.5, short, ha="center", va="center",
                    fontsize=7, clip_on=True)
    ax.set(title=title, xlabel="µs since the first event", yticks=[])
    return drawn


def draw_timelines(traces, title="{name}"):
    """Show one timeline per ``{engine name: trace file}``, under each other."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(traces), 1, figsize=(12, 2.75 * len(traces)), squeeze=False)
    for ax, (name, path) in zip(axes[:, 0], traces.items()):
        draw_timeline(ax, timeline(path), title.format(name=name))
    fig.tight_layout()
    plt.show()
