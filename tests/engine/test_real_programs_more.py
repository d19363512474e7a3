"""Differences real programs (tutorials, test_autograd.py, micrograd) found between the engines,
each checked by running the same code on both: the same printed result, warning or error."""
import subprocess
import sys
import warnings

import pytest
import torch

import autograd_mini

ENGINES = [torch, autograd_mini]


def _outcome(call):
    """What a program would print: the value's repr or the error, and the warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = repr(call()).replace("autograd_mini.", "torch.")
        except Exception as e:  # noqa: BLE001 - the error is the result here
            result = (type(e).__name__, str(e))
    return result, [(w.category.__name__, str(w.message).replace("autograd_mini.", "torch."))
                    for w in caught]


def _same(program):
    assert _outcome(lambda: program(autograd_mini)) == _outcome(lambda: program(torch))


# Under sys.modules["torch"] = autograd_mini (how the course runs torch programs), importing a
# submodule by its torch name must give the engine's own module, not load a second copy.
ALIASED_IMPORTS = """
import sys
import autograd_mini
sys.modules["torch"] = autograd_mini
from torch.autograd import Function
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd.functional import jacobian
import torch
print(torch is autograd_mini, Function is autograd_mini.autograd.Function,
      nn is autograd_mini.nn, F is autograd_mini.nn.functional, callable(torch.tensor),
      type(torch.tensor([1.], requires_grad=True) * 2) is autograd_mini.Tensor,
      autograd_mini.autograd.functional.__spec__.name)
for name in ("torch.no_such_module", "torch.autograd.no_such_module"):
    try:
        __import__(name)
    except ImportError as e:
        print(type(e).__name__, e)
"""


def test_submodules_imported_by_their_torch_names_are_the_engines_own():
    out = subprocess.run([sys.executable, "-c", ALIASED_IMPORTS], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == ["True True True True True True autograd_mini.autograd.functional",
                   "ModuleNotFoundError No module named 'torch.no_such_module'",
                   "ModuleNotFoundError No module named 'torch.autograd.no_such_module'"]


def test_torch_named_imports_leave_real_torch_alone():
    out = subprocess.run([sys.executable, "-c",
                          "import autograd_mini, torch.autograd.functional as F; print(F.__name__)"],
                         capture_output=True, text=True, check=True).stdout
    assert out == "torch.autograd.functional\n"


def _function_class(lib):
    class MulConstant(lib.autograd.Function):
        @staticmethod
        def forward(ctx, tensor, constant):
            return tensor * constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None
    return MulConstant


@pytest.mark.parametrize("program", [
    lambda lib: type(_function_class(lib)(lib.ones(1), 2)).__name__,  # only a DeprecationWarning
    lambda lib: _function_class(lib)()(lib.ones(1)),                   # calling it is the error
    lambda lib: _function_class(lib).apply(lib.ones(1), 2),
], ids=["instantiate", "call-instance", "apply"])
def test_instantiating_a_function_warns_and_calling_it_raises(program):
    _same(program)
