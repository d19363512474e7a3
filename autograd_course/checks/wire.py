"""The plain data a probe hands to a judge: JSON, with NumPy arrays inside, and nothing else.

A probe runs in the student's process, a judge in the grader's; what crosses between them
can be forged by the student, so it is data only (never pickle, never eval), capped in size
and depth, and every array is checked before it becomes one::

    raw = encode({"x": np.arange(3.0), "names": ["MulBackward0"], "raised": None})
    data = decode(raw)            # BadData(reason) for anything encode did not write

Floats that JSON cannot spell (nan, inf) and arrays are written as one-key objects
(``{"__float__": "nan"}``, ``{"__ndarray__": {...}}``); a plain dict may not use those keys.
Tuples come back as lists.
"""

import base64
import json
import math

import numpy as np

ARRAY = "__ndarray__"
FLOAT = "__float__"
DTYPES = (
    "bool",
    "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
)
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class BadData(ValueError):
    """Data that ``encode`` did not write, or too much of it; the message says why."""


def _plain(value, depth=0):
    """``value`` as JSON-ready values; TypeError for anything but the allowed types."""
    if depth > 100:
        raise TypeError("data nested too deeply to encode")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {FLOAT: repr(value)}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return {ARRAY: _array_fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("dict keys must be strings")
        if value.keys() & {ARRAY, FLOAT}:
            raise TypeError(f"a dict may not use the keys {ARRAY!r} or {FLOAT!r}")
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    raise TypeError(f"cannot send a {type(value).__name__}: turn it into plain data first")


def _array_fields(array):
    name = array.dtype.name
    if name not in DTYPES:
        raise TypeError(f"cannot send an array of dtype {name}")
    little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return {"dtype": name, "shape": list(array.shape), "data": base64.b64encode(little.tobytes()).decode("ascii")}


def encode(data):
    """``data`` (None, bool, int, float, str, list, tuple, str-keyed dict, NumPy array) as bytes."""
    return json.dumps(_plain(data), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


class _Reader:
    """Turns parsed JSON back into data, counting what it has seen."""

    def __init__(self, max_depth, max_items):
        self.max_depth, self.max_items, self.items = max_depth, max_items, 0

    def value(self, value, depth):
        self.items += 1
        if self.items > self.max_items:
            raise BadData(f"more than {self.max_items} values")
        if depth > self.max_depth:
            raise BadData(f"nested more than {self.max_depth} levels deep")
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value
        if isinstance(value, list):
            return [self.value(item, depth + 1) for item in value]
        if isinstance(value, dict):
            if ARRAY in value or FLOAT in value:
                return self.special(value)
            return {key: self.value(item, depth + 1) for key, item in value.items()}
        raise BadData(f"unexpected {type(value).__name__}")

    def special(self, value):
        if len(value) != 1:
            raise BadData("an array or special float must be alone in its object")
        if FLOAT in value:
            spelled = value[FLOAT]
            if spelled not in _SPECIAL_FLOATS:
                raise BadData(f"unknown special float {spelled!r}"[:100])
            return _SPECIAL_FLOATS[spelled]
        return self.array(value[ARRAY])

    def array(self, fields):
        if not isinstance(fields, dict) or set(fields) != {"dtype", "shape", "data"}:
            raise BadData("an array needs exactly dtype, shape and data")
        dtype, shape, data = fields["dtype"], fields["shape"], fields["data"]
        if dtype not in DTYPES:
            raise BadData(f"arrays of dtype {str(dtype)[:30]!r} are not allowed")
        if (
            not isinstance(shape, list)
            or len(shape) > 32
            or not all(isinstance(size, int) and not isinstance(size, bool) and size >= 0 for size in shape)
        ):
            raise BadData("an array's shape must be a list of at most 32 sizes >= 0")
        if not isinstance(data, str):
            raise BadData("an array's data must be a base64 string")
        count = math.prod(shape)
        self.items += count
        if self.items > self.max_items:
            raise BadData(f"more than {self.max_items} values")
        try:
            raw = base64.b64decode(data.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raise BadData("an array's data is not valid base64") from None
        little = np.dtype(dtype).newbyteorder("<")
        if len(raw) != count * little.itemsize:
            raise BadData(f"an array's data holds {len(raw)} bytes, but shape {shape} of {dtype} needs {count * little.itemsize}")
        return np.frombuffer(raw, dtype=little).astype(np.dtype(dtype), copy=True).reshape(shape)


def _deepest_nesting(text):
    """How deep JSON text nests its brackets, leaving out brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest


def _no_constants(name):
    raise BadData(f"bare {name} is not allowed")


def decode(raw, max_bytes=2_000_000, max_depth=40, max_items=200_000):
    """The data ``encode`` wrote into ``raw``; BadData(reason) for anything else."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if not isinstance(raw, (bytes, bytearray)):
        raise BadData(f"expected bytes, got {type(raw).__name__}")
    if len(raw) > max_bytes:
        raise BadData(f"{len(raw)} bytes of data, more than the {max_bytes} allowed")
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise BadData("the data is not UTF-8") from None
    # JSON's own nesting comes before any of ours: refuse deep text before parsing it.
    if _deepest_nesting(text) > max_depth + 3:  # an array's object adds levels of its own
        raise BadData(f"nested more than {max_depth} levels deep")
    try:
        parsed = json.loads(text, parse_constant=_no_constants)
    except BadData:
        raise
    except (ValueError, RecursionError) as error:
        raise BadData(f"not valid JSON ({str(error)[:80]})") from None
    return _Reader(max_depth, max_items).value(parsed, 0)
