"""Draw the graph autograd recorded, with graphviz, in the course's style.

Leaves are light blue, outputs light green, other backward nodes light grey,
saved tensors orange and ``(None, 0)`` inputs faded stubs. Edges follow the
forward pass, from a node's input to the node; with the default
``rankdir="BT"`` the leaves sit at the bottom and the outputs at the top.
"""

from dataclasses import dataclass
from html import escape

from .describe import (FREED, TensorNames, describe_tensor, format_shape, format_value,
                       is_tensor, leaf_of, saved_values, tensor_lines, without_grad_fn)
from .digraph import CourseGraph
from .text import format_walk
from .walk import check_outputs, walk_graph

FONT = "Helvetica,Arial,sans-serif"
FILLS = {
    "backward": ("#eeeeee", "#9e9e9e"),  # (fill, border)
    "leaf": ("#cfe2f3", "#6d9eeb"),
    "output": ("#d9ead3", "#6aa84f"),
    "saved": ("#fbd5a5", "#e69138"),
}
FADED = "#b0b0b0"
DIFFERS = {"color": "#d62728", "penwidth": "2.5"}  # side_by_side's mark for what differs
SMALL = 9  # point size of the lines under a node's title


@dataclass
class Options:
    show_saved: bool = False
    show_grad: bool = False
    show_attrs: bool = False
    rankdir: str = "BT"
    max_nodes: int = 200


def _label(title, lines=(), footer=None):
    """An HTML-like label: a bold title, then smaller lines of ``(label, text)``."""
    rows = [f"<B>{escape(title)}</B>"] if title else []
    for label, text in lines:
        lead = f"<B>{escape(label)}</B>&#160;" if label else ""  # SVG text drops a plain leading space
        rows.append(f'<FONT POINT-SIZE="{SMALL}">{lead}{escape(text)}</FONT>')
    if footer:
        rows.append(f'<FONT POINT-SIZE="{SMALL - 1}" COLOR="#777777">{escape(footer)}</FONT>')
    return "<" + "<BR/>".join(rows) + ">"


def _filled(kind, marked=False):
    fill, border = FILLS[kind]
    attributes = {"fillcolor": fill, "color": border}
    return {**attributes, **DIFFERS} if marked else attributes


def _new_graph(rankdir):
    return CourseGraph(
        graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.35", "fontname": FONT},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": FONT, "fontsize": "11",
                   "height": "0.3", "margin": "0.12,0.05", "penwidth": "1.2"},
        edge_attr={"fontname": FONT, "fontsize": "9", "fontcolor": "#555555", "color": "#555555",
                   "arrowsize": "0.7"},
    )


class _Drawer:
    """Builds one picture from a walk; ``marked_nodes``/``marked_edges`` (ids and
    edge indices) are drawn in red, and ``numbered`` adds each node's id."""

    def __init__(self, walk, tensors, options, marked_nodes=(), marked_edges=(), numbered=False):
        self.walk, self.tensors, self.options = walk, tensors, options
        self.marked_nodes, self.marked_edges, self.numbered = set(marked_nodes), set(marked_edges), numbered
        self.graph = _new_graph(options.rankdir)
        real_ids = walk.real_ids()
        self.shown = set(real_ids[:options.max_nodes])
        self.left_out = len(real_ids) - len(self.shown)
        self.node_ids = {id(node): i for i, node in enumerate(walk.nodes) if node is not None}
        self.leaves = {}  # id(leaf tensor) -> (leaf tensor, id of its AccumulateGrad node)
        for node_id in real_ids:
            leaf = leaf_of(walk.nodes[node_id])
            if leaf is not None:
                self.leaves[id(leaf)] = (leaf, node_id)

    def draw(self):
        for index, ((name, tensor), node_id) in enumerate(zip(self.tensors.outputs, self.walk.outputs)):
            if node_id is None:
                label = _label(f"{name} {format_shape(tensor)}", [], without_grad_fn(tensor))
                self.graph.node(f"out{index}", label, **_filled("output"))
        for node_id in sorted(self.shown):
            self._node(node_id)
        self._edges()
        if self.left_out:
            self.graph.node("more", _label(f"... {self.left_out} more nodes not drawn", [],
                                           f"max_nodes={self.options.max_nodes}"),
                            style="rounded,dashed", color="#999999", fontcolor="#666666")
        self.graph.text_form = format_walk(self.walk, self.tensors, self.options.max_nodes)
        return self.graph

    def _node(self, node_id):
        node, options = self.walk.nodes[node_id], self.options
        lines = tensor_lines(node, self.tensors, options.show_grad)
        freed, saved_tensors = False, []
        if options.show_saved or options.show_attrs:
            for name, value in saved_values(node):
                if value is FREED:
                    freed = True
                elif is_tensor(value):
                    saved_tensors.append((name, value))
                elif options.show_attrs:
                    lines.append((name, f"= {format_value(value)}"))
        extra = {}
        if freed and options.show_saved:
            lines.append(("saved", "buffers freed"))
            extra["tooltip"] = "backward() freed the saved tensors; pass retain_graph=True to keep them"
        name = f"#{node_id} {self.walk.names[node_id]}" if self.numbered else self.walk.names[node_id]
        if leaf_of(node) is not None:  # the leaf's name leads, the node's name is a footnote
            (title, description), *rest = lines
            kind, lines, footer = "leaf", [("", description), *rest], name
        else:
            kind, title, footer = ("output" if node_id in self.walk.outputs else "backward"), name, None
        self.graph.node(f"n{node_id}", _label(title, lines, footer), **extra,
                        **_filled(kind, node_id in self.marked_nodes))
        if options.show_saved:
            for name, tensor in saved_tensors:
                self._saved_tensor(node_id, name, tensor)

    def _saved_tensor(self, node_id, name, tensor):
        saved_id = f"n{node_id}_{name}"
        known_as = self.tensors.name_of(tensor)
        title = f"saved {name}" + (f" = {known_as}" if known_as else "")
        self.graph.node(saved_id, _label(title, [("", describe_tensor(tensor))]), **_filled("saved"))
        self.graph.edge(saved_id, f"n{node_id}", style="dashed", color=FILLS["saved"][1], arrowhead="none")
        source = self._node_of(tensor)
        if source is not None and source != node_id and source in self.shown:
            # the saved tensor is the output of `source` (or its leaf): a dotted link, not a layout constraint
            self.graph.edge(f"n{source}", saved_id, style="dotted", color=FADED, arrowhead="none",
                            constraint="false")

    def _node_of(self, tensor):
        """The graph node standing for ``tensor``: its AccumulateGrad when it is a
        leaf in the graph, else the node that produced it."""
        if tensor.is_leaf:
            leaf, node_id = self.leaves.get(id(tensor), (None, None))
            return node_id if leaf is tensor else None
        node = tensor.grad_fn
        return self.node_ids.get(id(node)) if node is not None else None

    def _edges(self):
        more_edges = set()
        for index, (source, target, output_nr) in enumerate(self.walk.edges):
            if source not in self.shown:
                continue
            stub = self.walk.nodes[target] is None
            attributes = {"color": FADED, "style": "dashed"} if stub else {}
            if output_nr:
                attributes["label"] = str(output_nr)
            if index in self.marked_edges:
                attributes.update(DIFFERS)
            if stub:
                stub_style = {"shape": "box", "style": "rounded,dashed", "color": FADED, "fontcolor": FADED,
                              "fontsize": "8", "height": "0.2", "width": "0.3", "margin": "0.04,0.02"}
                if target in self.marked_nodes:
                    stub_style.update(DIFFERS)
                self.graph.node(f"n{target}", "None", **stub_style)
            if stub or target in self.shown:
                self.graph.edge(f"n{target}", f"n{source}", **attributes)
            elif source not in more_edges:
                more_edges.add(source)
                self.graph.edge("more", f"n{source}", style="dashed")


def build_graph(walk, tensors, options, **marks):
    return _Drawer(walk, tensors, options, **marks).draw()


def draw_graph(*outputs, names=None, show_saved=False, show_grad=False, show_attrs=False,
               rankdir="BT", max_nodes=200):
    """Draw the graph autograd recorded for ``outputs`` (torch or autograd_mini tensors).

    ``names``: a dict of name -> tensor, e.g. ``locals()``, to label leaves and
    intermediate tensors. ``show_saved``: the tensors each node saved for
    backward, as orange boxes ("buffers freed" once backward freed them).
    ``show_grad``: leaves' ``.grad`` and retained grads. ``show_attrs``: the
    non-tensor values nodes saved (ints, sizes). Past ``max_nodes`` backward
    nodes the rest collapse into one box. Returns a ``graphviz.Digraph`` that
    shows inline in Jupyter; ``.source`` is the same on every run.
    """
    check_outputs(outputs, "draw_graph")
    options = Options(show_saved=show_saved, show_grad=show_grad, show_attrs=show_attrs, rankdir=rankdir,
                      max_nodes=max_nodes)
    return build_graph(walk_graph(outputs), TensorNames(names, outputs), options)
