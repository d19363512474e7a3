"""The backward pass: walk the recorded graph from the outputs to the leaves.

1. Count, for every node reachable from the outputs, how many edges lead into it
   (an iterative depth-first walk: a graph 100,000 nodes deep must not recurse).
2. Start from the outputs with their gradients. A node runs once all the edges
   into it have delivered their gradient (summed where paths meet): that order
   is a topological order, so every node sees its complete gradient.
3. A node's backward turns the gradient of its output into gradients for its
   inputs and hands them to `next_functions`. AccumulateGrad adds into `.grad`.

`_run` is that walk. What may change how a node runs lives in helpers below it:
hooks in `_run_hooked`, and targets (`inputs=`, autograd.grad), the profiler and
anomaly mode in `_Options`; torch's rules for adding into `.grad` in `_accumulate`.
"""
import warnings
from collections.abc import Mapping
from sys import getrefcount as _getrefcount

import numpy as np

from . import _hooks
from ._numpy_errors import silenced as _silenced
from .grad_mode import set_grad_enabled
from .node import AccumulateGrad, Node
from . import views as _views
from .tensor import Tensor
from . import _cpp_warnings as _cpp


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """autograd.backward: accumulate d(tensors)/d(leaf) into every leaf's .grad."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError(
                "`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                "`backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _inputs_tuple(inputs, "backward")
    tensors = _as_tuple(tensors)
    grads = _make_grads(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _check_outputs(tensors, grads)
    targets = None
    if inputs is not None:
        # torch retains the gradient of every input: a non-leaf input gets its .grad.
        targets = [_target_node(t, retain=True) for t in inputs]
    with _silenced():  # inf and nan come out silently, as in torch
        _run(tensors, grads, retain_graph, create_graph, targets, accumulate=True)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    """grad(..., is_grads_batched=True): the first dimension of each grad_output indexes
    a batch of vectors. Torch runs them in one vmapped backward; here they run one after
    another on the same graph, and each input's gradients are stacked."""
    from .ops.shape import stack
    if grad_outputs is None:
        raise RuntimeError("autograd.grad with is_grads_batched=True needs grad_outputs")
    grad_outputs = _as_tuple(grad_outputs)
    batch = grad_outputs[0].shape[0]
    keep = create_graph if retain_graph is None else retain_graph
    rows = [grad(outputs, inputs, [g[i] for g in grad_outputs],
                 retain_graph=True if i < batch - 1 else keep, create_graph=create_graph,
                 allow_unused=allow_unused, materialize_grads=materialize_grads)
            for i in range(batch)]
    return tuple(None if column[0] is None else stack(list(column)) for column in zip(*rows))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """autograd.grad: return d(outputs)/d(inputs) without touching any .grad."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    inputs_tuple = _inputs_tuple(inputs, "grad")
    if is_grads_batched:
        return _batched_grad(outputs, inputs_tuple, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    if not only_inputs:
        warnings.warn(
            "only_inputs argument is deprecated and is ignored now (defaults to True). To "
            "accumulate gradient for other parts of the graph, please use "
            "torch.autograd.backward.", FutureWarning, stacklevel=2)
    grads = _make_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    _check_outputs(outputs, grads)
    targets = [_target_node(t) for t in inputs_tuple]
    with _silenced():  # inf and nan come out silently, as in torch
        captured = _run(outputs, grads, retain_graph, create_graph, targets, accumulate=False)
    result = []
    for i, (t, node) in enumerate(zip(inputs_tuple, targets)):
        g = captured.get(node)
        if g is None:
            if materialize_grads:
                g = Tensor._make(np.zeros_like(t._data))  # (x * 0 would give -0.)
                g._requires_grad = create_graph
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
        result.append(g)
    if type(inputs) is dict:
        return dict(zip(inputs, result))
    return tuple(result)


# -- the walk ------------------------------------------------------------------

def _run(outputs, grads, retain_graph, create_graph, targets, accumulate):
    """The backward pass from `outputs`, whose gradients are `grads`, to the leaves."""
    roots = [_root_node(t) for t in outputs]
    if create_graph and accumulate:
        _warn_reference_cycle()
    dependencies = _count_dependencies(roots)
    pending = {}  # node -> gradient of its output, summed over the edges seen so far
    for node, g in zip(roots, grads):
        pending[node] = _sum(pending[node], g, create_graph) if node in pending else g
    ready = [n for n in dict.fromkeys(roots) if dependencies.get(n, 0) == 0]
    options = _options(roots, dependencies, targets, accumulate, create_graph)

    with set_grad_enabled(create_graph):  # create_graph: backward itself is recorded
        while ready:
            node = ready.pop()
            grad = pending.pop(node, None)
            if options is not None:  # targets, the profiler or anomaly mode
                input_grads = options.run(node, grad)
                if input_grads is None:
                    continue  # not on the way to any target: left as it is
            elif grad is None:  # no gradient came, but the node is done for its inputs
                input_grads = node._without_grad()
            elif node._hooked:
                input_grads = _run_hooked(node, grad, create_graph)
            elif type(node) is AccumulateGrad:
                _accumulate(node.variable, grad, create_graph)
                continue
            else:
                input_grads = node.backward(grad)
            _deliver(node, input_grads, pending, dependencies, ready, create_graph)
            input_grads = None  # so _accumulate can tell when the engine holds the only reference
            if not retain_graph:
                node.release_saved()
    return options.captured if options is not None else None


def _root_node(t):
    return _views.edge(t) if t.grad_fn is not None else t._get_accumulator()


def _deliver(node, input_grads, pending, dependencies, ready, create_graph):
    """Hand each input's gradient to the node it flows into; queue nodes now complete."""
    edges = node._next
    if len(input_grads) != len(edges):
        input_grads = _padded(node, input_grads)
    for next_node, g in zip(edges, input_grads):
        if next_node is None:
            continue
        if g is not None:
            pending[next_node] = _sum(pending[next_node], g, create_graph) \
                if next_node in pending else g
        left = dependencies[next_node] - 1
        dependencies[next_node] = left
        if left == 0:
            ready.append(next_node)


def _sum(a, b, create_graph):
    """Where two paths meet their gradients add up. Only with create_graph is that
    sum part of a graph to differentiate; otherwise it is plain bookkeeping."""
    if create_graph:
        return a + b
    return Tensor._make(a._data + b._data)


def _count_dependencies(roots):
    """How many edges lead into each node (iteratively, so depth is unlimited)."""
    dependencies = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for next_node in node._next:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return dependencies


def _reaching(roots, dependencies, targets):
    """The nodes from which some target can be reached along an edge: only they run."""
    order, remaining = [], dict(dependencies)
    ready = [n for n in dict.fromkeys(roots) if remaining.get(n, 0) == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for next_node in node._next:
            if next_node is not None:
                remaining[next_node] -= 1
                if remaining[next_node] == 0:
                    ready.append(next_node)
    needed = set()
    for node in reversed(order):  # children before parents
        if any(n in targets or n in needed for n in node._next if n is not None):
            needed.add(node)
    return needed


# -- hooks -------------------------------------------------------------------------
# What a node runs besides its backward, in torch's order: the tensor's hooks
# (Tensor.register_hook), retain_grad, the node's pre-hooks; then backward (or, for
# a leaf, the accumulation and its post-accumulate hooks); then the node's hooks.

def _run_hooked(node, grad, create_graph, backward=None):
    """One node with its hooks; returns the gradients for its inputs."""
    if type(node) is _views.OutputEdge:
        node._reached = True
    elif node._hooked_outputs is not None:
        _run_unreached_output_hooks(node)
    grad = _run_tensor_hooks(node, grad)
    if grad is not None and node._pre_hooks:
        (grad,) = _run_tuple_hooks(node._pre_hooks, (grad,), lambda h, g: h(g))
    if grad is None:
        return node._without_grad()
    if type(node) is AccumulateGrad:
        (backward or _accumulate_leaf)(node, grad, create_graph)
        input_grads = ()
    else:
        input_grads = _padded(node, (backward or type(node).backward)(node, grad))
    if node._post_hooks:
        outputs = (grad,)
        input_grads = _run_tuple_hooks(node._post_hooks, input_grads,
                                       lambda h, g: h(g, outputs))
    return input_grads


def _run_unreached_output_hooks(node):
    """A multi-output node runs: the hooks of its outputs no gradient reached see None."""
    for edge in node._hooked_outputs:
        if edge._reached:
            edge._reached = False
        elif edge._tensor_hooks:
            for hook in list(edge._tensor_hooks):
                hook(None)


def _run_tensor_hooks(node, grad):
    hooks = node._tensor_hooks
    if hooks:
        for hook in list(hooks):
            new = hook(grad)
            if new is not None:
                if not isinstance(new, Tensor):
                    raise TypeError(
                        f"expected Variable, but hook returned '{type(new).__name__}'")
                _check_hook_value(hook, grad, new)
                grad = new
    retained = node._retained() if node._retained is not None else None
    if retained is not None:
        _retain(retained, grad)  # always after the tensor's own hooks, as in torch
    return grad


def _run_tuple_hooks(hooks, values, call):
    """Node hooks take and return tuples of gradients (None: keep them)."""
    for hook in list(hooks):
        new = call(hook, values)
        if new is None:
            continue
        if not isinstance(new, tuple):
            raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
        if len(new) != len(values):
            raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of "
                               f"values (got {len(new)}, but expected {len(values)})")
        for old, value in zip(values, new):
            if old is None and value is not None:
                raise RuntimeError("can't replace a None gradient with a non-None value")
            if value is not None:
                _check_hook_value(hook, old, value)
        values = new
    return values


def _check_hook_value(hook, old, new):
    if new._data.dtype != old._data.dtype:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was "
            f"torch.{old.dtype.legacy_name} got torch.{new.dtype.legacy_name})")
    if new._data.shape != old._data.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")


def _hook_name(hook):
    return getattr(hook, "__name__", type(hook).__name__)


def _padded(node, input_grads):
    """A backward may leave out trailing None; hooks see one entry per input."""
    missing = len(node._next) - len(input_grads)
    return tuple(input_grads) + (None,) * missing if missing else tuple(input_grads)


def _accumulate_leaf(node, grad, create_graph):
    variable = node.variable
    _accumulate(variable, grad, create_graph)
    hooks = variable._post_accumulate_hooks
    if hooks:
        for hook in list(hooks):
            hook(variable)


# -- options: targets, the profiler, anomaly mode ------------------------------------

def _options(roots, dependencies, targets, accumulate, create_graph):
    """An _Options when any of them is in play, else None (the plain walk)."""
    if targets is None and _hooks.observer is None and _hooks.anomaly is None:
        return None
    return _Options(roots, dependencies, targets, accumulate, create_graph)


class _Options:
    """How nodes run when backward has targets (`inputs=`, autograd.grad), when the
    profiler watches, or in anomaly mode. Kept apart so `_run` reads plainly."""

    def __init__(self, roots, dependencies, targets, accumulate, create_graph):
        self.targets = set(targets) if targets is not None else None
        self.needed = _reaching(roots, dependencies, self.targets) if targets is not None else None
        self.accumulate = accumulate
        self.create_graph = create_graph
        self.captured = {}
        self.observer = _hooks.observer
        self.anomaly = _hooks.anomaly

    def run(self, node, grad):
        """The gradients for `node`'s inputs, or None if it is not to run at all."""
        targets, is_leaf = self.targets, type(node) is AccumulateGrad
        if targets is None:
            runs = True
        elif is_leaf:
            runs = self.accumulate and node in targets
        else:
            runs = node in self.needed
        if targets is not None and node in targets and not self.accumulate:
            if runs:
                self.captured[node] = grad  # before its hooks, which run with the node
            elif grad is not None:
                self.captured[node] = grad = _run_tensor_hooks(node, grad) \
                    if node._hooked else grad
        if not runs:
            if grad is not None and node._hooked and self.accumulate:
                _run_tensor_hooks(node, grad)  # retain_grad of a non-leaf input
            return None
        if grad is None:
            return node._without_grad()
        if self.anomaly is not None:
            return self.anomaly.run(node, lambda: self._run_node(node, grad))
        return self._run_node(node, grad)

    def _run_node(self, node, grad):
        return _run_hooked(node, grad, self.create_graph, self._backward)

    def _backward(self, node, grad, create_graph=None):
        observer = self.observer
        if type(node) is AccumulateGrad:
            if observer is None:
                return _accumulate_leaf(node, grad, self.create_graph)
            return observer.record_backward(
                node, grad, lambda g: _accumulate_leaf(node, g, self.create_graph))
        if observer is None:
            return node.backward(grad)
        return observer.record_backward(node, grad)


def _retain(tensor, grad):
    """retain_grad: a non-leaf keeps a copy of its gradient and adds later ones out of
    place, as torch does (recorded when create_graph has grad mode on)."""
    old = tensor._grad
    tensor._grad = grad.clone() if old is None else old + grad


def _accumulate(variable, grad, create_graph):
    """AccumulateGrad: torch's rules for adding `grad` into `variable.grad`."""
    old = variable._grad
    if old is None and create_graph:
        # A recorded copy (CopyBackwards), so the gradient can be differentiated again.
        variable._grad = copy = CopyBackwards.apply(Tensor._make(grad._data), grad)
        copy._bump_version()  # copy_ is an in-place op: version 1, as in torch
    elif old is None:
        # .grad must own its array: the user may change it in place, and the incoming
        # gradient may be shared (add passes one gradient to both inputs). Like torch,
        # take the array without copying when nothing else can see it: only the
        # engine holds this tensor (3 references: _run's, ours, getrefcount's) and only
        # this tensor holds its array (3: the slot, `data`, getrefcount's), nor any
        # other the memory that array views (matmul may return a transposed view).
        data = grad._data
        if not (_getrefcount(grad) == 3 and _getrefcount(data) == 3 and _sole_view(data)):
            data = data.copy()
        variable._grad = Tensor._make(data)
    elif create_graph:
        variable._grad = old + grad  # out of place: a new node joins the old .grad's graph
    else:
        # In place, into the same tensor object: it keeps its grad_fn and requires_grad
        # (set by an earlier create_graph backward), as torch's `grad += new` does.
        old._data += grad._data
        old._bump_version()


class CopyBackwards(Node):
    """The node of `.grad` after a first backward(create_graph=True): torch copies the
    incoming gradient into a new tensor (`copy_`); the copy's gradient goes to the source."""
    aten = "aten::copy_"

    @staticmethod
    def forward(destination, source):
        return source._data.copy()

    def name(self):
        return "torch::autograd::CopyBackwards"  # what torch's node reports

    def backward(self, grad):
        return None, grad


_REFERENCE_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak.")


def _warn_reference_cycle():
    _cpp.warn_once(_REFERENCE_CYCLE, _cpp.ENGINE, stacklevel=5)  # from Tensor.backward


def _sole_view(data):
    base = data.base
    while base is not None:
        if _getrefcount(base) != 3:  # the view's reference, `base`, getrefcount's
            return False
        base = base.base
    return True


# -- argument checking, as torch does it ----------------------------------------

def _as_tuple(x):
    if isinstance(x, Tensor) or x is None:
        return (x,)
    return tuple(x)


def _inputs_tuple(inputs, caller):
    """`inputs` as a tuple: one Tensor, a sequence, or a dict (its values), never empty."""
    if isinstance(inputs, Tensor):
        return (inputs,)
    if type(inputs) is dict:
        inputs = tuple(inputs.values())
    elif isinstance(inputs, Mapping):
        raise TypeError(f"`inputs` argument to `{caller}()` must be a dict, not "
                        f"{type(inputs).__name__}. Other Mapping types are not supported.")
    inputs = tuple(inputs)
    if not inputs:
        raise RuntimeError(f"`inputs` argument to `{caller}()` cannot be empty.")
    return inputs


def _make_grads(outputs, grads):
    """One gradient per output (ones for a scalar one), checked as torch's _make_grads does."""
    grads = (None,) * len(outputs) if grads is None else _as_tuple(grads)
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):  # zip: extra gradients are ignored
        if not isinstance(out, Tensor):
            raise AssertionError("Expected output to be a torch.Tensor")
        if isinstance(g, Tensor):
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"torch.Size({list(g._data.shape)}) and output[{i}] has a shape of "
                    f"torch.Size({list(out._data.shape)}).")
            if g._data.dtype != out._data.dtype:
                # torch's engine casts a gradient to the dtype of what it flows into.
                g = g.to(out.dtype)
        elif g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind != "f":
                    raise RuntimeError(f"grad can be implicitly created only for real scalar "
                                       f"outputs but got {out.dtype}")
                g = Tensor._make(_ones_like(out._data))
        else:
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(g).__name__}")
        result.append(g)
    return result


def _check_outputs(outputs, grads):
    """The checks torch's engine makes before it looks at the inputs."""
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    for i, t in enumerate(outputs):
        if t.grad_fn is None and not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")


def _ones_like(data):
    return np.ones(data.shape, dtype=data.dtype)


def _target_node(t, retain=False):
    """The node whose incoming gradient is the gradient of input `t`."""
    if not isinstance(t, Tensor):
        raise RuntimeError(
            f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
    if retain:
        t.retain_grad()
    if not t._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    if t.grad_fn is not None:
        return _views.edge(t)
    return t._get_accumulator()
