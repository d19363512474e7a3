"""torch.save / torch.load: any picklable object (a state_dict, a checkpoint dict, a tensor,
lists of them) to a file and back. Not torch's file format: Python's pickle, each tensor
stored as its NumPy array, dtype and requires_grad (a loaded tensor is a leaf, as in torch).

As torch since 2.6, load defaults to weights_only=True: only containers, numbers, strings
and tensors come back; anything else (a whole nn.Module, a user's class) needs
weights_only=False, which runs the file's pickled code: only for files one trusts."""
import collections
import io
import os
import pickle

import numpy as np

from . import dtypes
from .tensor import Tensor

_TENSOR = "autograd_mini.tensor"

# What a weights-only load may rebuild besides builtins' containers (tensors come as bytes).
_SAFE_GLOBALS = {("collections", "OrderedDict"): collections.OrderedDict,
                 ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
                 ("builtins", "complex"): complex, ("builtins", "slice"): slice}


# torch's message, whole (the bold is its terminal escape codes).
_WEIGHTS_ONLY_ERROR = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In "
    "PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please "
    "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
    "Unsupported global: GLOBAL {0} was not an allowed global by default. Please use "
    "`torch.serialization.add_safe_globals([{0}])` or the "
    "`torch.serialization.safe_globals([{0}])` context manager to allowlist this global if you "
    "trust this class/function.\n\nCheck the documentation of torch.load to learn more about "
    "types accepted by default with weights_only "
    "https://pytorch.org/docs/stable/generated/torch.load.html.")

_USER_GLOBALS = {}  # what add_safe_globals allowed: "module.qualname" -> the object


def _full_name(entry):
    return (entry[0], entry[1]) if isinstance(entry, tuple) else \
        (entry, f"{entry.__module__}.{entry.__qualname__}")


def add_safe_globals(safe_globals):
    """Allow these classes or functions (or (object, "module.name") pairs) in weights_only loads."""
    for entry in safe_globals:
        obj, name = _full_name(entry)
        _USER_GLOBALS[name] = obj


def get_safe_globals():
    return [obj if name == f"{obj.__module__}.{obj.__qualname__}" else (obj, name)
            for name, obj in _USER_GLOBALS.items()]


def clear_safe_globals():
    _USER_GLOBALS.clear()


class safe_globals:
    """`with torch.serialization.safe_globals([...]):` allows them only inside the block."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        self.saved = dict(_USER_GLOBALS)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _USER_GLOBALS.clear()
        _USER_GLOBALS.update(self.saved)
        return False


class _Pickler(pickle.Pickler):
    """Tensors go out of band: each as its bytes, once; a tensor met again is its number, so
    that it loads as one object (a tied weight stays tied)."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol=protocol)
        self.numbers = {}
        self.kept = []  # holds the tensors so that no id() is reused while saving

    def persistent_id(self, obj):
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter
            if id(obj) in self.numbers:
                return (_TENSOR, self.numbers[id(obj)])
            self.numbers[id(obj)] = len(self.kept)
            self.kept.append(obj)
            data = np.asarray(obj._data)  # stored as bytes: no NumPy class in the file
            return (_TENSOR, self.numbers[id(obj)], data.tobytes(), data.dtype.str, data.shape, obj.dtype.name,
                    obj.requires_grad, isinstance(obj, Parameter))
        return None


def _rebuild(data, array_dtype, shape, dtype_name, requires_grad, is_parameter):
    from . import factories
    array = np.frombuffer(data, dtype=np.dtype(array_dtype)).reshape(shape).copy()
    tensor = factories.tensor(array, dtype=getattr(dtypes, dtype_name))
    if is_parameter:
        from .nn.parameter import Parameter
        return Parameter(tensor, requires_grad=requires_grad)
    return tensor.requires_grad_(requires_grad) if requires_grad else tensor


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, weights_only):
        super().__init__(file)
        self.weights_only = weights_only
        self.tensors = {}

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid[0] == _TENSOR):
            raise pickle.UnpicklingError("unsupported persistent id encountered")
        if len(pid) == 2:
            return self.tensors[pid[1]]
        tensor = self.tensors[pid[1]] = _rebuild(*pid[2:])
        return tensor

    def find_class(self, module, name):
        if not self.weights_only:
            return super().find_class(module, name)
        if (module, name) in _SAFE_GLOBALS:
            return _SAFE_GLOBALS[module, name]
        if f"{module}.{name}" in _USER_GLOBALS:
            return _USER_GLOBALS[f"{module}.{name}"]
        raise pickle.UnpicklingError(_WEIGHTS_ONLY_ERROR.format(f"{module}.{name}"))


def _open(f, mode):
    if isinstance(f, (str, os.PathLike)):
        return open(f, mode)
    return _Borrowed(f)


class _Borrowed:
    """A file object the caller opened: used, not closed."""

    def __init__(self, f):
        self.f = f

    def __enter__(self):
        return self.f

    def __exit__(self, *exc):
        return False


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    with _open(f, "wb") as file:
        # protocol 2 would write bytes through _codecs.encode, a global weights_only refuses
        _Pickler(file, protocol=max(pickle_protocol, 4)).dump(obj)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """map_location is accepted and ignored: everything here lives on the CPU."""
    weights_only = True if weights_only is None else weights_only
    with _open(f, "rb") as file:
        data = file.read()
    return _Unpickler(io.BytesIO(data), weights_only).load()
