"""Conv3d and the transposed convolutions ConvTranspose1d/2d/3d (PyTorch's arguments,
parameter names, weight layouts and default init)."""
from __future__ import annotations

from ..ops.conv import tuple_arg
from ..ops.conv_ext import conv3d, conv_transpose_nd
from .conv import _ConvNd


class Conv3d(_ConvNd):
    """3-D convolution layer: x (N, in_channels, D, H, W) -> (N, out_channels, Do, Ho, Wo),
    Do = (D + 2 pd - dd (kd - 1) - 1) // sd + 1 (likewise H, W); weight
    (out, in / groups, kd, kh, kw), bias (out,)."""

    nd = 3

    def forward(self, x):
        if self.padding_mode != "zeros":
            return conv3d(self._pad(x), self.weight, self.bias, self.stride, 0, self.dilation,
                          self.groups)
        return conv3d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups)


class _ConvTransposeNd(_ConvNd):
    """Shared body: weight (in, out / groups, *kernel), PyTorch's init (fan_in taken from the
    weight's dim 1, as PyTorch does), ``output_padding`` and ``forward(x, output_size=None)``."""

    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got "
                             f"{padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype)
        self.output_padding = tuple_arg(output_padding, self.nd, "output_padding",
                                        type(self).__name__)

    def forward(self, x, output_size=None):
        return conv_transpose_nd(x, self.weight, self.bias, self.stride, self.padding,
                                 self.output_padding, self.groups, self.dilation, self.nd,
                                 f"{type(self).__name__}({self.extra_repr()})", output_size)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        if self.output_padding != (0,) * self.nd:
            s += f", output_padding={self.output_padding}"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution: x (N, in, H, W) -> (N, out, Ho, Wo),
    Ho = (H - 1) sh - 2 ph + dh (kh - 1) + output_padding + 1; weight (in, out / groups, kh, kw).
    ``forward(x, output_size)`` picks the output_padding that gives ``output_size``."""

    nd = 2


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution: (N, in, L) -> (N, out, (L - 1) s - 2 p + d (k - 1) +
    output_padding + 1); weight (in, out / groups, k)."""

    nd = 1


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution: (N, in, D, H, W) -> (N, out, Do, Ho, Wo); weight
    (in, out / groups, kd, kh, kw)."""

    nd = 3
