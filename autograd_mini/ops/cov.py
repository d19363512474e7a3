"""torch.cov, in the steps of torch's own (Correlation.cpp): the weighted mean, the
centred observations, one mm with their transpose, divided by the degrees of freedom."""
import warnings

from .. import _cpp_warnings as _cpp
from .. import factories
from ..tensor import Tensor

_CORRELATION = "aten/src/ATen/native/Correlation.cpp:129"


def cov(input, *, correction=1, fweights=None, aweights=None):
    if input._data.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input._data.ndim} dimensions")
    if input._data.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    observations = input.view(1, -1) if input._data.ndim < 2 else input
    weights = fweights
    if aweights is not None:
        weights = aweights if weights is None else weights * aweights
    if weights is None:
        total = factories.tensor(observations._data.shape[1])  # an int64 0-d tensor
    else:
        total = weights.sum()
        if float(total._data) == 0:
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    weighted = (lambda t: t) if weights is None else (lambda t: t * weights)
    mean = weighted(observations).sum(1) / total
    if weights is not None and aweights is not None and correction != 0:
        dof = total - correction * (weights * aweights).sum() / total
    else:
        dof = total - correction
    if float(dof._data) <= 0:
        warnings.warn(_cpp.triggered("cov(): degrees of freedom is <= 0. Correction should be "
                                     "strictly less than the number of observations.",
                                     _CORRELATION), UserWarning, stacklevel=2)
        dof = Tensor._make(dof._data * 0)
    centred = observations - mean.unsqueeze(1)
    return (centred.mm(weighted(centred).t()) / dof).squeeze()


FUNCTIONS = {"cov": cov}
