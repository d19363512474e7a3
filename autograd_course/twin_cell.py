"""``%%twin``: run a lesson cell as plain PyTorch, and once more on autograd_mini.

A lesson loads it once (``%load_ext autograd_course``), then writes cells such as::

    %%twin y, y.grad_fn
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2

The cell runs as written in the notebook, with ``torch`` being torch: what it prints
and displays is torch's. Then the same code runs again in a *shadow namespace*, where
``torch`` (and ``import torch`` inside the cell) is autograd_mini. The shadow
namespace persists from one ``%%twin`` cell to the next, as the notebook's does.
Last, the results named on the magic's line are looked up in both namespaces and
compared with ``autograd_course.compare``; one line says what was compared and that
the engines agree. The full table is shown on a mismatch, or with ``--table``.

What else is compared:

- errors: a cell that raises in torch must raise the same error type and message on
  autograd_mini; the line says so, then torch's error is raised as usual (tag the
  cell ``raises-exception``);
- warnings: the same categories and messages, in the same order (torch's are shown
  as usual, autograd_mini's only on a mismatch);
- random draws: ``torch.randn``, ``rand``, ``randint``, ``randn_like``, ``rand_like``
  and the in-place ``uniform_`` / ``normal_`` (which ``nn.init`` uses) draw from
  torch's generator once; autograd_mini's run gets the same numbers, call by call.

Names that no ``%%twin`` cell bound (``np``, a NumPy generator, a number or an array
made in an ordinary cell) are copied in from the notebook before each run; arrays,
generators and containers are deep-copied, so the two runs do not share one object
they both change or draw from. What an ordinary cell imported from torch (``torch``,
``torch.nn``, ``jacobian``) becomes autograd_mini's counterpart. Values that belong to
torch (tensors, modules, functions defined in ordinary cells, which see real torch)
are never copied: define those in a ``%%twin`` cell.
``on_mini("t")`` returns what a name (or expression) is on autograd_mini.
"""

import ast
import builtins
import copy
import importlib
import io
import random
import re
import sys
import types
import warnings
from contextlib import ExitStack, contextmanager, redirect_stdout
from dataclasses import dataclass
from html import escape

import numpy as np
import torch

import autograd_mini
from .compare import BAD, OK, Comparison, Row, _rows

_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}
_TRIGGERED = re.compile(r"\s*\(Triggered internally at [^)]*\)\s*$")

# Random factories whose results autograd_mini's run replays from torch's run.
RANDOM_FACTORIES = ("rand", "randn", "randint", "rand_like", "randn_like", "randperm", "normal")
RANDOM_FILLS = ("uniform_", "normal_")


# --- running the cell on autograd_mini ------------------------------------------------

def _mini_import(name, globals=None, locals=None, fromlist=(), level=0):
    """``__import__`` for the shadow namespace: torch and torch.* are autograd_mini."""
    if level == 0 and (name == "torch" or name.startswith("torch.")):
        name = "autograd_mini" + name[len("torch"):]
    return builtins.__import__(name, globals, locals, fromlist, level)


def _mini_builtins():
    mapped = dict(vars(builtins))
    mapped["__import__"] = _mini_import
    return mapped


def _belongs_to_torch(value, user_ns, depth=0):
    """True for values that only make sense with real torch (never copied to the shadow)."""
    if isinstance(value, types.ModuleType):
        return value.__name__ == "torch" or value.__name__.startswith("torch.")
    if isinstance(value, types.FunctionType) and value.__globals__ is user_ns:
        return True  # defined in an ordinary cell: it sees real torch
    routine = isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType))
    module = getattr(value if routine else type(value), "__module__", "") or ""
    if module == "torch" or module.startswith("torch.") or module == "__main__":
        return True
    if depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        return any(_belongs_to_torch(item, user_ns, depth + 1) for item in value)
    if depth < 3 and isinstance(value, dict):
        return any(_belongs_to_torch(item, user_ns, depth + 1) for pair in value.items() for item in pair)
    return False


def _mini_module(name):
    """autograd_mini's module for a torch module's name (``torch.nn`` -> ``autograd_mini.nn``), or None."""
    if name != "torch" and not name.startswith("torch."):
        return None
    try:
        return importlib.import_module("autograd_mini" + name[len("torch"):])
    except ImportError:
        return None


def _mini_counterpart(value):
    """What an ordinary cell's ``import torch`` / ``from torch.x import y`` means on autograd_mini, or None."""
    if isinstance(value, types.ModuleType):
        return _mini_module(value.__name__)
    name = getattr(value, "__name__", None)
    home = _mini_module(getattr(value, "__module__", None) or "torch")
    if name and home is not None and hasattr(home, name):
        return getattr(home, name)  # torch.autograd.functional.jacobian
    if name and getattr(torch, name, None) is value:
        return getattr(autograd_mini, name, None)  # torch.no_grad lives in torch.autograd.grad_mode
    return None


# Data a cell may change or draw from: each run gets its own copy. Anything else (modules,
# functions, figures, widgets) is shared as it is.
_COPIED = (np.ndarray, np.random.Generator, np.random.RandomState, random.Random,
           list, dict, set, bytearray)


def _copy(value):
    if not isinstance(value, _COPIED):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:  # a list holding something that cannot be copied: share it
        return value


class _Draws:
    """The random numbers torch's run drew, replayed in the same order on autograd_mini."""

    def __init__(self):
        self.recorded = []  # (function name, NumPy array)
        self.replayed = 0
        self.problem = None  # what went wrong in the replay, if anything

    def recording(self):
        """While torch runs the cell: keep what each random call returned."""
        return _patching(torch, self._recorder)

    def replaying(self):
        """While autograd_mini runs it: hand out the same numbers, call by call."""
        return _patching(autograd_mini, self._replayer)

    def _recorder(self, name, fill):
        original = getattr(torch.Tensor if fill else torch, name)

        def record(*args, **kwargs):
            result = original(*args, **kwargs)
            self.recorded.append((name, result.detach().numpy().copy()))
            return result
        return record

    def _replayer(self, name, fill):
        original = getattr(autograd_mini.Tensor if fill else autograd_mini, name)

        def replay(*args, **kwargs):
            # the engine's own call first: its checks, dtype, requires_grad and version bump
            result = original(*args, **kwargs)
            if self.replayed >= len(self.recorded):
                self.problem = self.problem or f"autograd_mini called {name} more often than torch"
                return result
            torch_name, values = self.recorded[self.replayed]
            self.replayed += 1
            if torch_name != name or values.shape != result._data.shape:
                self.problem = self.problem or (f"draw {self.replayed}: torch called {torch_name} "
                                                f"{values.shape}, autograd_mini {name} {result._data.shape}")
                return result
            result._data[...] = values  # torch's numbers, in the tensor the engine made
            return result
        return replay

    def check(self):
        if self.problem is None and self.replayed != len(self.recorded):
            self.problem = f"torch drew {len(self.recorded)} times, autograd_mini {self.replayed}"
        return self.problem


@contextmanager
def _patching(engine, make):
    """Replace the engine's random factories and fills by ``make(name, fill)`` for a while."""
    with ExitStack() as stack:
        for owner, names, fill in ((engine, RANDOM_FACTORIES, False), (engine.Tensor, RANDOM_FILLS, True)):
            for name in names:
                if hasattr(owner, name):
                    stack.enter_context(_patched(owner, name, make(name, fill)))
        yield


@contextmanager
def _patched(owner, name, replacement):
    original = owner.__dict__[name] if name in owner.__dict__ else getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


@dataclass
class _Run:
    """What one engine's run of the cell did."""

    error: BaseException = None
    warnings: tuple = ()  # (category name, message)

    def error_text(self):
        if self.error is None:
            return "no error"
        return f"{type(self.error).__name__}: {self.error}"


def _warning_key(caught):
    return caught.category.__name__, _TRIGGERED.sub("", str(caught.message))


def _run(code, namespace):
    """Run compiled ``code`` in ``namespace``; ``(_Run, value of a last expression, caught warnings)``."""
    body, last = code
    run, value = _Run(), None
    with warnings.catch_warnings(record=True) as caught:
        try:
            exec(body, namespace)
            if last is not None:
                value = eval(last, namespace)
        except Exception as error:
            run.error = error
    run.warnings = tuple(_warning_key(w) for w in caught)
    return run, value, caught


# --- the answer -----------------------------------------------------------------------

class TwinReport:
    """What ``%%twin`` shows: one line, and the table when asked for or when something differs."""

    def __init__(self, comparison, torch_run, mini_run, draws=0, draw_problem=None, table=False, names=None):
        self.comparison = comparison
        self.names = names  # the expressions as the magic's line wrote them (a structure has many rows)
        self.torch_run, self.mini_run = torch_run, mini_run
        self.draws, self.draw_problem = draws, draw_problem
        self.show_table = table

    @property
    def problems(self):
        found = [f"{row.name} ({', '.join(row.problems)})" for row in self.comparison.rows if row.problems]
        if self.torch_run.error_text() != self.mini_run.error_text():
            found.append("the error")
        if self.torch_run.warnings != self.mini_run.warnings:
            found.append("the warnings")
        if self.draw_problem:
            found.append("the random draws")
        return found

    @property
    def ok(self):
        return not self.problems

    def _what(self):
        """What was compared, in words."""
        parts = []
        rows = self.comparison.rows
        if rows:
            columns = ["value"] + self.comparison._columns()
            names = self.names or [row.name for row in rows]
            parts.append(f"{', '.join(names)} ({', '.join(columns)})")
        if self.torch_run.error is not None:
            parts.append(f"the same {type(self.torch_run.error).__name__}")
        if self.torch_run.warnings:
            kinds = sorted({category for category, _ in self.torch_run.warnings})
            count = len(self.torch_run.warnings)
            parts.append(f"the same {' and '.join(kinds)}" + (f"s ({count})" if count > 1 else ""))
        if self.draws:
            parts.append(f"torch's random numbers ({self.draws} draw{'s' if self.draws > 1 else ''})")
        return parts

    def line(self):
        if not self.ok:
            return f"{BAD} autograd_mini differs from torch in: {'; '.join(self.problems)}"
        what = self._what()
        if not what:
            return f"{OK} autograd_mini ran the cell too, without an error or a warning"
        return f"{OK} autograd_mini agrees: " + "; ".join(what)

    def _details(self):
        lines = []
        if self.torch_run.error_text() != self.mini_run.error_text() or not self.ok and self.torch_run.error:
            lines += [f"torch: {self.torch_run.error_text()}", f"autograd_mini: {self.mini_run.error_text()}"]
        if self.torch_run.warnings != self.mini_run.warnings:
            for engine, run in (("torch", self.torch_run), ("autograd_mini", self.mini_run)):
                shown = [f"{category}: {message}" for category, message in run.warnings] or ["no warning"]
                lines += [f"{engine} warned: " + " | ".join(shown)]
        if self.draw_problem:
            lines.append(f"random draws: {self.draw_problem}")
        return lines

    def _table_wanted(self):
        return bool(self.comparison.rows) and (self.show_table or any(r.problems for r in self.comparison.rows))

    def __repr__(self):
        lines = [self.line()]
        if self._table_wanted():
            lines += self.comparison.table_lines()
        return "\n".join(lines + self._details())

    def _repr_html_(self):
        colour = "#1a7f37" if self.ok else "#cf222e"
        html = f'<div><p style="color:{colour};font-weight:bold;margin:0">{escape(self.line())}</p>'
        if self._table_wanted():
            html += self.comparison.table_html()
        details = self._details()
        if details:
            html += f'<pre style="white-space:pre-wrap">{escape(chr(10).join(details))}</pre>'
        return html + "</div>"


# --- the magic ------------------------------------------------------------------------

def _split_names(line):
    """``"x, y.grad"`` -> ``["x", "y.grad"]``: the expressions to compare, as written."""
    line = line.strip()
    if not line:
        return []
    tree = ast.parse(line, mode="eval").body
    items = tree.elts if isinstance(tree, ast.Tuple) and not line.startswith("(") else [tree]
    return [ast.get_source_segment(line, item) for item in items]


def _parse_line(line):
    options = {"table": False}
    words = line.split()
    while words and words[0].startswith("--"):
        option = words.pop(0)
        if option != "--table":
            raise ValueError(f"%%twin: unknown option {option!r} (known: --table)")
        options["table"] = True
    return options, _split_names(" ".join(words))


class Twin:
    """The shadow namespace of one IPython shell, and the ``%%twin`` magic that uses it."""

    def __init__(self, shell=None, user_ns=None, compile_cell=None):
        self.shell = shell
        self.user_ns = user_ns if user_ns is not None else shell.user_ns
        self._compile_name = compile_cell
        self.shadow = {"__name__": "__main__", "__builtins__": _mini_builtins()}
        self.owned = set()  # names a %%twin cell bound: the shadow's own, never copied over

    # the namespaces
    def _sync(self):
        for name, value in list(self.user_ns.items()):
            if name.startswith("_") or name in _IPYTHON_NAMES or name in self.owned:
                continue
            if not _belongs_to_torch(value, self.user_ns):
                self.shadow[name] = _copy(value)
            else:
                counterpart = _mini_counterpart(value)
                if counterpart is not None:
                    self.shadow[name] = counterpart

    def on_mini(self, expression):
        """The value of ``expression`` in the shadow namespace (autograd_mini's side)."""
        return eval(expression, self.shadow)

    # compiling
    def _compile(self, cell):
        """``(body code, last expression code or None)``, compiled once for both runs."""
        tree = ast.parse(cell)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        filename = self._filename(cell)
        return (compile(tree, filename, "exec"),
                None if last is None else compile(last, filename, "eval"))

    def _filename(self, cell):
        if self._compile_name is not None:
            return self._compile_name(cell)
        if self.shell is not None:
            # IPython's name for the cell: tracebacks then show its lines ("Cell In[3], line 2")
            return self.shell.compile.cache(cell, self.shell.execution_count)
        return "<twin cell>"

    # running
    def run(self, line, cell):
        """Run ``cell`` on both engines; ``(report, torch's error or None, torch's last value)``."""
        options, names = _parse_line(line)
        code = self._compile(cell)
        self._sync()
        draws = _Draws()
        with draws.recording():
            torch_run, torch_value, torch_caught = _run(code, self.user_ns)
        before = {name: id(value) for name, value in self.shadow.items()}
        with draws.replaying(), self._quiet():
            mini_run, _, _ = _run(code, self.shadow)
        self.owned |= {name for name, value in self.shadow.items() if before.get(name) != id(value)}
        for caught in torch_caught:  # torch's warnings are the cell's: show them as usual
            warnings.showwarning(caught.message, caught.category, caught.filename, caught.lineno,
                                 caught.file, caught.line)
        rows = []
        for name in names:
            rows += self._rows(name)
        report = TwinReport(Comparison(rows), torch_run, mini_run, draws=len(draws.recorded),
                            draw_problem=draws.check(), table=options["table"], names=names)
        return report, torch_run.error, torch_value

    @contextmanager
    def _quiet(self):
        """autograd_mini's run shows nothing: no prints, no displays, no figures (torch's run showed them)."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        figures = set(pyplot.get_fignums()) if pyplot else set()
        publisher = getattr(self.shell, "display_pub", None)
        with ExitStack() as stack:
            stack.enter_context(redirect_stdout(io.StringIO()))
            if publisher is not None:
                stack.enter_context(_patched(publisher, "publish", lambda *args, **kwargs: None))
            try:
                yield
            finally:
                for number in set(pyplot.get_fignums()) - figures if pyplot else ():
                    pyplot.close(number)

    def _rows(self, name):
        values = []
        for namespace in (self.shadow, self.user_ns):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # reading .grad of a non-leaf warned in the cell already
                try:
                    values.append(eval(name, namespace))
                except Exception as error:
                    return [Row(name, f"MISMATCH (cannot read it: {type(error).__name__}: {error})", False)]
        return list(_rows(name, values[0], values[1], 1.3e-6, 1e-5))

    def magic(self, line, cell):
        __tracebackhide__ = True  # IPython leaves this frame out of the traceback
        report, error, value = self.run(line, cell)
        if value is not None and error is None and self.shell is not None:
            self.shell.displayhook(value)
        from IPython.display import display
        display(report)
        if error is not None:
            # torch's error, with a traceback of the cell's own lines only (not this magic's)
            in_cell = error.__traceback__.tb_next or error.__traceback__
            if self.shell is not None:
                lines = self.shell.InteractiveTB.structured_traceback(type(error), error, in_cell)
                try:
                    error._render_traceback_ = lambda: lines  # IPython shows these lines
                except AttributeError:
                    pass
            raise error.with_traceback(in_cell)


_ACTIVE = {}


def load_ipython_extension(shell):
    """``%load_ext autograd_course``: registers ``%%twin`` in this shell."""
    twin = Twin(shell)
    _ACTIVE["twin"] = twin
    shell.register_magic_function(twin.magic, magic_kind="cell", magic_name="twin")
    shell.user_ns.setdefault("on_mini", on_mini)


def on_mini(expression):
    """What ``expression`` is on autograd_mini, after the ``%%twin`` cells so far."""
    if "twin" not in _ACTIVE:
        raise RuntimeError("on_mini needs %load_ext autograd_course first")
    return _ACTIVE["twin"].on_mini(expression)
