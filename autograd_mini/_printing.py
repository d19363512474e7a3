"""How a tensor prints: a NumPy port of torch 2.13's ``torch/_tensor_str.py``.

``repr(t)`` must be byte-identical to torch's, because students compare the two
side by side. The recipe, in torch's own order:

1. If the tensor has more than ``threshold`` elements, keep only ``edgeitems``
   rows at each end of every dimension ("summarize").
2. From the elements that will be shown, one ``_Formatter`` picks a single style
   (integer-looking ``1.``, fixed ``1.2346`` or scientific ``1.2346e+05``) and a
   single width, so that columns line up.
3. Nested brackets are built dimension by dimension; a vector wraps after as
   many elements as fit in ``linewidth``.
4. ``size=``, ``dtype=`` and the engine's own suffixes (``requires_grad=True``,
   ``grad_fn=<...>``) are appended, moving to a new line when they do not fit.

Torch's quirks are kept on purpose (they are marked where they happen): copying
them is what makes the output identical.
"""

import dataclasses
import math

import numpy as np


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTIONS = _PrintOptions()

_PROFILES = {
    "default": _PrintOptions(),
    "short": _PrintOptions(precision=2, edgeitems=2),
    "full": _PrintOptions(threshold=math.inf),
}

# torch leaves the dtype out of the repr when ``tensor([...])`` would infer it
# again from the printed values; every other dtype is spelled out.
_DEFAULT_DTYPE = "float32"
_INFERRED_DTYPES = (_DEFAULT_DTYPE, "int64", "bool")


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set the print options, with the semantics of ``torch.set_printoptions``.

    precision: digits after the decimal point (default 4).
    threshold: element count above which tensors are summarized (default 1000).
    edgeitems: items kept at each end of a dimension when summarizing (default 3).
    linewidth: characters per line before a vector wraps (default 80).
    profile: "default", "short" or "full" presets, applied before the other
        arguments (an unknown name is ignored, as in torch).
    sci_mode: True / False forces scientific notation on / off; None lets
        the formatter choose. Like torch, every call resets it, so leaving
        it out means None.
    """
    preset = _PROFILES.get(profile)
    if preset is not None:
        for name in ("precision", "threshold", "edgeitems", "linewidth"):
            setattr(_OPTIONS, name, getattr(preset, name))
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            setattr(_OPTIONS, name, value)
    _OPTIONS.sci_mode = sci_mode


class _Formatter:
    """One style and one width for every element of a tensor, so columns align.

    Built from the elements that will actually be shown. Zeros, infinities and
    NaNs take no part in choosing the style: ``[0., 1e-9]`` must not count as a
    range of magnitudes.
    """

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1

        if not self.floating:
            self.width = max([self.width] + [len(str(v)) for v in values.ravel().tolist()])
            return

        informative = values[np.isfinite(values) & (values != 0)]
        if informative.size == 0:
            return

        self.int_mode = bool(np.all(informative == np.ceil(informative)))
        # float64 so that float16 cannot overflow in the ratio below (as torch does)
        magnitudes = np.abs(informative).astype(np.float64)
        smallest, largest = magnitudes.min(), magnitudes.max()
        if _OPTIONS.sci_mode is None:
            # A ratio that overflows to inf still means "too wide a range".
            with np.errstate(over="ignore"):
                ratio = largest / smallest
            self.sci_mode = bool(ratio > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        else:
            self.sci_mode = _OPTIONS.sci_mode

        self.width = max([self.width] + [len(self._text(v)) for v in informative.tolist()])

    def _text(self, value) -> str:
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{_OPTIONS.precision}e}"
        if self.int_mode:
            # The trailing "." tells a float tensor of whole numbers from an int one.
            text = f"{value:.0f}"
            return text + "." if math.isfinite(value) else text
        return f"{value:.{_OPTIONS.precision}f}"

    def format(self, value) -> str:
        return self._text(value).rjust(self.width)


def _ends(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last ``edgeitems`` entries of ``a`` (along axis 0)."""
    edge = _OPTIONS.edgeitems
    return a[:edge], a[len(a) - edge :]


def _is_cut(a: np.ndarray, summarize: bool) -> bool:
    """Whether the middle of ``a`` (along axis 0) gives way to "..."."""
    return summarize and len(a) > 2 * _OPTIONS.edgeitems


def _shown_values(a: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows, flattened (they choose the style)."""
    if a.ndim == 0:
        return a.ravel()
    if not _OPTIONS.edgeitems:
        return np.empty(0, a.dtype)  # a summary without edges shows only "..."
    rows = np.concatenate(_ends(a)) if _is_cut(a, summarize=True) else a
    if a.ndim == 1:
        return rows
    return np.concatenate([_shown_values(row) for row in rows])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    def formatted(values):
        return [fmt.format(v) for v in values.tolist()]

    if summarize and not _OPTIONS.edgeitems:
        items = ["..."]
    elif _is_cut(a, summarize):
        head, tail = _ends(a)
        items = formatted(head) + [" ..."] + formatted(tail)
    else:
        items = formatted(a)

    # each element is followed by ", " (or ",\n")
    per_line = max(1, math.floor((_OPTIONS.linewidth - indent) / (fmt.width + 2)))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """``a`` in brackets; ``indent`` is the column just before its opening bracket."""
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)

    def nested(rows):
        return [_nested_str(row, indent + 1, summarize, fmt) for row in rows]

    if _is_cut(a, summarize):
        head, tail = _ends(a)
        blocks = nested(head) + ["..."] + nested(tail)
    else:
        blocks = nested(a)

    # a 3-D tensor's matrices are separated by one blank line, a 4-D's by two, ...
    separator = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(blocks) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    # torch counts the last line as two characters longer than it is; copied so
    # that suffixes wrap at exactly the same place.
    line_len = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > _OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(
    data: np.ndarray,
    *,
    dtype_name: str,
    suffixes: list[str] = (),
    module: str = "autograd_mini",
) -> str:
    """The repr of a tensor holding ``data``, as torch 2.13 prints it.

    dtype_name: the tensor's dtype without the module, e.g. "float64".
    suffixes: items the engine adds after the data, already formatted,
        e.g. ["requires_grad=True"] or ["grad_fn=<AddBackward0>"].
    module: printed where torch prints ``torch.`` (in ``dtype=torch.float64``).
    """
    prefix = "tensor("
    indent = len(prefix)
    dtype_suffix = f"dtype={module}.{dtype_name}"
    size_suffix = f"size={tuple(data.shape)}"
    own_suffixes = []

    if data.size == 0:
        # "[]" alone reads as shape (0,) and, with no values, as the default dtype
        if data.ndim != 1:
            own_suffixes.append(size_suffix)
        if dtype_name != _DEFAULT_DTYPE:
            own_suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not _OPTIONS.edgeitems:
            own_suffixes.append(size_suffix)
        if dtype_name not in _INFERRED_DTYPES:
            own_suffixes.append(dtype_suffix)
        summarize = data.size > _OPTIONS.threshold
        formatter = _Formatter(_shown_values(data) if summarize else data)
        body = _nested_str(data, indent, summarize, formatter)

    return _add_suffixes(prefix + body, own_suffixes + list(suffixes), indent)
