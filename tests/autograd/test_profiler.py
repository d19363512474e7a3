"""autograd.profiler: what is recorded, how events nest, the table, the Chrome trace.

Timings differ from run to run, so the tests check structure: names and call counts
(against torch's for the same program), nesting (a child's time range inside its
parent's, self time = total time minus the children's), and the formats.
"""
import json
import warnings

import pytest
import torch
from torch.autograd import profiler_util

import autograd_mini
from autograd_mini import _hooks
from autograd_mini.autograd import profiler
from _autograd_compare import table_rows


def _loop_and_backward(lib, steps=5):
    x = lib.tensor([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]], requires_grad=True)
    y = lib.tensor([[1.5, 0.5, -1.0], [2.0, -0.5, 0.75]], requires_grad=True)
    z = lib.ones(2, 3, requires_grad=True)
    for _ in range(steps):
        z = (z / x) * y
    z.sum().backward()


def _labelled(lib):
    x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    with lib.autograd.profiler.record_function("outer"):
        a = x * 2
        with lib.autograd.profiler.record_function("inner"):
            b = (a / 3).sum()
    b.backward()


def _rows(prof):
    return {row.key: row.count for row in prof.key_averages()}


def _events(program):
    with profiler.profile() as prof:
        program(autograd_mini)
    return prof.function_events


def _events_inside(event):
    """All events recorded inside `event`, at any depth."""
    return [e for child in event.cpu_children for e in [child, *_events_inside(child)]]


def test_backward_nodes_are_recorded_as_torch_records_them():
    """Each backward node is `autograd::engine::evaluate_function: <Node>` around `<Node>`,
    with the node's own operations inside. (torch also shows AccumulateGrad and its
    internal copies, which this engine does not run as nodes.)"""
    counts = {}
    for lib in (autograd_mini, torch):
        with lib.autograd.profiler.profile() as prof:
            _loop_and_backward(lib)
        counts[lib] = {k: n for k, n in _rows(prof).items() if "Backward" in k}
    assert counts[autograd_mini] == counts[torch]
    assert counts[torch]["DivBackward0"] == 5

    for event in _events(_loop_and_backward):
        if event.name.endswith("Backward0") and not event.name.startswith("autograd::"):
            assert event.cpu_parent.name == "autograd::engine::evaluate_function: " + event.name
            # what a backward computes is made of operations, recorded inside it
            assert event.cpu_children
            assert all(child.name.startswith("aten::") for child in event.cpu_children)


def test_children_nest_in_time():
    events = _events(_loop_and_backward) + _events(_labelled)
    assert any(e.cpu_children for e in events)
    for event in events:
        for child in event.cpu_children:
            assert child.cpu_parent is event
            assert event.time_range.start <= child.time_range.start
            assert child.time_range.end <= event.time_range.end


def test_record_function_labels_a_block_including_what_runs_inside():
    events = _events(_labelled)
    outer, inner = (next(e for e in events if e.name == name) for name in ("outer", "inner"))
    assert inner.cpu_parent is outer
    assert [e.name for e in _events_inside(inner)] == ["aten::div", "aten::sum"]
    assert [e.name for e in _events_inside(outer)] == [
        "aten::mul", "inner", "aten::div", "aten::sum"]
    # the backward ran after the labelled block: nothing of it is inside
    assert all(e.cpu_parent is None for e in events if e.name.startswith("autograd::"))
    # a label's total time covers its direct children's (the backward's own aten::mul
    # is outside it, so the key averages, which sum both muls, are not the measure)
    assert outer.cpu_time_total >= sum(c.cpu_time_total for c in outer.cpu_children)
    assert outer.self_cpu_time_total == pytest.approx(
        outer.cpu_time_total - sum(c.cpu_time_total for c in outer.cpu_children))


def test_record_function_as_decorator_nests_each_call():
    @profiler.record_function("scaled")
    def scaled(t):
        return t * 3

    with profiler.profile() as prof:
        scaled(scaled(autograd_mini.ones(2)))
    labels = [e for e in prof.function_events if e.name == "scaled"]
    assert len(labels) == 2
    assert all([c.name for c in label.cpu_children] == ["aten::mul"] for label in labels)


def test_record_function_outside_a_profile_does_nothing():
    with profiler.record_function("alone"):
        y = autograd_mini.ones(2) * 2
    assert y.tolist() == [2.0, 2.0]
    assert _hooks.observer is None


def test_input_shapes_grouping_as_torch():
    tables = {}
    for lib in (autograd_mini, torch):
        x = lib.ones(2, 3, requires_grad=True)
        with lib.autograd.profiler.profile(record_shapes=True) as prof:
            for _ in range(4):
                x = x * 2.0 + lib.ones(3)
        tables[lib] = table_rows(prof.key_averages(group_by_input_shape=True).table())
    wanted = {"aten::mul", "aten::add"}
    assert {k: v for k, v in tables[autograd_mini].items() if k in wanted} == \
        {k: v for k, v in tables[torch].items() if k in wanted} == {
            "aten::mul": (4, "[[2, 3], []]"), "aten::add": (4, "[[2, 3], [3], []]")}


def test_table_options():
    with profiler.profile() as prof:
        _labelled(autograd_mini)
    averages = prof.key_averages()
    by_total = averages.table(sort_by="cpu_time_total", row_limit=2)
    top_two = sorted(averages, key=lambda row: row.cpu_time_total, reverse=True)[:2]
    assert list(table_rows(by_total)) == [row.key for row in top_two]
    top_level = table_rows(averages.table(top_level_events_only=True))
    assert "outer" in top_level and "inner" not in top_level
    assert "Source Location" not in averages.table()


def test_time_formats_as_torch():
    for time_us in (0.0, 3.5024, 999.9994, 1000.0, 4000.0, 123456.789, 1e6, 7.5e7):
        assert profiler._format_time(time_us) == profiler_util._format_time(time_us)


def test_totals():
    with profiler.profile() as prof:
        _loop_and_backward(autograd_mini)
    events = prof.function_events
    total = prof.total_average()
    assert total.key == "Total"
    assert total.count == len(events)
    assert prof.self_cpu_time_total == pytest.approx(sum(e.self_cpu_time_total for e in events))
    assert total.self_cpu_time_total == pytest.approx(prof.self_cpu_time_total)
    total_line = f"Self CPU time total: {profiler._format_time(prof.self_cpu_time_total)}"
    assert str(prof).splitlines()[-1] == total_line


def test_with_stack_shows_where_operations_were_called():
    with profiler.profile(with_stack=True) as prof:
        autograd_mini.ones(2) * 2
    (event,) = prof.function_events
    assert "test_profiler.py" in event.stack[0]
    assert "Source Location" in prof.key_averages(group_by_stack_n=1).table()


def test_custom_function_rows_as_torch():
    rows = {}
    for lib in (autograd_mini, torch):
        class Twice(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        x = lib.ones(3, requires_grad=True)
        with lib.autograd.profiler.profile() as prof:
            Twice.apply(x).sum().backward()
        rows[lib] = {k: n for k, n in _rows(prof).items() if "Twice" in k or k == "aten::mul"}
    assert rows[autograd_mini] == rows[torch] == {
        "Twice": 1, "aten::mul": 2, "TwiceBackward": 1,
        "autograd::engine::evaluate_function: TwiceBackward": 1}


def test_chrome_trace(tmp_path):
    path = tmp_path / "trace.json"
    with profiler.profile(record_shapes=True) as prof:
        _labelled(autograd_mini)
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    complete = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert len(complete) == len(prof.function_events)
    for event in complete:
        assert {"name", "cat", "ts", "dur", "pid", "tid", "args"} <= event.keys()
        assert event["ts"] >= 0 and event["dur"] >= 0
    names = {e["name"] for e in trace["traceEvents"] if e["ph"] == "M"}
    assert {"process_name", "thread_name"} <= names

    def span(event):  # in nanoseconds, to compare without rounding noise
        return round(event["ts"] * 1000), round((event["ts"] + event["dur"]) * 1000)

    outer = next(e for e in complete if e["name"] == "outer")
    inside = [e["name"] for e in complete if e is not outer and e["tid"] == outer["tid"]
              and span(outer)[0] <= span(e)[0] and span(e)[1] <= span(outer)[1]]
    assert inside == ["aten::mul", "inner", "aten::div", "aten::sum"]
    assert outer["cat"] == "user_annotation"
    division = next(e for e in complete if e["name"] == "aten::div")
    assert division["args"] == {"Input Dims": [[1, 3], []]}


def test_off_after_the_block_even_after_an_error():
    with pytest.raises(ZeroDivisionError):
        with profiler.profile():
            1 / 0
    assert _hooks.observer is None


def test_disabled_profile_records_nothing():
    with profiler.profile(enabled=False) as prof:
        assert _hooks.observer is None
        autograd_mini.ones(2) * 2
    assert prof.function_events is None


def test_profiles_do_not_nest():
    with profiler.profile():
        with pytest.raises(RuntimeError, match="already running"):
            with profiler.profile():
                pass


def test_use_cuda_warns_as_torch_on_a_machine_without_cuda():
    caught = {}
    for lib in (autograd_mini, torch):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            with lib.autograd.profiler.profile(use_cuda=True):
                pass
        caught[lib] = [(w.category, str(w.message)) for w in records]
    assert caught[autograd_mini] == caught[torch] != []
