"""torch.autograd.Variable: the pre-2018 wrapper, kept by torch for old programs.

Since torch 0.4 a Variable *is* a Tensor: `Variable(t, requires_grad=True)` returns
a new Tensor sharing t's data (detached from t's history), and `isinstance(x,
Variable)` holds for every tensor.
"""
import warnings

from ..tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)

    def __repr__(cls):
        return "<class 'torch.autograd.variable.Variable'>"


class Variable(metaclass=_VariableMeta):
    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if data is None:
            from ..factories import empty
            var = empty(0)
        elif isinstance(data, Tensor):
            var = data.detach()
        else:
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                          "instead.", UserWarning, stacklevel=2)
        if requires_grad and not var.is_floating_point():
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        var._requires_grad = bool(requires_grad)
        return var
