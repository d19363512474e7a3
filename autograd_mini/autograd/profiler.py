"""autograd.profiler: time every operation, forward and backward, as torch's profiler does.

    with autograd_mini.autograd.profiler.profile() as prof:
        for _ in range(1000):
            z = (z / x) * y
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))

While a `profile` is active it is the engine's observer (`_hooks.observer`): every
`Node.apply` and every backward node the engine runs is timed, as one event that
nests inside the events open at that moment. Nesting is what the table's two times
mean: "CPU total" is an event's whole duration, "Self CPU" that duration minus the
time of the events nested in it. A backward node is recorded as torch records it:
`autograd::engine::evaluate_function: MulBackward0`, with `MulBackward0` inside and
the operations its backward runs inside that. `record_function("label")` adds an
event of your own around a block.

The results have torch's shapes: `prof.function_events` is an `EventList` of
`FunctionEvent`, `key_averages()` groups them by name into `FunctionEventAvg` rows,
`table()` prints torch's columns and units, `export_chrome_trace(path)` writes a
JSON trace for chrome://tracing or https://ui.perfetto.dev.
"""
import functools
import json
import os
import sys
import threading
import time
import warnings

from .. import _hooks

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- times as torch prints them ---------------------------------------------------

def _format_time(time_us):
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_in_unit(time_us, unit):
    """`table(time_unit=...)`: all times in one unit ("s", "ms" or "us"), not each in its best."""
    scale = {"s": 1e6, "ms": 1e3, "us": 1.0}.get(unit)
    return _format_time(time_us) if scale is None else f"{time_us / scale:.3f}{unit}"


def _format_time_share(time_us, total_us):
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


class _Times:
    """What single events and averaged rows share: the average time and the times as text."""

    # The engine runs on the CPU only; torch's device times are zero here, kept so that
    # torch code sorting by them (sort_by="cuda_time_total") still runs.
    device_time = device_time_total = self_device_time_total = 0

    @property
    def cpu_time(self):
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    cpu_time_str = property(lambda self: _format_time(self.cpu_time))
    cpu_time_total_str = property(lambda self: _format_time(self.cpu_time_total))
    self_cpu_time_total_str = property(lambda self: _format_time(self.self_cpu_time_total))


class Interval:
    def __init__(self, start, end):
        self.start, self.end = start, end

    def elapsed_us(self):
        return self.end - self.start


class FunctionEvent(_Times):
    """One timed call. Times are microseconds since the profile started."""

    count = 1

    def __init__(self, id, name, input_shapes, stack, cpu_parent, thread, category):
        self.id = id
        self.name = name
        self.input_shapes = input_shapes
        self.stack = stack
        self.cpu_parent = cpu_parent
        self.cpu_children = []
        self.thread = thread
        self.category = category  # the trace's "cat": "cpu_op" or "user_annotation"
        self.time_range = None

    @property
    def key(self):
        return self.name

    @property
    def cpu_time_total(self):
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_str} "
                f"start_us={self.time_range.start} end_us={self.time_range.end} "
                f"cpu_children={[c.id for c in self.cpu_children]} thread={self.thread} "
                f"input_shapes={self.input_shapes}>")


class FunctionEventAvg(_Times):
    """Events with one key added up: a row of `key_averages()`."""

    def __init__(self):
        self.key = None
        self.count = 0
        self.cpu_time_total = 0
        self.self_cpu_time_total = 0
        self.input_shapes = None
        self.stack = None
        self.cpu_parent = None
        self.cpu_children = None

    def add(self, other):
        if self.key is None:
            self.key, self.input_shapes, self.stack = other.key, other.input_shapes, other.stack
            self.cpu_parent, self.cpu_children = other.cpu_parent, other.cpu_children
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.count += other.count
        return self

    __iadd__ = add

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
                f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes}>")


class EventList(list):
    """A list of events (or of averaged rows) with torch's summaries."""

    @property
    def self_cpu_time_total(self):
        return sum(event.self_cpu_time_total for event in self)

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0):
        rows = {}
        for event in self:
            key = (event.key,)
            if group_by_input_shapes:
                key += (str(event.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple(event.stack[:group_by_stack_n])
            rows.setdefault(key, FunctionEventAvg()).add(event)
        averages = EventList(rows.values())
        for row in averages:
            row.stack = row.stack[:group_by_stack_n]
            if not group_by_input_shapes:
                row.input_shapes = ""
        return averages

    def total_average(self):
        total = FunctionEventAvg()
        for event in self:
            total.add(event)
        total.key = "Total"
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False, time_unit=None):
        return _build_table(self, sort_by, row_limit, max_src_column_width, max_name_column_width,
                            max_shapes_column_width, header, top_level_events_only, time_unit)

    def __str__(self):
        return self.table()


def _build_table(events, sort_by, row_limit, max_src_column_width, max_name_column_width,
                 max_shapes_column_width, header, top_level_events_only, time_unit):
    """torch's profiler table (profiler_util._build_table), for the columns a CPU run has."""
    if len(events) == 0:
        return ""
    if sort_by is not None:
        attribute = sort_by.replace("cuda", "device")
        events = sorted(events, key=lambda event: getattr(event, attribute), reverse=True)

    columns = [("Name", _capped(max(len(e.key) for e in events) + 4, max_name_column_width), ">")]
    columns += [(title, 12, ">") for title in (
        "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls")]
    has_input_shapes = any(e.input_shapes is not None and len(e.input_shapes) > 0 for e in events)
    if has_input_shapes:
        shapes_width = _capped(max(len(str(e.input_shapes)) for e in events) + 4,
                               max_shapes_column_width)
        columns.append(("Input Shapes", shapes_width, ">"))
    stacks = [e.stack for e in events if e.stack]
    if stacks:
        src_width = _capped(max(len(entry) for stack in stacks for entry in stack) + 4,
                            max_src_column_width)
        columns.append(("Source Location", src_width, "<"))
    row_format = "".join("{: " + align + str(width) + "}  " for _, width, align in columns)
    separator = "".join("-" * width + "  " for _, width, _ in columns)
    line_length = sum(width + 2 for _, width, _ in columns) - 2

    total_us = sum(e.self_cpu_time_total for e in events)
    lines = []
    if header is not None:
        lines += ["=" * line_length, header]
    if top_level_events_only:
        lines += ["=" * line_length, "This report only display top-level ops statistics"]
    lines += [separator, row_format.format(*(title for title, _, _ in columns)), separator]
    shown = 0
    for event in events:
        if shown == row_limit:
            break
        if top_level_events_only and event.cpu_parent is not None:
            continue
        shown += 1
        name = event.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        row = [name,
               _format_time_share(event.self_cpu_time_total, total_us),
               _format_in_unit(event.self_cpu_time_total, time_unit),
               _format_time_share(event.cpu_time_total, total_us),
               _format_in_unit(event.cpu_time_total, time_unit),
               _format_in_unit(event.cpu_time, time_unit),
               event.count]
        if has_input_shapes:
            row.append(str(event.input_shapes)[:shapes_width])
        if stacks:
            row.append(_trim_path(event.stack[0], src_width) if event.stack else "")
        lines.append(row_format.format(*row))
        if stacks:
            blanks = [""] * (len(columns) - 1)
            lines += [row_format.format(*blanks, _trim_path(entry, src_width))
                      for entry in event.stack[1:]]
            lines.append(row_format.format(*blanks, ""))
    lines += [separator, f"Self CPU time total: {_format_in_unit(total_us, time_unit)}"]
    return "".join(line + "\n" for line in lines)


def _capped(width, cap):
    return width if cap is None else min(width, cap)


def _trim_path(path, width):
    if len(path) > width:
        path = "..." + path[len(path) - width + 3:]
    return path


# -- recording --------------------------------------------------------------------

class _Recorder:
    """The engine's observer while a profile runs: one event per call, nested as the calls are."""

    def __init__(self, record_shapes, with_stack):
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.events = []
        self.open = []  # events that have begun and not yet ended, innermost last
        self.thread = threading.get_native_id()
        self.t0 = time.perf_counter_ns()

    def begin(self, name, input_shapes, category="cpu_op"):
        parent = self.open[-1] if self.open else None
        event = FunctionEvent(len(self.events), name, input_shapes,
                              _user_stack() if self.with_stack else [], parent, self.thread,
                              category)
        if parent is not None:
            parent.cpu_children.append(event)
        self.events.append(event)
        self.open.append(event)
        # Read the clock last, so the bookkeeping above is not part of the event.
        event.time_range = Interval(self._now(), None)
        return event

    def end(self, event):
        event.time_range.end = self._now()
        self.open.pop()

    def _now(self):
        return (time.perf_counter_ns() - self.t0) / 1000

    def _shapes(self, tensors, attrs=()):
        """Input shapes as torch lists them: the tensors', then [] for each other argument."""
        if not self.record_shapes:
            return []
        return [list(t._data.shape) for t in tensors] + [[] for _ in attrs]

    # The two calls the engine makes (see _hooks.py).
    def record_forward(self, cls, inputs, attrs, apply_fn):
        event = self.begin(cls.aten or cls.__name__, self._shapes(inputs, attrs))
        try:
            return apply_fn(cls, inputs, attrs)
        finally:
            self.end(event)

    def record_backward(self, node, grad, run=None):
        """Time one node of the backward pass; `run(grad)` does its work (node.backward by
        default; the engine passes the accumulation for AccumulateGrad)."""
        name = node.name()
        outer = self.begin("autograd::engine::evaluate_function: " + name, [])
        inner = self.begin(name, self._shapes((grad,)))
        try:
            return (run or node.backward)(grad)
        finally:
            self.end(inner)
            self.end(outer)


def _user_stack():
    """Where the call came from: "file(line): function" for the frames outside autograd_mini."""
    stack = []
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            stack.append(f"{filename}({frame.f_lineno}): {frame.f_code.co_name}")
        frame = frame.f_back
    return stack


class profile:
    """Context manager: records every operation run inside the `with` block."""

    def __init__(self, enabled=True, *, use_cuda=False, record_shapes=False, with_stack=False):
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.function_events = None
        self._recorder = None
        if use_cuda:
            # What torch says when asked for CUDA timing on a machine without a GPU.
            warnings.warn("The attribute `use_cuda` will be deprecated soon, please use "
                          "``use_device = 'cuda'`` instead.", FutureWarning, stacklevel=2)
            warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=2)

    def __enter__(self):
        if not self.enabled:
            return self
        if _hooks.observer is not None:
            raise RuntimeError("The profiler is already running: autograd_mini's profiles "
                               "cannot be nested.")
        self._recorder = _Recorder(self.record_shapes, self.with_stack)
        _hooks.observer = self._recorder
        return self

    def __exit__(self, *exc):
        if self.enabled:
            _hooks.observer = None
            self.function_events = EventList(self._recorder.events)
        return False

    def _events(self):
        if self.function_events is None:
            raise RuntimeError("The profiler has no results: read them after the "
                               "`with profile() as prof:` block has ended.")
        return self.function_events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        return self._events().key_averages(group_by_input_shape, group_by_stack_n)

    def total_average(self):
        return self._events().total_average()

    @property
    def self_cpu_time_total(self):
        return self._events().self_cpu_time_total

    def table(self, *args, **kwargs):
        return self._events().table(*args, **kwargs)

    def __str__(self):
        return str(self._events())

    def export_chrome_trace(self, path):
        """Write the events in the Trace Event Format (a JSON object with "traceEvents").

        Each event is a complete event ("ph": "X") with its start and duration in
        microseconds; events of one thread nest by time, which the viewers draw as
        a flame graph."""
        pid = os.getpid()
        trace = [{"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
                  "args": {"name": "python"}}]
        trace += [{"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                   "args": {"name": f"thread {tid} (python)"}}
                  for tid in sorted({event.thread for event in self._events()})]
        for event in self._events():
            args = {}
            if event.input_shapes:
                args["Input Dims"] = event.input_shapes
            if event.stack:
                args["Call stack"] = ";".join(event.stack)
            start, end = event.time_range.start, event.time_range.end
            trace.append({"ph": "X", "cat": event.category, "name": event.name, "pid": pid,
                          "tid": event.thread, "ts": round(start, 3),
                          "dur": round(end - start, 3), "args": args})
        with open(path, "w") as f:
            json.dump({"traceEvents": trace, "displayTimeUnit": "ms"}, f)


class record_function:
    """Label a block (`with record_function("name"):`) or a function (`@record_function("name")`).

    Outside a profile it does nothing."""

    def __init__(self, name):
        self.name = name
        self._event = None

    def __enter__(self):
        recorder = _hooks.observer
        if isinstance(recorder, _Recorder):
            self._recorder = recorder
            self._event = recorder.begin(self.name, [], category="user_annotation")
        return self

    def __exit__(self, *exc):
        if self._event is not None:
            self._recorder.end(self._event)
            self._event = None
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            # A fresh range per call, so that recursive calls nest correctly.
            with record_function(self.name):
                return func(*args, **kwargs)
        return wrapper
