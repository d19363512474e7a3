"""Walk the graph autograd recorded, from the outputs back to the leaves.

Only the protocol torch and autograd_mini share is used: ``tensor.grad_fn``,
``node.name()`` and ``node.next_functions``.

The graph protocol: any engine whose objects follow it is walked, drawn
(``draw_graph``, ``graph_text``, ``side_by_side``) and stepped through
(``widgets.stepper``), as the engine students write in the build-it-yourself
track (lessons 14-17) is:

- a tensor has ``grad_fn`` (a node, or None for a leaf), ``requires_grad``,
  ``is_leaf``, ``shape`` and ``detach()``, whose result has ``tolist()`` and
  ``numpy()``; optionally ``grad`` and ``retains_grad``;
- a node has ``name()`` and ``next_functions``, a tuple of ``(node or None,
  output_nr)``, one per input of its operation;
- a leaf's node (torch's AccumulateGrad) has ``variable``, the leaf tensor;
- for the stepper, a node also has ``backward(grad)``, returning one gradient
  (an array, or None) per entry of ``next_functions``;
- values a node saved for backward may be shown from its ``_saved_*`` attributes. Nodes are numbered in the order a
breadth-first walk from the outputs first meets them, never by memory
address, so the same program numbers its graph the same way on every run and
in both engines. The ``(None, 0)`` entries are numbered after all the
backward nodes, in the order they were met, so the backward nodes are
``#0 .. #n-1`` without gaps.
"""

from collections import deque
from dataclasses import dataclass, field

_TENSOR_ATTRIBUTES = ("grad_fn", "requires_grad", "is_leaf", "shape", "detach")


def is_tensor(value):
    """True for a torch or autograd_mini tensor (anything with the tensor protocol)."""
    if isinstance(value, type):  # the Tensor class itself has all these attributes
        return False
    try:
        return all(hasattr(value, attribute) for attribute in _TENSOR_ATTRIBUTES)
    except Exception:  # objects from a notebook's locals() may raise anything from __getattr__
        return False


def node_name(node):
    """A node's class name as students see it printed: torch's AccumulateGrad
    reports ``torch::autograd::AccumulateGrad`` from ``name()`` but prints as
    ``<AccumulateGrad object ...>``."""
    return node.name().rsplit("::", 1)[-1]


@dataclass
class Walk:
    """The recorded graph, numbered breadth-first from the outputs.

    ``nodes[i]`` is the live node with id ``i``, or None for a ``(None, 0)``
    entry of ``next_functions`` (each such entry gets its own id, after the
    backward nodes', so it can be drawn as its own stub). ``edges`` holds ``(node id, input id, output_nr)``
    for every ``next_functions`` entry, in node order and then entry order.
    ``outputs[k]`` is the id of output k's ``grad_fn``, None when it has none.
    """

    nodes: list = field(default_factory=list)
    names: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    outputs: list = field(default_factory=list)

    def real_ids(self):
        """Ids of backward nodes, leaving out the ``(None, 0)`` stubs."""
        return range(len(self.nodes) - self.names.count(None))

    def inputs_of(self):
        """For each node id, its ``(edge index, input id, output_nr)`` in ``next_functions`` order."""
        inputs = [[] for _ in self.nodes]
        for index, (source, target, output_nr) in enumerate(self.edges):
            inputs[source].append((index, target, output_nr))
        return inputs


def walk_graph(outputs):
    """Number every node reachable from ``outputs``; iterative, so a
    10,000-step chain does not hit Python's recursion limit."""
    walk = Walk()
    ids = {}  # id(node) -> node id; the nodes stay alive in walk.nodes, so id() is not reused

    def add(node):
        walk.nodes.append(node)
        walk.names.append(None if node is None else node_name(node))
        return len(walk.nodes) - 1

    queue = deque()
    for output in outputs:
        node = output.grad_fn
        if node is None:
            walk.outputs.append(None)
            continue
        if id(node) not in ids:
            ids[id(node)] = add(node)
            queue.append(node)
        walk.outputs.append(ids[id(node)])

    stubs = []  # indices of the edges to (None, 0) entries, numbered once the backward nodes are
    while queue:
        node = queue.popleft()
        source = ids[id(node)]
        for next_node, output_nr in node.next_functions:
            if next_node is None:
                stubs.append(len(walk.edges))
                target = None
            elif id(next_node) in ids:
                target = ids[id(next_node)]
            else:
                target = ids[id(next_node)] = add(next_node)
                queue.append(next_node)
            walk.edges.append((source, target, output_nr))
    for index in stubs:
        source, _, output_nr = walk.edges[index]
        walk.edges[index] = (source, add(None), output_nr)
    return walk


def check_outputs(outputs, caller):
    """Reject a call without tensors before any walking, naming the function called."""
    if not outputs:
        raise TypeError(f"{caller}() needs at least one tensor, e.g. {caller}(t)")
    for output in outputs:
        if not is_tensor(output):
            raise TypeError(f"{caller}() expects tensors, got {type(output).__name__}")


def graph_structure(*outputs):
    """The recorded graph as plain data, for asserting two graphs are the same.

    ``{"nodes": [(id, name), ...], "edges": [(node id, input id, output_nr), ...],
    "outputs": [id or None, ...]}``: a ``(None, 0)`` input is a node named None,
    a node reached by two paths appears once with two edges. Equal structures
    mean both engines recorded the same graph: ``graph_structure(mini_t) ==
    graph_structure(torch_t)``.
    """
    check_outputs(outputs, "graph_structure")
    walk = walk_graph(outputs)
    return {
        "nodes": list(enumerate(walk.names)),
        "edges": list(walk.edges),
        "outputs": list(walk.outputs),
    }
