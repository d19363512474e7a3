"""tensor_split, hsplit, vsplit, dsplit: a tensor cut into pieces along one dimension.
Unlike split and chunk (one node for all pieces), torch makes each piece its own
slice (SliceBackward0), a view of the input. Also unsafe_split / unsafe_chunk."""
from ..tensor import Tensor
from ._util import wrap_dim
from .indexing import SliceBackward0, chunk_size, split_sizes


class UnsafeSplitBackward0(SliceBackward0):
    """unsafe_split / unsafe_chunk: each piece shares the input's memory, as torch's, but is
    no view to autograd (its own version counter; in-place on it is allowed). Torch has one
    node for all the pieces; here each piece has its own."""
    aten = "aten::unsafe_split"
    is_view = False


class UnsafeSplitWithSizesBackward0(UnsafeSplitBackward0):
    aten = "aten::unsafe_split_with_sizes"


def unsafe_split(input, split_size, dim=0):
    dim, sizes, step = split_sizes(input, split_size, dim)
    node_cls = UnsafeSplitWithSizesBackward0 if step is None else UnsafeSplitBackward0
    pieces, start = [], 0
    for n in sizes:
        pieces.append(node_cls.apply(input, dim=dim, start=start, end=start + n, step=1))
        start += n
    return tuple(pieces)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return unsafe_split(input, list(split_sizes), dim)


def unsafe_chunk(input, chunks, dim=0):
    return unsafe_split(input, chunk_size(input, chunks, dim), dim)


def tensor_split(input, indices_or_sections, dim=0):
    dim = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        # The first size % n pieces are one longer, as in torch.
        lengths = [size // n + (1 if i < size % n else 0) for i in range(n)]
        bounds, start = [], 0
        for length in lengths:
            bounds.append((start, start + length))
            start += length
    else:
        cuts = [0] + [min(max(int(i), 0), size) for i in indices_or_sections] + [size]
        bounds = [(lo, max(lo, hi)) for lo, hi in zip(cuts[:-1], cuts[1:])]
    return tuple(input.narrow(dim, lo, hi - lo) for lo, hi in bounds)


def _split_along(name, input, indices_or_sections, dim, min_dims):
    ndim = input._data.ndim
    if ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {ndim} dimensions!")
    if isinstance(indices_or_sections, int):
        size = input._data.shape[dim]
        if indices_or_sections == 0 or size % indices_or_sections:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    dim = 1 if input._data.ndim >= 2 else 0
    return _split_along("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections):
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _split_along("dsplit", input, indices_or_sections, 2, 3)
