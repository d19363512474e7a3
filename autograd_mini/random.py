"""torch's CPU random numbers: after `manual_seed(s)` this engine draws the numbers torch draws.

torch's CPU generator is a Mersenne Twister (mt19937, the one in C++'s <random>) seeded
with the low 32 bits of the seed. Every distribution turns the twister's 32-bit words
into numbers in a fixed way (ATen's TransformationHelper.h and the CPU distribution
kernels); each method of `Generator` below follows one of them:

    uniform      24 random bits (53 for float64) scaled to [0, 1), then to [low, high)
    normal       Box-Muller on pairs of uniforms: 16 at a time for 16 or more numbers,
                 one float64 pair at a time (the second kept for the next call) below that
    integers     a 32-bit word (64 when the range needs it) modulo the range
    permutation  Fisher-Yates, one 32-bit word per swap
    bernoulli    a float64 uniform below p

So `torch.manual_seed(0); torch.rand(1)` is 0.4963 on both engines. One known difference:
float32 normals are computed here in NumPy's float32 functions, torch's in its own vector
ones, so a few of them differ in the last bit (about 1e-7). And on Intel CPUs torch asks
MKL for `bernoulli_` (so dropout) masks: there those masks are torch's only on other CPUs.
"""
import contextlib
import math
import struct

import numpy as np

_DEFAULT_SEED = 67280421310721  # what torch.Generator() starts from
_STATE_WORDS = 624
# torch.get_rng_state()'s 5056 bytes: seed, left, seeded, next, the 624 words (as uint64),
# the cached float64 normal (x, y, rho, valid), then the cached float32 normal (value, valid).
_HEAD, _WORDS, _NORMAL, _FLOAT_NORMAL = struct.Struct("<QiiQ"), 24, 5016, 5048
_STATE_BYTES = 5056


class Generator:
    """torch.Generator for the CPU: `manual_seed`, `seed`, `initial_seed`, `get_state`,
    `set_state`, and the draws each distribution is made of."""

    def __init__(self, device="cpu"):
        from .devices import check
        check(device)
        self._twister = np.random.MT19937()
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:  # torch stores the seed as an unsigned 64-bit number
            seed += 2 ** 64
        self._seed = seed
        self._twister._legacy_seeding(seed & 0xFFFFFFFF)  # mt19937's own init_genrand
        self._next_normal = None  # the second number of the last float64 Box-Muller pair
        return self

    def seed(self):
        """Seed from the operating system's entropy, as torch.seed(); return the seed."""
        seed = int(np.random.SeedSequence().entropy) % 2 ** 64
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    @property
    def device(self):
        from .devices import CPU
        return CPU

    def get_state(self):
        from .factories import tensor
        return tensor(np.frombuffer(_pack_state(self), dtype=np.uint8).copy())

    def set_state(self, new_state):
        _unpack_state(self, np.asarray(new_state._data, dtype=np.uint8).tobytes())
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"

    # -- the draws, each as torch's CPU kernels make it ------------------------------------

    def words(self, n):
        """The next n 32-bit outputs of the twister."""
        return self._twister.random_raw(n).astype(np.uint64)

    def words64(self, n):
        """n 64-bit words, each two 32-bit ones, the first in the high half."""
        pairs = self.words(2 * n)
        return (pairs[0::2] << np.uint64(32)) | pairs[1::2]

    def uniform(self, shape, dtype, low=0.0, high=1.0):
        """Numbers in [low, high): the mantissa's worth of bits (24 for float32, 53 for
        float64) as a fraction, scaled in float64 and rounded once to dtype (the width
        high - low is taken in dtype, as torch takes it)."""
        unit = self._unit(_count(shape), np.dtype(dtype))
        low, high = np.asarray(low, dtype), np.asarray(high, dtype)
        width = (high - low).astype(np.float64)
        return (unit * width + low.astype(np.float64)).astype(dtype).reshape(shape)

    def normal(self, shape, dtype, mean=0.0, std=1.0, serial=False):
        """Normal numbers. 16 or more for one block of memory: uniforms for all of them,
        then Box-Muller in blocks of 16 (a last, partial block is drawn again, 16 new
        uniforms for the last 16 places). Fewer, or `serial` (for memory in pieces): one
        at a time."""
        dtype, n = np.dtype(dtype), _count(shape)
        if n >= 16 and not serial:
            values = _box_muller_16(self._unit(n, dtype).astype(dtype), n)
            if n % 16:
                values[n - 16:] = _box_muller_16(self._unit(16, dtype).astype(dtype), 16)
        else:
            values = np.array([self._one_normal() for _ in range(n)])
        return (values * std + mean).astype(dtype).reshape(shape)

    def integers(self, low, high, shape):
        """Integers in [low, high): a word modulo the range (a 64-bit one past 2**32)."""
        span, n = high - low, _count(shape)
        words = self.words(n) if span < 2 ** 32 else self.words64(n)
        return ((words % np.uint64(span)).astype(np.int64) + low).reshape(shape)

    def any_integer(self, shape, dtype):
        """`random_()` with no range: [0, 2**mantissa] for floats, [0, max] for integers."""
        dtype = np.dtype(dtype)
        if dtype == np.int64:
            return (self.words64(_count(shape)) % np.uint64(2 ** 63)).astype(dtype).reshape(shape)
        top = 2 ** (np.finfo(dtype).nmant + 1) if dtype.kind == "f" else int(np.iinfo(dtype).max)
        words = self.words64(_count(shape)) if dtype == np.float64 else self.words(_count(shape))
        return (words % np.uint64(top + 1)).astype(dtype).reshape(shape)

    def permutation(self, n):
        """0..n-1 shuffled as torch's randperm does on the CPU (Fisher-Yates)."""
        order = np.arange(n, dtype=np.int64)
        if n > 1:
            offsets = self.words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)
            _swap_forward(order, offsets.astype(np.int64))
        return order

    def bernoulli(self, shape, p):
        """True with probability p: a uniform below p, float64 for a number p, of p's
        own precision for a tensor of probabilities (broadcast to shape)."""
        p = np.asarray(p)
        precision = np.dtype(np.float32 if p.dtype == np.float32 else np.float64)
        unit = self._unit(_count(shape), precision)
        return unit.reshape(shape) < p

    # exponential_, cauchy_, log_normal_, geometric_: torch's serial CPU kernels, one
    # float64 uniform (or float64 normal) per element, transformed in float64, then cast.
    def exponential(self, shape, dtype, lambd):
        unit = self.uniform_unit(_count(shape))
        return (-1.0 / lambd * np.log1p(-unit)).astype(dtype).reshape(shape)

    def cauchy(self, shape, dtype, median, sigma):
        unit = self.uniform_unit(_count(shape))
        return (median + sigma * np.tan(np.pi * (unit - 0.5))).astype(dtype).reshape(shape)

    def log_normal(self, shape, dtype, mean, std):
        return np.exp(self.normal(shape, np.float64, mean, std, serial=True)).astype(dtype)

    def geometric(self, shape, dtype, p):
        unit = self.uniform_unit(_count(shape))
        return np.ceil(np.log(unit) / np.log1p(-p)).astype(dtype).reshape(shape)

    def poisson(self, rates):
        """One Poisson count per rate, each drawn in turn as ATen's sample_poisson draws it."""
        return np.array([self._one_poisson(float(rate)) for rate in rates.ravel()],
                        rates.dtype).reshape(rates.shape)

    def _one_poisson(self, rate):
        if not rate >= 0:
            raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
        if rate >= 10:
            return self._poisson_by_rejection(rate)
        if rate == 0:
            return 0
        # a product of uniforms, counted until it falls to exp(-rate) or below
        floor, count, product = math.exp(-rate), 0, 1.0
        while True:
            product *= float(self.uniform_unit(1)[0])
            if product <= floor:
                return count
            count += 1

    def _poisson_by_rejection(self, rate):
        # Hoermann's transformed rejection (1993), constants and all, as ATen has it
        root, log_rate = math.sqrt(rate), math.log(rate)
        b = 0.931 + 2.53 * root
        a = -0.059 + 0.02483 * b
        inv_alpha, vr = 1.1239 + 1.1328 / (b - 3.4), 0.9277 - 3.6224 / (b - 2)
        while True:
            u, v = self.uniform_unit(2).tolist()
            u -= 0.5
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + rate + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)
                    <= -rate + k * log_rate - math.lgamma(k + 1.0)):
                return k

    def uniform_unit(self, n):
        """n float64 uniforms in [0, 1), as ATen's uniform_real_distribution<double>."""
        return self._unit(n, np.dtype(np.float64))

    def _unit(self, n, dtype):
        if dtype == np.float64:
            return (self.words64(n) & np.uint64(2 ** 53 - 1)).astype(np.float64) * 2.0 ** -53
        return (self.words(n) & np.uint64(2 ** 24 - 1)).astype(np.float64) * 2.0 ** -24

    def _one_normal(self):
        if self._next_normal is not None:
            value, self._next_normal = self._next_normal, None
            return value
        u1, u2 = self._unit(2, np.dtype(np.float64))
        radius, theta = np.sqrt(-2.0 * np.log1p(-u2)), 2.0 * np.pi * u1
        self._next_normal = radius * np.sin(theta)
        return radius * np.cos(theta)


def _count(shape):
    return int(np.prod(shape, dtype=np.int64))


def _box_muller_16(uniform, n):
    """torch's normal_fill_16 on each block of 16: the first 8 uniforms give the radii,
    the last 8 the angles; cosines fill the first half, sines the second."""
    blocks = uniform[:n - n % 16].reshape(-1, 2, 8)
    radius = np.sqrt(uniform.dtype.type(-2) * np.log(1 - blocks[:, 0]))
    theta = uniform.dtype.type(2 * np.pi) * blocks[:, 1]
    values = np.empty(n, uniform.dtype)
    values[:n - n % 16] = np.stack([radius * np.cos(theta), radius * np.sin(theta)], 1).ravel()
    return values


def _swap_forward(order, offsets):
    # Each swap depends on the ones before it: a plain loop, kept out of permutation().
    for i, offset in enumerate(offsets.tolist()):
        j = i + offset
        order[i], order[j] = order[j], order[i]


def _pack_state(generator):
    key, pos = generator._twister.state["state"]["key"], generator._twister.state["state"]["pos"]
    # NumPy keeps the position of the next word (624: twist first); torch keeps `next`
    # and `left`, the words left before the next twist, plus one
    following, left = (0, 1) if pos == _STATE_WORDS else (pos, _STATE_WORDS + 1 - pos)
    normal = generator._next_normal
    return b"".join([
        _HEAD.pack(generator._seed, left, 1, following),
        np.asarray(key, dtype=np.uint64).tobytes(),
        struct.pack("<3di4x", 0.0, normal or 0.0, 0.0, normal is not None),
        struct.pack("<f?3x", 0.0, False)])


def _unpack_state(generator, data):
    if len(data) != _STATE_BYTES:
        raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found "
                           f"the input RNG state size to be {len(data)}")
    seed, left, _, following = _HEAD.unpack_from(data)
    key = np.frombuffer(data, np.uint64, _STATE_WORDS, _WORDS).astype(np.uint32)
    _, normal_y, _, normal_valid = struct.unpack_from("<3di", data, _NORMAL)
    generator._seed = seed
    generator._twister.state = {"bit_generator": "MT19937", "state": {
        "key": key, "pos": _STATE_WORDS if left == 1 else int(following)}}
    generator._next_normal = normal_y if normal_valid else None


default_generator = Generator()


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cpu"):
    """Draw inside the block without changing what is drawn after it."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
