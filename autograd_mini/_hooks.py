"""Two switches that cost one attribute read each while they are off (None).

`observer`: the profiler (autograd.profiler) sets it while active, and every
operation and backward node is then timed through it.
`anomaly`: anomaly mode (autograd.anomaly_mode) sets it while on; each recorded
op then keeps the stack of its forward call, and backward checks for NaN."""
observer = None
anomaly = None
