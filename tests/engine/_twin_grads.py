"""Run one program on both engines and compare everything a program can see: the value
and its dtype, the grad_fn name and graph, the gradients (or the error backward raises),
and, for smooth functions, a second derivative through create_graph."""
import numpy as np

from _twin import autograd_mini, structure, torch


def _np(t):
    return np.asarray(t.detach().tolist(), dtype=np.float64)


def same(mine, ref, exact=False, rtol=2e-5, atol=1e-6):
    if ref is None:
        assert mine is None or not np.any(_np(mine))
        return
    assert mine is not None
    assert tuple(mine.shape) == tuple(ref.shape)
    assert str(mine.dtype) == str(ref.dtype).replace("torch.", "autograd_mini.")
    if exact:
        np.testing.assert_array_equal(_np(mine), _np(ref))
    else:
        np.testing.assert_allclose(_np(mine), _np(ref), rtol=rtol, atol=atol, equal_nan=True)


def _run(lib, program, arrays, dtype, smooth):
    xs = [lib.tensor(np.array(a, dtype=dtype), requires_grad=True) for a in arrays]
    out = program(lib, *xs)
    seed = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(dtype))
    result = {"out": out, "name": out.grad_fn.name(), "graph": structure(out)}
    try:
        grads = lib.autograd.grad(out, xs, seed, create_graph=smooth, allow_unused=True)
    except RuntimeError as e:
        result["error"] = str(e)
        return result
    result["grads"] = grads
    if smooth:
        live = [g for g in grads if g is not None and g.requires_grad]
        try:
            result["second"] = lib.autograd.grad(sum((g * g).sum() for g in live), xs,
                                                 allow_unused=True) if live else None
        except RuntimeError as e:
            result["second error"] = str(e)
            result["second"] = None
    return result


def compare(program, arrays, smooth, exact, dtype):
    with np.errstate(all="ignore"):
        mine = _run(autograd_mini, program, arrays, dtype, smooth)
        ref = _run(torch, program, arrays, dtype, smooth)
    tol = dict(rtol=2e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    same(mine["out"], ref["out"], exact, **tol)
    assert mine["name"] == ref["name"]
    assert mine["graph"] == ref["graph"]
    assert mine.get("error") == ref.get("error")
    for m, r in zip(mine.get("grads", ()), ref.get("grads", ())):
        same(m, r, rtol=tol["rtol"] * 10, atol=tol["atol"] * 10)
    assert mine.get("second error") == ref.get("second error")
    if smooth and "grads" in ref:
        # No graph at all and a graph whose gradients are zeros are the same second
        # derivative (torch records e.g. leaky_relu's backward as an op of its own).
        for m, r in zip(mine["second"] or [None] * len(arrays), ref["second"] or [None] * len(arrays)):
            if r is None or m is None:
                for t in (m, r):
                    assert t is None or not np.any(_np(t))
            else:
                same(m, r, rtol=tol["rtol"] * 50, atol=tol["atol"] * 50)
