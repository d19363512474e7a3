"""One switch the profiler turns on: when `observer` is None, operations pay one
attribute read for it. The profiler (autograd.profiler) sets it while active."""
observer = None
