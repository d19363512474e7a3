"""Saved-tensor hooks: `torch.autograd.graph.saved_tensors_hooks(pack, unpack)`.

Inside the context, every tensor an operation saves for backward goes through
`pack(tensor)`, and the node keeps only what pack returned; backward (or reading
`grad_fn._saved_self`) gets `unpack(packed)` back. The tensor itself is not kept, so
torch checks no version counter for it: what unpack returns is what backward uses.

The node calls `pack_all` / `unpack_all` (node.py), only while a context is active;
otherwise saving costs one attribute read more."""
from . import _hooks
from .grad_mode import no_grad


def pack_all(tensors, pack, unpack, order=None):
    """What a node keeps instead of `tensors`: (packed value, unpack) per tensor, None
    where nothing was saved. `order`: the order torch calls the hooks in, if not the
    saved tensors' own (a node's `saved_order`)."""
    packed = [None] * len(tensors)
    for i in order or range(len(tensors)):
        t = tensors[i]
        if t is not None:
            # A Python number the op wrapped (the 3 of a * 3) is kept as it is: torch
            # calls no hook for it.
            packed[i] = (t, _itself) if t._wrapped else (pack(t), unpack)
    return tuple(packed)


def _itself(value):
    return value


def unpack_all(packed, order=None):
    unpacked = [None] * len(packed)
    for i in order or range(len(packed)):
        if packed[i] is not None:
            unpacked[i] = unpack_one(*packed[i])
    return tuple(unpacked)


def unpack_one(value, unpack):
    from .tensor import Tensor
    tensor = unpack(value)
    if not isinstance(tensor, Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                        f"result of type {type(tensor).__name__}")
    return tensor


class saved_tensors_hooks:
    """Context manager: tensors saved for backward inside it go through pack_hook, and
    come back through unpack_hook. Nested contexts: the innermost one packs."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _hooks.saved_hooks_disabled is not None:
            raise RuntimeError(_hooks.saved_hooks_disabled)
        self._outer = _hooks.saved_tensors
        _hooks.saved_tensors = (self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc):
        _hooks.saved_tensors = self._outer


class save_on_cpu(saved_tensors_hooks):
    """Torch's hooks that move saved tensors to the CPU memory and back: on this CPU-only
    engine a saved tensor stays as it is (a copy, as torch makes)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(tensor):
            with no_grad():
                return tensor.detach().clone()
        super().__init__(pack, lambda packed: packed)


class disable_saved_tensors_hooks:
    """Context manager: entering saved_tensors_hooks inside it raises `error_message`."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._outer = _hooks.saved_hooks_disabled
        _hooks.saved_hooks_disabled = self.error_message
        return self

    def __exit__(self, *exc):
        _hooks.saved_hooks_disabled = self._outer
