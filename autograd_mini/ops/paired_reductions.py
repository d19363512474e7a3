"""aminmax, var_mean, std_mean: one reduction, two results, one node (as in torch:
both results' grad_fn is the same AminmaxBackward0 / VarMeanBackward0, with
output_nr 0 and 1). Each result reaches the node through its own edge
(views.OutputEdge), which turns that result's gradient into a gradient of the input;
the node adds them up and passes the sum on."""
import numpy as np

from .. import node as _node
from .. import views
from ..grad_mode import state as _grad_state
from ..node import Node
from ..tensor import Tensor
from ._util import constant, wrap_dim
from .reduction import _dims, _expand_back, _return_type
from .statistics import _correction, _var_backward, _variance


class _Paired(Node):
    multi_output = True

    def backward(self, grad):
        return (grad,)


class AminmaxBackward0(_Paired):
    aten = "aten::aminmax"
    saved_names = ("self",)

    def part(self, grad, nr):
        """min's or max's gradient, shared evenly between the elements equal to it."""
        (a,) = self.saved_tensors
        for data, vc, version, edge in self._kept:  # torch saved min and max: changed, they fail
            if vc[0] != version:
                saved = Tensor._make(data)  # as the result it was: the message names its number
                saved.grad_fn, saved._output_edge = self, edge
                raise RuntimeError(_node._modified_message(saved, self, version, current=vc[0]))
        shape, dim, keepdim = a._data.shape, self._saved_dim, self._saved_keepdim
        dims = tuple(range(len(shape))) if dim is None else (dim,)
        keep = keepdim or dim is None
        value = self._values[nr]
        hits = a._data == (value if keep or not shape else np.expand_dims(value, dims))
        weights = hits / hits.sum(axis=dims, keepdims=True)
        return _expand_back(grad, shape, dims, keep) * constant(weights.astype(grad._data.dtype))


class VarMeanBackward0(_Paired):
    aten = "aten::var_mean"
    saved_names = ("self",)

    def part(self, grad, nr):
        (a,) = self.saved_tensors
        dim, keepdim = self._saved_dim, self._saved_keepdim
        if nr == 0:
            return _var_backward(self._first(grad), a, dim, self._saved_correction, keepdim)
        shape = a._data.shape
        dims = tuple(range(len(shape))) if dim is None else tuple(dim)
        count = int(np.prod([shape[d] for d in dims])) if shape else 1
        return _expand_back(grad, shape, dims, keepdim or dim is None) / count

    def _first(self, grad):
        return grad


class StdMeanBackward0(VarMeanBackward0):
    aten = "aten::std_mean"

    def _first(self, grad):
        # d std = d var / (2 std); where std is 0 the gradient is taken as 0, as in torch.
        # std is computed again from the input, so that a second derivative sees it move.
        (a,) = self.saved_tensors
        from .elementwise import where
        std = a.std(self._saved_dim, correction=self._saved_correction,
                    keepdim=self._saved_keepdim)
        return where(constant(self._values[0] == 0), 0.0, grad / (std * 2))


class _Part:
    """What an output's edge hands on: that output's gradient, as the input's."""

    @staticmethod
    def apply(grad, shape, key):
        node, nr = key
        return node.part(grad, nr)


def _results(node_cls, result_type, input, datas, attrs):
    outs = [Tensor._make(np.asarray(d)) for d in datas]
    if _grad_state.enabled and input._requires_grad and input._data.dtype.kind == "f":
        _node._outputs_seen = True  # from now on node._edges asks views.edge()
        node = _node._new(node_cls)
        node._next, node.needs_input_grad = _node._edges((input,))
        for name, value in attrs.items():
            setattr(node, "_saved_" + name, value)
        node._values, node._kept = tuple(datas), []
        node.save_for_backward(input)

        for nr, out in enumerate(outs):
            edge = _node._new(views.OutputEdge)
            edge._next, edge.needs_input_grad = (node,), (True,)
            edge.node, edge.nr = node, nr
            edge.place, edge.input_shape, edge.key = _Part, input._data.shape, (node, nr)
            out.grad_fn, out._requires_grad, out._output_edge = node, True, edge
            vc = out._version_counter()
            node._kept.append((out._data, vc, vc[0], edge))
    return result_type(*outs) if result_type is not tuple else tuple(outs)


aminmax_return = _return_type("aminmax")
aminmax_return = type("aminmax", (aminmax_return,), {
    "_fields": ("min", "max"), "__slots__": (),
    "min": property(lambda self: self[0]), "max": property(lambda self: self[1]),
    "__repr__": lambda self: (f"autograd_mini.return_types.aminmax(\nmin={self[0]!r},\n"
                              f"max={self[1]!r})")})


def aminmax(input, *, dim=None, keepdim=False):
    data = input._data
    if dim is not None:
        dim = wrap_dim(dim, data.ndim)
    axis = None if dim is None or not data.ndim else dim
    if data.size == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    keep = keepdim and axis is not None
    lo, hi = data.min(axis=axis, keepdims=keep), data.max(axis=axis, keepdims=keep)
    if keepdim and axis is None and data.ndim:
        lo, hi = lo.reshape((1,) * data.ndim), hi.reshape((1,) * data.ndim)
    return _results(AminmaxBackward0, aminmax_return, input, (lo, hi),
                    {"dim": axis, "keepdim": keepdim, "min": Tensor._make(np.asarray(lo)),
                     "max": Tensor._make(np.asarray(hi))})


def _moments(node_cls, input, dim, unbiased, keepdim, correction, what):
    dim, correction = _correction(what, dim, unbiased, correction, input)
    data = input._data
    axis = None if dim is None else _dims(dim, data.ndim)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = _variance(data, axis, correction, keepdim)
        mean = np.asarray(data.mean(axis=axis, keepdims=keepdim), dtype=data.dtype)
        first = var if node_cls is VarMeanBackward0 else np.sqrt(var)
    return _results(node_cls, tuple, input, (first, mean),
                    {"dim": None if dim is None else list(axis), "correction": correction,
                     "keepdim": keepdim})


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _moments(VarMeanBackward0, input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _moments(StdMeanBackward0, input, dim, unbiased, keepdim, correction, "std_mean")
