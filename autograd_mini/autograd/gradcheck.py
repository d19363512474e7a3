"""gradcheck and gradgradcheck: test a backward against finite differences.

gradcheck builds each Jacobian twice and compares them:

- numerically, by nudging one input element at a time by +-eps and watching the
  outputs move: column (d out / d x_k) ~ (f(x + eps e_k) - f(x - eps e_k)) / 2 eps;
- analytically, with the backward under test: one `autograd.grad` per output
  element, with a unit vector as the output gradient, gives one row.

Both are laid out as torch lays them out in its messages: one row per input
element, one column per output element. Use float64 inputs: in float32 the
rounding error of the finite difference is larger than the tolerance.

gradgradcheck runs gradcheck on the function "inputs, grad_outputs -> gradients",
so it tests that the backward is itself differentiable (create_graph=True).
"""
import warnings

import numpy as np

from .. import dtypes
from ..engine import grad as _grad
from ..factories import rand, zeros_like
from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """A failed check (a RuntimeError, as in torch)."""


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, fast_mode=False, masked=None):
    """True if every analytical Jacobian matches the numerical one (|a - n| <= atol + rtol |n|).

    Otherwise raises GradcheckError showing both Jacobians (or returns False when
    raise_exception=False). torch's fast_mode and extra checks are accepted (test_autograd
    passes them); the one full (slow-mode) comparison runs whatever they say: a correct
    backward passes both."""
    try:
        return _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol,
                          check_undefined_grad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  fast_mode=False, masked=False):
    """gradcheck of the gradients themselves, with respect to inputs and grad_outputs.

    Without grad_outputs, random ones in [-1, 1) are used (of each output's shape)."""
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = tuple(
            rand(*o.shape, dtype=o.dtype if o.is_floating_point() else dtypes.float64)
            .mul_(2).sub_(1).requires_grad_() for o in _differentiable_outputs(func(*inputs)))
    else:
        grad_outputs = _as_tuple(grad_outputs)
    count = len(grad_outputs)

    def gradients(*args):
        input_args, output_grads = args[:-count], args[-count:]
        outputs = _differentiable_outputs(func(*input_args))
        wrt = tuple(x for x in input_args if isinstance(x, Tensor) and x.requires_grad)
        grads = _grad(outputs, wrt, output_grads, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(gradients, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad)


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad=True):
    wrt = _check_inputs(inputs)
    func_out = _as_tuple(func(*inputs))
    outputs = _differentiable_outputs(func_out)
    numerical = _numerical_jacobians(func, inputs, wrt, eps, func_out)  # [output][input]
    if not outputs:
        if any(np.any(n != 0) for per_output in numerical for n in per_output):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    numerical = [n for o, n in zip(func_out, numerical) if o.requires_grad]
    for i, output in enumerate(outputs):
        analytical = _analytical_jacobians(output, wrt, nondet_tol)
        for j, (a, n) in enumerate(zip(analytical, numerical[i])):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                raise GradcheckError(
                    f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
                    f"numerical:{Tensor._make(n)}\nanalytical:{Tensor._make(a)}\n")
    _check_backward_multiplies_by_grad_output(outputs, wrt)
    if check_undefined_grad:
        _check_undefined_grad(func, inputs, wrt)
    return True


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _check_inputs(inputs):
    """The inputs that require grad (the ones checked), with torch's warning and errors."""
    wrt = []
    for idx, inp in enumerate(inputs):
        if not (isinstance(inp, Tensor) and inp.requires_grad):
            continue
        if inp.dtype is not dtypes.float64:
            warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ", stacklevel=4)
        # An element shared by several positions (an expanded tensor) cannot be nudged alone.
        if not all(st != 0 or size <= 1 for st, size in zip(inp._data.strides, inp._data.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs "
                "that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck.")
        wrt.append(inp)
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    return wrt


def _numerical_jacobians(func, inputs, wrt, eps, func_out):
    """jac[i][j]: d output i / d input j by central differences, (input numel, output numel).
    Sized from `func_out`, the outputs already computed (torch calls func no more often)."""
    jacobians = [[np.zeros((x.numel(), out._data.size),
                           dtype=np.result_type(out._data.dtype, 1.0))
                  for x in wrt] for out in func_out]
    for j, x in enumerate(wrt):
        data = x._data  # nudged in place, behind autograd's back (torch uses x.data)
        for k, idx in enumerate(np.ndindex(data.shape)):
            original = data[idx]
            data[idx] = original - eps
            before = _evaluate(func, inputs)
            data[idx] = original + eps
            after = _evaluate(func, inputs)
            data[idx] = original
            for i, (a, b) in enumerate(zip(before, after)):
                jacobians[i][j][k] = (b - a) / (2 * eps)
    return jacobians


def _evaluate(func, inputs):
    # Copies: an output may be a view of the input that is about to be nudged again.
    return [np.array(o._data, copy=True).reshape(-1) for o in _as_tuple(func(*inputs))]


def _analytical_jacobians(output, wrt, nondet_tol):
    """d output / d input for each input, from the backward, computed twice to catch a
    backward that gives different answers for the same question."""
    first = _jacobian_rows(output, wrt)
    second = _jacobian_rows(output, wrt)
    for a, b in zip(first, second):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                "gradient matches numerical gradient."
                f"The tolerance for nondeterminism was {nondet_tol}.")
    return first


def _jacobian_rows(output, wrt):
    jacobians = [np.zeros((x.numel(), output.numel()), dtype=x._data.dtype) for x in wrt]
    for k in range(output.numel()):
        unit = np.zeros(output._data.shape, dtype=output._data.dtype)
        unit.flat[k] = 1
        grads = _grad(output, tuple(wrt), Tensor._make(unit), retain_graph=True, allow_unused=True)
        for jacobian, g, x in zip(jacobians, grads, wrt):
            if g is None:
                continue
            if g._data.shape != x._data.shape:
                raise GradcheckError("Analytical gradient has incorrect size")
            jacobian[:, k] = g._data.reshape(-1)
    return jacobians


def _check_undefined_grad(func, inputs, wrt):
    """torch's check that a backward copes with undefined output gradients: with all of them
    undefined (UndefinedGrad), then each alone, the input gradients are None or zeros."""
    from .graph import UndefinedGrad
    outputs = [o for o in _differentiable_outputs(func(*inputs)) if isinstance(o, Tensor)]
    cases = [[UndefinedGrad()(o) for o in outputs]]
    if len(outputs) > 1:
        for undefined in range(len(outputs)):
            fresh = _differentiable_outputs(func(*inputs))
            cases.append([UndefinedGrad()(o) if i == undefined else o for i, o in enumerate(fresh)])
    for case in cases:
        try:
            grads = _grad(case, tuple(wrt), tuple(zeros_like(o) for o in case), allow_unused=True)
        except RuntimeError as e:
            _warn_undefined_grad_check()
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at "
                '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
            ) from e
        if any(g is not None and np.any(g._data != 0) for g in grads):
            _warn_undefined_grad_check()
            raise GradcheckError(
                "Expected all input grads to be undefined or zero when all output grads are "
                'undefined or zero. Please look at "Notes about undefined output gradients" in '
                '"tools/autograd/derivatives.yaml"')


def _warn_undefined_grad_check():
    warnings.warn("Backwards compatibility: New undefined gradient support checking feature is "
                  "enabled by default, but it may break existing callers of this function. If "
                  "this is true for you, you can call this function with "
                  '"check_undefined_grad=False" to disable the feature', stacklevel=3)


def _check_backward_multiplies_by_grad_output(outputs, wrt):
    """A zero output gradient must give zero input gradients (a backward that ignores its
    `grad` argument can still match the Jacobian for a single output element)."""
    grads = _grad(outputs, tuple(wrt), tuple(zeros_like(o) for o in outputs), allow_unused=True)
    for g, x in zip(grads, wrt):
        if g is None:
            continue
        if np.any(g._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g._data.shape != x._data.shape:
            raise GradcheckError("grad is incorrect size")
