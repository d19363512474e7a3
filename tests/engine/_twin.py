"""Run the same program on both engines, from the same NumPy inputs, and compare."""
import numpy as np
import torch

import autograd_mini


def make(lib, array, requires_grad=True):
    t = lib.tensor(array.copy())
    if requires_grad and array.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def structure(output):
    """The recorded graph as (name, [(child index or None, output_nr)]) in BFS order.

    Node identity is kept (a node reached twice gets one index), so shared nodes
    compare too; AccumulateGrad's variable is not compared (it is the same input)."""
    if output.grad_fn is None:
        return None
    index, order, queue = {}, [], [output.grad_fn]
    index[output.grad_fn] = 0
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None and child not in index:
                index[child] = len(index)
                queue.append(child)
    return [(n.name(), [(None if c is None else index[c], nr) for c, nr in n.next_functions])
            for n in order]


def to_numpy(t):
    return None if t is None else np.asarray(t.detach().tolist() if t.dim() else t.item())


def assert_close(mini, ref, rtol=2e-5, atol=1e-6):
    if ref is None:
        assert mini is None
        return
    assert mini is not None
    assert tuple(mini.shape) == tuple(ref.shape)
    assert mini.dtype.name == str(ref.dtype).replace("torch.", "")
    np.testing.assert_allclose(to_numpy(mini), to_numpy(ref), rtol=rtol, atol=atol)


__all__ = ["make", "structure", "assert_close", "np", "torch", "autograd_mini"]
