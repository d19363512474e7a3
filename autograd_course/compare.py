"""Show that autograd_mini and torch computed the same thing.

Lessons compare through the ``%%twin`` cell magic (twin_cell.py), which calls this
module on the results a cell names; tests and tools call ``compare(mini_result,
torch_result, name=...)`` (or ``compare_all`` for several) directly. The answer is a small table, HTML in Jupyter and
text elsewhere: does the value match (exactly, or within float32 rounding), and do
shape, dtype, ``requires_grad``, ``is_leaf`` and the ``grad_fn`` name agree. Each
attribute shows both engines' values side by side with a tick or a cross, so a
student sees the agreement instead of taking it on trust, and nbval notices in CI
when the engines stop agreeing.

Only values are read: ``compare`` never touches ``.grad`` (reading it on a
non-leaf tensor warns), so pass ``x.grad`` itself when a gradient is the result.

``compare_errors(mini_call, torch_call)`` does the same for the errors the engines raise,
and ``twin(array)`` makes the two tensors to compare from one NumPy array.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from numbers import Number

import numpy as np
import torch

import autograd_mini

HEADERS = ("mini", "torch")  # lessons import autograd_mini as mini
ATTRIBUTES = ("error", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn")
OK, BAD = "✓", "✗"
# Which of "exact match" and "close match" (within float32 rounding) NumPy and torch
# reach depends on the CPU's vector instructions, so the two verdicts have the same
# length (a table's padding never depends on it), print no difference, and
# nbval_sanitize.cfg folds both into "match". Only a MISMATCH says by how much.
EXACT, CLOSE = "exact match", "close match"


@dataclass(frozen=True)
class Pair:
    """One attribute as each engine reports it."""

    mini: str
    torch: str

    @property
    def ok(self):
        return self.mini == self.torch


@dataclass(frozen=True)
class Row:
    """One compared result: a tensor, a number, None, or one item of a structure."""

    name: str
    value: str
    value_ok: bool
    attributes: dict = field(default_factory=dict)  # attribute name -> Pair (tensors and numbers)

    @property
    def problems(self):
        """The columns that differ."""
        bad = [] if self.value_ok else ["value"]
        return bad + [column for column, pair in self.attributes.items() if not pair.ok]


# --- what a result is --------------------------------------------------------------

def _is_tensor(value):
    return isinstance(value, (autograd_mini.Tensor, torch.Tensor))


def _is_dtype(value):
    return isinstance(value, (autograd_mini.dtype, torch.dtype))


def _is_node(value):
    """A backward node (``grad_fn``) of either engine."""
    return isinstance(value, (autograd_mini.node.Node, torch.autograd.graph.Node))


def _is_number(value):
    return isinstance(value, (Number, np.number, np.bool_))


def _is_structure(value):
    # a shape is a tuple too, but it is one value, not a structure of results
    return isinstance(value, (tuple, list)) and not isinstance(value, (torch.Size, autograd_mini.Size))


def _fields(structure):
    """Field names of a namedtuple, or of torch's ``torch.return_types`` (which has no ``_fields``)."""
    return getattr(type(structure), "__match_args__", None)


def dtype_name(dtype):
    """``float32`` for autograd_mini.float32, torch.float32, numpy's float32 or "float32"."""
    if isinstance(dtype, autograd_mini.dtype):
        return dtype.name
    if isinstance(dtype, torch.dtype):
        return str(dtype).removeprefix("torch.")
    return np.dtype(dtype).name


def _kind(value):
    """What a result is, in words, for a row that says two results are not alike."""
    if value is None:
        return "None"
    if isinstance(value, autograd_mini.Tensor):
        return "autograd_mini tensor"
    if isinstance(value, torch.Tensor):
        return "torch tensor"
    if _is_structure(value):
        fields = _fields(value)
        if fields:
            return f"{type(value).__name__}({', '.join(fields)})"
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


# --- comparing ----------------------------------------------------------------------

def _max_abs_diff(a, b):
    same = (a == b) | (np.isnan(a) & np.isnan(b))  # equal infinities count as equal, not inf - inf
    return float(np.max(np.where(same, 0.0, np.abs(a - b)), initial=0.0))


def _value_verdict(mini_array, torch_array, rtol, atol):
    """``(text, ok)`` for two arrays of the same shape."""
    a, b = np.asarray(mini_array, dtype=np.float64), np.asarray(torch_array, dtype=np.float64)
    if np.array_equal(a, b, equal_nan=True):
        return EXACT, True
    if np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        return CLOSE, True
    return f"MISMATCH (max abs diff {_max_abs_diff(a, b):.2g})", False


def _row_with_values(name, attributes, mini_array, torch_array, rtol, atol):
    """The row for two arrays whose other attributes are compared already."""
    if not attributes["shape"].ok:
        return Row(name, "MISMATCH (shapes differ)", False, attributes)
    return Row(name, *_value_verdict(mini_array, torch_array, rtol, atol), attributes)


def _tensor_row(name, mini, torch_, rtol, atol):
    attributes = {
        "shape": Pair(str(tuple(mini.shape)), str(tuple(torch_.shape))),
        "dtype": Pair(dtype_name(mini.dtype), dtype_name(torch_.dtype)),
        "requires_grad": Pair(str(mini.requires_grad), str(torch_.requires_grad)),
        "is_leaf": Pair(str(mini.is_leaf), str(torch_.is_leaf)),
        "grad_fn": Pair(*(("None" if t.grad_fn is None else t.grad_fn.name()) for t in (mini, torch_))),
    }
    engines = (_kind(mini), _kind(torch_))
    if engines != ("autograd_mini tensor", "torch tensor"):
        # two torch tensors would agree trivially: the lesson passed the wrong thing
        return Row(name, f"MISMATCH (expected autograd_mini vs torch, got {engines[0]} vs {engines[1]})",
                   False, attributes)
    return _row_with_values(name, attributes, mini.detach().numpy(), torch_.detach().numpy(), rtol, atol)


def _array_row(name, mini, torch_, rtol, atol):
    # NumPy arrays (a plotted curve, a path of values): no autograd columns, and no way to tell the engines apart
    attributes = {"shape": Pair(str(mini.shape), str(torch_.shape)),
                  "dtype": Pair(mini.dtype.name, torch_.dtype.name)}
    return _row_with_values(name, attributes, mini, torch_, rtol, atol)


def _number_row(name, mini, torch_, rtol, atol):
    # the type is the number's dtype: int where torch gives float is a difference
    attributes = {"dtype": Pair(type(mini).__name__, type(torch_).__name__)}
    value, ok = _value_verdict(mini, torch_, rtol, atol)
    return Row(name, value, ok, attributes)


def _structure_rows(name, mini, torch_, rtol, atol):
    fields = _fields(torch_)
    if _kind(mini) != _kind(torch_):
        yield Row(name, f"MISMATCH ({_kind(mini)} vs {_kind(torch_)})", False)
        if len(mini) != len(torch_):
            return
    for index, (mini_item, torch_item) in enumerate(zip(mini, torch_)):
        item_name = f"{name}.{fields[index]}" if fields else f"{name}[{index}]"
        yield from _rows(item_name, mini_item, torch_item, rtol, atol)


def _rows(name, mini, torch_, rtol, atol):
    """The rows for one pair of results, one per tensor or number inside them."""
    if mini is None and torch_ is None:
        yield Row(name, "None on both", True)
    elif _is_tensor(mini) and _is_tensor(torch_):
        yield _tensor_row(name, mini, torch_, rtol, atol)
    elif isinstance(mini, np.ndarray) and isinstance(torch_, np.ndarray):
        yield _array_row(name, mini, torch_, rtol, atol)
    elif _is_structure(mini) and _is_structure(torch_):
        yield from _structure_rows(name, mini, torch_, rtol, atol)
    elif _is_number(mini) and _is_number(torch_):
        yield _number_row(name, mini, torch_, rtol, atol)
    elif _is_node(mini) and _is_node(torch_):
        names = Pair(mini.name(), torch_.name())
        yield Row(name, "same node" if names.ok else "MISMATCH", names.ok, {"grad_fn": names})
    elif _is_dtype(mini) and _is_dtype(torch_):
        names = Pair(dtype_name(mini), dtype_name(torch_))
        yield Row(name, EXACT if names.ok else "MISMATCH", names.ok, {"dtype": names})
    elif isinstance(mini, (torch.Size, autograd_mini.Size)) and isinstance(torch_, (torch.Size, autograd_mini.Size)):
        shapes = Pair(str(tuple(mini)), str(tuple(torch_)))
        yield Row(name, EXACT if shapes.ok else "MISMATCH", shapes.ok, {"shape": shapes})
    elif type(mini) is type(torch_):  # strings, node names, ...
        same = mini == torch_
        yield Row(name, EXACT if same else f"MISMATCH ({mini!r} vs {torch_!r})", same)
    else:
        yield Row(name, f"MISMATCH ({_kind(mini)} vs {_kind(torch_)})", False)


# --- the answer ---------------------------------------------------------------------

class Comparison:
    """The rows of a comparison, shown as a table; ``.ok`` is True when everything agrees."""

    def __init__(self, rows, single=None, details=()):
        self.rows = list(rows)
        self._single = single  # the name, when one result was compared
        self.details = list(details)  # lines shown under the table: the messages of compared errors

    @property
    def ok(self):
        return all(not row.problems for row in self.rows)

    def assert_same(self):
        """Raise AssertionError, with the table, unless the engines agree."""
        if not self.ok:
            raise AssertionError(repr(self))
        return self

    def verdict(self):
        """One line: do the engines agree, and if not, where they differ."""
        bad = [row for row in self.rows if row.problems]
        if self._single is not None and len(self.rows) == 1:
            if not bad:
                return f"{OK} {self._single}: autograd_mini and torch agree"
            return f"{BAD} {self._single}: autograd_mini and torch differ in {', '.join(bad[0].problems)}"
        count = f"{len(self.rows)} result" + ("s" if len(self.rows) != 1 else "")
        if not bad:
            return f"{OK} autograd_mini and torch agree on " + (f"all {count}" if len(self.rows) > 1 else count)
        where = "; ".join(f"{row.name} ({', '.join(row.problems)})" for row in bad)
        return f"{BAD} autograd_mini and torch differ on {len(bad)} of {count}: {where}"

    def _columns(self):
        """The attribute columns some row has, in the usual order."""
        present = {column for row in self.rows for column in row.attributes}
        return [column for column in ATTRIBUTES if column in present]

    def _cells(self, row, columns):
        """``(text, ok)`` per table cell of a row; ok is None for an empty cell."""
        cells = [(row.name, None), (f"{OK if row.value_ok else BAD} {row.value}", row.value_ok)]
        for column in columns:
            pair = row.attributes.get(column)
            if pair is None:
                cells += [("", None), ("", None)]
            else:
                cells += [(f"{OK if pair.ok else BAD} {pair.mini}", pair.ok), (pair.torch, pair.ok)]
        return cells

    def table_lines(self):
        """The table as text lines, without the verdict above it."""
        columns = self._columns()
        lines = [["", "value"] + [part for column in columns for part in (column, "")],
                 ["", "mini vs torch"] + list(HEADERS) * len(columns)]
        lines += [[text for text, _ in self._cells(row, columns)] for row in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        return ["  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip() for line in lines]

    def __repr__(self):
        return "\n".join([self.verdict()] + self.table_lines() + self.details)

    def table_html(self):
        """The table as an HTML ``<table>``, without the verdict above it."""
        columns = self._columns()
        top = "<th></th><th>value</th>" + "".join(f'<th colspan="2">{column}</th>' for column in columns)
        sub = "<th></th><th>mini vs torch</th>" + "".join(f"<th>{engine}</th>" for engine in HEADERS) * len(columns)
        body = "".join("<tr>" + "".join(_html_cell(text, ok) for text, ok in self._cells(row, columns)) + "</tr>"
                       for row in self.rows)
        return (f'<table style="font-size:0.9em"><thead><tr>{top}</tr><tr>{sub}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    def _repr_html_(self):
        colour = "#1a7f37" if self.ok else "#cf222e"
        details = (f'<pre style="white-space:pre-wrap">{escape(chr(10).join(self.details))}</pre>'
                   if self.details else "")
        return (f'<div><p style="color:{colour};font-weight:bold">{escape(self.verdict())}</p>'
                f"{self.table_html()}{details}</div>")


def _html_cell(text, ok):
    colour = {None: "", True: "color:#1a7f37;", False: "color:#cf222e;font-weight:bold;"}[ok]
    return f'<td style="{colour}text-align:left">{escape(text)}</td>'


def compare(mini_result, torch_result, name=None, rtol=1.3e-6, atol=1e-5):
    """Compare one result of autograd_mini with torch's.

    A result is a tensor of either engine, a NumPy array, a Python number, a dtype, a
    shape, None, or a tuple, list or namedtuple of those (nested, as the functional API
    returns them). Values match when they are equal or within ``rtol``/``atol``
    (torch.testing's float32 tolerances).
    """
    label = name or "result"
    return Comparison(_rows(label, mini_result, torch_result, rtol, atol), single=label)


def compare_all(pairs, rtol=1.3e-6, atol=1e-5):
    """Compare several results: a dict ``name -> (mini, torch)`` or triples ``(name, mini, torch)``."""
    triples = [(name, *pair) for name, pair in pairs.items()] if isinstance(pairs, Mapping) else pairs
    return Comparison(row for name, mini, torch_ in triples for row in _rows(name, mini, torch_, rtol, atol))


def _outcome(call):
    """``(error type name, message)`` of what ``call()`` raises, or ``("no error", "")``."""
    try:
        call()
    except Exception as error:
        return type(error).__name__, str(error)
    return "no error", ""


def compare_errors(mini_call, torch_call, name=None):
    """Call each engine's code and compare the errors they raise: type and message.

    Lessons show torch's errors this way instead of a traceback:
    ``compare_errors(lambda: z_mini.backward(), lambda: z_torch.backward(), name="...")``.
    Both calls raising nothing counts as agreeing too.
    """
    (mini_type, mini_message), (torch_type, torch_message) = _outcome(mini_call), _outcome(torch_call)
    same = mini_message == torch_message
    label = name or "error"
    row = Row(label, "same message" if same else "MISMATCH (the messages differ)", same,
              {"error": Pair(mini_type, torch_type)})
    details = [f"{engine}: {kind}" + (f": {message}" if message else "")
               for engine, kind, message in (("autograd_mini", mini_type, mini_message),
                                             ("torch", torch_type, torch_message))]
    return Comparison([row], single=label, details=details)


def twin(array, requires_grad=False, dtype=None):
    """``(mini_tensor, torch_tensor)`` holding the same values, each with its own copy.

    ``dtype=None`` turns floating-point data into float32, torch's default dtype, as
    ``torch.tensor`` does for Python floats (NumPy's generators give float64).
    """
    data = np.array(array)
    if dtype is None and data.dtype.kind == "f":
        dtype = "float32"
    name = data.dtype.name if dtype is None else dtype_name(dtype)
    data = data.astype(name)
    mini = autograd_mini.tensor(data.copy(), dtype=getattr(autograd_mini, name), requires_grad=requires_grad)
    return mini, torch.tensor(data.copy(), dtype=getattr(torch, name), requires_grad=requires_grad)
