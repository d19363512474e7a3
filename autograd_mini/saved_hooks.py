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


_ALREADY_SET = ("Calling register_hooks on a saved tensor whose hooks have already been set. "
                "Hint: only one pair of hooks is allowed at a time.")
_NONE = "Calling register_hooks on a saved tensor with value None is forbidden"
_FREED = ("Calling register_hooks on a saved tensor after it has been freed. Saved intermediate "
          "values of the graph are freed when you call .backward() or autograd.grad(). Specify "
          "retain_graph=True if you need to backward through the graph a second time or if you "
          "need to access saved variables after calling backward.")


class SavedTensor:
    """`grad_fn._raw_saved_self`: one saved slot of a node, whose own pack / unpack pair
    `register_hooks` sets (pack runs at once; unpack each time the slot is read)."""

    def __init__(self, node, slot):
        self._node, self._slot = node, slot  # slot: an index into saved_tensors, or "result"

    def register_hooks(self, pack_hook, unpack_hook):
        if not (callable(pack_hook) and callable(unpack_hook)):
            raise TypeError(
                "register_hooks(): incompatible function arguments. The following argument "
                "types are supported:\n    1. (self: torch._C._autograd.SavedTensor, arg0: "
                "collections.abc.Callable, arg1: collections.abc.Callable) -> None\n\nInvoked "
                f"with: {self!r}, {pack_hook!r}, {unpack_hook!r}")
        node, slot = self._node, self._slot
        if node._freed:
            raise RuntimeError(_FREED)
        slots = node._slot_hooks or {}
        if slot == "result":
            held = node._hooked_result  # what saved_tensors_hooks packed, if it was on
        else:
            held = node._saved if node._hooked_saved is None else node._hooked_saved
            if held[slot] is None:
                raise RuntimeError(_NONE)  # the op did not need it (x * 3 keeps no x)
            held = node._hooked_saved
        if slot in slots or held is not None:  # set by register_hooks, or saved_tensors_hooks
            raise RuntimeError(_ALREADY_SET)
        # pack sees the saved tensor's data, without its autograd history (torch's)
        if slot == "result":
            node._hooked_result = (pack_hook(node.saved_output.detach()), unpack_hook)
            node._kept_result = None  # saved_output now unpacks, and links to node again
            slots[slot] = True
        else:
            original = node._saved[slot]
            slots[slot] = (pack_hook(original.detach()), unpack_hook, original)
        node._slot_hooks = slots

    def __repr__(self):
        return f"<torch._C._autograd.SavedTensor object at {hex(id(self))}>"


def unpack_slots(saved, slot_hooks):
    """A node's saved tensors, those with their own hooks (SavedTensor) through unpack."""
    return tuple(_unpack_slot(*slot_hooks[i]) if i in slot_hooks else t
                 for i, t in enumerate(saved))


def _unpack_slot(packed, unpack, original):
    """What unpack returned, with the saved tensor's autograd identity again (torch's
    SavedVariable: its grad_fn, or for a leaf its requires_grad and gradient)."""
    value = unpack_one(packed, unpack)
    t = type(value)._make(value._data, value._version_counter())
    t.grad_fn, t._requires_grad = original.grad_fn, original._requires_grad
    if original.grad_fn is None and original._requires_grad:
        original._get_accumulator()
        t._accumulator = original._accumulator  # (a weak reference) its gradient is the leaf's
    return t
