"""Devices: this engine computes on the CPU only, and says so as torch's CPU build does.

`torch.device("cuda")` can be named (it is only a description), but making a tensor
there fails with torch's "Torch not compiled with CUDA enabled". The questions
programs ask first (`torch.cuda.is_available()`, `torch.accelerator.is_available()`)
get the CPU build's answers: no accelerator.
"""

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - torch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif ":" in type and index is None:
            type, _, number = type.partition(":")
            index = int(number)
        if type not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f"device string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")
_default = None  # set_default_device's device; None: the CPU


def check(where):
    """Make sure tensors can live on `where` (None: the default device); the CPU is all."""
    if where is None:
        if _default is None:
            return
        where = _default
    if isinstance(where, str) and where == "cpu":
        return  # the common case, without making a device
    where = device(where)
    if where.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if where.type != "cpu":
        raise RuntimeError(f"autograd_mini computes on the CPU only, not on {where.type!r}")


def set_default_device(where):
    global _default
    _default = None if where is None else device(where)


def get_default_device():
    check(None)
    return CPU


class cuda:
    """The CPU build's torch.cuda: nothing is available."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def is_initialized():
        return False

    @staticmethod
    def manual_seed(seed):
        pass

    manual_seed_all = manual_seed

    @staticmethod
    def current_device():
        raise AssertionError("Torch not compiled with CUDA enabled")


class accelerator:
    """torch.accelerator on a machine without one."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def current_accelerator(check_available=False):
        return None

    @staticmethod
    def device_count():
        return 0


class _mps:
    @staticmethod
    def is_available():
        return False

    is_built = is_available


class _cudnn:
    deterministic = False
    benchmark = False
    enabled = True

    @staticmethod
    def is_available():
        return False


class backends:
    mps = _mps
    cudnn = _cudnn


class version:
    cuda = None
