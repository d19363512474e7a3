"""x.uniform_(a, b) and x.normal_(mean, std): fill a tensor in place with random numbers.

nn.init draws every initial weight through these two methods (as torch's does), so
a test can replace them, in torch and here, by one shared NumPy stream and start
both engines from the same numbers. The numbers come from the generator that
`manual_seed` seeds (NumPy's: they are not torch's numbers)."""
from .. import factories
from ..inplace import _check_writable, _LEAF_ERROR


def _fill(tensor, values):
    _check_writable(tensor, _LEAF_ERROR)
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    return _fill(self, factories._rng.uniform(a, b, self._data.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return _fill(self, factories._rng.normal(mean, std, self._data.shape))
