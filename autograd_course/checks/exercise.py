"""One auto-checked exercise, as a student meets it: ``q1.check()`` and ``q1.hint()``.

A check has two halves. Its PROBE runs in the student's kernel, at the check cell, and turns
what the student made into plain data (arrays, dtypes, flags, node names, the outputs of the
student's functions on inputs the check chose, what a cell raised). Its JUDGE runs wherever
the verdict is computed (in the notebook, or in the grader's own process, outside the
student's code) and compares that data with references it computes itself from inputs it
knows. Between the two, the data goes through :mod:`.wire` (JSON, size-capped), exactly as
it does for the batch grader, so ``q1.check()`` and the grader's CSV give the same verdict::

    data = q1.probe(namespace)       # plain data; never raises
    result = q1.judge(data)          # Result(status, message); never raises
    q1.grade(namespace)              # judge(decode(encode(probe(namespace))))

A judge is written as a straight line of expectations: helpers raise :class:`NotYet` (a
hint that names the mistake, never the solution) or :class:`NotAttempted`, and
:meth:`Exercise.judge` turns them into a :class:`Result`. A probe may raise
:class:`Missing` (from :func:`need`); anything else it raises becomes ``probe_error`` data.
"""

import enum
import html
import re
import sys
import warnings
from dataclasses import dataclass

from . import wire


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


class Missing(NotAttempted):
    """Raised in a probe: the notebook has no objects called ``names``."""

    def __init__(self, names):
        super().__init__(missing_message(names))
        self.names = list(names)


def expect(condition, hint):
    if not condition:
        raise NotYet(hint)


def missing_message(names):
    quoted = [f"`{name}`" for name in names]
    listed = " and ".join(filter(None, [", ".join(quoted[:-1]), quoted[-1]]))
    return f"define {listed} in the cell above, then run this check again"


def need(namespace, *names):
    """The objects called ``names`` in the notebook, or Missing naming the missing ones."""
    missing = [name for name in names if name not in namespace]
    if missing:
        raise Missing(missing)
    values = tuple(namespace[name] for name in names)
    return values[0] if len(values) == 1 else values


def first_line(text, limit=200):
    """The first non-empty line of ``text``, shortened to ``limit`` characters."""
    lines = str(text or "").strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def error_data(error):
    """What a probe sends about an exception: its type's name and its message's first line."""
    try:
        message = first_line(error)
    except Exception:  # a student's exception whose __str__ raises
        message = ""
    return {"type": type(error).__name__, "message": message}


def describe_error(error):
    """``Type: first line`` for an exception or for the data :func:`error_data` made of one."""
    if not isinstance(error, dict):
        error = error_data(error)
    kind, line = str(error.get("type", "Exception"))[:80], first_line(error.get("message", ""))
    return f"{kind}: {line}" if line else kind


def last_error():
    """The exception that ended the notebook's most recent failing cell, if any.

    IPython stores it in ``sys.last_value`` (as the plain interpreter does), which lets a
    check recognise a cell that failed, like ``backward()`` on a vector, and explain it.
    """
    return getattr(sys, "last_value", None)


def last_error_data():
    """:func:`error_data` of :func:`last_error`, or None."""
    error = last_error()
    return None if error is None else {**error_data(error), "stub": isinstance(error, NotImplementedError)}


def attempt(function, *args):
    """Run student code inside a probe: ``(result, None)``, or ``(None, error data)`` with
    ``stub`` set when it raised the handed-out NotImplementedError. SystemExit is caught too
    (a function that calls ``sys.exit()`` must not end the check); anything else derived
    from BaseException (Ctrl-C, the grader's time limit) passes through."""
    try:
        return function(*args), None
    except (Exception, SystemExit) as error:
        return None, {**error_data(error), "stub": isinstance(error, NotImplementedError)}


def expect_ran(error, label, explain=None):
    """Judge side of :func:`attempt`: NotAttempted for the stub, else the hint ``explain``
    gives for a piece of the error's message, else what was raised."""
    if error is None:
        return
    if not isinstance(error, dict):
        raise NotYet(f"calling `{label}` raised an exception the check cannot read")
    if error.get("stub") is True:
        raise NotAttempted(
            f"`{label}` still raises NotImplementedError: replace `# Your code here` and the "
            "`raise` below it with your code"
        )
    message = str(error.get("message", ""))
    for known, hint in (explain or {}).items():
        if known in message:
            raise NotYet(hint)
    raise NotYet(f"calling `{label}` raised {describe_error(error)}")


def call(function, *args, name=None, explain=None):
    """The old single-process form of :func:`attempt` + :func:`expect_ran` (legacy checks)."""
    result, error = attempt(function, *args)
    expect_ran(error, name or getattr(function, "__name__", "your function"), explain)
    return result


def expect_cell_ran(error, explain=None):
    """Judge side of :func:`last_error_data`, for an answer that is not there: the cell
    raised (say what, and its usual cause from ``explain``), or it was never written."""
    if not isinstance(error, dict) or error.get("stub") is True or error.get("type") == "NotImplementedError":
        return
    message = str(error.get("message", ""))
    cause = next((hint for known, hint in (explain or {}).items() if known in message), None)
    what = f"your cell above raised {describe_error(error)}"
    raise NotYet(f"{what}. {cause}" if cause else f"{what}: read the error, fix the cell, and run it again")


def _guarded(function, *args):
    """``function(*args)`` as a Result; the hint helpers' exceptions become its status."""
    with warnings.catch_warnings():
        # Reading `.grad` of a non-leaf warns; a check does that on purpose.
        warnings.simplefilter("ignore")
        try:
            function(*args)
        except NotYet as hint:
            return Result(Status.NOT_YET, str(hint))
        except NotAttempted as what:
            return Result(Status.NOT_ATTEMPTED, str(what))
        except Exception as error:  # data or objects shaped unlike anything the check expects
            return Result(
                Status.NOT_YET,
                f"the check could not inspect your answer ({describe_error(error)})",
            )
    return Result(Status.CORRECT)


def _names_of(missing):
    if not isinstance(missing, list) or not missing or not all(isinstance(name, str) for name in missing):
        raise NotYet("the check's data about your answer is not readable")
    return [name[:60] for name in missing[:10]]


class Exercise:
    """An exercise made of ``probe(namespace) -> dict`` and ``judge(data) -> None`` (raising
    NotYet / NotAttempted; returning means correct), with hints shown one at a time.

    ``Exercise(name, check, hints=...)`` with no judge is the old single-process form: the
    whole check runs on the namespace, in the student's process. It is kept only while the
    checks move to probe and judge; the batch grader does not accept it.
    """

    def __init__(self, name, probe, judge=None, hints=(), points=1, raised=None):
        self.name = name
        # When the answer's names are missing because the cell before the check raised, say
        # what it raised and its usual cause (``raised`` maps a piece of the message to it).
        self._raised = raised
        self._probe = probe
        self._judge = judge
        self._hints = list(hints)
        self._hints_shown = 0
        self.points = points

    def __repr__(self):
        return f"<exercise {self.name}: call .check() or .hint()>"

    @property
    def legacy(self):
        return self._judge is None

    def probe(self, namespace):
        """Plain data about the student's objects in ``namespace``; never raises an Exception."""
        if self.legacy:
            return {"legacy": "this check has no probe and judge yet"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                data = self._probe(namespace)
                wire.encode(data)  # a probe that made something unsendable is the check's bug
            except Missing as missing:
                return {"missing": missing.names, "last_error": last_error_data()}
            except (Exception, SystemExit) as error:
                return {"probe_error": describe_error(error)}
        return data if isinstance(data, dict) else {"probe_error": "the probe returned no dict"}

    def judge(self, data):
        """The verdict on probe data (possibly forged: it is checked); never raises."""
        return _guarded(self._judge_data, data)

    def _judge_data(self, data):
        if not isinstance(data, dict):
            raise NotYet("the check's data about your answer is not readable")
        if "missing" in data:
            if self._raised is not None:
                expect_cell_ran(data.get("last_error"), self._raised)
            raise NotAttempted(missing_message(_names_of(data["missing"])))
        if "probe_error" in data:
            raise NotYet(f"the check could not inspect your answer ({first_line(data['probe_error'])})")
        if self.legacy:
            raise NotYet("this check cannot judge data yet")
        self._judge(data)

    def grade(self, namespace):
        """The result for the objects in ``namespace``: the judge's verdict on the probe's
        data, sent through the wire as the batch grader sends it; never raises an Exception."""
        if self.legacy:
            return _guarded(self._probe, namespace)
        try:
            data = wire.decode(wire.encode(self.probe(namespace)))
        except (TypeError, ValueError) as error:
            return Result(Status.NOT_YET, f"the check could not inspect your answer ({describe_error(error)})")
        return self.judge(data)

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
