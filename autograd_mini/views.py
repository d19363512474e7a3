"""Views: tensors that share their memory with another tensor, their base.

`x.view(2, 2)`, `x[0]`, `x[:2]`, `x.t()`, `x.expand(3, 4)` copy nothing: the result
reads and writes x's memory. Like torch, every view remembers its base and how to
make itself again from the base (the chain of view operations that made it),
because of one rule:

    changing a view in place changes its base, so the base's history changes too.

After `x = torch.zeros(4); y = x.view(2, 2); y.add_(w)`:

- `x.grad_fn` is CopySlices: "x as it was, with the view's elements replaced by
  what the in-place op computed". Its next_functions are x's old history, then
  the in-place op's other inputs (here w's).
- every view of x (y included) gets AsStridedBackward0: "my elements, picked out
  of x", linked to x's new history. So gradient from y flows through x to w.

Torch makes a view's new grad_fn when it is next read; here it is made at the
in-place op itself (`refresh`), so that `grad_fn` stays a plain attribute and
ordinary operations pay nothing for views.
"""
import re
import sys as _sys
from weakref import ref as _ref

import numpy as np

from . import node as _node
from .grad_mode import state as _grad_state
from .node import Node


class ViewOf:
    """What a view keeps (torch's ViewInfo and CreationMeta): its base, the view
    operations that made it from the base, and how it was made."""
    __slots__ = ("base", "chain", "creation", "output_nr", "edge", "own_requires_grad")

    def __init__(self, base, chain, creation, output_nr=0):
        self.base = base          # never itself a view: views of views share the root
        self.chain = chain        # ((op class, its arguments), ...), from the base on
        # None, "no_grad", "inference_mode", "multi_output" or "custom_function": may it
        # change in place?
        self.creation = creation
        self.output_nr = output_nr
        self.edge = None          # for an output of a multi-output node: see OutputEdge
        # A no_grad view inherits requires_grad from its base but gets no gradient, until
        # requires_grad_() makes it a leaf of its own (torch's requires_grad flag).
        self.own_requires_grad = False


def info(t):
    """The ViewOf of a view, None for any other tensor (the slot is left unset on
    ordinary tensors, so making them costs nothing extra)."""
    return getattr(t, "_view_of", None)


def claim_grad(t, requires_grad):
    """`t.requires_grad_()` on a view: from now on its gradient is its own (a leaf's).
    On a base: its views made before (with no history of their own) follow its flag, as
    torch's view requires_grad reads the base's; like no_grad views they get no gradient."""
    view = info(t)
    if view is not None:
        view.own_requires_grad = bool(requires_grad)
    for r in getattr(t, "_views", None) or ():
        v = r()
        if v is not None and v.grad_fn is None and not v._view_of.own_requires_grad:
            v._requires_grad = bool(requires_grad)


def make_view(data, source, cls, attrs, creation=None, output_nr=0):
    """The result of view op `cls` on `source`: shares its memory and version counter."""
    out = _node._make(data, source._version_counter())
    # a view of an inference tensor is one, a view of a normal one is not, even when made
    # in inference mode (torch's)
    out._is_inference = source._is_inference
    parent = info(source)
    if parent is None:
        base, chain = source, ((cls, attrs),)
    else:
        base, chain = parent.base, parent.chain + ((cls, attrs),)
        creation = creation or parent.creation
    if not _grad_state.enabled:
        creation = "inference_mode" if _grad_state.inference else "no_grad"
        # A view of a tensor that requires grad requires grad, even under no_grad
        # (torch), though no gradient flows through it (it has no history).
        out._requires_grad = source._requires_grad
    out._view_of = ViewOf(base, chain, creation, output_nr)
    _remember(base, out)
    return out


def _remember(base, view):
    """The base keeps weak references to its views (it must not keep them alive),
    in a plain list: cheaper than a WeakSet for the many short-lived views (x.t()
    in a backward). Dead references are dropped each time the list doubles."""
    views = getattr(base, "_views", None)
    if views is None:
        base._views = [_ref(view)]
        return
    n = len(views)
    if n >= 16 and n & (n - 1) == 0:
        views[:] = [r for r in views if r() is not None]
    views.append(_ref(view))


def positions(base_shape, chain):
    """Which elements of the base a view shows, as flat indices shaped like the
    view: replay the view's operations on the numbers 0, 1, ..., n-1."""
    idx = np.arange(int(np.prod(base_shape, dtype=np.int64))).reshape(base_shape)
    for cls, attrs in chain:
        idx = np.asarray(cls.forward(_node._make(idx), **attrs))
    return idx


# -- split, chunk, unbind: one node, several outputs ------------------------------

class OutputEdge(Node):
    """The edge into output `nr` of a node with several outputs (split, unbind).

    Torch's edges are (node, output_nr) pairs; here an edge is a node, so each
    output gets this small node in front of the shared one: it puts the gradient
    of its piece in place in a zero gradient of the whole input, and the engine adds
    the pieces up on the shared node. next_functions shows it as (node, nr)."""

    _reached = False  # set when it runs with hooks, until the shared node runs

    def backward(self, grad):
        return (self.place.apply(grad, shape=self.input_shape, key=self.key),)

    def _register_tensor_hook(self, hook):
        # torch runs an output's hooks whenever its node runs, with None when no gradient
        # came to this output (test_grad_nonleaf_register_hook): the shared node calls them
        shared = self.node
        if shared._hooked_outputs is None:
            shared._hooked_outputs = []
        if self not in shared._hooked_outputs:
            shared._hooked_outputs.append(self)
        shared._hooked = True
        return super()._register_tensor_hook(hook)


def make_outputs(node_cls, source, pieces, attrs):
    """The outputs of a multi-output view op: `pieces` is [(op class, its arguments)],
    the single-output view op that makes each piece (a slice, a select)."""
    node = None
    if _grad_state.enabled and source._requires_grad:
        _node._outputs_seen = True  # from now on node._edges asks edge() (speed: see there)
        node = _node._new(node_cls)
        nexts, needs = _node._edges((source,))
        node._next, node.needs_input_grad = nexts, needs
        node.save(source, **attrs)
    outputs = []
    for nr, (cls, piece) in enumerate(pieces):
        out = make_view(cls.forward(source, **piece), source, cls, piece, "multi_output", nr)
        if node is not None:
            edge = _node._new(OutputEdge)
            edge._next, edge.needs_input_grad = (node,), (True,)
            edge.node, edge.nr = node, nr
            edge.place, edge.input_shape = cls.place, source._data.shape
            edge.key = (slice(None),) * piece["dim"] + (
                piece["index"] if "index" in piece else
                slice(piece["start"], piece["end"], piece["step"]),)
            out._view_of.edge = edge
            out.grad_fn, out._requires_grad = node, True
        outputs.append(out)
    return tuple(outputs)


def edges(inputs):
    """node._edges, once some tensor may be one output of a multi-output node."""
    nexts, needs = [], []
    for t in inputs:
        if t.grad_fn is not None:
            nexts.append(edge(t))
        elif t._requires_grad:
            nexts.append(t._get_accumulator())
        else:
            nexts.append(None)
        needs.append(t._requires_grad)
    return tuple(nexts), tuple(needs)


def edge(t):
    """The node a gradient for `t` flows into: its grad_fn, or, for one output of
    a multi-output node, that output's OutputEdge."""
    fn = t.grad_fn
    if fn is not None and fn.multi_output:
        view = info(t)
        # A custom Function's output that is not a view keeps its edge itself.
        return view.edge if view is not None else t._output_edge
    return fn


# -- in-place on a view: checks, then rebasing ---------------------------------

def check_inplace(t, view):
    """Torch's refusals for an in-place op on a view that would be recorded."""
    if view.creation is not None:
        raise RuntimeError(_creation_message(t, view))
    # a view made before its base came to require grad requires grad through it (torch's)
    if (t._requires_grad or view.base._requires_grad) and view.base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def rebase(view_tensor, view, fn):
    """`fn` (the in-place op, recorded as out-of-place) has just changed `view_tensor`:
    the base's history becomes CopySlices, and every view of the base is refreshed."""
    base = view.base
    if fn is not None:
        copy = _node._new(CopySlices)
        copy._fn = fn
        copy._base_shape, copy._chain = base._data.shape, view.chain
        # Edge 0 is the base's old history; the others are fn's, except its edge 0,
        # which led to the view's old history (now part of the base's).
        base_edge = edge(base)  # the base may be one of several outputs (autograd.Function)
        copy._next = (base_edge,) + fn._next[1:]
        copy.needs_input_grad = (base_edge is not None,) + fn.needs_input_grad[1:]
        move_retained(base, base.grad_fn, copy)
        base.grad_fn = copy
        base._requires_grad = True
    refresh(base)


def refresh(base):
    """Give each live view of `base` a grad_fn that picks its elements out of the
    base's current history: after any in-place change to the base or to one of them."""
    views = getattr(base, "_views", None)
    if not views or not base._requires_grad:
        return
    into = edge(base) if base.grad_fn is not None else base._get_accumulator()
    for r in list(views):
        v = r()
        if v is None:
            continue
        view = v._view_of
        if view.creation is not None:
            continue  # torch refuses to use these once their base changed (see issue notes)
        node = _node._new(AsStridedBackward0)
        node._next, node.needs_input_grad = (into,), (True,)
        node._base_shape, node._chain = base._data.shape, view.chain
        node._saved_size, node._saved_stride, node._saved_storage_offset = _geometry(v, base)
        move_retained(v, v.grad_fn, node)
        v.grad_fn = node
        v._requires_grad = True


def move_retained(t, old, new):
    """retain_grad() belongs to the tensor, so it follows the tensor to its new
    grad_fn: after `a.retain_grad(); a.mul_(2)`, a.grad is the gradient of the new a."""
    if t._retains_grad and old is not None and old is not new:
        new._retained, old._retained = old._retained, None
        new._hooked = True


def _geometry(v, base):
    """size, stride and storage offset (in elements) of view `v` inside `base`."""
    data, item = v._data, v._data.itemsize
    offset = (data.__array_interface__["data"][0]
              - base._data.__array_interface__["data"][0]) // item
    return data.shape, tuple(s // item for s in data.strides), offset


def _creation_message(t, view):
    """torch's text (handle_view_on_rebase) for an in-place change to a view that may not change."""
    creation, fn = view.creation, t.grad_fn
    name = None if fn is None else re.sub(r"Backward[0-9]*$", "", fn.name())
    if creation in ("no_grad", "inference_mode") or fn is None:
        prefix = ("A view was created in" if fn is None else
                  f"Output {view.output_nr} of {name} is a view of a view which was created in")
        msg = (f"{prefix} inference mode and is being modified inplace in normal mode."
               if creation == "inference_mode" else
               f"{prefix} no_grad mode and is being modified inplace with grad mode enabled.")
    else:
        msg = f"Output {view.output_nr} of {name} is a view and is being modified inplace."
    return msg + _CREATION_ADVICE[creation]


_AMBIGUOUS = (" Given that this use case is ambiguous and error-prone, it is forbidden. You can "
              "clarify your code by moving both the view and the inplace either both inside the "
              "{} block (if you don't want the inplace to be tracked) or both outside (if you want "
              "the inplace to be tracked).")
_CREATION_ADVICE = {
    "no_grad": _AMBIGUOUS.format("no_grad"),
    "inference_mode": _AMBIGUOUS.format("inference_mode"),
    "custom_function": (
        " This view was created inside a custom Function (or because an input was returned "
        "as-is) and the autograd logic to handle view+inplace would override the custom backward "
        "associated with the custom Function, leading to incorrect gradients. This behavior is "
        "forbidden. You can fix this by cloning the output of the custom Function."),
    "multi_output": (
        " This view is the output of a function that returns multiple views. Such functions do "
        "not allow the output views to be modified inplace. You should replace the inplace "
        "operation by an out-of-place one."),
}


# -- the two nodes ----------------------------------------------------------------

class CopySlices(Node):
    """The base after an in-place op on one of its views. Backward: the gradient of
    the view's elements goes through the op (`_fn`), the rest passes unchanged."""

    def name(self):
        return "torch::autograd::CopySlices"  # what torch's node reports

    def backward(self, grad):
        fn = self._fn
        if fn is None:  # torch frees the op after a backward, whatever it saved
            raise RuntimeError(_node._FREED)
        where = positions(self._base_shape, self._chain)
        flat = grad.reshape(-1)
        grads = fn.backward(flat[where])
        grad_view = grads[0] if grads and grads[0] is not None else 0.0
        grad_base = _put(flat, where, grad_view).reshape(self._base_shape) \
            if self.needs_input_grad[0] else None
        return (grad_base,) + tuple(grads[1:])

    def release_saved(self):
        if self._fn is not None:
            self._fn.release_saved()
            self._fn = None


class AsStridedBackward0(Node):
    """A view whose base changed in place: its elements, picked out of the base."""

    def backward(self, grad):
        where = positions(self._base_shape, self._chain)
        zeros = _node._make(np.zeros(int(np.prod(self._base_shape, dtype=np.int64)),
                                     grad._data.dtype))
        return (_put(zeros, where, grad, accumulate=True).reshape(self._base_shape),)


def _put(flat, where, values, accumulate=False):
    from .ops.indexing import index_put
    return index_put(flat, where, values, accumulate)


# node.py makes views and reads edges through these (the modules need each other).
_node._make_view = make_view
_node._views = _sys.modules[__name__]
