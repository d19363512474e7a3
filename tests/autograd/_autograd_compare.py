"""Run the same code on torch and on autograd_mini, and compare what comes out."""
import numpy as np
import torch

import autograd_mini


def make(lib, arrays, requires_grad=False):
    """A Tensor for one array, a tuple of Tensors for a list of arrays."""
    if isinstance(arrays, np.ndarray):
        return lib.tensor(arrays.copy(), requires_grad=requires_grad)
    return tuple(make(lib, a, requires_grad) for a in arrays)


def leaves(result):
    """The tensors of a (nested) result, in order."""
    if isinstance(result, (torch.Tensor, autograd_mini.Tensor)):
        return [result]
    return [t for item in result for t in leaves(item)]


def assert_same(mini, ref, rtol=1e-5, atol=1e-7):
    """Same nesting, shapes, dtypes, requires_grad and values."""
    if isinstance(ref, torch.Tensor):
        assert isinstance(mini, autograd_mini.Tensor), type(mini)
        assert tuple(mini.shape) == tuple(ref.shape)
        assert mini.dtype.name == str(ref.dtype).removeprefix("torch.")
        assert mini.requires_grad == ref.requires_grad
        np.testing.assert_allclose(np.asarray(mini.detach().numpy()), ref.detach().numpy(),
                                   rtol=rtol, atol=atol)
        return
    assert type(mini) is type(ref), (type(mini), type(ref))
    assert len(mini) == len(ref)
    for m, r in zip(mini, ref):
        assert_same(m, r, rtol, atol)


def outcome(call):
    """("ok", result), or (exception type name, message) with torch's module name in it."""
    try:
        return "ok", call()
    except Exception as error:  # noqa: BLE001 - any error is compared with torch's
        return type(error).__name__, str(error).replace("autograd_mini.", "torch.")


def assert_same_outcome(mini_call, ref_call, rtol=1e-5, atol=1e-7):
    """Both succeed with the same result, or both fail with the same error and message."""
    mini, ref = outcome(mini_call), outcome(ref_call)
    if ref[0] != "ok" or mini[0] != "ok":
        assert mini == ref
    else:
        assert_same(mini[1], ref[1], rtol, atol)
    return mini[1], ref[1]


def table_rows(table):
    """{name: (# of calls, input shapes or None)} from a printed profiler table."""
    lines = table.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("-"))  # after any header
    name_width = len(lines[top].split("  ")[0])
    rows = {}
    for line in lines[top + 3:lines.index(lines[top], top + 3)]:
        fields = line[name_width:].split()  # 5 times, the calls, then the shapes if any
        rows[line[:name_width].strip()] = (int(fields[5]), " ".join(fields[6:]) or None)
    return rows
