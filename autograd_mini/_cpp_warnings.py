"""torch's warnings raised from its C++ code end by saying where: " (Triggered internally at
<the source path in torch's build>:<line>.)". Programs print a caught warning's text whole, so
ours end the same way; the paths and lines are those of torch 2.13's wheel."""
import warnings

_BUILD = "/__w/pytorch/pytorch/"

TENSOR_BODY = "build/aten/src/ATen/core/TensorBody.h:493"
REDUCE_OPS = "aten/src/ATen/native/ReduceOps.cpp:1861"
TENSOR_SHAPE = "aten/src/ATen/native/TensorShape.cpp:4215"
ENGINE = "torch/csrc/autograd/engine.cpp:1307"
ANOMALY = "torch/csrc/autograd/python_anomaly_mode.cpp:122"
VARIABLE_METHODS = "torch/csrc/autograd/generated/python_variable_methods.cpp:822"
INDEXING_SEQUENCE = "torch/csrc/autograd/python_variable_indexing.cpp:349"
INDEXING_NONE = "torch/csrc/autograd/python_variable_indexing.cpp:359"


def triggered(message, source):
    return f"{message} (Triggered internally at {_BUILD}{source}.)"


_warned = set()


def warn_once(message, source, stacklevel):
    """torch's TORCH_WARN_ONCE: the first time in the process only, whatever the filters."""
    if source not in _warned:
        _warned.add(source)
        warnings.warn(triggered(message, source), UserWarning, stacklevel=stacklevel + 1)
