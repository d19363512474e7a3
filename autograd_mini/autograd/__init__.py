"""autograd_mini.autograd: backward and grad as functions (torch.autograd's names)."""
from ..engine import backward, grad

__all__ = ["backward", "grad"]
