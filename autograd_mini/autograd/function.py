"""autograd.Function: how a user adds an operation with a hand-written backward.

    class MyExp(Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad):
            (result,) = ctx.saved_tensors
            return grad * result

    y = MyExp.apply(x)          # y.grad_fn.name() == "MyExpBackward"

It is built on the engine's own mechanism: every subclass gets a `Node` subclass
named `<ClassName>Backward`, as torch names it, and `apply` goes through
`Node.apply` like every engine operation (so the profiler and the graph drawers
see it as one more node). As in torch, the node *is* the ctx: what forward stores
on ctx is what `y.grad_fn` holds.

Forward may return several tensors (`return values, indices`): they share the one
node, as the pieces of `split` do, and backward gets one gradient per output. The
engine keeps one gradient per node, so each output's edge (views.OutputEdge) puts
its gradient at its place in one flat vector, the engine adds the vectors up, and
backward unpacks it again (`_PackGrad` / `_unpack`, at the end of this file).
"""
import functools
import inspect
import warnings

import numpy as np

from .. import engine as _engine
from .. import node as _node
from .. import views
from ..grad_mode import no_grad
from ..node import Node
from ..ops._util import unbroadcast
from ..ops.indexing import AliasBackward0
from ..tensor import Tensor


class FunctionCtx(Node):
    """The ctx of a custom Function call, and its backward node."""

    function = None     # the user's Function subclass
    _tensor_args = ()   # for each positional argument of forward: was it a Tensor?
    _input_shapes = ()  # the shapes of the Tensor arguments, to check backward's answer
    _outputs = ()       # for each output of forward: how to unpack its gradient (_Slot)
    _packed = None      # the shape and dtype of the packed gradient of several outputs
    _saved_outputs = None  # {position in save_for_backward: an output, kept as its data}
    _returned = ()      # forward's result, until `apply` has wrapped it
    _marked = ()        # what forward passed to mark_non_differentiable
    _dirty = ()         # what forward passed to mark_dirty
    _materialize = True

    # -- what forward may call ------------------------------------------------
    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                                f"of type {type(t).__name__}")
        super().save_for_backward(*tensors)

    @property
    def saved_tensors(self):
        tensors = super().saved_tensors
        if not self._saved_outputs:
            return tensors
        # forward's results come back linked to this node (as the engine's own saved
        # results do), so a backward that uses them can be differentiated again.
        return tuple(self._saved_output(i) if i in self._saved_outputs else t
                     for i, t in enumerate(tensors))

    @property
    def saved_variables(self):  # torch's old name, still answered, with its warning
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning,
                      stacklevel=2)
        return self.saved_tensors

    def release_saved(self):
        super().release_saved()
        self._saved_outputs = None  # the outputs' data, too

    def register_prehook(self, hook):
        return super().register_prehook(_per_output_prehook(self, hook) if self.multi_output
                                        else hook)

    def register_hook(self, hook):
        return super().register_hook(_per_output_hook(self, hook) if self.multi_output
                                     else hook)

    def mark_non_differentiable(self, *tensors):
        """Outputs among `tensors` will not require grad (a mask, sort's indices, ...)."""
        self._marked = tensors

    def mark_dirty(self, *tensors):
        """Forward changed these inputs in place (and returns them)."""
        self._dirty = tensors

    def set_materialize_grads(self, value):
        """False: backward gets None, not zeros, for an output that got no gradient."""
        self._materialize = bool(value)

    # -- the node's forward and backward --------------------------------------
    def forward(self, *tensors, args, kwargs):
        function = type(self).function
        # The engine set needs_input_grad per Tensor argument (and only when it records
        # the call); torch gives one entry per argument of forward.
        needs = iter(self.needs_input_grad)
        self._tensor_args = tuple(isinstance(a, Tensor) for a in args)
        self.needs_input_grad = tuple(next(needs, False) if is_tensor else False
                                      for is_tensor in self._tensor_args)
        self._input_shapes = tuple(t._data.shape for t in tensors)
        # torch runs a custom forward with grad mode off: its operations are not recorded.
        with no_grad():
            if function.setup_context is Function.setup_context:
                output = function.forward(self, *args, **kwargs)
            else:
                output = function.forward(*args, **kwargs)
                function.setup_context(self, args, output)
        # Node.apply turns the array forward returns into one Tensor; here there may be
        # several outputs, so the ctx (even one not recorded) hands them to `apply`,
        # boxed in a 0-d array.
        self._returned = output
        box = np.empty((), dtype=object)
        box[()] = self
        return box

    def backward(self, grad):
        return self._run_backward(_unpack(self, grad) if self.multi_output else (grad,))

    def _without_grad(self):
        # torch runs a custom backward even when only undefined gradients reached it (an
        # UndefinedGrad, a None from the backward after it): on zeros, or None without
        # set_materialize_grads.
        return self._run_backward(_unpack(self, Tensor._make(np.zeros(*self._packed))))

    def _run_backward(self, grads):
        function = type(self).function
        backward, vjp = function.backward, function.vjp  # torch's two names for one method
        if vjp is not Function.vjp:
            if backward is not Function.backward:
                raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom "
                                   "Function is not allowed. You should only implement one of "
                                   "them.")
            backward = vjp
        with_grads = backward(self, *grads)
        return self._check_grads(with_grads if isinstance(with_grads, tuple) else (with_grads,))

    # -- helpers --------------------------------------------------------------
    def _check_grads(self, with_grads):
        """torch's checks of backward's answer: one gradient per argument of forward
        (extra ones must be None), None for a non-Tensor, the input's shape."""
        expected = len(self._tensor_args)
        if len(with_grads) > expected and all(g is None for g in with_grads[expected:]):
            with_grads = with_grads[:expected]
        if len(with_grads) != expected:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(with_grads)})")
        grads = []
        for position, (g, is_tensor) in enumerate(zip(with_grads, self._tensor_args)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {position + 1}, but the corresponding forward input was not a "
                        "Variable")
                continue
            grads.append(None if g is None else self._fit(g, len(grads)))
        return tuple(grads)

    def _fit(self, grad, index):
        """A gradient of the input's shape: torch sums one that broadcasts to a larger shape."""
        shape = self._input_shapes[index]
        if grad._data.shape == shape:
            return grad
        try:
            compatible = np.broadcast_shapes(shape, grad._data.shape) == grad._data.shape
        except ValueError:
            compatible = False
        if not compatible:
            raise RuntimeError(
                f"Function {self.name()} returned an invalid gradient at index {index} - got "
                f"{list(grad._data.shape)} but expected shape compatible with {list(shape)}")
        return unbroadcast(grad, shape)

    def _saved_output(self, i):
        data, vc, version, edge = self._saved_outputs[i]
        if vc[0] != version:
            t = Tensor._make(data)
            t.grad_fn, t._output_edge = self, edge  # the message names its output_nr
            raise RuntimeError(_node._modified_message(t, self, version, current=vc[0]))
        t = _node._unpack_output(self, data, vc, version)
        t._output_edge = edge
        return t


def once_differentiable(backward):
    """For a backward written without differentiable operations (NumPy, say): torch runs
    it with grad mode off, so its result is never recorded."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            return backward(ctx, *grads)
    return wrapper


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`; call `.apply`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (FunctionCtx,), {
            "function": cls,
            "aten": cls.__name__,  # the profiler's name for the forward, as torch's
            "__module__": cls.__module__,
        })

    def __init__(self, *args, **kwargs):
        # torch only warns here (old programs build one, then call it: that is the error)
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions "
            "are all static, so you should invoke them on the class itself. "
            "Instantiating an autograd function will raise an "
            "error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Optional (torch's second style): forward without ctx, then this fills ctx."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward  # torch: the same method by another name; a Function defines one of them

    @classmethod
    def apply(cls, *args, **kwargs):
        if cls.setup_context is not Function.setup_context:
            # In this style every argument of forward, defaults included, is an input.
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        tensors = tuple(a for a in args if isinstance(a, Tensor))
        boxed = cls._backward_cls.apply(*tensors, args=args, kwargs=kwargs)
        return _wrap_outputs(boxed._data[()], boxed.grad_fn is not None, tensors)


# -- forward's outputs (torch's _wrap_outputs) --------------------------------------

def _wrap_outputs(node, recorded, inputs):
    """What `apply` returns: forward's outputs, linked to `node` if the call is
    recorded. Torch's rules: an input returned as it is comes back as a new view of it;
    one marked dirty (changed in place) is returned itself, now with `node` as its
    grad_fn; an output marked non-differentiable, or not of a floating dtype, does not
    require grad; each of several outputs is reached through its own edge."""
    output, dirty, marked = node._returned, node._dirty, node._marked
    node._returned = node._dirty = node._marked = ()  # no references kept
    several = isinstance(output, tuple)  # torch: a list is one value, not outputs
    items = tuple(output) if several else (output,)
    for t in dirty:
        if not any(t is item for item in items):
            raise RuntimeError("Some elements marked as dirty during the forward method were not "
                               "returned as output. The inputs that are modified inplace must all "
                               "be outputs of the Function.")
        t._bump_version()
    if several and recorded:
        node.multi_output = True
        _node._outputs_seen = True  # from now on node._edges asks views.edge()
    node._outputs, packed = _slots(items, marked)
    node._packed = packed
    results = []
    for nr, (item, slot) in enumerate(zip(items, node._outputs)):
        is_input = any(item is t for t in inputs)
        is_dirty = any(item is t for t in dirty)
        if slot is None:  # not a Tensor: returned as it is
            out = item
        elif not (recorded and slot.differentiable):
            out = _not_differentiable(item, is_input, is_dirty)
            if not out._requires_grad and not is_dirty and views.info(out) is not None:
                _forbid_inplace(views.info(out), nr, False)  # torch: "inside a custom Function"
        elif is_dirty and views.info(item) is not None:
            out = _dirty_view(node, item, inputs, several)
        else:
            if is_dirty:
                out = _dirty_output(node, item)
            elif is_input:
                out = views.make_view(item._data[...], item, AliasBackward0, {})
            else:
                out = item
            if not is_dirty and views.info(out) is not None:
                _forbid_inplace(views.info(out), nr, several)
            out.grad_fn, out._requires_grad = node, True
            if several:
                _link_output(node, out, nr, slot, packed)
            if is_dirty:
                views.refresh(out)  # its views now read its new history
        results.append(out)
    if recorded:
        _keep_saved_outputs(node, items, inputs, dirty)
    return tuple(results) if several else results[0]  # torch: a plain tuple, even for a namedtuple


def _forbid_inplace(view, nr, several):
    """A view among the outputs (an input returned as it is, `x[:2]`): torch refuses to
    change it in place, as that would bypass the custom backward."""
    view.creation = "multi_output" if several else "custom_function"
    view.output_nr = nr


def _not_differentiable(t, is_input, is_dirty):
    """An output with no gradient (the call is not recorded, or marked, or an integer):
    it must not require grad, and an input must not lose its requires_grad for it."""
    if not t._requires_grad:
        if is_input and not is_dirty:  # a new tensor on the input's memory, as torch's
            return views.make_view(t._data[...], t, AliasBackward0, {}, "no_grad")
        return t
    if is_input:
        return t.detach()
    if views.info(t) is None:
        t.detach_()
    return t


def _dirty_output(node, t):
    """An input forward changed in place: like any in-place op, it now has this node's history."""
    if t._requires_grad and t.grad_fn is None and views.info(t) is None:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    views.move_retained(t, t.grad_fn, node)
    return t


def _dirty_view(node, t, inputs, several):
    """A view forward changed in place: as after any in-place op on a view, its base's
    history becomes CopySlices (through this node) and the view reads it (views.rebase)."""
    view = views.info(t)
    views.check_inplace(t, view)
    if several:  # torch's own limit
        raise RuntimeError(
            "If your Function modifies inplace an input that is a view of another Tensor, your "
            "Function cannot return more than one Tensor. This is not supported by the current "
            "autograd engine. You should either make sure the input is not a view (using "
            ".clone() for example) or make your Function only return one Tensor (potentially "
            "splitting it into two Functions: one doing the inplace that returns a single Tensor "
            "and a second one that does the other operations). You can ask on the forum "
            "https://discuss.pytorch.org/ if you need help to do this change.")
    if t is not inputs[0]:
        # CopySlices runs the node as the op on the view: its single output, its first input.
        raise NotImplementedError("autograd_mini: mark_dirty on a view works for a Function "
                                  "with one output whose first input is that view")
    views.rebase(t, view, node)
    return t


def _keep_saved_outputs(node, items, inputs, dirty):
    """Outputs forward saved come back from saved_tensors linked to the node; keep
    their data and version, not the tensors (they point to the node: a cycle)."""
    saved = node._saved
    if not saved:
        return
    kept = {}
    for i, s in enumerate(saved):
        for nr, item in enumerate(items):
            if s is item and s.grad_fn is node and (
                    not any(s is t for t in inputs) or any(s is t for t in dirty)):
                vc = s._version_counter()
                edge = getattr(s, "_output_edge", None) if node.multi_output else None
                kept[i] = (s._data, vc, vc[0], edge)
                break
    if kept:
        node._saved_outputs = kept
        node._saved = tuple(None if i in kept else s for i, s in enumerate(saved))


# -- several outputs: their gradients packed into one vector -------------------------

class _Slot:
    """Where the gradient of one output sits in the packed vector."""
    __slots__ = ("shape", "dtype", "start", "stop", "flag", "differentiable")


def _slots(items, marked):
    """One _Slot per Tensor output (None for anything else). The packed vector holds
    every differentiable output's gradient, flattened, then one flag per output that
    is 1 once a gradient reached it (with set_materialize_grads(False), backward gets
    None for an output that got none, zeros otherwise)."""
    tensors = [t for t in items if isinstance(t, Tensor)]
    floating = [t._data.dtype for t in tensors if t._data.dtype.kind in "fc"]
    dtype = np.result_type(*floating) if floating else np.float32
    slots, offset = [], 0
    for item in items:
        if not isinstance(item, Tensor):
            slots.append(None)
            continue
        slot = _Slot()
        slot.shape, slot.dtype = item._data.shape, item._data.dtype
        slot.differentiable = (item._data.dtype.kind in "fc"
                               and not any(item is t for t in marked))
        slot.start = offset
        if slot.differentiable:
            offset += item._data.size
        slot.stop = offset
        slots.append(slot)
    for nr, slot in enumerate(slots):
        if slot is not None:
            slot.flag = offset + nr
    return slots, ((offset + len(items),), dtype)


def _link_output(node, out, nr, slot, packed):
    """Output `nr` gets its own edge into the node, shown as (node, nr) in next_functions."""
    edge = _node._new(views.OutputEdge)
    edge._next, edge.needs_input_grad = (node,), (True,)
    edge.node, edge.nr = node, nr
    edge.place, edge.input_shape, edge.key = _PackGrad, packed, slot
    view = views.info(out)
    if view is not None:
        view.edge = edge
    else:
        out._output_edge = edge


class _PackGrad(Node):
    """What an output's edge hands on: its gradient at its place in the packed vector."""

    @staticmethod
    def forward(grad, shape, key):
        length, dtype = shape
        packed = np.zeros(length, dtype)
        packed[key.start:key.stop] = grad._data.reshape(-1)
        packed[key.flag] = 1
        return packed

    def save(self, grad, shape, key):
        self.key, self.grad_shape, self.grad_dtype = key, grad._data.shape, grad.dtype

    def backward(self, grad):
        key = self.key
        return (grad[key.start:key.stop].reshape(self.grad_shape).to(self.grad_dtype),)


def _unpack(node, packed, materialize=None):
    """One gradient per output of forward, from the packed vector (None for a non-Tensor)."""
    materialize = node._materialize if materialize is None else materialize
    grads = []
    for slot in node._outputs:
        if slot is None:
            grads.append(None)
        elif slot.differentiable and packed._data[slot.flag]:
            grad = packed[slot.start:slot.stop] if packed._requires_grad else \
                Tensor._make(packed._data[slot.start:slot.stop])
            grads.append(grad.reshape(slot.shape).to(slot.dtype))
        else:  # no gradient reached this output: torch's materialized zeros, or None
            grads.append(Tensor._make(np.zeros(slot.shape, slot.dtype))
                         if materialize else None)
    return grads


def _repack(node, grads):
    """The packed vector of the gradients a node hook returned."""
    (length,), dtype = node._packed
    packed = np.zeros(length, dtype)
    for slot, grad in zip(node._outputs, grads):
        if slot is not None and slot.differentiable and grad is not None:
            packed[slot.start:slot.stop] = grad._data.reshape(-1)
            packed[slot.flag] = 1
    return Tensor._make(packed)


# Node hooks of a Function with several outputs see one gradient per output, None where
# none arrived, as torch's do; the engine hands them the packed vector.

def _per_output_prehook(node, hook):
    @functools.wraps(hook)
    def prehook(grad_outputs):
        grads = tuple(_unpack(node, grad_outputs[0], materialize=False))
        new = _engine._run_tuple_hooks([hook], grads, lambda h, g: h(g))  # torch's checks
        return None if new is grads else (_repack(node, new),)
    return prehook


def _per_output_hook(node, hook):
    @functools.wraps(hook)
    def post_hook(grad_inputs, grad_outputs):
        return hook(grad_inputs, tuple(_unpack(node, grad_outputs[0], materialize=False)))
    return post_hook
