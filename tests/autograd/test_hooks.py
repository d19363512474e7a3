"""Tensor hooks, node hooks and post-accumulate hooks, run on both engines: the order
of calls, what each hook receives, replacements, handles, and torch's errors."""
import numpy as np
import pytest
import torch

import autograd_mini

LIBS = [autograd_mini, torch]


def _values(t):
    if t is None:
        return None
    if isinstance(t, tuple):
        return ("tuple", [_values(g) for g in t])
    return t.detach().tolist()


def _full_program(lib):
    """Every kind of hook on one small graph; returns the log of calls."""
    log = []

    def tensor_hook(name, replacement=None):
        def hook(grad):
            log.append((name, _values(grad)))
            return None if replacement is None else lib.tensor(replacement)
        return hook

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    y.register_hook(tensor_hook("y hook 1", [10.0, 10.0]))
    y.retain_grad()
    y.register_hook(tensor_hook("y hook 2"))  # after retain_grad, still runs before it
    y.grad_fn.register_prehook(lambda go: log.append(("y node prehook", _values(go))))
    y.grad_fn.register_hook(lambda gi, go: log.append(("y node hook", _values(gi), _values(go))))
    x.register_hook(tensor_hook("x hook"))
    x.register_post_accumulate_grad_hook(
        lambda t: log.append(("x post accumulate", _values(t.grad), t is x)))
    accumulate = y.grad_fn.next_functions[0][0]
    accumulate.register_prehook(lambda go: log.append(("x node prehook", _values(go))))
    accumulate.register_hook(lambda gi, go: log.append(("x node hook", _values(gi), _values(go))))
    z.sum().backward()
    log.append(("y.grad", _values(y.grad)))
    log.append(("x.grad", _values(x.grad)))
    return log


def test_every_hook_runs_in_torchs_order_with_torchs_arguments():
    mine, ref = (_full_program(lib) for lib in LIBS)
    assert mine == ref
    assert ref[0][0] == "y hook 1" and ref[2][0] == "y node prehook"


@pytest.mark.parametrize("kind", ["prehook", "hook"])
def test_node_hooks_replace_gradients(kind):
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        if kind == "prehook":
            b.grad_fn.register_prehook(lambda go: (go[0] * 7,))
        else:
            b.grad_fn.register_hook(lambda gi, go: (gi[0] * 100, None))
        b.sum().backward()
        return a.grad.tolist()

    assert program(autograd_mini) == program(torch)


def _outcome(program, lib):
    try:
        return "ok", program(lib)
    except Exception as error:  # noqa: BLE001 - compared with torch's
        return type(error).__name__, str(error)


BAD_HOOKS = {
    "prehook returns a tensor": lambda lib, b: b.grad_fn.register_prehook(lambda go: go[0]),
    "prehook returns two": lambda lib, b: b.grad_fn.register_prehook(lambda go: (go[0], go[0])),
    "prehook returns an int": lambda lib, b: b.grad_fn.register_prehook(lambda go: 3),
    "prehook returns a list": lambda lib, b: b.grad_fn.register_prehook(lambda go: [go[0]]),
    "prehook changes the size": lambda lib, b: b.grad_fn.register_prehook(
        lambda go: (lib.ones(3),)),
    "prehook changes the dtype": lambda lib, b: b.grad_fn.register_prehook(
        lambda go: (go[0].double(),)),
    "prehook drops the gradient": lambda lib, b: b.grad_fn.register_prehook(lambda go: (None,)),
    "hook returns a tensor": lambda lib, b: b.grad_fn.register_hook(lambda gi, go: gi[0]),
    "hook returns one of two": lambda lib, b: b.grad_fn.register_hook(lambda gi, go: (gi[0],)),
    "hook fills a None": lambda lib, b: b.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0])),
    "hook drops all": lambda lib, b: b.grad_fn.register_hook(lambda gi, go: (None, None)),
    "hook changes the size": lambda lib, b: b.grad_fn.register_hook(
        lambda gi, go: (lib.ones(3), None)),
    "tensor hook returns an int": lambda lib, b: b.register_hook(lambda g: 3),
    "tensor hook returns a tuple": lambda lib, b: b.register_hook(lambda g: (g,)),
    "tensor hook changes the size": lambda lib, b: b.register_hook(lambda g: lib.ones(3)),
    "tensor hook changes the dtype": lambda lib, b: b.register_hook(lambda g: g.double()),
}


@pytest.mark.parametrize("name", sorted(BAD_HOOKS))
def test_hooks_that_return_the_wrong_thing_fail_as_in_torch(name):
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        BAD_HOOKS[name](lib, b)
        b.sum().backward()
        return _values(a.grad)

    assert _outcome(program, autograd_mini) == _outcome(program, torch)


REGISTRATION_ERRORS = {
    "post accumulate on a non-leaf": lambda lib: (lib.ones(2, requires_grad=True) * 2)
    .register_post_accumulate_grad_hook(lambda t: None),
    "post accumulate without requires_grad": lambda lib: lib.ones(2)
    .register_post_accumulate_grad_hook(lambda t: None),
    "tensor hook without requires_grad": lambda lib: lib.ones(2).register_hook(lambda g: None),
}


@pytest.mark.parametrize("name", sorted(REGISTRATION_ERRORS))
def test_registration_errors_are_torchs(name):
    mine = _outcome(REGISTRATION_ERRORS[name], autograd_mini)
    assert mine[0] != "ok"
    assert mine == _outcome(REGISTRATION_ERRORS[name], torch)


def test_removed_hooks_no_longer_run_and_remove_twice_is_fine():
    def program(lib):
        seen = []
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        handles = [a.register_hook(lambda g: g * 5),
                   a.register_post_accumulate_grad_hook(lambda t: seen.append("post"))]
        b = a * 1
        handles += [b.register_hook(lambda g: g * 3),
                    b.grad_fn.register_prehook(lambda go: seen.append("pre")),
                    b.grad_fn.register_hook(lambda gi, go: seen.append("hook"))]
        for handle in handles:
            handle.remove()
            handle.remove()
        b.sum().backward()
        return a.grad.tolist(), seen

    assert program(autograd_mini) == program(torch) == ([1.0, 1.0], [])


def test_leaf_hooks_outlive_the_graph_node_hooks_do_not():
    def program(lib):
        seen = []
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        a.register_hook(lambda g: seen.append(("tensor", g.tolist())))
        a.register_post_accumulate_grad_hook(lambda t: seen.append(("post", t.grad.tolist())))
        for scale in (2.0, 3.0):
            (a * scale).sum().backward()
        return seen, a.grad.tolist()

    assert program(autograd_mini) == program(torch)


def test_autograd_grad_runs_tensor_hooks_on_what_it_returns():
    """A target reached on the way to another keeps its raw gradient (its hooks run when
    its node runs); a target at the end of the walk gets its hooks first."""
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g * 10)
        x.register_hook(lambda g: g + 1)
        x.register_post_accumulate_grad_hook(lambda t: 1 / 0)  # grad() accumulates nothing
        z = (y * y).sum()
        both = lib.autograd.grad(z, [y, x], retain_graph=True)
        only_y = lib.autograd.grad(z, [y], retain_graph=True)
        only_x = lib.autograd.grad(z, [x])
        return [_values(g) for g in both + only_y + only_x]

    assert program(autograd_mini) == program(torch)


def test_hooks_on_an_output_of_backward_inputs():
    def program(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        x.register_post_accumulate_grad_hook(lambda t: seen.append(("x", t.grad.tolist())))
        w.register_post_accumulate_grad_hook(lambda t: seen.append(("w", t.grad.tolist())))
        (x * w).sum().backward(inputs=[x])
        return seen, _values(w.grad)

    assert program(autograd_mini) == program(torch)


def test_a_hook_may_raise_and_the_error_comes_out():
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * 2).register_hook(lambda g: (_ for _ in ()).throw(ValueError("from the hook")))
        y = x * 2
        y.register_hook(lambda g: (_ for _ in ()).throw(ValueError("from the hook")))
        y.sum().backward()

    assert _outcome(program, autograd_mini) == _outcome(program, torch) \
        == ("ValueError", "from the hook")


def test_hooks_see_create_graph_gradients_that_require_grad():
    def program(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.register_hook(lambda g: seen.append(g.requires_grad))
        y.grad_fn.register_hook(lambda gi, go: seen.append([g.requires_grad for g in gi]))
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        return seen, g.tolist(), g.requires_grad

    assert program(autograd_mini) == program(torch)


def test_hook_sees_the_sum_of_all_paths():
    def program(lib):
        seen = []
        x = lib.tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
        y = x.exp()
        y.register_hook(lambda g: seen.append(g.tolist()))
        (y * 2 + y.sin()).sum().backward()
        return seen, x.grad.tolist()

    mine, ref = program(autograd_mini), program(torch)
    np.testing.assert_allclose(mine[0], ref[0], rtol=1e-6)
    np.testing.assert_allclose(mine[1], ref[1], rtol=1e-6)
    assert len(mine[0]) == len(ref[0]) == 1
