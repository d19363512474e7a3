"""One auto-checked exercise, as a student meets it: ``q1.check()`` and ``q1.hint()``.

A check reads the student's objects from the notebook's namespace and answers with one of
three results: correct, not yet (with a hint that names the mistake, never the solution),
or not attempted. It never raises, so a handed-out notebook runs from top to bottom; the
grader calls :meth:`Exercise.grade` on the same objects and turns the result into points.

A lesson's check function is written as a straight line of expectations: helpers raise
:class:`NotYet` or :class:`NotAttempted`, and :meth:`Exercise.grade` turns them into a
:class:`Result`.
"""

import enum
import html
import re
import sys
import warnings
from dataclasses import dataclass


class Status(enum.Enum):
    CORRECT = "correct"
    NOT_YET = "not yet"
    NOT_ATTEMPTED = "not attempted"


# How each status looks: mark, headline, background colour of the HTML box.
_LOOK = {
    Status.CORRECT: ("✅", "Correct", "#e6f4ea"),
    Status.NOT_YET: ("❌", "Not yet", "#fdecea"),
    Status.NOT_ATTEMPTED: ("➖", "Not attempted", "#f1f3f4"),
}


@dataclass(frozen=True)
class Result:
    status: Status
    message: str = ""

    @property
    def text(self):
        mark, headline, _ = _LOOK[self.status]
        return f"{mark} {headline}: {self.message}" if self.message else f"{mark} {headline}"


class NotYet(Exception):
    """The answer is there but wrong; the message is the hint shown to the student."""


class NotAttempted(Exception):
    """The objects the exercise asks for do not exist (yet); the message says which."""


def expect(condition, hint):
    if not condition:
        raise NotYet(hint)


def need(namespace, *names):
    """The objects called ``names`` in the notebook, or NotAttempted naming the missing ones."""
    missing = [name for name in names if name not in namespace]
    if missing:
        quoted = [f"`{name}`" for name in missing]
        listed = " and ".join(filter(None, [", ".join(quoted[:-1]), quoted[-1]]))
        raise NotAttempted(f"define {listed} in the cell above, then run this check again")
    values = tuple(namespace[name] for name in names)
    return values[0] if len(values) == 1 else values


def call(function, *args, name=None, explain=None):
    """Run student code for a check; whatever it raises becomes a hint instead of a traceback.

    ``explain`` maps a piece of a known error message to the hint that explains it.
    ``NotImplementedError`` is the handed-out stub, so it means "not attempted". SystemExit
    is caught too: a function that calls ``sys.exit()`` must not end the check. Anything
    derived from BaseException beyond that (Ctrl-C, the grader's time limit) passes through.
    """
    label = name or getattr(function, "__name__", "your function")
    try:
        return function(*args)
    except NotImplementedError:
        raise NotAttempted(
            f"`{label}` still raises NotImplementedError: replace `# Your code here` and the "
            "`raise` below it with your code"
        ) from None
    except (Exception, SystemExit) as error:
        for known, hint in (explain or {}).items():
            if known in str(error):
                raise NotYet(hint) from None
        raise NotYet(f"calling `{label}` raised {describe_error(error)}") from None


def first_line(text, limit=200):
    """The first non-empty line of ``text``, shortened to ``limit`` characters."""
    lines = str(text or "").strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe_error(error):
    line = first_line(error)
    return f"{type(error).__name__}: {line}" if line else type(error).__name__


def last_error():
    """The exception that ended the notebook's most recent failing cell, if any.

    IPython stores it in ``sys.last_value`` (as the plain interpreter does), which lets a
    check recognise a cell that failed, like ``backward()`` on a vector, and explain it.
    """
    return getattr(sys, "last_value", None)


class Exercise:
    """``check(namespace) -> None`` raises NotYet / NotAttempted; returning means correct."""

    def __init__(self, name, check, hints, points=1):
        self.name = name
        self._check = check
        self._hints = list(hints)
        self._hints_shown = 0
        self.points = points

    def __repr__(self):
        return f"<exercise {self.name}: call .check() or .hint()>"

    def grade(self, namespace):
        """The result for the objects in ``namespace``; never raises an Exception."""
        with warnings.catch_warnings():
            # Reading `.grad` of a non-leaf warns; the check does that on purpose.
            warnings.simplefilter("ignore")
            try:
                self._check(namespace)
            except NotYet as hint:
                return Result(Status.NOT_YET, str(hint))
            except NotAttempted as what:
                return Result(Status.NOT_ATTEMPTED, str(what))
            except Exception as error:  # an object shaped unlike anything the check expects
                return Result(
                    Status.NOT_YET,
                    f"the check could not inspect your answer ({describe_error(error)})",
                )
        return Result(Status.CORRECT)

    def check(self, namespace=None):
        show(self.grade(caller_namespace() if namespace is None else namespace))

    def hint(self):
        """Show the next hint; after the last one, start again from the first."""
        if not self._hints:
            show_text("💡 No hint for this one: reread the exercise's text.")
            return
        index = self._hints_shown % len(self._hints)
        self._hints_shown += 1
        show_text(f"💡 Hint {index + 1}/{len(self._hints)}: {self._hints[index]}")


def exercises_in(module):
    """The module's exercises as ``(name, Exercise)`` pairs, in the order they are defined."""
    return [(name, value) for name, value in vars(module).items() if isinstance(value, Exercise)]


def _shell():
    """The running IPython shell, or None in plain Python (and when IPython is not installed)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def caller_namespace():
    """Where the student's objects live: IPython's ``user_ns`` in a notebook, else the globals
    of the first frame outside this package (a script calling ``q1.check()``)."""
    shell = _shell()
    if shell is not None:
        return shell.user_ns
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(__package__):
        frame = frame.f_back
    return frame.f_globals


def _html(text, background):
    escaped = html.escape(text)
    # `code` in a message becomes <code>; everything else stays plain text.
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return (
        f'<div style="background:{background};padding:6px 10px;border-radius:4px;'
        f'font-family:sans-serif">{escaped}</div>'
    )


def show_text(text, background="#fff8e1"):
    if _shell() is None:
        print(text)
        return
    from IPython.display import display

    display({"text/plain": text, "text/html": _html(text, background)}, raw=True)


def show(result):
    show_text(result.text, _LOOK[result.status][2])
