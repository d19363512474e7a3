"""Whether operations are recorded: torch's grad modes, as context managers and decorators.

The engine reads one flag, `state.enabled`, on every operation, so it lives in a
plain object (an attribute read is cheaper than a function call). Unlike torch's, it is
one flag for the whole process, not one per thread: a per-thread flag (threading.local)
made every operation about 5% slower, and a course's programs change grad mode in one
thread. (tests/engine/test_grad_mode_threads.py shows the difference.)

Each mode works as `with mode():`, as `@mode()` and (no_grad, enable_grad,
inference_mode) as `@mode`. A decorated generator function gets the mode each
time its body runs, and the caller's mode back at every `yield`, as torch does.
"""
import functools
import inspect
import sys
import warnings


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
    """Base of the modes: a context manager that also decorates functions."""

    def __call__(self, func):
        if inspect.isclass(func):
            warnings.warn(
                "Decorating classes is deprecated and will be disabled in future versions. You "
                "should only decorate functions or methods. To preserve the current behavior of "
                "class decoration, you can directly decorate the `__init__` method and nothing "
                "else.", FutureWarning, stacklevel=2)
            cls = func
            func = lambda *args, **kwargs: cls(*args, **kwargs)  # noqa: E731 - as torch does
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self.clone, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():  # a fresh mode per call: calls may nest or recurse
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class _NoParamGradMode(_GradMode):
    """A mode without arguments, so `@no_grad` works as well as `@no_grad()`."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


def _wrap_generator(make_mode, func):
    """Run each step of the generator under a fresh mode; the caller's mode holds between."""

    @functools.wraps(func)
    def generator_context(*args, **kwargs):
        gen = func(*args, **kwargs)
        try:
            with make_mode():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make_mode():
                        gen.close()
                    raise
                except BaseException:
                    with make_mode():
                        response = gen.throw(*sys.exc_info())
                else:
                    with make_mode():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value

    return generator_context


class no_grad(_NoParamGradMode):
    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev


class enable_grad(_NoParamGradMode):
    def __enter__(self):
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc):
        state.enabled = self.prev


class set_grad_enabled(_GradMode):
    """Takes effect at once (so it also works as a plain call), undone on exit."""

    def __init__(self, mode):
        self.prev = state.enabled
        self.mode = mode
        state.enabled = bool(mode)

    def __call__(self, func):
        state.enabled = self.prev  # used as a decorator: only the calls get the mode
        return super().__call__(func)

    def __enter__(self):
        state.enabled = bool(self.mode)

    def __exit__(self, *exc):
        state.enabled = self.prev

    def __repr__(self):
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def clone(self):
        return type(self)(self.mode)


class inference_mode(_GradMode):
    """No recording, and the tensors made are inference tensors (torch also skips version
    counting, a speed-up we do not need). `inference_mode(False)` turns both off."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used bare as a decorator: `@inference_mode`

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self.prev = (state.enabled, state.inference)
        state.enabled = not self.mode
        state.inference = self.mode

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev

    def clone(self):
        return type(self)(self.mode)
