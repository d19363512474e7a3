"""What recording the graph costs: the memory it keeps alive, and time.

`retained_bytes(fn, engine)` runs `fn()` and returns how many bytes the
allocations made during the call still hold when it returns, while its result
is alive: the result plus, when autograd recorded a graph, every tensor the
graph saved for backward. Each engine is measured by the tool that sees its
allocations: autograd_mini's arrays are NumPy arrays, which `tracemalloc` traces
(it also counts the small Python objects, nodes and tensor wrappers); torch
allocates outside Python's allocator, so its own profiler counts its bytes
(`profile_memory=True`).
"""

import gc
import statistics
import timeit
import tracemalloc


def retained_bytes(fn, engine):
    """Bytes still held, after `fn()` returns, by what `fn` allocated (its result kept alive).

    ``engine`` is the module `fn` computes with: ``torch`` or ``autograd_mini``.
    """
    gc.collect()  # garbage from earlier cells would be freed during the call and count as negative
    if engine.__name__ == "torch":
        return _torch_retained(fn, engine)
    already_tracing = tracemalloc.is_tracing()  # the caller's own tracing is left running
    if not already_tracing:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = fn()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        if not already_tracing:
            tracemalloc.stop()
    del result
    return after - before


def _torch_retained(fn, torch):
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        result = fn()
    del result
    # Each op's self memory is what it allocated minus what it freed; the profiler adds
    # "[memory]" events for frees outside any op. Their sum is what is still allocated.
    return sum(event.self_cpu_memory_usage for event in prof.key_averages())


def median_seconds(fn, repeats=20):
    """The median wall time of `fn()` over ``repeats`` runs, after one warm-up run."""
    fn()
    return statistics.median(timeit.repeat(fn, number=1, repeat=repeats))
