"""Which of the engines' own functions a student's code calls: a probe-side witness.

An exercise that says "by hand", "with backward(v)" or "without an optimizer" can only be
judged by watching the student's function run: :func:`watch_calls` runs it with a profile
function that counts the calls it makes itself (not those the engine makes inside) of the Python functions both engines implement the same API
with, under one name for both (``backward``, ``grad``, ``functional.jacobian``, ``optim``...)::

    result, error, seen = watch_calls(df_dx, x)
    seen["calls"]        # {"backward": 1, "grad": 0, ...}: every watched name, counted
    seen["gradcheck"]    # what the first gradcheck call got and returned, when there was one

Only this thread is watched, and the profile function in place before is put back.
"""

import sys

from .exercise import attempt
from .tensors import ENGINES, read

# (module, function qualname) -> the name the judge sees, the same for both engines.
_FUNCTIONS = {
    ("torch._tensor", "Tensor.backward"): "backward",
    ("autograd_mini.tensor", "Tensor.backward"): "backward",
    ("torch.autograd", "backward"): "backward",
    ("autograd_mini.engine", "backward"): "backward",
    ("torch.autograd", "grad"): "grad",
    ("autograd_mini.engine", "grad"): "grad",
    ("torch.autograd.gradcheck", "gradcheck"): "gradcheck",
    ("autograd_mini.autograd.gradcheck", "gradcheck"): "gradcheck",
}
FUNCTIONAL = ("jacobian", "hessian", "vjp", "jvp", "vhp", "hvp")
for _module in ("torch.autograd.functional", "autograd_mini.autograd.functional"):
    _FUNCTIONS.update({(_module, name): f"functional.{name}" for name in FUNCTIONAL})
# Whole packages, by the start of their module names.
_PACKAGES = {"torch._functorch": "torch.func", "torch.func": "torch.func", "torch.optim": "optim", "autograd_mini.optim": "optim"}
WATCHED = sorted(set(_FUNCTIONS.values()) | set(_PACKAGES.values()))


# Callers that are not the student's code: the engines themselves, and the machinery that
# runs the engines' lazy imports (module bodies, dataclass-made methods).
_NOT_STUDENT = set(ENGINES) | {"importlib", "dataclasses", "typing", "abc", "functools"}


def _in_engine(frame):
    return frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in _NOT_STUDENT


def _watched_name(frame):
    """The watched name of the function ``frame`` runs, when the student's code called it
    (not the engine itself: ``Tensor.backward`` calling ``autograd.backward`` counts once)."""
    module = frame.f_globals.get("__name__", "")
    if module.partition(".")[0] not in ENGINES or frame.f_code.co_name == "<module>" or _in_engine(frame.f_back):
        return None
    name = _FUNCTIONS.get((module, frame.f_code.co_qualname))
    if name is None:
        name = next((name for prefix, name in _PACKAGES.items() if module == prefix or module.startswith(prefix + ".")), None)
    return name


def _gradcheck_arguments(frame):
    """What gradcheck was asked to check: its inputs as the probe reads tensors, and the
    class whose ``apply`` it got (None for anything else)."""
    inputs = frame.f_locals.get("inputs")
    inputs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    function = frame.f_locals.get("func")
    owner = getattr(function, "__self__", None)
    return {
        "inputs": [read(value) for value in list(inputs)[:4]],
        "function_of": getattr(owner, "__name__", None) if isinstance(owner, type) else None,
        "engine_function": str(getattr(function, "__module__", None) or "").partition(".")[0] in ENGINES,
    }


def watch_calls(function, *args):
    """``attempt(function, *args)`` plus what it called: ``(result, error, seen)``."""
    calls = dict.fromkeys(WATCHED, 0)
    seen = {"calls": calls, "gradcheck": None}
    gradcheck_frames = []

    def profile(frame, event, arg):
        if event not in ("call", "return"):
            return
        name = _watched_name(frame)
        if name is None:
            return
        if event == "return":
            if gradcheck_frames and frame is gradcheck_frames[0] and seen["gradcheck"] is not None:
                seen["gradcheck"]["returned"] = read(arg)
            return
        calls[name] += 1
        if name == "gradcheck" and not gradcheck_frames:
            gradcheck_frames.append(frame)
            try:
                seen["gradcheck"] = {**_gradcheck_arguments(frame), "returned": None}
            except Exception:  # an input the probe cannot read is reported as unreadable
                seen["gradcheck"] = {"inputs": [], "function_of": None, "engine_function": False, "returned": None}

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result, error = attempt(function, *args)
    finally:
        sys.setprofile(previous)
    return result, error, seen
