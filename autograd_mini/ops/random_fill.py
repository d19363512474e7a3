"""Filling a tensor in place with random numbers: uniform_, normal_, random_, bernoulli_,
and torch.normal / torch.bernoulli, which make a tensor and fill it; exponential_, cauchy_,
log_normal_, geometric_ (recorded on torch's zero-gradient nodes) and randint_like.

The numbers are torch's for the same seed (random.py draws them as torch's CPU kernels
do). nn.init draws every initial weight through uniform_ or normal_, as torch's does."""
import numpy as np

from .. import dtypes, factories
from ..inplace import _check_writable, _LEAF_ERROR, apply_inplace
from ..node import Node


def _fill(tensor, values):
    _check_writable(tensor, _LEAF_ERROR)
    tensor._data[...] = _in_memory_order(values, tensor._data)
    tensor._bump_version()
    return tensor


def _memory_axes(like):
    """`like`'s axes from the largest stride to the smallest: the order in which torch's
    kernels walk a tensor whose memory is not one block."""
    return sorted(range(like.ndim), key=lambda a: -abs(like.strides[a]))


def _in_memory_order(values, like):
    """The drawn numbers (in draw order) laid out as torch's kernels walk `like`'s memory."""
    if like.flags.c_contiguous:
        return values
    axes = _memory_axes(like)
    out = np.empty(like.shape, values.dtype)
    out.transpose(axes)[...] = values.reshape([like.shape[a] for a in axes])
    return out


def _in_draw_order(values, like):
    """The inverse: `like`-shaped values (a tensor of probabilities) in the order the
    draws meet them."""
    if like.flags.c_contiguous:
        return values
    return np.broadcast_to(values, like.shape).transpose(_memory_axes(like)).reshape(like.shape)


def _draws(tensor, generator):
    return factories._generator(generator), tensor._data.shape, tensor._data.dtype


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    rng, shape, dtype = _draws(self, generator)
    return _fill(self, rng.uniform(shape, dtype, a, b))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    rng, shape, dtype = _draws(self, generator)
    # torch fills 16 at a time only when the memory is one block; otherwise one by one
    serial = not self._data.flags.c_contiguous
    return _fill(self, rng.normal(shape, dtype, mean, std, serial=serial))


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
    probability = _in_draw_order(p._data, self._data) if hasattr(p, "_data") else p
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


# -- exponential_, cauchy_, log_normal_, geometric_ ------------------------------------------
# torch records these on a node of their own whose gradient is zero (the old values are gone).


class _RandomFillBackward(Node):
    @staticmethod
    def forward(a, values):
        return values

    def backward(self, grad):
        return (grad * 0,)


def _random_node(name, aten):
    return type(name, (_RandomFillBackward,), {"aten": aten})


ExponentialBackward0 = _random_node("ExponentialBackward0", "aten::exponential_")
CauchyBackward0 = _random_node("CauchyBackward0", "aten::cauchy_")
LogNormalBackward0 = _random_node("LogNormalBackward0", "aten::log_normal_")
GeometricBackward0 = _random_node("GeometricBackward0", "aten::geometric_")
PoissonBackward0 = _random_node("PoissonBackward0", "aten::poisson")


def _number(value):
    """A double as torch's C++ messages print it (ostream's 6 significant digits)."""
    return f"{float(value):g}"


def _continuous_only(tensor, distribution, dtype_name):
    if tensor._data.dtype.kind != "f":
        raise RuntimeError(f"{distribution} distribution is a continuous probability "
                           "distribution. dtype must be a floating point but you specified "
                           f"{dtype_name(dtypes.from_numpy(tensor._data.dtype))}")


def _fill_recorded(tensor, node, draw, generator):
    """Draw as torch's serial kernel does (in the tensor's memory order), then write the
    numbers through the node, as an in-place op."""
    rng, shape, dtype = _draws(tensor, generator)
    values = _in_memory_order(draw(rng, shape, dtype), tensor._data)
    return apply_inplace(tensor, lambda t: node.apply(t, values=values))


def exponential_(self, lambd=1.0, *, generator=None):
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_number(lambd)}")
    _continuous_only(self, "Exponential", dtypes.scalar_type)
    return _fill_recorded(self, ExponentialBackward0,
                          lambda rng, shape, dtype: rng.exponential(shape, dtype, lambd), generator)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_number(sigma)}")
    _continuous_only(self, "Cauchy", dtypes.CPP_TYPE.get)
    return _fill_recorded(self, CauchyBackward0,
                          lambda rng, shape, dtype: rng.cauchy(shape, dtype, median, sigma),
                          generator)


def _floating_kernel(tensor, kernel):
    if tensor._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{dtypes.scalar_type(dtypes.from_numpy(tensor._data.dtype))}'")


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_number(std)}")
    _floating_kernel(self, "log_normal_cpu")
    return _fill_recorded(self, LogNormalBackward0,
                          lambda rng, shape, dtype: rng.log_normal(shape, dtype, mean, std),
                          generator)


def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_number(p)}")
    if self._data.dtype == np.bool_:
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    return _fill_recorded(self, GeometricBackward0,
                          lambda rng, shape, dtype: rng.geometric(shape, dtype, p), generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 pin_memory=False, requires_grad=False, memory_format=None, generator=None):
    """Integers in [low, high) (in [0, low) given one bound) in a tensor like `input`."""
    low, high = (0, low) if high is None else (low, high)
    result = factories.empty_like(input, dtype=dtype)
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    random_(result, low, high, generator=generator)
    return result.requires_grad_(requires_grad)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices drawn from each row of weights, as torch's CPU code draws them:
    without replacement (or one sample) the largest weight / Exp(1) (Gumbel's trick: one
    exponential per weight, then topk); with replacement, per sample a float64 uniform
    looked up in the row's normalised running sum (left binary search)."""
    probs = input._data
    if not 1 <= probs.ndim <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{dtypes.scalar_type(dtypes.from_numpy(probs.dtype))}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > probs.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rng, rows = factories._generator(generator), probs.reshape(-1, probs.shape[-1])
    if not replacement or num_samples == 1:
        if not (rows.max() < np.inf and rows.min() >= 0):  # a NaN fails both
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        keys = rows / rng.exponential(rows.shape, rows.dtype, 1.0)
        chosen = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        chosen = np.stack([_with_replacement(row, num_samples, rng) for row in rows])
    return factories.tensor(chosen.reshape(probs.shape[:-1] + (num_samples,)))


def _with_replacement(row, num_samples, rng):
    for value in row:  # torch checks each entry in turn, sign before finiteness
        if not value >= 0:
            raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                               "< 0)")
        if not np.isfinite(value):
            raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                               "= infinity or NaN)")
    running = np.cumsum(row, dtype=row.dtype)  # summed in the weights' own precision
    if not running[-1] > 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    running = running / running[-1]
    running[-1] = 1
    return np.searchsorted(running.astype(np.float64), rng.uniform_unit(num_samples), "left")


def poisson(input, generator=None):
    """A Poisson count for each rate in `input`, in its dtype (PoissonBackward0: no gradient)."""
    _floating_kernel(input, "poisson_cpu")
    counts = factories._generator(generator).poisson(np.ascontiguousarray(input._data))
    return PoissonBackward0.apply(input, values=counts)
