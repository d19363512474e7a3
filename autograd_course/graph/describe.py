"""Words for the tensors in a graph: their names, shapes, values, grads and
the values a node saved for backward. Shared by the drawing and the text form
so both say the same thing."""

import math

from .walk import is_tensor

MAX_VALUES_SHOWN = 6  # a tensor with more elements shows its shape only
FREED = object()  # stands for a saved tensor that backward has already freed
_FREED_MESSAGE = "Trying to backward through the graph a second time"


class TensorNames:
    """Names for the tensors of a graph, from a dict such as ``locals()``.

    Entries whose name starts with ``_`` (IPython's ``_``, ``_3``, ...) and
    values that are not tensors are ignored. A leaf is recognised by identity,
    an intermediate tensor by ``tensor.grad_fn is node``.
    """

    def __init__(self, names=None, outputs=()):
        self._by_tensor = {}  # id(tensor) -> (tensor, [names]); the tensor is kept so id() stays unique
        self._by_node = {}  # id(grad_fn) -> (grad_fn, [(name, tensor)])
        named = [(name, value) for name, value in (names or {}).items()
                 if not name.startswith("_") and is_tensor(value)]
        for name, tensor in named:
            self._by_tensor.setdefault(id(tensor), (tensor, []))[1].append(name)
        self.outputs = []  # (label, tensor) per output
        for index, output in enumerate(outputs):
            label = self.name_of(output) or ("output" if len(outputs) == 1 else f"output {index}")
            self.outputs.append((label, output))
        output_ids = {id(output) for output in outputs}
        # a named output is listed once, under its output label
        for name, tensor in [entry for entry in named if id(entry[1]) not in output_ids] + self.outputs:
            node = tensor.grad_fn  # bound once: torch may hand out a new wrapper object per access
            if node is not None:
                self._by_node.setdefault(id(node), (node, []))[1].append((name, tensor))

    def name_of(self, tensor):
        """The name(s) a tensor was given, joined by ``=``, or None."""
        entry = self._by_tensor.get(id(tensor))
        return " = ".join(entry[1]) if entry and entry[0] is tensor else None

    def made_by(self, node):
        """``(name, tensor)`` for each named tensor or output that ``node`` produced."""
        entry = self._by_node.get(id(node))
        return entry[1] if entry and entry[0] is node else []


def shape_of(tensor):
    return tuple(int(size) for size in tensor.shape)


def format_shape(tensor):
    return str(shape_of(tensor))


def format_value(value):
    """One saved value or tensor element, the same way for both engines."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return format(value, ".4g")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(format_value(item) for item in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def format_values(tensor):
    """The elements of a small tensor, or None when it has too many to show."""
    if math.prod(shape_of(tensor)) > MAX_VALUES_SHOWN:
        return None
    return format_value(tensor.detach().tolist())


def describe_tensor(tensor):
    """Shape, then the values when the tensor is small: ``(3,) [1, 2, 3]``."""
    values = format_values(tensor)
    return format_shape(tensor) if values is None else f"{format_shape(tensor)} {values}"


def grad_text(tensor):
    """The grad's description for a tensor whose ``.grad`` can be read without a warning, else None.

    Reading ``.grad`` of a non-leaf that does not retain its grad warns, so it is never read.
    """
    if not (tensor.is_leaf or getattr(tensor, "retains_grad", False)):
        return None
    grad = tensor.grad
    return "None" if grad is None else describe_tensor(grad)


def saved_values(node):
    """``(name, value)`` for each value ``node`` saved for backward, in name order.

    ``_saved_self`` becomes ``self``. A saved tensor freed by a backward without
    ``retain_graph=True`` comes back as ``FREED`` instead of raising. Sequences of
    tensors are split into ``tensors[0]``, ``tensors[1]``, ...
    """
    for attribute in sorted(name for name in dir(node) if name.startswith("_saved_")):
        name = attribute[len("_saved_"):]
        try:
            value = getattr(node, attribute)
        except RuntimeError as error:
            if _FREED_MESSAGE not in str(error):
                raise
            yield name, FREED
            continue
        if isinstance(value, (list, tuple)) and value and all(is_tensor(item) for item in value):
            yield from ((f"{name}[{index}]", item) for index, item in enumerate(value))
        elif value is not None:  # None: nothing was saved under this name
            yield name, value


def leaf_of(node):
    """The leaf tensor an AccumulateGrad node accumulates into, None for other nodes."""
    return getattr(node, "variable", None)


def tensor_lines(node, tensors, show_grad=False):
    """``(label, text)`` pairs for the tensors a node stands for.

    An AccumulateGrad node stands for its leaf (name or ``leaf``, shape, small
    values); any other node for the named tensors and outputs it produced (name,
    shape). With ``show_grad``, each tensor whose grad can be read is followed by
    a ``("grad", ...)`` pair.
    """
    leaf = leaf_of(node)
    if leaf is not None:
        entries = [(tensors.name_of(leaf) or "leaf", describe_tensor(leaf), leaf)]
    else:
        entries = [(name, format_shape(tensor), tensor) for name, tensor in tensors.made_by(node)]
    lines = []
    for label, text, tensor in entries:
        lines.append((label, text))
        grad = grad_text(tensor) if show_grad else None
        if grad is not None:
            lines.append(("grad", grad))
    return lines


def without_grad_fn(tensor):
    """Why an output has no graph to draw."""
    if tensor.requires_grad:
        return "a leaf: no grad_fn, nothing recorded before it"
    return "does not require grad: nothing was recorded"
