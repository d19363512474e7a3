"""autograd_mini.autograd: backward and grad as functions (torch.autograd's names), plus
custom operations (Function), gradient checks, the functional API, the profiler and
anomaly detection."""
from ..engine import backward, grad
from . import anomaly_mode, functional, profiler
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .function import Function
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "gradcheck", "gradgradcheck", "functional", "profiler",
           "anomaly_mode", "detect_anomaly", "set_detect_anomaly"]
