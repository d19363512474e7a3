"""nn.Parameter: a leaf tensor that a Module registers as one of its weights."""
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor (sharing `data`'s storage, but a new leaf with no history) that
    requires grad unless told otherwise. Assigned to a Module's attribute, it shows
    up in `module.parameters()`."""
    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor(())
        t = Tensor._make(data._data)
        t.__class__ = cls
        if requires_grad:
            if data._data.dtype.kind != "f":
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients")
            t._requires_grad = True
        return t

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__
