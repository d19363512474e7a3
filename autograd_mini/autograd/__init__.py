"""autograd_mini.autograd: backward and grad as functions (torch.autograd's names), plus
custom operations (Function), gradient checks, the functional API and the profiler."""
from ..engine import backward, grad
from . import functional, profiler
from .function import Function
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "gradcheck", "gradgradcheck", "functional", "profiler"]
