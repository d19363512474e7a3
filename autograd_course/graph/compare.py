"""Put the graphs autograd_mini and torch recorded next to each other and
mark, in red, every node and edge where they differ.

The two graphs are matched by walking them together from the outputs: the
k-th entry of a node's ``next_functions`` in one engine is matched with the
k-th entry of the matched node in the other. A difference is a node whose
names differ, an entry with another ``output_nr``, a node shared by two paths
in one engine but not in the other, or an entry or node only one engine has.
"""

from collections import deque
from dataclasses import dataclass, field
from html import escape

from .describe import TensorNames
from .digraph import INSTALL_DOT, DotMissingError
from .draw import Options, build_graph
from .text import format_walk
from .walk import check_outputs, walk_graph

ENGINES = ("autograd_mini", "torch")
MAX_LISTED = 20  # differences listed under the pictures; the rest are counted


@dataclass
class Differences:
    """Node ids and edge indices to mark in each graph, and what differs, in words."""

    nodes: tuple = field(default_factory=lambda: (set(), set()))
    edges: tuple = field(default_factory=lambda: (set(), set()))
    messages: list = field(default_factory=list)


def _node_text(walk, node_id):
    name = walk.names[node_id]
    return "None" if name is None else f"#{node_id} {name}"


def _pair_text(walks, pair):
    texts = [_node_text(walk, node_id) for walk, node_id in zip(walks, pair)]
    if texts[0] == texts[1]:
        return texts[0]
    return " / ".join(f"{text} ({engine})" for text, engine in zip(texts, ENGINES))


def diff_walks(first, second):
    """The differences between autograd_mini's walk and torch's, found by matching them from the outputs."""
    walks, engines = (first, second), ENGINES
    found = Differences()
    matched = ({}, {})  # node id in one walk -> matched node id in the other
    queue = deque()

    def mark(side, node_ids=(), edge_indices=()):
        found.nodes[side].update(node_ids)
        found.edges[side].update(edge_indices)

    def match(pair, where):
        """Match a pair of node ids unless one of them is matched already."""
        seen = [pair[side] in matched[side] for side in (0, 1)]
        if not any(seen):
            matched[0][pair[0]], matched[1][pair[1]] = pair[1], pair[0]
            queue.append(pair)
            return True
        if matched[0].get(pair[0]) == pair[1]:
            return True  # the same shared node in both
        found.messages.append(f"{where}: " + ", ".join(
            f"{engine} {'reuses' if was_seen else 'has'} {_node_text(walk, node_id)}"
            for engine, walk, node_id, was_seen in zip(engines, walks, pair, seen))
            + " (a node reused here is reached by another path too)")
        return False

    outputs = [walk.outputs for walk in walks]
    if len(outputs[0]) != len(outputs[1]):
        found.messages.append(f"{len(outputs[0])} outputs in {engines[0]}, {len(outputs[1])} in {engines[1]}")
    for index, pair in enumerate(zip(*outputs)):
        if None in pair:
            if pair != (None, None):
                found.messages.append(f"output {index} has no grad_fn in "
                                      f"{engines[pair.index(None)]}, but has one in the other engine")
                for side in (0, 1):
                    mark(side, [pair[side]] if pair[side] is not None else [])
        elif not match(pair, f"output {index}"):
            mark(0, [pair[0]])
            mark(1, [pair[1]])

    inputs = [walk.inputs_of() for walk in walks]
    while queue:
        pair = queue.popleft()
        names = [walk.names[node_id] for walk, node_id in zip(walks, pair)]
        where = _pair_text(walks, pair)
        if names[0] != names[1]:
            found.messages.append(f"{where}: {names[0]} in {engines[0]}, {names[1]} in {engines[1]}")
            mark(0, [pair[0]])
            mark(1, [pair[1]])
        entries = [inputs[side][pair[side]] for side in (0, 1)]
        if len(entries[0]) != len(entries[1]):
            found.messages.append(f"{where}: {len(entries[0])} next_functions in {engines[0]}, "
                                  f"{len(entries[1])} in {engines[1]}")
            for side in (0, 1):
                extra = entries[side][len(entries[1 - side]):]
                mark(side, edge_indices=[index for index, _, _ in extra])  # their nodes, if unmatched, below
        for position, (entry, other) in enumerate(zip(*entries)):
            edge_pair = (entry[0], other[0])
            entry_where = f"{where}, next_functions[{position}]"
            if entry[2] != other[2]:
                found.messages.append(f"{entry_where}: output_nr {entry[2]} in {engines[0]}, "
                                      f"{other[2]} in {engines[1]}")
                mark(0, edge_indices=[edge_pair[0]])
                mark(1, edge_indices=[edge_pair[1]])
            if not match((entry[1], other[1]), entry_where):
                mark(0, edge_indices=[edge_pair[0]])
                mark(1, edge_indices=[edge_pair[1]])

    for side, walk in enumerate(walks):
        alone = [node_id for node_id in range(len(walk.nodes)) if node_id not in matched[side]]
        if alone:
            listed = ", ".join(_node_text(walk, node_id) for node_id in alone[:5])
            more = f" and {len(alone) - 5} more" if len(alone) > 5 else ""
            found.messages.append(f"only in {engines[side]}: {listed}{more}")
        alone = set(alone)
        mark(side, alone, [index for index, (source, _, _) in enumerate(walk.edges) if source in alone])
    return found


def _as_outputs(output):
    return tuple(output) if isinstance(output, (list, tuple)) else (output,)


def _inline_svg(graph):
    """The SVG without its XML prologue, so it can sit inside HTML."""
    svg = graph.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg"):]


class SideBySide:
    """Both engines' graphs next to each other: two pictures in Jupyter
    (``_repr_html_``), a text summary elsewhere (``str``). Pictures are
    rendered once, on first display."""

    def __init__(self, mini_output, torch_output, names_mini=None, names_torch=None, **draw_kwargs):
        options = Options(**draw_kwargs)
        outputs = (_as_outputs(mini_output), _as_outputs(torch_output))
        for engine, engine_outputs in zip(ENGINES, outputs):
            check_outputs(engine_outputs, f"side_by_side ({engine} side)")
        self.walks = tuple(walk_graph(engine_outputs) for engine_outputs in outputs)
        self.differences = diff_walks(*self.walks)
        self.tensors = tuple(TensorNames(names, engine_outputs)
                             for names, engine_outputs in zip((names_mini, names_torch), outputs))
        self.graphs = tuple(
            build_graph(walk, tensors, options, marked_nodes=self.differences.nodes[side],
                        marked_edges=self.differences.edges[side], numbered=True)
            for side, (walk, tensors) in enumerate(zip(self.walks, self.tensors)))
        self._html = None

    @property
    def identical(self):
        return not self.differences.messages

    def _verdict(self):
        """A headline, and the differences to list under it."""
        walk, messages = self.walks[0], self.differences.messages
        if self.identical:
            return f"the two graphs are identical ({len(walk.nodes)} nodes, {len(walk.edges)} edges)", []
        listed = messages[:MAX_LISTED]
        if len(messages) > MAX_LISTED:
            listed.append(f"... and {len(messages) - MAX_LISTED} more differences")
        return f"the graphs differ ({len(messages)} differences):", listed

    def summary(self):
        """One line when the graphs agree, else one line per difference."""
        headline, listed = self._verdict()
        return "\n".join([headline, *(f"- {message}" for message in listed)])

    def __str__(self):
        if self.identical:
            return f"{self.summary()}:\n{format_walk(self.walks[1], self.tensors[1])}"
        texts = [f"{engine}:\n{format_walk(walk, tensors)}"
                 for engine, walk, tensors in zip(ENGINES, self.walks, self.tensors)]
        return "\n\n".join([self.summary(), *texts])

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self):
        if self._html is None:
            self._html = self._render_html()
        return self._html

    def _render_html(self):
        try:
            pictures = [_inline_svg(graph) for graph in self.graphs]
        except DotMissingError:
            pictures = [f"<pre>{escape(graph.text_form)}</pre>" for graph in self.graphs]
            notice = f"<pre style='color:#b00'>{escape(INSTALL_DOT)}</pre>"
        else:
            notice = ""
        figures = "".join(
            f"<figure style='margin:0'><figcaption style='font-weight:bold;text-align:center'>"
            f"{engine}</figcaption>{picture}</figure>"
            for engine, picture in zip(ENGINES, pictures))
        colour = "#2e7d32" if self.identical else "#d62728"
        headline, listed = self._verdict()
        summary = f"<p style='color:{colour};font-weight:bold'>{escape(headline)}</p>"
        if listed:
            items = "".join(f"<li>{escape(message)}</li>" for message in listed)
            summary += f"<ul style='color:{colour}'>{items}</ul>"
        row = "display:flex;flex-wrap:wrap;gap:32px;align-items:flex-start"
        pictures = f"<div style='{row}'>{figures}</div>"
        return f"<div style='font-family:sans-serif'>{notice}{pictures}{summary}</div>"


def side_by_side(mini_output, torch_output, names_mini=None, names_torch=None, **draw_kwargs):
    """Show the graph autograd_mini recorded next to the one torch recorded,
    with every differing node and edge in red in both pictures and listed below.

    Each output may be a tensor or a tuple of tensors; ``draw_kwargs`` are
    ``draw_graph``'s options (``show_saved``, ``show_grad``, ...).
    """
    return SideBySide(mini_output, torch_output, names_mini, names_torch, **draw_kwargs)
