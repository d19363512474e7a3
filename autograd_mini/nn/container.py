"""Sequential and ModuleList: modules that hold other modules, in order."""
import operator
from collections import OrderedDict

from .module import Module


class _Ordered(Module):
    """What both containers share: their modules, named "0", "1", ..., read like a list."""

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self._from_items(list(self._modules.items())[idx])
        return self._modules[self._key(idx)]

    def __setitem__(self, idx, module):
        setattr(self, self._key(idx), module)

    def __delitem__(self, idx):
        delattr(self, self._key(idx))

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def _key(self, idx):
        """The name of the idx-th module (negative counts from the end), or torch's IndexError."""
        idx = operator.index(idx)
        size = len(self._modules)
        if not -size <= idx < size:
            raise IndexError(f"index {idx} is out of range")
        return list(self._modules)[idx % size]


class Sequential(_Ordered):
    """Runs its modules one after the other: Sequential(Linear(3, 1), Flatten(0, 1))."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def _from_items(self, items):
        return type(self)(OrderedDict(items))  # a slice keeps the modules' names


class ModuleList(_Ordered):
    """A list of modules, registered (their parameters are the list's)."""

    def __init__(self, modules=None):
        super().__init__()
        self.extend(modules or ())

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def _from_items(self, items):
        return type(self)([module for _, module in items])
