"""memory: peak and retained memory of the mlp step, and whether backward freed the saved tensors.

After `loss.backward()` without retain_graph, an engine should hold nothing new but the leaves'
grads, even while `loss` (and so the graph) is still referenced: backward frees every tensor the
nodes saved. Two views of that:
- bytes: allocations traced since just before the step, less the bytes of the leaves' grads;
- the graph protocol: every `_saved_*` attribute that held a tensor before backward must raise
  RuntimeError after it (torch keeps non-tensor ones such as `_saved_alpha` readable).

NumPy allocations (so autograd_mini's and the hand-written version's) show in tracemalloc; torch's
do not, so torch gets the change in resident set size from /proc/self/status instead, which
includes whatever its allocator keeps cached.
"""

import gc
import tracemalloc
from functools import partial
from pathlib import Path

from benchmarks.cases import mlp
from benchmarks.engines import backward_afresh, constants, leaves, to_array

ROWS = [("memory", "mlp step: peak and retained memory, saved tensors freed", {})]


class TracemallocTracker:
    name = "tracemalloc"
    counts_bytes = True  # every allocation made through NumPy or Python, to the byte

    def start(self):
        tracemalloc.start()
        self.base = tracemalloc.get_traced_memory()[0]

    def current(self) -> int:
        return tracemalloc.get_traced_memory()[0] - self.base

    def peak(self) -> int:
        return tracemalloc.get_traced_memory()[1] - self.base


class RssTracker:
    """Resident set size; writing 5 to clear_refs resets the kernel's high-water mark (VmHWM)."""

    name = "rss"
    counts_bytes = False  # pages, some reused from what the allocator kept: no byte accounting

    def start(self):
        Path("/proc/self/clear_refs").write_text("5")
        self.base = self._status_kib("VmRSS")

    def current(self) -> int:
        return (self._status_kib("VmRSS") - self.base) * 1024

    def peak(self) -> int:
        return (self._status_kib("VmHWM") - self.base) * 1024

    @staticmethod
    def _status_kib(field: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"/proc/self/status has no {field}")


def graph_nodes(root) -> list:
    """Every node reachable from `root` through next_functions, once each (iteratively: graphs
    can be deeper than the recursion limit)."""
    found, stack = {}, [root]
    while stack:
        node = stack.pop()
        if node is not None and id(node) not in found:
            found[id(node)] = node
            stack.extend(next_node for next_node, _ in node.next_functions)
    return list(found.values())


def saved_tensors(root, tensor_type) -> list[tuple]:
    """(node, attribute name) of every `_saved_*` attribute holding a tensor."""
    return [
        (node, name)
        for node in graph_nodes(root)
        for name in dir(node)
        if name.startswith("_saved_") and isinstance(getattr(node, name), tensor_type)
    ]


def still_readable(node, name) -> bool:
    try:
        getattr(node, name)
    except RuntimeError:
        return False
    return True


def check_saved_freed(tb, loss_fn) -> dict:
    """One forward and backward that reads the graph's saved tensors before and after backward."""
    loss = loss_fn()
    saved = saved_tensors(loss.grad_fn, tb.Tensor)
    loss.backward()
    return {
        "saved_tensors": len(saved),
        "saved_not_freed": [
            f"{type(node).__name__}.{name}" for node, name in saved if still_readable(node, name)
        ],
    }


def measure(tracker, step, grads_of) -> dict:
    """Runs `step` (which returns what it keeps alive) under `tracker`, after one warm-up run."""
    step()  # lazy imports and first-call caches are not the step's memory
    gc.collect()
    tracker.start()
    kept = step()
    retained, peak = tracker.current(), tracker.peak()
    grad_bytes = sum(to_array(grad).nbytes for grad in grads_of(kept))
    return {
        "measured_by": tracker.name,
        "value": peak,
        "peak_bytes": peak,
        "retained_bytes": retained,
        "grad_bytes": grad_bytes,
        "retained_beyond_grads_bytes": retained - grad_bytes if tracker.counts_bytes else None,
    }


def run(engine, settings) -> dict:
    data, param_arrays = mlp.make_inputs()
    if engine.tb is None:

        def numpy_step():
            return mlp.numpy_loss_and_grads(*data, *param_arrays)

        return measure(TracemallocTracker(), numpy_step, lambda kept: kept[1])
    tb = engine.tb
    inputs, targets = constants(tb, data)
    params = leaves(tb, param_arrays)

    def loss_fn():
        return mlp.autograd_loss(inputs, targets, *params)

    # The step returns the loss, so the graph stays alive while measuring: backward alone must
    # have freed its buffers.
    step = partial(backward_afresh, loss_fn, params)
    tracker = RssTracker() if engine.name == "torch" else TracemallocTracker()
    result = measure(tracker, step, lambda kept: [param.grad for param in params])
    return result | check_saved_freed(tb, loss_fn)
