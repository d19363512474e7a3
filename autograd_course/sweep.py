"""Lesson 10's measurements: what recording the graph costs, in time and memory, as a network grows.

The network is the benchmarks' `mlp` case made deeper: ``depth`` hidden layers
``Linear(width, width)`` + ``ReLU``, then ``Linear(width, 10)``, and the mean squared error
against random targets. Each point of a sweep builds it at one depth and batch size and measures
six ways of running it (`MODES`):

- on torch: the forward pass and loss with the graph recorded, under ``no_grad()``, under
  ``inference_mode()``, and a training step (forward, loss, ``backward()``);
- on NumPy: the same training step on autograd_mini, and written by hand without any autograd
  (`hand_loss_and_grads`, the benchmarks' hand-written `mlp` gradient for any depth).

Time: every mode of one engine runs once per round, in turns, after one warm-up run each, and
a mode's time is its fastest run (`best_times`: at least ``repeats`` rounds). Taking turns
matters on a shared machine whose speed drifts: modes compared with each other met the same
machine. torch and NumPy's OpenBLAS run on one thread each (`one_thread`). Times of torch and of
NumPy are not compared with each other: they use different matrix-product libraries.

Memory: the peak of the bytes allocated during one run, above what was allocated when it started
(one run after the warm-up; the bytes do not vary from run to run). Each engine is measured by
the tool that sees its allocations: for NumPy (autograd_mini and the hand-written version)
`tracemalloc`, which traces every array and Python object; for torch, whose tensors Python's
allocator does not see, torch's profiler with ``profile_memory=True``, which records each
allocation and free of torch's CPU allocator: their running sum in time order, at its highest.
"""
import ctypes
import gc
import os
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("KINETO_LOG_LEVEL", "6")  # the profiler's start/stop lines stay out of the notebook

import torch  # noqa: E402

import autograd_mini  # noqa: E402

N_OUT = 10
TORCH_MODES = ("recorded", "no_grad", "inference_mode", "autograd step")
NUMPY_MODES = ("autograd_mini step", "hand-written step")
MODES = TORCH_MODES + NUMPY_MODES
FORWARD_MODES = TORCH_MODES[:3]  # forward pass and loss only


# --- the network -------------------------------------------------------------------------

def make_model(engine, depth, width):
    """``depth`` times Linear(width, width) + ReLU, then Linear(width, 10); engine: torch or autograd_mini."""
    nn = engine.nn
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, N_OUT))


def make_data(batch, width, seed=0):
    """Inputs (batch, width) and targets (batch, 10) as float32 NumPy arrays."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((batch, width)).astype(np.float32),
            rng.standard_normal((batch, N_OUT)).astype(np.float32))


def hand_layers(model):
    """The model's [(W, b), ...] as NumPy arrays in the benchmarks' layout: W is (in, out).

    nn.Linear keeps its weight as (out, in) and computes x @ weight.T.
    """
    linears = [layer for layer in model if hasattr(layer, "weight")]
    return [(np.ascontiguousarray(layer.weight.detach().numpy().T), layer.bias.detach().numpy().copy())
            for layer in linears]


def hand_loss_and_grads(inputs, targets, layers):
    """Forward, loss and every gradient by hand, no autograd: `benchmarks/cases/mlp.py`'s
    `numpy_loss_and_grads`, for any number of hidden layers. ``layers`` is [(W, b), ...].

    Returns (loss, [(dW, db), ...]). The backward pass needs every hidden layer's output, so the
    forward keeps them all: the same memory autograd's graph keeps.
    """
    hiddens = [inputs]
    for weight, bias in layers[:-1]:
        hidden = hiddens[-1] @ weight
        hidden += bias
        np.maximum(hidden, 0, out=hidden)
        hiddens.append(hidden)
    weight, bias = layers[-1]
    error = hiddens[-1] @ weight
    error += bias
    error -= targets
    loss = np.mean(error**2)

    grads = []
    grad_out = error * (2 / error.size)  # d loss / d output of the layer below
    for (weight, _), hidden in zip(reversed(layers), reversed(hiddens)):
        grads.append((hidden.T @ grad_out, grad_out.sum(axis=0)))
        if hidden is inputs:
            break
        grad_out = grad_out @ weight.T
        grad_out *= hidden > 0  # relu passes the gradient where its output is positive
    return loss, grads[::-1]


# --- one point: the six runs -------------------------------------------------------------

def _forward(model, inputs, targets, loss_fn):
    return lambda: loss_fn(model(inputs), targets)


def _under(mode, forward):
    def run():
        with mode():
            return forward()
    return run


def _step(model, forward):
    parameters = list(model.parameters())

    def step():
        loss = forward()
        loss.backward()
        grads = [parameter.grad for parameter in parameters]
        for parameter in parameters:
            # Handed back, not accumulated into: every run does the same work as the hand-written
            # one, which makes fresh gradient arrays. (And torch's profiler then never sees a free
            # of a gradient made before it started.)
            parameter.grad = None
        return loss, grads
    return step


def runs(depth, batch, width, seed=0):
    """The six modes at one point, as ``{mode: function}``; each returns what it computed.

    All six start from the same weights: torch's nn.Linear initialisation (seeded), copied
    into autograd_mini's model and into the hand-written version's arrays.
    """
    inputs, targets = make_data(batch, width, seed)
    torch.manual_seed(seed)
    model = make_model(torch, depth, width)
    mini_model = make_model(autograd_mini, depth, width)
    mini_model.load_state_dict({name: autograd_mini.tensor(value.numpy())
                                for name, value in model.state_dict().items()})
    layers = hand_layers(model)
    forward = _forward(model, torch.from_numpy(inputs), torch.from_numpy(targets), torch.nn.MSELoss())
    mini_forward = _forward(mini_model, autograd_mini.tensor(inputs), autograd_mini.tensor(targets),
                            autograd_mini.nn.MSELoss())
    return {
        "recorded": forward,
        "no_grad": _under(torch.no_grad, forward),
        "inference_mode": _under(torch.inference_mode, forward),
        "autograd step": _step(model, forward),
        "autograd_mini step": _step(mini_model, mini_forward),
        "hand-written step": lambda: hand_loss_and_grads(inputs, targets, layers),
    }


def best_times(functions, repeats=3, most=7, budget_s=0.15):
    """``{name: seconds}``, the fastest run of each, after one warm-up run each.

    The runs take turns (one of each function per round), so that functions compared with each
    other meet the same machine, whose speed drifts when others share it. At least ``repeats``
    rounds, and more, up to ``most``, while the rounds so far took less than ``budget_s``: small
    networks get more chances at a quiet moment for the same time.
    """
    for function in functions.values():
        function()
    best = dict.fromkeys(functions, float("inf"))
    gc.collect()
    gc.disable()  # as timeit does: no run pays for collecting garbage (a collection takes longer than a small run)
    try:
        began = time.perf_counter()
        for done in range(most):
            if done >= repeats and time.perf_counter() - began > budget_s:
                break
            for name, function in functions.items():
                start = time.perf_counter()
                result = function()
                best[name] = min(best[name], time.perf_counter() - start)
                del result
    finally:
        gc.enable()
    return best


def numpy_peaks(functions):
    """``{name: bytes}``: the peak tracemalloc saw during one run of each, above its level at the start."""
    peaks = {}
    gc.collect()  # once: a collection takes longer than a small run
    for name, function in functions.items():
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            result = function()
            peaks[name] = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
        del result
    return peaks


def torch_peaks(functions):
    """``{name: bytes}``: the peak of torch's CPU allocations during one run of each, above the start.

    One profiler session for all (starting one takes longer than the runs): each run is a
    ``record_function`` range, and its peak is the highest running sum of the allocations (+)
    and frees (-) the profiler recorded inside that range, in time order.
    """
    from torch.profiler import ProfilerActivity, profile, record_function

    gc.collect()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        for name, function in functions.items():
            with record_function(name):
                result = function()
            del result
    events = list(prof.profiler.kineto_results.events())
    changes = sorted((event.start_ns(), event.nbytes()) for event in events if event.name() == "[memory]")
    peaks = {}
    for event in events:
        if event.name() in functions:
            level = peak = 0
            for moment, change in changes:
                if event.start_ns() <= moment <= event.end_ns():
                    level += change
                    peak = max(peak, level)
            peaks[event.name()] = peak
    return peaks


@contextmanager
def one_thread():
    """torch and NumPy's BLAS on one thread each while measuring (restored afterwards).

    With several threads on a machine that others share, a matrix product waits for its slowest
    thread, and single runs took ten times longer than the rest.
    """
    threads = torch.get_num_threads()
    blas = _numpy_blas()
    blas_threads = blas.get_threads() if blas else None
    torch.set_num_threads(1)
    if blas:
        blas.set_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        if blas:
            blas.set_threads(blas_threads)


_BLAS_THREADS = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),  # NumPy's wheels
                 ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                 ("openblas_get_num_threads", "openblas_set_num_threads"))  # conda-forge, Debian


class _Blas:
    def __init__(self, library, get, set):
        self.get_threads, self.set_threads = getattr(library, get), getattr(library, set)


def _numpy_blas():
    """The OpenBLAS NumPy loaded, with its thread count getter and setter, or None (another BLAS:
    its threads are left alone). Found as threadpoolctl finds it: among the loaded libraries."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:  # not Linux
        return None
    paths = sorted({line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower()})
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get, set_ in _BLAS_THREADS:
            if hasattr(library, get) and hasattr(library, set_):
                return _Blas(library, get, set_)
    return None


def measure_point(depth, batch, width, repeats=3, budget_s=0.15, seed=0):
    """``(seconds, bytes)``, each ``{mode: value}``, at one depth and batch size (see `best_times`)."""
    functions = runs(depth, batch, width, seed)
    on_torch = {mode: functions[mode] for mode in TORCH_MODES}
    on_numpy = {mode: functions[mode] for mode in NUMPY_MODES}
    with one_thread():
        seconds = best_times(on_torch, repeats, budget_s=budget_s) | best_times(on_numpy, repeats, budget_s=budget_s)
    return seconds, torch_peaks(on_torch) | numpy_peaks(on_numpy)


# --- the sweeps ----------------------------------------------------------------------------

@dataclass
class Sweep:
    """One axis swept (``"depth"`` or ``"batch"``) while the other stays fixed."""

    axis: str
    values: list
    fixed: int  # the batch size of a depth sweep, the depth of a batch sweep
    width: int = 128
    seconds: dict = field(default_factory=dict)  # mode -> [seconds at each value]
    memory: dict = field(default_factory=dict)   # mode -> [peak bytes at each value]

    def point(self, value):
        """``(depth, batch)`` at one of ``values``."""
        return (value, self.fixed) if self.axis == "depth" else (self.fixed, value)

    def activation_bytes(self):
        """The bytes of all hidden layers' float32 outputs, at each value: what a backward pass needs."""
        return [depth * batch * self.width * 4 for depth, batch in map(self.point, self.values)]


def sweep(axis, values, fixed, width=128, repeats=3, budget_s=0.15):
    """Every mode measured at each of ``values`` of ``axis`` ("depth" or "batch"); the other is ``fixed``."""
    if axis not in ("depth", "batch"):
        raise ValueError(f"axis is 'depth' or 'batch', not {axis!r}")
    result = Sweep(axis, list(values), fixed, width)
    for value in result.values:
        seconds, memory = measure_point(*result.point(value), width, repeats, budget_s)
        for mode in MODES:
            result.seconds.setdefault(mode, []).append(seconds[mode])
            result.memory.setdefault(mode, []).append(memory[mode])
    return result


def lesson_sweeps(repeats=3):
    """Lesson 10's two sweeps, width 128: depth 1 to 16 at batch 512; batch 16 to 8192 at depth 8.

    At the largest point the hidden layers' outputs are 32 MiB. Both sweeps together took 10 to
    16 s on this course's 2-core CI machine, and 22 to 28 s with torch and OpenBLAS held to older
    kernels (the second CPU setting the notebooks are checked under).
    """
    return [sweep("depth", [1, 2, 4, 8, 16], fixed=512, repeats=repeats),
            sweep("batch", [16, 128, 1024, 8192], fixed=8, repeats=repeats)]


# --- what the sweeps show --------------------------------------------------------------------

STYLE = {  # mode -> (colour, line style, label)
    "recorded": ("tab:red", "-", "forward, recorded"),
    "no_grad": ("tab:green", "-", "forward, no_grad()"),
    "inference_mode": ("tab:olive", "--", "forward, inference_mode()"),
    "autograd step": ("tab:purple", "-", "forward + backward (autograd)"),
    "autograd_mini step": ("tab:blue", "-", "forward + backward (autograd_mini)"),
    "hand-written step": ("black", ":", "forward + backward by hand (NumPy)"),
}


def plot(sweeps):
    """One row per sweep: torch's times, NumPy's times (autograd_mini against by hand), and memory."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullLocator

    plain = FuncFormatter(lambda value, _: f"{value:g}")
    two_and_five = FuncFormatter(
        lambda value, _: f"{value:g}" if f"{value:.0e}"[0] in "25" else "")  # between the powers of ten

    fig, axes = plt.subplots(len(sweeps), 3, figsize=(15, 4.2 * len(sweeps)), squeeze=False)
    for row, result in zip(axes, sweeps):
        fixed = f"batch {result.fixed}" if result.axis == "depth" else f"depth {result.fixed}"
        xlabel = ("depth (hidden layers)" if result.axis == "depth" else "batch size") + f", {fixed}"
        panels = ((TORCH_MODES, result.seconds, 1e3, "ms (best of the runs)", "Time on torch"),
                  (NUMPY_MODES, result.seconds, 1e3, "ms (best of the runs)", "Time on NumPy"),
                  (MODES, result.memory, 2**-20, "MiB (peak during one run)", "Memory"))
        for ax, (modes, values, scale, ylabel, title) in zip(row, panels):
            for mode in modes:
                colour, style, label = STYLE[mode]
                ax.plot(result.values, [value * scale for value in values[mode]], style, color=colour,
                        marker="o", markersize=4, label=label)
            if values is result.memory:
                ax.plot(result.values, [b * scale for b in result.activation_bytes()], color="grey", lw=5,
                        alpha=0.3, label="all hidden layers' outputs")
            ax.set(xscale="log", yscale="log", xlabel=xlabel, ylabel=ylabel, title=f"{title}, by {result.axis}")
            ax.set_xticks(result.values, [str(v) for v in result.values])
            ax.xaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_major_formatter(plain)  # 0.5, 2, 30 rather than 5 x 10^-1
            ax.yaxis.set_minor_formatter(two_and_five)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    fig.tight_layout()
    plt.show()


def memory_facts(sweeps):
    """What the bytes show, as ``{fact: bool}`` (bytes, unlike times, do not change from run to run)."""
    depth = next(result for result in sweeps if result.axis == "depth")
    everywhere = [(result, index) for result in sweeps for index in range(len(result.values))]

    largest = [(result, len(result.values) - 1) for result in sweeps]
    return {
        "recorded: the peak grows with depth and with batch size": all(
            all(a < b for a, b in zip(r.memory["recorded"], r.memory["recorded"][1:])) for r in sweeps),
        "recorded: the peak holds at least all hidden layers' outputs": all(
            r.memory["recorded"][i] >= r.activation_bytes()[i] for r, i in everywhere),
        "no_grad and inference_mode: the same peak at every depth": all(
            len(set(depth.memory[mode])) == 1 for mode in ("no_grad", "inference_mode")),
        "no_grad: the peak is at most two layers' outputs": all(
            r.memory["no_grad"][i] <= 2 * r.activation_bytes()[i] / r.point(r.values[i])[0]
            for r, i in everywhere),
        "by hand, the gradient needs no less memory than with autograd (within 10%, largest sizes)": all(
            r.memory["hand-written step"][i] >= 0.9 * r.memory[other][i]
            for other in ("autograd step", "autograd_mini step") for r, i in largest),
    }
