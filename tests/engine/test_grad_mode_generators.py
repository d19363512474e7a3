"""Grad modes used as decorators, on both engines: on functions, on generator functions
(the mode holds inside the body each time it resumes, the caller's mode between yields,
through send/throw/close), on classes (torch's FutureWarning), bare and with ()."""
import warnings

import pytest
import torch

import autograd_mini

LIBS = [autograd_mini, torch]


def both(program):
    return [program(lib) for lib in LIBS]


def _modes(lib):
    return (lib.is_grad_enabled(), lib.is_inference_mode_enabled())


def _decorators(lib):
    """Every way torch lets a program write a grad-mode decorator."""
    return {
        "no_grad()": lib.no_grad(), "no_grad": lib.no_grad,
        "enable_grad()": lib.enable_grad(), "enable_grad": lib.enable_grad,
        "set_grad_enabled(False)": lib.set_grad_enabled(False),
        "set_grad_enabled(True)": lib.set_grad_enabled(True),
        "inference_mode()": lib.inference_mode(), "inference_mode": lib.inference_mode,
        "inference_mode(False)": lib.inference_mode(False),
    }


DECORATORS = list(_decorators(torch))


@pytest.mark.parametrize("outer", [True, False])
@pytest.mark.parametrize("name", DECORATORS)
def test_generator_body_runs_in_the_mode_caller_keeps_its_own(name, outer):
    def program(lib):
        seen = []
        decorate = _decorators(lib)[name]
        lib.set_grad_enabled(outer)  # also checks that building a decorator changed nothing

        @decorate
        def gen(x):
            seen.append(("start", _modes(lib)))
            y = x * 2
            got = yield y.requires_grad
            seen.append(("resumed", got, _modes(lib)))
            z = x * 3
            yield z.requires_grad
            seen.append(("end", _modes(lib)))
            return "done"

        x = lib.ones(2, requires_grad=True)
        g = gen(x)
        seen.append(("created", _modes(lib)))
        seen.append(("first", next(g), _modes(lib)))
        seen.append(("sent", g.send("hello"), _modes(lib)))
        with pytest.raises(StopIteration) as stop:
            next(g)
        seen.append(("stopped", stop.value.value, _modes(lib)))
        lib.set_grad_enabled(True)
        return seen, gen.__name__

    mine, ref = both(program)
    assert mine == ref


@pytest.mark.parametrize("name", DECORATORS)
def test_generator_throw_and_close_run_in_the_mode(name):
    def program(lib):
        seen = []
        decorate = _decorators(lib)[name]

        @decorate
        def gen():
            try:
                yield 1
            except ValueError as e:
                seen.append(("caught", str(e), _modes(lib)))
                yield 2
            finally:
                seen.append(("finally", _modes(lib)))

        g = gen()
        next(g)
        seen.append(("thrown", g.throw(ValueError("boom")), _modes(lib)))
        g.close()
        seen.append(("closed", _modes(lib)))
        g2 = gen()
        next(g2)
        with pytest.raises(KeyError):
            g2.throw(KeyError("k"))
        seen.append(("after uncaught", _modes(lib)))
        return seen

    mine, ref = both(program)
    assert mine == ref


def test_generator_used_in_a_for_loop_and_yield_from():
    def program(lib):
        x = lib.ones(3, requires_grad=True)

        @lib.no_grad()
        def rows():
            for i in range(3):
                yield (x[i] * 2).requires_grad, lib.is_grad_enabled()

        def outer():
            yield from rows()

        out = [(r, lib.is_grad_enabled()) for r in outer()]
        return out, list(rows())

    mine, ref = both(program)
    assert mine == ref


@pytest.mark.parametrize("name", DECORATORS)
def test_function_decorator_restores_the_mode_and_keeps_the_name(name):
    def program(lib):
        decorate = _decorators(lib)[name]

        @decorate
        def f(x, scale=2):
            """doc"""
            return (x * scale).requires_grad, _modes(lib), x.is_inference() if False else None

        x = lib.ones(2, requires_grad=True)
        before = _modes(lib)
        result = f(x, scale=3)
        return result, before, _modes(lib), f.__name__, f.__doc__

    mine, ref = both(program)
    assert mine == ref


def test_decorating_a_class_warns_as_torch():
    def program(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")

            @lib.no_grad()
            class Model:
                def __init__(self, x):
                    self.requires = (x * 2).requires_grad

        x = lib.ones(2, requires_grad=True)
        return ([(w.category, str(w.message)) for w in caught], Model(x).requires,
                Model.__name__)

    mine, ref = both(program)
    assert mine == ref


def test_modes_nest_inside_inference_mode():
    def program(lib):
        x = lib.ones(2, requires_grad=True)
        out = []
        with lib.inference_mode():
            with lib.no_grad():
                out.append(_modes(lib) + ((x * 2).is_inference(),))
            with lib.enable_grad():
                out.append(_modes(lib))
            with lib.inference_mode(False):
                out.append(_modes(lib) + ((x * 2).requires_grad,))
            out.append(_modes(lib))
        with lib.no_grad():
            with lib.inference_mode(False):
                out.append(_modes(lib))
        out.append(_modes(lib))
        return out

    mine, ref = both(program)
    assert mine == ref


def test_set_grad_enabled_as_a_call_and_its_repr():
    def program(lib):
        x = lib.ones(2, requires_grad=True)
        lib.set_grad_enabled(False)
        off = (x * 2).requires_grad
        lib.set_grad_enabled(True)
        with lib.set_grad_enabled(False):
            inside = lib.is_grad_enabled()
        return off, inside, lib.is_grad_enabled(), repr(lib.set_grad_enabled(True))

    mine, ref = both(program)
    assert mine == ref


def test_async_function_is_decorated_like_a_plain_function():
    """torch does not wrap coroutines: only making the coroutine runs in the mode."""
    import asyncio

    def program(lib):
        @lib.no_grad()
        async def f():
            return lib.is_grad_enabled()

        return asyncio.run(f())

    mine, ref = both(program)
    assert mine == ref
