"""autograd.Function: how a user adds an operation with a hand-written backward.

    class MyExp(Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad):
            (result,) = ctx.saved_tensors
            return grad * result

    y = MyExp.apply(x)          # y.grad_fn.name() == "MyExpBackward"

It is built on the engine's own mechanism: every subclass gets a `Node` subclass
named `<ClassName>Backward`, as torch names it, and `apply` goes through
`Node.apply` like every engine operation (so the profiler and the graph drawers
see it as one more node). As in torch, the node *is* the ctx: what forward stores
on ctx is what `y.grad_fn` holds.
"""
import functools
import inspect

import numpy as np

from ..grad_mode import no_grad
from ..node import Node
from ..ops._util import unbroadcast
from ..tensor import Tensor


class FunctionCtx(Node):
    """The ctx of a custom Function call, and its backward node."""

    function = None     # the user's Function subclass
    _tensor_args = ()   # for each positional argument of forward: was it a Tensor?
    _input_shapes = ()  # the shapes of the Tensor arguments, to check backward's answer
    _output_slots = ()  # positions in save_for_backward that hold forward's own result
    _marked = ()        # what forward passed to mark_non_differentiable
    _non_differentiable = False

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                                f"of type {type(t).__name__}")
        super().save_for_backward(*tensors)

    @property
    def saved_tensors(self):
        tensors = super().saved_tensors
        if not self._output_slots:
            return tensors
        # forward's result comes back linked to this node (as the engine's own saved
        # results do), so a backward that uses it can be differentiated again.
        output = self.saved_output
        return tuple(output if i in self._output_slots else t for i, t in enumerate(tensors))

    def mark_non_differentiable(self, *tensors):
        """If forward returns one of `tensors`, its result will not require grad (a mask, ...)."""
        self._marked = tensors

    def forward(self, *tensors, args, kwargs):
        function = type(self).function
        # The engine set needs_input_grad per Tensor argument (and only when it records
        # the call); torch gives one entry per argument of forward.
        needs = iter(self.needs_input_grad)
        self._tensor_args = tuple(isinstance(a, Tensor) for a in args)
        self.needs_input_grad = tuple(next(needs, False) if is_tensor else False
                                      for is_tensor in self._tensor_args)
        self._input_shapes = tuple(t._data.shape for t in tensors)
        # torch runs a custom forward with grad mode off: its operations are not recorded.
        with no_grad():
            if function.setup_context is Function.setup_context:
                output = function.forward(self, *args, **kwargs)
            else:
                output = function.forward(*args, **kwargs)
                function.setup_context(self, args, output)
        if not isinstance(output, Tensor):
            raise TypeError(f"{function.__name__}.forward must return a single Tensor in "
                            f"autograd_mini, not {type(output).__name__}")
        self._output_slots = tuple(i for i, s in enumerate(self._saved) if s is output)
        self._non_differentiable = any(t is output for t in self._marked)
        self._marked = ()
        return output._data

    def backward(self, grad):
        function = type(self).function
        with_grads = function.backward(self, grad)
        if not isinstance(with_grads, tuple):
            with_grads = (with_grads,)
        expected = len(self._tensor_args)
        if len(with_grads) != expected:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(with_grads)})")
        grads = []
        for position, (g, is_tensor) in enumerate(zip(with_grads, self._tensor_args)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {position + 1}, but the corresponding forward input was not a "
                        "Variable")
                continue
            grads.append(None if g is None else self._fit(g, len(grads)))
        return tuple(grads)

    def _fit(self, grad, index):
        """A gradient of the input's shape: torch sums one that broadcasts to a larger shape."""
        shape = self._input_shapes[index]
        if grad._data.shape == shape:
            return grad
        try:
            compatible = np.broadcast_shapes(shape, grad._data.shape) == grad._data.shape
        except ValueError:
            compatible = False
        if not compatible:
            raise RuntimeError(
                f"Function {self.name()} returned an invalid gradient at index {index} - got "
                f"{list(grad._data.shape)} but expected shape compatible with {list(shape)}")
        return unbroadcast(grad, shape)


def once_differentiable(backward):
    """For a backward written without differentiable operations (NumPy, say): torch runs
    it with grad mode off, so its result is never recorded."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            return backward(ctx, *grads)
    return wrapper


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`; call `.apply`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (FunctionCtx,), {
            "function": cls,
            "aten": cls.__name__,  # the profiler's name for the forward, as torch's
            "__module__": cls.__module__,
        })

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Optional (torch's second style): forward without ctx, then this fills ctx."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        if cls.setup_context is not Function.setup_context:
            # In this style every argument of forward, defaults included, is an input.
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        tensors = tuple(a for a in args if isinstance(a, Tensor))
        out = cls._backward_cls.apply(*tensors, args=args, kwargs=kwargs)
        node = out.grad_fn
        if node is not None:
            if node._non_differentiable:
                out.grad_fn, out._requires_grad = None, False
            elif node._output_slots:
                node.keep_result(out)
        return out
