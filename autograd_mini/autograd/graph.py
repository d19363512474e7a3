"""torch.autograd.graph: the names programs use to look at the graph.

`isinstance(t.grad_fn, torch.autograd.graph.Node)` holds for every node, and
`torch._C._functions` names each node class (`AccumulateGrad`, `MulBackward0`, ...)
as torch does, so a program can test for one kind.
"""
import types

from .. import node as _node
from ..node import AccumulateGrad, Node
from ..saved_hooks import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks",
           "increment_version"]


def increment_version(tensor):
    """Tell autograd that `tensor` (or each of a list) was changed behind its back: a node
    that saved it then refuses to run backward. Inference tensors have no version."""
    from ..tensor import Tensor
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        if not t._is_inference:
            t._bump_version()


class UndefinedGradBackward(Node):
    """The node UndefinedGrad records: the gradient it passes on is undefined (None)."""

    def name(self):
        return "torch::autograd::UndefinedGradBackward"

    def backward(self, grad):
        return (None,)


class UndefinedGrad:
    """torch._C._functions.UndefinedGrad: `UndefinedGrad()(x)` is a copy of x whose gradient
    is undefined, so x gets None (test_autograd's tests of undefined gradients)."""
    next_functions = ()

    def name(self):
        return "torch::autograd::UndefinedGrad"

    def __call__(self, *args):
        from ..tensor import Tensor
        if len(args) != 1:
            raise TypeError(f"expected 1 arguments, got {len(args)} instead")
        (x,) = args
        if not isinstance(x, Tensor):
            raise TypeError("argument 0 is not a Variable")
        out = Tensor._make(x._data.copy())
        if x._requires_grad:  # recorded even under no_grad, as torch's
            node = _node._new(UndefinedGradBackward)
            node._next, node.needs_input_grad = _node._edges((x,))
            out.grad_fn, out._requires_grad = node, True
        return out

    def __repr__(self):
        return f"<UndefinedGrad object at {hex(id(self))}>"


def _functions():
    """A namespace of every node class, by torch's name (torch._C._functions)."""
    classes = {"AccumulateGrad": AccumulateGrad, "UndefinedGrad": UndefinedGrad}
    stack = [Node]
    while stack:  # every subclass, however deep
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__name__.endswith(("Backward", "Backward0", "Backward1", "Backward2",
                                      "Backwards")) or sub.__name__ == "CopySlices":
                classes.setdefault(sub.__name__, sub)
    return types.SimpleNamespace(**classes)
