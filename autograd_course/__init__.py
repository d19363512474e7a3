"""autograd_course: the course's tools around the engine.

Lessons load ``%load_ext autograd_course`` for the ``%%twin`` cell magic (a cell
written in plain PyTorch, run on autograd_mini too and compared), and import what
else they need from here: graph drawing, the side-by-side comparison with torch,
widgets, exercise checks. Names load lazily, so that a
lesson that only compares values does not pay for importing graphviz or
ipywidgets.
"""
import importlib
import os

# torch's profiler back end prints timestamped start/stop lines into a notebook's
# stderr unless this is set before the first profile (lessons 7 and 10, checks).
os.environ.setdefault("KINETO_LOG_LEVEL", "6")

_EXPORTS = {
    "draw_graph": "graph",
    "side_by_side": "graph",
    "graph_structure": "graph",
    "graph_text": "graph",
    "compare": "compare",
    "compare_all": "compare",
    "twin": "compare",
    "compare_errors": "compare",
    "on_mini": "twin_cell",
}


def load_ipython_extension(shell):
    """``%load_ext autograd_course`` registers the ``%%twin`` cell magic (see twin_cell.py)."""
    from .twin_cell import load_ipython_extension as load
    load(shell)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autograd_course' has no attribute {name!r}")
    loaded = importlib.import_module(f".{module}", __name__)
    # Importing `.compare` binds the *module* as our attribute `compare`: bind every
    # export of that module now, so the functions win whichever name comes first.
    for export, home in _EXPORTS.items():
        if home == module:
            globals()[export] = getattr(loaded, export)
    return globals()[name]


def __dir__():
    return sorted(list(globals()) + list(_EXPORTS))
