"""Filling a tensor in place with random numbers: uniform_, normal_, random_, bernoulli_,
and torch.normal / torch.bernoulli, which make a tensor and fill it.

The numbers are torch's for the same seed (random.py draws them as torch's CPU kernels
do). nn.init draws every initial weight through uniform_ or normal_, as torch's does."""
import numpy as np

from .. import factories
from ..inplace import _check_writable, _LEAF_ERROR


def _fill(tensor, values):
    _check_writable(tensor, _LEAF_ERROR)
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def _draws(tensor, generator):
    return factories._generator(generator), tensor._data.shape, tensor._data.dtype


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    rng, shape, dtype = _draws(self, generator)
    return _fill(self, rng.uniform(shape, dtype, a, b))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    rng, shape, dtype = _draws(self, generator)
    # torch fills 16 at a time only when the memory is one block; otherwise one by one
    scattered = None if self._data.flags.c_contiguous else self._data
    return _fill(self, rng.normal(shape, dtype, mean, std, memory_order=scattered))


def random_(self, from_=None, to=None, *, generator=None):
    """Integers: in [from_, to), in [0, from_) given one bound, or with no bounds any
    integer the dtype holds exactly."""
    rng, shape, dtype = _draws(self, generator)
    if from_ is None:
        return _fill(self, rng.any_integer(shape, dtype))
    low, high = (0, from_) if to is None else (from_, to)
    return _fill(self, rng.integers(int(low), int(high), shape))


def bernoulli_(self, p=0.5, *, generator=None):
    rng, shape, _ = _draws(self, generator)
    probability = p._data if hasattr(p, "_data") else p
    return _fill(self, rng.bernoulli(shape, probability))


def bernoulli(input, p=None, *, generator=None, out=None):
    """0 or 1, each 1 with the probability given in `input` (or p for all)."""
    result = factories.empty_like(input)
    return bernoulli_(result, input if p is None else p, generator=generator)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False, layout=None, pin_memory=False):
    """torch.normal(mean, std, size) with numbers; with tensors, one number per element
    (drawn standard, then scaled: out = normal * std + mean, as torch computes it)."""
    if size is not None:
        result = factories.empty(*size, dtype=dtype, device=device)
        normal_(result, mean, std, generator=generator)
        result.requires_grad_(requires_grad)
        return result
    like = mean if hasattr(mean, "_data") else std
    mean_data, std_data = getattr(mean, "_data", mean), getattr(std, "_data", std)
    shape = np.broadcast_shapes(np.shape(mean_data), np.shape(std_data))
    result = factories.empty(*shape, dtype=like.dtype)
    normal_(result, 0.0, 1.0, generator=generator)
    result._data *= std_data
    result._data += mean_data
    return result
