"""Switches that cost one attribute read each while they are off (None).

`observer`: the profiler (autograd.profiler) sets it while active, and every
operation and backward node is then timed through it.
`anomaly`: anomaly mode (autograd.anomaly_mode) sets it while on; each recorded
op then keeps the stack of its forward call, and backward checks for NaN.
`saved_tensors`: (pack, unpack) of the innermost saved_tensors_hooks context
(saved_hooks.py); `saved_hooks_disabled`: the message for entering one, if not allowed."""
observer = None
anomaly = None
saved_tensors = None
saved_hooks_disabled = None
