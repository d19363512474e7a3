"""Conv1d and Conv2d: a weight (out_channels, in_channels / groups, *kernel_size) and a
bias, initialised as torch's _ConvNd.reset_parameters does (same calls, same order, so a
seeded program draws torch's numbers); the arithmetic is ops/convolution.py's."""
from .. import factories
from ..ops import convolution as _conv
from ..ops._windows import tuple_of
from .layers import default_reset
from .module import Module
from .parameter import Parameter


# a set, as torch's: its message prints the set, in this process's hash order
_VALID_PADDING = {"same", "valid"}


class _ConvNd(Module):
    _dims = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        d = self._dims
        stride = tuple_of(stride, d)
        if isinstance(padding, str):
            if padding not in _VALID_PADDING:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_VALID_PADDING}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = tuple_of(padding, d)
        if padding_mode != "zeros":
            raise NotImplementedError(f"autograd_mini's convolutions have no padding_mode "
                                      f"'{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = tuple_of(kernel_size, d), stride, padding
        self.dilation, self.transposed = tuple_of(dilation, d), False
        self.output_padding, self.groups, self.padding_mode = (0,) * d, groups, padding_mode
        self.weight = Parameter(factories.empty(
            (out_channels, in_channels // groups) + self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(factories.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        default_reset(self.weight, self.bias)

    def forward(self, input):
        return _conv.convolution(input, self.weight, self.bias, self.stride, self.padding,
                                 self.dilation, self.groups, self._dims)

    def extra_repr(self):  # torch's, term by term
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.kernel_size):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class Conv1d(_ConvNd):
    _dims = 1


class Conv2d(_ConvNd):
    _dims = 2
