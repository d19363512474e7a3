"""The backward pass: walk the recorded graph from the outputs to the leaves.

1. Count, for every node reachable from the outputs, how many edges lead into it
   (an iterative depth-first walk: a graph 100,000 nodes deep must not recurse).
2. Start from the outputs with their gradients. A node runs once all the edges
   into it have delivered their gradient (summed where paths meet): that order
   is a topological order, so every node sees its complete gradient.
3. A node's backward turns the gradient of its output into gradients for its
   inputs and hands them to `next_functions`. AccumulateGrad adds into `.grad`.
"""
import warnings
from collections.abc import Mapping
from sys import getrefcount as _getrefcount

import numpy as np

from . import _hooks
from .grad_mode import set_grad_enabled
from .node import AccumulateGrad
from .tensor import Tensor


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
    _run(tensors, grads, retain_graph, create_graph, targets, accumulate=True)


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
        raise NotImplementedError("autograd_mini has no vmap: is_grads_batched=True is not "
                                  "supported; call grad once per grad_output instead.")
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
    captured = _run(outputs, grads, retain_graph, create_graph, targets, accumulate=False)
    result = []
    for i, (t, node) in enumerate(zip(inputs_tuple, targets)):
        g = captured.get(node)
        if g is None:
            if materialize_grads:
                g = Tensor._make(t._data * 0)
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
    roots = []
    for i, t in enumerate(outputs):
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
        elif t._requires_grad:
            roots.append(t._get_accumulator())
        else:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")

    dependencies = _count_dependencies(roots)
    needed = _reaching(roots, dependencies, set(targets)) if targets is not None else None
    target_set = set(targets) if targets is not None else ()

    pending = {}  # node -> gradient of its output, summed over the edges seen so far
    for node, g in zip(roots, grads):
        pending[node] = pending[node] + g if node in pending else g
    ready = [n for n in dict.fromkeys(roots) if dependencies.get(n, 0) == 0]
    captured = {}
    observer = _hooks.observer

    with set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            grad = pending.pop(node, None)
            if grad is None:
                # No gradient reached this node; it still counts as done for its
                # inputs, which may get gradient along another path.
                _deliver(node, (), pending, dependencies, ready, create_graph)
                continue
            if node._pre_hooks or node._retained is not None:
                grad = _run_hooks(node, grad)
            if node in target_set:
                captured[node] = grad
            if type(node) is AccumulateGrad:
                if accumulate and (targets is None or node in target_set):
                    if observer is not None:
                        observer.record_backward(node, grad, lambda g, v=node.variable:
                                                 _accumulate(v, g, create_graph))
                    else:
                        _accumulate(node.variable, grad, create_graph)
                continue
            if needed is not None and node not in needed:
                continue
            # Passed straight on, not kept in a local: _accumulate can then tell
            # when the engine holds the only reference to a gradient.
            _deliver(node, observer.record_backward(node, grad) if observer is not None
                     else node.backward(grad), pending, dependencies, ready, create_graph)
            if not retain_graph:
                node.release_saved()
    return captured


def _deliver(node, input_grads, pending, dependencies, ready, create_graph):
    """Hand each input's gradient to the node it flows into; queue nodes now complete."""
    edges = node._next
    if len(input_grads) != len(edges):  # a backward may leave out trailing None
        input_grads = tuple(input_grads) + (None,) * (len(edges) - len(input_grads))
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
    """The nodes from which some target can be reached: only they need to run."""
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
        if node in targets or any(n in needed for n in node._next if n is not None):
            needed.add(node)
    return needed


def _run_hooks(node, grad):
    hooks = node._pre_hooks
    if hooks:
        for hook in list(hooks):
            new = hook(grad)
            if new is not None:
                grad = new
    retained = node._retained() if node._retained is not None else None
    if retained is not None:
        # retain_grad: the non-leaf keeps (and accumulates) the gradient, as a leaf would.
        _accumulate(retained, grad, create_graph=False)
    return grad


def _accumulate(variable, grad, create_graph):
    old = variable._grad
    if create_graph:
        variable._grad = grad if old is None else old + grad
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
    elif old._requires_grad:
        variable._grad = old + grad.detach()
    else:
        old._data += grad._data
        old._bump_version()


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
        return t.grad_fn
    return t._get_accumulator()
