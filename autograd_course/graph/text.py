"""The recorded graph as text, laid out like the seed's ``next_functions``
prints: for lessons run where the ``dot`` program is missing, and for
frontends that cannot show pictures."""

from .describe import TensorNames, format_shape, tensor_lines, without_grad_fn
from .walk import check_outputs, walk_graph


def _entry(walk, node_id, output_nr):
    name = walk.names[node_id]
    return f"({'None' if name is None else f'#{node_id} {name}'}, {output_nr})"


def format_walk(walk, tensors, max_nodes=200):
    """One line per backward node, its tensors after a dash, then its ``next_functions``."""
    inputs = walk.inputs_of()
    output_ids = set(walk.outputs)
    lines = [f"{label} {format_shape(tensor)}: {without_grad_fn(tensor)}"
             for (label, tensor), node_id in zip(tensors.outputs, walk.outputs) if node_id is None]
    real_ids = walk.real_ids()
    for node_id in real_ids[:max_nodes]:
        described = ", ".join(f"{label} {text}" for label, text in tensor_lines(walk.nodes[node_id], tensors))
        marks = " (output)" if node_id in output_ids else ""
        lines.append(f"#{node_id} {walk.names[node_id]}{' - ' + described if described else ''}{marks}")
        entries = [_entry(walk, target, output_nr) for _, target, output_nr in inputs[node_id]]
        tuple_text = f"({entries[0]},)" if len(entries) == 1 else f"({', '.join(entries)})"
        lines.append(f"    next_functions: {tuple_text}")
    if len(real_ids) > max_nodes:
        lines.append(f"... {len(real_ids) - max_nodes} more nodes not listed (max_nodes={max_nodes})")
    return "\n".join(lines)


def graph_text(*outputs, names=None, max_nodes=200):
    """The graph behind ``outputs`` as text: ``print(graph_text(t, names=locals()))``."""
    check_outputs(outputs, "graph_text")
    return format_walk(walk_graph(outputs), TensorNames(names, outputs), max_nodes)
