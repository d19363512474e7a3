"""autograd_mini.autograd: backward and grad as functions (torch.autograd's names), plus
custom operations (Function), gradient checks, the functional API, the profiler and
anomaly detection."""
from ..engine import backward, grad
from . import anomaly_mode, functional, profiler
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from . import graph
from .function import Function, once_differentiable
from .gradcheck import gradcheck, gradgradcheck
from .variable import Variable
from ..grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .. import grad_mode

__all__ = ["backward", "grad", "Function", "gradcheck", "gradgradcheck", "functional", "profiler",
           "anomaly_mode", "detect_anomaly", "set_detect_anomaly", "graph", "Variable",
           "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "grad_mode"]
