"""autograd_mini: PyTorch's autograd, rebuilt on NumPy to be read.

`import autograd_mini as torch` runs the course's torch code on this engine.
Where to start reading: tensor.py (what a tensor holds), node.py (what grad_fn
is), ops/arithmetic.py (an operation's forward and backward side by side), then
engine.py (the backward pass).
"""
import types as _types

from . import dtypes as _dtypes
from . import factories as _factories
from .dtypes import (bool, double, dtype, float, float16, float32, float64, half, int, int8,  # noqa: A004
                     int16, int32, int64, long, short, uint8)
from .tensor import Size, Tensor, layout, strided
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .factories import (BoolTensor, DoubleTensor, FloatTensor, Generator, IntTensor, LongTensor,
                        allclose, arange, as_tensor, default_generator, empty, empty_like, equal,
                        eye, from_numpy, full, full_like, initial_seed, is_floating_point,
                        is_inference, is_tensor, linspace, logspace, manual_seed, numel, ones,
                        ones_like, rand, rand_like, randint, randn, randn_like, randperm, seed,
                        set_default_dtype, tensor, zeros, zeros_like)
from . import random
from .random import fork_rng, get_rng_state, set_rng_state  # noqa: F401
from .devices import (accelerator, backends, cuda, device, get_default_device,
                      set_default_device, version)
from ._printing import set_printoptions
from . import ops as _ops
from . import autograd
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                   set_anomaly_enabled)
from . import _torch_alias, nn, optim, utils  # _torch_alias: torch.nn is this nn
from . import linalg  # torch.linalg
from .serialization import load, save

_ops.bind(globals())
for _name, _method in _factories.TENSOR_METHODS.items():
    setattr(Tensor, _name, _method)
from .dtype_info import (can_cast, finfo, iinfo, is_complex, promote_types,  # noqa: E402
                         result_type, typename)
Tensor.is_complex = is_complex
# What programs reach for in isinstance checks: torch._C._functions.AccumulateGrad, ...
_C = _types.SimpleNamespace(_functions=autograd.graph._functions())


def get_default_dtype():
    return _dtypes.default_float


__version__ = "0.1.0"
