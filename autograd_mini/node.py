"""Backward nodes: what `tensor.grad_fn` points to.

Every operation is one subclass of `Node`, named exactly as torch names its node
(`MulBackward0`, ...). The class holds the operation's forward (on NumPy arrays),
`save` (what backward will need) and its backward (on Tensors, so that backward
itself can be recorded and differentiated again: higher-order gradients come for
free). Calling `MulBackward0.apply(a, b)` runs the forward and, when grad mode is
on and an input requires grad, makes a node, lets it save, and links it into the
graph; otherwise no node is made at all.

A node is also the "ctx" of its call: `save` stores on it what backward needs.
Tensors go through `save_for_backward` (checked against in-place changes and freed
after backward); everything else is a plain attribute named as torch names it,
`_saved_dim`, `_saved_exponent`, ...
"""
import re
from weakref import ref as _weakref
from inspect import getattr_static as _getattr_static
from itertools import repeat as _repeat

from numpy import asarray as _asarray, ndarray as _ndarray

from . import _hooks
from . import saved_hooks as _saved_hooks
from ._numpy_errors import (QUIET as _QUIET_NUMPY, restore as _restore_numpy,
                            set_state as _set_numpy, state as _numpy_state)
from .grad_mode import state as _grad_state


class Node:
    # Torch's names for the tensors `save_for_backward` receives, in order:
    # `_saved_self`, `_saved_other`, ... read them back for a graph drawer.
    saved_names = ()
    # The order torch packs and unpacks them in under saved_tensors_hooks, if not theirs.
    saved_order = None
    # The forward's name in torch's profiler (`aten::mul`).
    aten = None
    # True for ops whose backward needs their own result (exp, tanh, ...): `apply`
    # keeps it as `_saved_result`.
    saves_result = False
    # View operations share the version counter of their input, as in torch.
    is_view = False
    # split / unbind: one node for several outputs (each reached through a views.OutputEdge).
    multi_output = False

    # Set per call by `apply`. `_next` holds, per input, the node its gradient flows
    # into (None if none): one flat tuple, read by the engine; `next_functions` is
    # torch's view of it, built when asked for.
    _next = ()
    needs_input_grad = ()
    _saved = ()
    _versions = None
    _kept_result = None
    _hooked_saved = _hooked_result = None  # what saved_tensors_hooks' pack returned
    _slot_hooks = None  # {slot: (packed, unpack)}: hooks set on one slot (_raw_saved_self)
    _raw_saved = None   # the SavedTensor objects handed out, one per slot
    _freed = False
    # Hooks, all None until one is registered; `_hooked` tells the engine to look.
    _hooked = False
    _tensor_hooks = None   # Tensor.register_hook on the tensor this node produced
    _retained = None       # weak reference to that tensor, if it retains its grad
    _pre_hooks = None      # register_prehook: fn(grad_outputs)
    _post_hooks = None     # register_hook: fn(grad_inputs, grad_outputs)
    _hooked_outputs = None  # of a multi-output node: the OutputEdges with tensor hooks
    _metadata = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # How a call that is not recorded runs the forward (see `forward`): a staticmethod
        # or classmethod forward runs without a node at all; one that needs its node gets
        # one, dropped after.
        if isinstance(_getattr_static(cls, "forward"), (staticmethod, classmethod)):
            cls.forward_only = staticmethod(cls.forward)
        else:
            cls.forward_only = classmethod(_forward_with_a_node)

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        # An edge is a node (output 0), or an OutputEdge for output `nr` of a
        # multi-output node: torch shows both as (node, output_nr).
        return tuple([(n.node, n.nr) if type(n) is _views.OutputEdge else (n, 0)
                      for n in self._next])

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grads):
        """torch's `grad_fn(grad)`: this node's backward alone (no hooks, under the caller's
        grad mode); the gradients for its inputs, one per next_functions entry."""
        if self.multi_output:
            raise NotImplementedError("autograd_mini cannot call a node with several outputs")
        if len(grads) != 1:
            raise TypeError(f"expected 1 arguments, got {len(grads)} instead")
        from . import engine  # the engine imports this module
        (grad,) = grads
        if type(self) is AccumulateGrad:
            if grad is not None:
                engine._accumulate_leaf(self, grad, create_graph=False)
            return ()
        if grad is None:
            out = (None,) * len(self._next)
        else:
            out = engine._padded(self, type(self).backward(self, grad))
        return out[0] if len(out) == 1 else out  # torch unpacks a single gradient

    def _without_grad(self):
        """What the engine runs for a node no gradient reached (an undefined one, None): its
        inputs get none either. (A custom Function's backward runs on zeros: function.py.)"""
        return ()

    # -- running an operation -------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **attrs):
        """Run the forward on `inputs` (Tensors) and record the node if needed."""
        if _numpy_state() is _QUIET_NUMPY:  # inside a backward pass or another op
            return _observed_apply(cls, inputs, attrs)
        token = _set_numpy(_QUIET_NUMPY)  # inf and nan come out silently, as in torch
        try:
            return _observed_apply(cls, inputs, attrs)
        finally:
            _restore_numpy(token)

    @staticmethod
    def forward(*inputs, **attrs):
        """The operation itself: the inputs' arrays in, the result's array out.

        A staticmethod, so that a call that is not recorded (under no_grad, or inside
        a backward) runs it without making a node at all; a classmethod too, for a
        base class whose subclasses differ in a class attribute (max / min). A forward
        that needs its node (a custom Function's ctx) is a plain method and always
        gets one."""
        raise NotImplementedError

    def save(self, *inputs, **attrs):
        """What backward will need, kept on the node; runs only when the call is
        recorded, with the arguments forward got. Nothing, unless an op says so."""

    def backward(self, grad):
        """Gradients for each input (a tuple, None where no gradient flows)."""
        raise NotImplementedError

    # -- saved values ---------------------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep input tensors for backward (None for one that is not needed)."""
        if not self.needs_input_grad:
            return  # not recorded: nothing will run backward
        changed = False
        for t in tensors:
            if t is not None:
                if t._is_inference:
                    raise RuntimeError(_INFERENCE_SAVED)
                if t._vc is not None:
                    changed = True
        if _hooks.saved_tensors is not None:  # saved_tensors_hooks: keep what pack returns
            self._hooked_saved = _saved_hooks.pack_all(tensors, *_hooks.saved_tensors,
                                                       type(self).saved_order)
            return
        self._saved = tensors
        # Backward checks that each tensor is still at the version it was saved at.
        # Most tensors were never changed in place (no counter yet: version 0), and
        # then no tuple of versions is kept at all: fewer objects per node.
        if changed:
            self._versions = tuple([None if t is None else t._version for t in tensors])

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED)
        if self._hooked_saved is not None:
            return _saved_hooks.unpack_all(self._hooked_saved, type(self).saved_order)
        if self._slot_hooks is not None:
            return self._unpack_hooked_slots()
        for t, version in zip(self._saved, self._versions or _repeat(0)):
            if t is not None and t._vc is not None and t._vc[0] != version:
                raise RuntimeError(_modified_message(t, t.grad_fn, version))
        return self._saved

    def _unpack_hooked_slots(self):
        """saved_tensors when a slot has its own hooks (`_raw_saved_self.register_hooks`):
        a hooked slot is not checked for in-place changes (its unpack decides what comes
        back). Kept apart so the common path above stays one plain loop."""
        hooked = self._slot_hooks
        for i, (t, version) in enumerate(zip(self._saved, self._versions or _repeat(0))):
            if t is not None and t._vc is not None and t._vc[0] != version and i not in hooked:
                raise RuntimeError(_modified_message(t, t.grad_fn, version))
        return _saved_hooks.unpack_slots(self._saved, hooked)

    def keep_result(self, result):
        """Keep this call's result for backward: its data and version, not the tensor
        itself (the tensor points to this node; holding it would make a cycle)."""
        if _hooks.saved_tensors is not None:  # saved_tensors_hooks: keep what pack returns
            self._hooked_result = (_hooks.saved_tensors[0](result), _hooks.saved_tensors[1])
            return
        vc = result._version_counter()
        self._kept_result = (result._data, vc, vc[0])

    @property
    def saved_output(self):
        if self._freed:
            raise RuntimeError(_FREED)
        if self._hooked_result is not None:
            return _unpacked_output(self, _saved_hooks.unpack_one(*self._hooked_result))
        data, vc, version = self._kept_result
        return _unpack_output(self, data, vc, version)

    def release_saved(self):
        """Drop saved tensors after backward (unless retain_graph); only nodes that saved any."""
        if self._saved or self._kept_result is not None or self._hooked_saved is not None \
                or self._hooked_result is not None:
            self._saved = ()
            self._kept_result = self._hooked_saved = self._hooked_result = None
            self._slot_hooks = None
            self._freed = True

    def __getattr__(self, attr):
        if attr.startswith("_raw_saved_"):  # `_raw_saved_self`: the slot itself, to hook
            return self._raw_slot(attr[len("_raw_saved_"):], attr)
        # `_saved_self`, `_saved_result`: torch's read-only view of what was saved.
        if attr.startswith("_saved_"):
            key = attr[len("_saved_"):]
            if key == "result" and type(self).saves_result:
                return self.saved_output
            names = type(self).saved_names
            if key in names:
                return self.saved_tensors[names.index(key)]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def _raw_slot(self, key, attr):
        if key == "result" and type(self).saves_result:
            slot = "result"
        elif key in type(self).saved_names:
            slot = type(self).saved_names.index(key)
        else:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")
        if self._raw_saved is None:
            self._raw_saved = {}
        if slot not in self._raw_saved:
            self._raw_saved[slot] = _saved_hooks.SavedTensor(self, slot)
        return self._raw_saved[slot]

    def __dir__(self):
        extra = ["_saved_" + n for n in type(self).saved_names]
        if type(self).saves_result:
            extra.append("_saved_result")
        return sorted(set(super().__dir__()) | set(extra))

    # -- hooks (the engine runs them: see engine._run_hooked) ----------------
    def register_prehook(self, hook):
        """`hook(grad_outputs)` runs before this node; it may return new grad_outputs."""
        self._pre_hooks = _add_hook(self._pre_hooks, hook)
        self._hooked = True
        return RemovableHandle(self._pre_hooks, hook)

    def register_hook(self, hook):
        """`hook(grad_inputs, grad_outputs)` runs after this node; it may return new grad_inputs."""
        self._post_hooks = _add_hook(self._post_hooks, hook)
        self._hooked = True
        return RemovableHandle(self._post_hooks, hook)

    def _register_tensor_hook(self, hook):
        self._tensor_hooks = _add_hook(self._tensor_hooks, hook)
        self._hooked = True
        return RemovableHandle(self._tensor_hooks, hook)

    def _retain(self, tensor):
        # The node holds the tensor weakly, as torch does: keeping the gradient
        # must not keep the tensor alive.
        self._retained = _weakref(tensor)
        self._hooked = True

    @property
    def metadata(self):
        """A dict for anything kept with the node; anomaly mode stores the forward's stack."""
        if self._metadata is None:
            self._metadata = {}
        return self._metadata


class AccumulateGrad(Node):
    """The sink for a leaf: adds the gradient that arrives into `variable.grad`."""

    def __init__(self, variable):
        self.variable = variable

    @property
    def _hooked(self):
        # The leaf's own hooks outlive this node (it is made anew for each graph).
        v = self.variable
        return bool(v._hooks or v._post_accumulate_hooks or self._pre_hooks or self._post_hooks)

    @_hooked.setter
    def _hooked(self, value):
        pass  # register_prehook / register_hook: the property above sees their lists

    @property
    def _tensor_hooks(self):
        return self.variable._hooks  # a leaf's hooks run before its gradient is added

    def name(self):
        return "torch::autograd::AccumulateGrad"  # what torch's node reports

    def backward(self, grad):  # pragma: no cover - the engine accumulates directly
        raise RuntimeError("AccumulateGrad is run by the engine")


def _add_hook(hooks, hook):
    if hooks is None:
        hooks = []
    hooks.append(hook)
    return hooks


class RemovableHandle:
    """What register_hook returns (torch.utils.hooks.RemovableHandle's name): `remove()`, or
    `with handle:` to remove the hook at the block's end. Its `id` counts every handle made,
    as torch's: a tensor's `_backward_hooks` (`record`) is keyed by it."""
    next_id = 0

    def __init__(self, hooks, hook, record=None):
        self._hooks, self._hook, self._record = hooks, hook, record
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        if self._hooks is not None and self._hook in self._hooks:
            self._hooks.remove(self._hook)
        if self._record is not None:
            self._record.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


def _observed_apply(cls, inputs, attrs):
    """`_apply`, through the profiler or anomaly mode when one is watching."""
    observer = _hooks.observer
    if observer is not None:
        return observer.record_forward(cls, inputs, attrs, _apply)
    return _apply(cls, inputs, attrs)


def _apply(cls, inputs, attrs):
    """Run an operation; record its node only if grad mode is on and an input requires grad."""
    if not _records(inputs):  # under no_grad, and for every op inside a plain backward
        return _output(cls, cls.forward_only(*inputs, **attrs), inputs, attrs)
    node = _new(cls)
    node._next, node.needs_input_grad = _edges(inputs)
    out_data = node.forward(*inputs, **attrs)
    node.save(*inputs, **attrs)
    if _hooks.anomaly is not None:
        _hooks.anomaly.record(node)  # where this forward was called from
    out = _output(cls, out_data, inputs, attrs)
    out.grad_fn = node
    out._requires_grad = True
    if cls.saves_result:
        node.keep_result(out)
    return out


def _forward_with_a_node(cls, *inputs, **attrs):
    """forward_only of a node class whose forward needs its node (a custom Function's ctx)."""
    return _new(cls).forward(*inputs, **attrs)


def _records(inputs):
    if _grad_state.enabled:
        for t in inputs:
            if t._requires_grad:
                return True
    return False


def _output(cls, data, inputs, attrs):
    if type(data) is not _ndarray:  # NumPy returns scalars for 0-d results
        data = _asarray(data)
    # A view shares its input's memory and remembers how it was made (views.py).
    return _make_view(data, inputs[0], cls, attrs) if cls.is_view else _make(data)


def _edges(inputs):
    """For each input, the node its gradient flows into (its grad_fn, a leaf's
    AccumulateGrad, or None for a constant), and whether it needs a gradient."""
    if _outputs_seen:  # after a split() was recorded, an edge may be to one of its outputs
        return _views.edges(inputs)  # (a flag, so that programs without split pay nothing)
    nexts, needs = [], []
    for t in inputs:
        if t.grad_fn is not None:
            nexts.append(t.grad_fn)
            needs.append(True)
        elif t._requires_grad:
            nexts.append(t._get_accumulator())
            needs.append(True)
        else:
            nexts.append(None)
            needs.append(False)
    needs = tuple(needs)
    return tuple(nexts), _shared(needs, needs)


_new = object.__new__
# needs_input_grad takes one of a few patterns ((True, False), ...): all nodes with the
# same pattern share one tuple, so a node costs one object fewer. (A dict's setdefault:
# `_shared(t, t)` returns the first tuple equal to t.)
_shared = {}.setdefault

def _unpack_output(node, data, vc, version):
    if vc[0] != version:
        t = _make(data)
        raise RuntimeError(_modified_message(t, node, version, current=vc[0]))
    # A saved output comes back as a tensor whose grad_fn is the node itself,
    # so differentiating backward again (create_graph) links to this node.
    t = _make(data, vc)
    t.grad_fn = node
    t._requires_grad = True
    return t


def _unpacked_output(node, tensor):
    """A saved output that unpack_hook gave back: linked to its node again, as torch does."""
    t = _make(tensor._data, tensor._version_counter())
    t.grad_fn = node
    t._requires_grad = True
    return t


def _modified_message(tensor, owner, expected, current=None):
    current = tensor._version if current is None else current
    sizes = "[" + ", ".join(str(s) for s in tensor._data.shape) + "]"
    where = ""
    if owner is not None:
        name = re.sub(r'Backward[0-9]*$', '', owner.name())
        where = f", which is output {tensor.output_nr} of {name},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{tensor.dtype.legacy_name} {sizes}]{where} is at version {current}; "
        f"expected version {expected} instead. Hint: "
        + (_ANOMALY_HINT if _hooks.anomaly is not None else _NO_ANOMALY_HINT))


_NO_ANOMALY_HINT = (
    "enable anomaly detection to find the operation that failed to compute its gradient, with "
    "torch.autograd.set_detect_anomaly(True, check_nan=False).")
_ANOMALY_HINT = (  # anomaly mode has just warned with the forward's stack
    "the backtrace further above shows the operation that failed to compute its gradient. "
    "The variable in question was changed in there or anywhere later. Good luck!")


_FREED = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the "
    "graph are freed when you call .backward() or autograd.grad(). Specify "
    "retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward.")

_INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")

_make = None  # Tensor._make, set by tensor.py (the two modules need each other)
_make_view = None  # views.make_view, set by views.py
_views = None  # the views module, set by views.py
_outputs_seen = False  # set by views.make_outputs: until then _edges need not look
