"""autograd_course.profile_view: the fastest of several profiles, what a profile counts, the timeline."""
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import autograd_mini  # noqa: E402
from autograd_course import profile_view  # noqa: E402


class FakeProfile:
    """A profiler whose total self time is set by the test, and that remembers its options."""

    def __init__(self, total, **options):
        self.self_cpu_time_total = total
        self.options = options

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fastest_is_the_profile_with_the_least_self_time():
    profiles = [FakeProfile(30.0), FakeProfile(12.5), FakeProfile(40.0)]
    assert profile_view.fastest(profiles) is profiles[1]


def test_best_of_warms_up_unprofiled_then_keeps_the_fastest_run():
    totals = iter([9.0, 4.0, 7.0])
    made, calls = [], []

    def profile(**options):
        made.append(FakeProfile(next(totals), **options))
        return made[-1]

    def run():
        calls.append(len(made))  # how many profiles existed when run() was called

    best = profile_view.best_of(profile, run, runs=3, warmup=2, record_shapes=True)
    assert calls == [0, 0, 1, 2, 3]  # two runs before any profile, then one run in each
    assert best is made[1]
    assert all(prof.options == {"record_shapes": True} for prof in made)


@pytest.mark.parametrize("engine", [torch, autograd_mini], ids=["torch", "autograd_mini"])
def test_the_counts_are_read_from_either_engines_profile(engine):
    a = engine.ones(2, 3, requires_grad=True)
    big = engine.ones(4, 4)
    with engine.autograd.profiler.profile(record_shapes=True) as prof:
        with engine.autograd.profiler.record_function("forward"):
            loss = (a * a * 2).sum()
        with engine.autograd.profiler.record_function("backward"):
            loss.backward()
        big * big
    # forward 2, big 1, backward 3: *2's node multiplies its grad by 2, a*a's by a for each input
    assert profile_view.call_counts(prof)["aten::mul"] == 2 + 1 + 3
    assert profile_view.children_of(prof, "MulBackward0") == {"aten::mul": 3}
    assert profile_view.children_of(prof, "forward") == {"aten::mul": 2, "aten::sum": 1}
    assert profile_view.backward_nodes(prof) == {
        "autograd::engine::evaluate_function: MulBackward0": 2,
        "autograd::engine::evaluate_function: SumBackward0": 1,
    }
    assert profile_view.calls_by_shape(prof)["aten::mul [[4, 4], [4, 4]]"] == 1


def test_tables_html_puts_each_engines_table_under_its_name():
    with torch.autograd.profiler.profile() as prof:
        torch.ones(2) * 3
    html = profile_view.tables_html({"torch <1>": prof, "other": prof}, sort_by="cpu_time_total")
    assert html.count("<pre") == 2
    assert "<b>torch &lt;1&gt;</b>" in html and "<b>other</b>" in html
    assert html.count("aten::mul") == 2


def write_trace(tmp_path, events):
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"traceEvents": events}))
    return path


def event(name, ts, dur, cat="cpu_op"):
    return {"ph": "X", "cat": cat, "name": name, "ts": ts, "dur": dur}


def test_timeline_gives_each_event_its_start_and_nesting_depth(tmp_path):
    path = write_trace(tmp_path, [
        {"ph": "M", "name": "process_name", "args": {"name": "python"}},  # metadata: not a bar
        event("aten::mul", 120, 10),
        event("forward", 100, 50, cat="user_annotation"),
        event("aten::add", 100, 5),  # starts with "forward", inside it
        event("aten::mul", 140, 5),
        event("flow", 140, 1, cat="ac2g"),  # torch's arrows: not a bar
        event("aten::div", 160, 5),  # after "forward" has ended
    ])
    assert profile_view.timeline(path) == [
        ("forward", 0, 50, 0), ("aten::add", 0, 5, 1), ("aten::mul", 20, 10, 1),
        ("aten::mul", 40, 5, 1), ("aten::div", 60, 5, 0),
    ]


def test_draw_timeline_draws_one_bar_per_event_and_labels_the_wide_ones():
    bars = [("forward", 0, 100, 0), ("aten::div", 0, 60, 1), ("aten::mul", 60, 1, 1)]
    fig, ax = plt.subplots()
    drawn = profile_view.draw_timeline(ax, bars, "title")
    assert len(drawn) == len(ax.collections) == 3
    corners = drawn[1].get_paths()[0].vertices
    assert (corners[:, 0].min(), corners[:, 0].max()) == (0, 60)
    assert (corners[:, 1].min(), corners[:, 1].max()) == pytest.approx((-1.9, -1.1))  # the second row
    assert [text.get_text() for text in ax.texts] == ["forward", "div"]  # "mul" is too narrow for its text
    assert matplotlib.colors.to_hex(drawn[1].get_facecolor()[0]) == matplotlib.colors.to_hex("tab:blue")
    plt.close(fig)


def test_draw_timelines_draws_each_engines_trace(tmp_path):
    traces = {}
    for engine in (torch, autograd_mini):
        x = engine.ones(3, requires_grad=True)
        with engine.autograd.profiler.profile() as prof:
            (x * 2).sum().backward()
        traces[engine.__name__] = tmp_path / f"{engine.__name__}.json"
        prof.export_chrome_trace(str(traces[engine.__name__]))
    profile_view.draw_timelines(traces, title="{name} steps")
    axes = plt.gcf().axes  # plt.show() does nothing under Agg: the figure stays current
    assert [ax.get_title() for ax in axes] == ["torch steps", "autograd_mini steps"]
    for ax, path in zip(axes, traces.values()):
        assert len(ax.collections) == len(profile_view.timeline(path)) > 0
    plt.close(plt.gcf())
