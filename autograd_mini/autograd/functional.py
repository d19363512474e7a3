"""autograd.functional: Jacobians, Hessians and their products with vectors, built from grad().

Everything here is a few calls of `autograd.grad`, the engine's one primitive: a
vector-Jacobian product (v^T J). So

- `vjp(f, x, v)` is one call: grad(f(x), x, grad_outputs=v);
- `jacobian(f, x)` calls it once per output element, with v = each unit vector in
  turn, and stacks the rows;
- `jvp(f, x, v)` (J v, the other side) uses the "double-vjp trick": u -> u^T J is
  linear in u, so differentiating it with respect to u (a dummy that requires
  grad) gives back J v. Reverse mode only, as torch does it here;
- `hessian` is the Jacobian of the gradient, `vhp` the vjp of the gradient, and
  `hvp` the double-vjp trick applied to the gradient.

Signatures, return nesting (a tuple of tuples when both inputs and outputs are
tuples), strict-mode checks and error messages follow torch.autograd.functional.
Everything runs with grad mode on, whatever the caller's mode, as in torch.
"""
from ..engine import grad as _grad
from ..factories import zeros_like
from ..grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from ..ops.shape import stack
from ..tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# -- turning arguments into tuples and back ---------------------------------------

def _as_tuple(value, arg_name, fn_name):
    """(was it a tuple?, a tuple of Tensors), with torch's TypeError for anything else."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, el in enumerate(values):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the {where} has type {type(el)}.")
    return is_tuple, values


def _tuple_postprocess(result, was_tuple):
    """Undo _as_tuple on a result: `was_tuple` is one flag, or (outputs', inputs') flags."""
    if isinstance(was_tuple, tuple):
        outputs_tuple, inputs_tuple = was_tuple
        if not inputs_tuple:
            result = tuple(row[0] for row in result)
        return result if outputs_tuple else result[0]
    return result if was_tuple else result[0]


def _grad_preprocess(inputs, create_graph, need_graph):
    """Fresh tensors to differentiate with respect to.

    New objects even for the same data, so that the function's own use of a
    captured tensor is not mistaken for its input. With create_graph, a view keeps
    the link to the caller's tensor, so the result can be differentiated further."""
    return tuple(t.view(t.shape) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in inputs)


def _grad_postprocess(values, create_graph):
    """Cut results from the graph unless the caller asked for one (recursing into tuples)."""
    if isinstance(values[0], Tensor):
        return values if create_graph else tuple(t.detach() for t in values)
    return tuple(_grad_postprocess(v, create_graph) for v in values)


def _validate_v(v, other, other_is_tuple):
    if len(other) != len(v):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prefix = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {el_other.size()} but got "
                               f"{el_v.size()}.")


def _prepare_v(v, like, like_is_tuple, create_graph, fn_name, none_message):
    """The vector of a product: checked against `like`; None only where one element is implied."""
    if v is None:
        if len(like) != 1 or like[0].nelement() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
    _validate_v(v, like, like_is_tuple)
    return v


_V_NONE_FOR_OUTPUT = ("The vector v can only be None if the user-provided function returns a "
                      "single Tensor with a single element.")
_V_NONE_FOR_INPUT = ("The vector v can only be None if the input to the user-provided function "
                     "is a single Tensor with a single element.")


# -- strict mode ----------------------------------------------------------------------

def _check_requires_grad(values, kind, strict):
    """In strict mode: every output (gradient, ...) must depend on the inputs."""
    if not strict:
        return
    for i, t in enumerate(values):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if t.requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is thrice differentiable and that the hessian depends on the "
                "inputs.")
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).")
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode.")
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The outputs "
            "must be computed in a differentiable manner from the input when running in strict "
            "mode.")


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward mode "
                         "AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """None (no dependence) becomes zeros of the reference's shape, or an error in strict mode."""
    result = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        result.append(g)
    return tuple(result)


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad that skips outputs outside the graph (None where nothing flows)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return _grad(tuple(o for o, _ in kept), inputs, tuple(g for _, g in kept),
                 retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _call(func, inputs, fn_name, strict):
    """Run the user's function; its outputs as a tuple, checked for strict mode."""
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict=strict)
    return is_tuple, outputs


def _single_output(outputs_tuple, outputs, fn_name):
    if outputs_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")


def _finish(outputs, outputs_tuple, product, product_tuple, create_graph):
    """(func_output, product) as the caller gave them: tuples only where they gave tuples."""
    outputs = _grad_postprocess(outputs, create_graph)
    product = _grad_postprocess(product, create_graph)
    return _tuple_postprocess(outputs, outputs_tuple), _tuple_postprocess(product, product_tuple)


# -- the API ------------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): one backward pass with v as the output gradient."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _prepare_v(v, outputs, outputs_tuple, create_graph, "vjp", _V_NONE_FOR_OUTPUT)

    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        product = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return _finish(outputs, outputs_tuple, product, inputs_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by the double-vjp trick (two backward passes, no forward mode).

    g(u) = u^T J is linear in u, and its vjp with v is (J v)^T: so backpropagate once
    from a dummy `u` (zeros that require grad; its value never matters) with
    create_graph, then backpropagate the result with respect to `u`."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, inputs_tuple, create_graph, "jvp", _V_NONE_FOR_INPUT)
        outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        dummies = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)

    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(grad_inputs, dummies, v, create_graph=create_graph)
        product = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return _finish(outputs, outputs_tuple, product, outputs_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """J[i][j] = d output_i / d input_j, of shape output_i.shape + input_j.shape.

    One vjp per output element (row by row). torch's `vectorize=True` and
    "forward-mode" compute the same values faster; here they are accepted and
    computed row by row too (with torch's checks on the argument combinations)."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.')
        _as_tuple(inputs, "inputs", "jacobian")
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`.")

    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`.")

        jacobian = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # rows[j]: the rows of d out / d input j
            flat = out.reshape(-1)
            for k in range(out.nelement()):
                vj = _autograd_grad((flat[k],), inputs, retain_graph=True,
                                    create_graph=create_graph)
                for j, (row, g, inp) in enumerate(zip(rows, vj, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {j}. This is not allowed in strict mode.")
                        g = zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            "The jacobian of the user-provided function is independent of "
                            f"input {i}. This is not allowed in strict mode when "
                            "create_graph=True.")
                    row.append(g)
            jacobian.append(tuple(stack(row, dim=0).view(out.size() + inp.size())
                                  for row, inp in zip(rows, inputs)))

        jacobian = _grad_postprocess(tuple(jacobian), create_graph)
        if strategy == "forward-mode":
            jacobian = [list(row) for row in jacobian]  # torch's forward mode nests lists
        return _tuple_postprocess(jacobian, (outputs_tuple, inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """H[i][j] = d^2 f / d input_i d input_j, for f with a single-element output.

    The Jacobian of the gradient: jacobian() of a function that itself returns
    jacobian(func) built with create_graph=True."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single_output_func(*inp):
        outputs_tuple, outputs = _call(func, inp, "hessian", strict)
        _single_output(outputs_tuple, outputs, "hessian")
        return outputs[0].squeeze()

    def jac_func(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(single_output_func, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    result = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _tuple_postprocess(result, (inputs_tuple, inputs_tuple))


def _gradient(func, inputs, v, create_graph, strict, fn_name):
    """What vhp and hvp share: the checked inputs, v and output, and the gradient of func
    built with create_graph (so it can be differentiated once more)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    v = _prepare_v(v, inputs, inputs_tuple, create_graph, fn_name, _V_NONE_FOR_INPUT)
    outputs_tuple, outputs = _call(func, inputs, fn_name, strict)
    _single_output(outputs_tuple, outputs, fn_name)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict=strict)
    return inputs_tuple, inputs, v, outputs_tuple, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H): the vjp of the gradient."""
    with enable_grad():
        inputs_tuple, inputs, v, outputs_tuple, outputs, jac = _gradient(
            func, inputs, v, create_graph, strict, "vhp")

    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        product = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return _finish(outputs, outputs_tuple, product, inputs_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v): the double-vjp trick applied to the gradient (see jvp).

    H is symmetric for twice continuously differentiable functions, so vhp gives
    the same values with one backward pass less."""
    with enable_grad():
        inputs_tuple, inputs, v, outputs_tuple, outputs, jac = _gradient(
            func, inputs, v, create_graph, strict, "hvp")
        dummies = tuple(zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, dummies, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)

    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(double_back, dummies, v, create_graph=create_graph)
        product = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return _finish(outputs, outputs_tuple, product, inputs_tuple, create_graph)
