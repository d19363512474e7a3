"""`import torch.nn.functional as F`, `from torch.utils import data`, ... when a program has
put this package in sys.modules as "torch" (`sys.modules["torch"] = autograd_mini`).

Without this, Python would find `nn/` on the package's path and load it a second time under
the name "torch.nn", with its own copies of tensor.py, Tensor and every class: two engines
that do not know each other's tensors. The finder answers "torch.X" with the module
autograd_mini.X that is already loaded (importing it if need be)."""
import importlib
import importlib.abc
import importlib.util
import sys

_PACKAGE = __name__.rpartition(".")[0]


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__  # before importlib sets the alias's in its place
        return module

    def exec_module(self, module):
        # Already run when it was first imported under its own name; importlib has just set
        # its __spec__ to the alias's: give it back its own (reload, pickle and reprs use it).
        module.__spec__ = self.own_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        alias, dot, rest = fullname.partition(".")
        if not dot or alias == _PACKAGE or sys.modules.get(alias) is not sys.modules.get(_PACKAGE):
            return None
        real = f"{_PACKAGE}.{rest}"
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real))


if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())
