"""Reading a submitted file into the code cells to run, without trusting anything in it.

A submission may be anything: a valid notebook, an old (nbformat 3) notebook, a notebook with
megabytes of stored output, a truncated file, JSON nested ten thousand levels deep, a PDF
renamed to .ipynb, a symbolic link, a pipe. Only the code cells' sources and the exercise
each check cell belongs to are kept (stored outputs are never looked at), and what cannot be
read is described in words for the feedback column.

Symbolic links are never followed, wherever they point: a link inside the submissions folder
would grade one file twice, a link outside it would grade a file nobody submitted (the
course's own solutions, say). The row says where the link points, and to hand in the file itself.
"""

import json
import os
import re
import stat
from dataclasses import dataclass, field

MAX_BYTES = 50_000_000


class Unreadable(ValueError):
    """The file is not a notebook the grader can run; the message says why, for the student."""


@dataclass
class Cell:
    number: int  # as Jupyter counts cells, from 1, markdown included
    source: str
    exercise: str = None  # the exercise whose check cell this is (metadata from build_exercises)


@dataclass
class Submission:
    cells: list = field(default_factory=list)  # the code cells, as Cells
    lesson: str = None  # the checks module named in the notebook's metadata, if any
    data: bytes = b""  # the file as read, for the sandbox's own copy


def lesson_name(text):
    """``"3"``, ``"03"``, ``"lesson03"`` or a notebook name like ``03_backward_and_grad`` ->
    ``"lesson03"``; None when ``text`` names no lesson."""
    match = re.match(r"^(?:lesson)?(\d{1,2})(?:_|$)", text or "")
    return f"lesson{int(match.group(1)):02d}" if match else None


def display_name(path):
    """The path as text that any CSV can hold: bytes that are not UTF-8 shown as ``\\xNN``."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _source(cell, index):
    source = cell.get("source", cell.get("input", ""))  # nbformat 3 calls it "input"
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise Unreadable(f"not a notebook: cell {index + 1} has no text source")


def _cells_of(document):
    """The list of cells of a notebook of nbformat 4, or of 3 (converted with nbformat)."""
    if document.get("nbformat") == 3:
        import nbformat

        try:
            document = nbformat.convert(nbformat.from_dict(document), 4)
        except Exception as error:  # noqa: BLE001 - any failure is the file's, and said so
            raise Unreadable(f"not a notebook: an nbformat 3 file that cannot be converted ({error!r:.100})") from None
    if not isinstance(document.get("cells"), list):
        raise Unreadable("not a notebook: the JSON has no list of cells")
    return document["cells"]


def _exercise(cell):
    metadata = cell.get("metadata")
    course = metadata.get("autograd_course") if isinstance(metadata, dict) else None
    name = course.get("exercise") if isinstance(course, dict) else None
    return name if isinstance(name, str) and re.fullmatch(r"q\d{1,3}", name) else None


def _read_bytes(path):
    """The file's bytes; a symbolic link, a folder or a pipe is Unreadable, never followed or opened."""
    if os.path.islink(path):
        target = os.readlink(path)
        raise Unreadable(
            f"a symbolic link (to {display_name(target)}), not a notebook: links are never "
            "followed; hand in the notebook file itself"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise Unreadable(f"cannot be opened: {error.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file")
        if info.st_size > MAX_BYTES:
            raise Unreadable(f"the file is {info.st_size / 1e6:.0f} MB, more than the {MAX_BYTES / 1e6:.0f} MB a notebook may have")
        return file.read(MAX_BYTES + 1)


def read_submission(path):
    data = _read_bytes(path)
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable("not a notebook: the file is not text (UTF-8)") from None
    except json.JSONDecodeError as error:
        raise Unreadable(f"not a notebook: invalid JSON: {error.msg} (line {error.lineno})") from None
    except RecursionError:
        raise Unreadable("not a notebook: its JSON is nested too deeply") from None
    if not isinstance(document, dict):
        raise Unreadable("not a notebook: the JSON has no list of cells")
    cells = []
    for index, cell in enumerate(_cells_of(document)):
        if not isinstance(cell, dict):
            raise Unreadable(f"not a notebook: cell {index + 1} is not a cell")
        if cell.get("cell_type") == "code":
            cells.append(Cell(index + 1, _source(cell, index), _exercise(cell)))
    metadata = document.get("metadata")
    course = metadata.get("autograd_course") if isinstance(metadata, dict) else None
    checks = course.get("checks") if isinstance(course, dict) else None
    return Submission(cells=cells, lesson=lesson_name(checks) if isinstance(checks, str) else None, data=data)
