"""vstack, hstack, column_stack, meshgrid, cartesian_prod, block_diag: tensors put
together. All but block_diag are made of view and cat/stack operations, recorded
as torch records them."""

import numpy as np

from ..node import Node
from .shape import cat, stack
from .. import _cpp_warnings as _cpp


def _at_least_2d(t):
    nd = t._data.ndim
    return t.reshape(1, 1) if nd == 0 else t.unsqueeze(0) if nd == 1 else t


def _at_least_1d(t):
    return t.reshape(1) if t._data.ndim == 0 else t


def _at_least_3d(t):
    nd = t._data.ndim
    if nd == 0:
        return t.reshape(1, 1, 1)
    if nd == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if nd == 2 else t


def _each(convert, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(convert(t) for t in tensors[0])
    return convert(tensors[0]) if len(tensors) == 1 else tuple(convert(t) for t in tensors)


def atleast_1d(*tensors):
    return _each(_at_least_1d, tensors)


def atleast_2d(*tensors):
    return _each(_at_least_2d, tensors)


def atleast_3d(*tensors):
    return _each(_at_least_3d, tensors)


def dstack(tensors):
    return cat([_at_least_3d(t) for t in tensors], 2)


def vstack(tensors):
    return cat([_at_least_2d(t) for t in tensors], 0)


row_stack = vstack


def hstack(tensors):
    tensors = [_at_least_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def column_stack(tensors):
    return cat([t.reshape(t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors], 1)


_MESHGRID_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass the "
                     "indexing argument.")


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        _cpp.warn_once(_MESHGRID_WARNING, _cpp.TENSOR_SHAPE, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    order = list(tensors)
    if indexing == "xy" and len(order) >= 2:  # torch swaps the first two in and out
        order[0], order[1] = order[1], order[0]
    shape = [t._data.size for t in order]
    grids = []
    for i, t in enumerate(order):
        view = [1] * len(order)
        view[i] = -1
        grids.append(t.view(*view).expand(*shape))
    if indexing == "xy" and len(grids) >= 2:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], 1)


class BlockDiagBackward0(Node):
    aten = "aten::block_diag"

    @staticmethod
    def forward(*tensors):
        blocks = [t._data.reshape(1, -1) if t._data.ndim <= 1 else t._data for t in tensors]
        for i, t in enumerate(blocks):
            if t.ndim != 2:
                raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer "
                                   f"dimensions. Input {i} has {t.ndim} dimensions")
        dtype = np.result_type(*blocks) if blocks else np.float32
        out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)),
                       dtype=dtype)
        r = c = 0
        for b in blocks:
            out[r:r + b.shape[0], c:c + b.shape[1]] = b
            r, c = r + b.shape[0], c + b.shape[1]
        return out

    def save(self, *tensors):
        self._saved_tensors_sizes = [t._data.shape for t in tensors]

    def backward(self, grad):
        grads, r, c = [], 0, 0
        for shape, need in zip(self._saved_tensors_sizes, self.needs_input_grad):
            rows, cols = (1, int(np.prod(shape))) if len(shape) <= 1 else shape
            if need:
                piece = grad.narrow(0, r, rows).narrow(1, c, cols)
                grads.append(piece.reshape(shape) if len(shape) <= 1 else piece)
            else:
                grads.append(None)
            r, c = r + rows, c + cols
        return tuple(grads)


def block_diag(*tensors):
    return BlockDiagBackward0.apply(*tensors)
