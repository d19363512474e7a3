"""Reading a submitted file into the code cells to run, without trusting anything in it.

A submission may be anything: a valid notebook, a notebook with megabytes of stored output,
a truncated file, a PDF renamed to .ipynb. Only the code cells' sources are kept (stored
outputs are never looked at), and what cannot be read is described in words for the
feedback column.
"""

import json
import re
from dataclasses import dataclass, field

MAX_BYTES = 50_000_000


class Unreadable(ValueError):
    """The file is not a notebook the grader can run; the message says why, for the student."""


@dataclass
class Submission:
    cells: list = field(default_factory=list)  # (cell number as Jupyter counts, source) of each code cell
    lesson: str = None  # the checks module named in the notebook's metadata, if any


def lesson_name(text):
    """``"3"``, ``"03"``, ``"lesson03"`` or a notebook name like ``03_backward_and_grad`` ->
    ``"lesson03"``; None when ``text`` names no lesson."""
    match = re.match(r"^(?:lesson)?(\d{1,2})(?:_|$)", text or "")
    return f"lesson{int(match.group(1)):02d}" if match else None


def _source(cell, index):
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise Unreadable(f"not a notebook: cell {index + 1} has no text source")


def read_submission(path):
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise Unreadable(f"the file is {size / 1e6:.0f} MB, more than the {MAX_BYTES / 1e6:.0f} MB a notebook may have")
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable("not a notebook: the file is not text (UTF-8)") from None
    except json.JSONDecodeError as error:
        raise Unreadable(f"not a notebook: invalid JSON: {error.msg} (line {error.lineno})") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise Unreadable("not a notebook: the JSON has no list of cells")
    cells = []
    for index, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict):
            raise Unreadable(f"not a notebook: cell {index + 1} is not a cell")
        if cell.get("cell_type") == "code":
            cells.append((index + 1, _source(cell, index)))
    metadata = document.get("metadata")
    course = metadata.get("autograd_course") if isinstance(metadata, dict) else None
    checks = course.get("checks") if isinstance(course, dict) else None
    return Submission(cells=cells, lesson=lesson_name(checks) if isinstance(checks, str) else None)
