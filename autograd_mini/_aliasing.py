"""Programs run on this engine with `sys.modules["torch"] = autograd_mini` (the course's
runners do): then `from torch.autograd import Function` or `import torch.nn.functional as F`
asks the import system for `torch.autograd`, which is not in sys.modules, so Python would
load autograd_mini/autograd a second time under the new name, and with it a second copy of
every module it imports (a second Tensor class; `torch.tensor` rebound to the module
tensor.py). This finder serves the submodule already loaded under autograd_mini instead."""
import importlib
import importlib.abc
import importlib.util
import sys


class _Loaded(importlib.abc.Loader):
    """Hands the import system a module that is already loaded."""

    def __init__(self, module):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        module.__spec__ = self.spec  # already run under its own name; importlib set the alias's


class AliasFinder(importlib.abc.MetaPathFinder):
    def __init__(self, package):
        self.package = package

    def find_spec(self, fullname, path=None, target=None):
        head, _, rest = fullname.partition(".")
        if not rest or head == self.package:
            return None
        if sys.modules.get(head) is not sys.modules.get(self.package):
            return None  # `head` is some other library (real torch, for one)
        own = f"{self.package}.{rest}"
        if own not in sys.modules and importlib.util.find_spec(own) is None:
            return None  # torch.distributed and the like: "No module named 'torch.distributed'"
        return importlib.util.spec_from_loader(fullname, _Loaded(importlib.import_module(own)))


def install(package):
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder(package))
