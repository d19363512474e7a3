"""Draw and compare the graphs autograd records, for torch and autograd_mini alike."""

from .compare import side_by_side
from .digraph import DotMissingError
from .draw import draw_graph
from .text import graph_text
from .walk import graph_structure

__all__ = ["draw_graph", "side_by_side", "graph_structure", "graph_text", "DotMissingError"]
