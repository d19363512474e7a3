"""A model's parameters as one flat vector, and back."""
from ...ops.shape import cat
from ...tensor import Tensor
from ..module import typename


def parameters_to_vector(parameters):
    """The parameters, each flattened, one after the other (recorded: cat of views)."""
    return cat([param.view(-1) for param in parameters])


def vector_to_parameters(vec, parameters):
    """Point each parameter's data at its slice of vec (in order, shaped as the parameter)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    pointer = 0
    for param in parameters:
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
