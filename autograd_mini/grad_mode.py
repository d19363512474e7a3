"""Whether operations are recorded: torch's grad modes, as context managers and decorators.

The engine reads one flag, `state.enabled`, on every operation, so it lives in a
plain object (an attribute read is cheaper than a function call).
"""
import functools


class _State:
    __slots__ = ("enabled", "inference")

    def __init__(self):
        self.enabled = True
        self.inference = False


state = _State()


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _GradMode:
    """Base of the modes: `with mode():`, `@mode()` and (as torch allows) `@mode`."""

    enabled = True
    inference = False

    def __new__(cls, orig_func=None):
        if cls.__init__ is _GradMode.__init__ and callable(orig_func):
            # Used bare as a decorator: `@no_grad` instead of `@no_grad()`.
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self):
        self.prev = None

    def __enter__(self):
        self.prev = (state.enabled, state.inference)
        state.enabled = self.enabled
        state.inference = self.inference
        return None

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradMode):
    enabled = False


class enable_grad(_GradMode):
    enabled = True


class inference_mode(_GradMode):
    """Like no_grad here; torch also skips version counting, a speed-up we do not need."""

    def __init__(self, mode=True):
        super().__init__()
        self.mode = mode
        self.enabled = not mode
        self.inference = mode

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return object.__new__(cls)

    def clone(self):
        return type(self)(self.mode)


class set_grad_enabled(_GradMode):
    """Takes effect at once (so it also works as a plain call), undone on exit."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self.mode = bool(mode)
        self.enabled = self.mode
        self.prev = (state.enabled, state.inference)
        state.enabled = self.mode

    def __enter__(self):
        return None

    def clone(self):
        return type(self)(self.mode)
