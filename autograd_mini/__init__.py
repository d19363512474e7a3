"""autograd_mini: PyTorch's autograd, rebuilt on NumPy to be read.

`import autograd_mini as torch` runs the course's torch code on this engine.
Where to start reading: tensor.py (what a tensor holds), node.py (what grad_fn
is), ops/arithmetic.py (an operation's forward and backward side by side), then
engine.py (the backward pass).
"""
from . import dtypes as _dtypes
from .dtypes import bool, double, dtype, float, float32, float64, int, int32, int64, long  # noqa: A004
from .tensor import Size, Tensor
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .factories import (allclose, arange, as_tensor, cuda, device, empty, equal, eye, from_numpy,
                        full, full_like, is_tensor, linspace, manual_seed, numel, ones, ones_like,
                        rand, rand_like, randint, randn, randn_like, tensor, zeros, zeros_like)
from ._printing import set_printoptions
from . import ops as _ops
from . import autograd
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                   set_anomaly_enabled)
from . import nn, optim

_ops.bind(globals())


def get_default_dtype():
    return _dtypes.default_float


__version__ = "0.1.0"
