"""One program on both engines, from the same inputs: value (and indices), dtype,
grad_fn name, next_functions structure, gradient and the second derivative."""
import numpy as np
import pytest
import torch

import autograd_mini
from _twin import assert_close, make, structure


def _outputs(out):
    """A result as a list of tensors: (values, indices) pairs are compared field by field."""
    if isinstance(out, tuple):
        return list(out)
    return [out]


def _tol(dtype):
    return dict(rtol=2e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)


def check(program, arrays, double=False):
    """Run `program(lib, *tensors)` on both engines; float inputs require grad."""
    runs = []
    for lib in (autograd_mini, torch):
        inputs = [make(lib, a) for a in arrays]
        outs = _outputs(program(lib, *inputs))
        first = outs[0]
        grads = None
        if first.requires_grad:
            seed = np.random.default_rng(1).uniform(0.5, 1.5, size=tuple(first.shape))
            seed = lib.tensor(seed.astype(arrays[0].dtype))
            wrt = [t for t in inputs if t.requires_grad]
            grads = lib.autograd.grad(first, wrt, seed, create_graph=double, allow_unused=True)
            if double:
                total = sum((g * g).sum() for g in grads if g is not None and g.requires_grad)
                second = (lib.autograd.grad(total, wrt, allow_unused=True)
                          if isinstance(total, lib.Tensor) and total.requires_grad else None)
                grads = list(grads) + ([] if second is None else list(second))
        runs.append((outs, [structure(o) for o in outs], grads))
    (mouts, mgraph, mgrads), (touts, tgraph, tgrads) = runs
    tol = _tol(arrays[0].dtype)
    assert len(mouts) == len(touts)
    for m, t in zip(mouts, touts):
        if t.dtype.is_floating_point:
            assert_close(m, t, **tol)
        else:  # integers, booleans, indices: exactly
            assert tuple(m.shape) == tuple(t.shape)
            assert m.dtype.name == str(t.dtype).replace("torch.", "")
            assert m.tolist() == t.tolist()
    assert mgraph == tgraph
    assert (mgrads is None) == (tgrads is None)
    if tgrads is not None:
        assert len(mgrads) == len(tgrads)
        for gm, gt in zip(mgrads, tgrads):
            assert_close(gm, gt, rtol=tol["rtol"] * 10, atol=tol["atol"] * 10)


def check_error(program, arrays):
    """Both engines refuse `program` with the same exception type and message."""
    caught = []
    for lib in (torch, autograd_mini):
        inputs = [make(lib, a, requires_grad=False) for a in arrays]
        with pytest.raises(Exception) as info:
            program(lib, *inputs)
        caught.append(info.value)
    ref, mini = caught
    assert type(mini).__name__ == type(ref).__name__
    assert str(mini) == str(ref).split("\n")[0]


__all__ = ["check", "check_error"]
