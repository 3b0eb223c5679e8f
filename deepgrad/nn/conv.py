"""Convolution layers: Conv1d and Conv2d (PyTorch's arguments, parameter names and init)."""
from __future__ import annotations

import math

import numpy

from ..ops.conv import _padding_arg, conv_nd, tuple_arg
from ..ops.padding import pad
from . import init
from .linear import add_weight_and_bias
from .module import Module, Parameter


class _ConvNd(Module):
    """Shared body: weight (out, in / groups, *kernel), bias (out,), PyTorch's default init."""

    nd = 2
    transposed = False  # ConvTranspose*: weight (in, out / groups, *kernel)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 dtype=None, weight_regularizer=None, bias_regularizer=None) -> None:
        super().__init__()
        name = type(self).__name__
        if in_channels <= 0 or out_channels <= 0:
            raise ValueError(f"{name}: in_channels and out_channels must be positive, got "
                             f"{in_channels} and {out_channels}")
        if not isinstance(groups, int) or groups <= 0 or in_channels % groups \
                or out_channels % groups:
            raise ValueError(f"{name}: groups={groups} must be a positive int dividing "
                             f"in_channels={in_channels} and out_channels={out_channels}")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular") or (
                self.transposed and padding_mode != "zeros"):
            raise ValueError(f"{name}: padding_mode must be 'zeros', 'reflect', 'replicate' or "
                             f"'circular' (only 'zeros' when transposed), got {padding_mode!r}")
        self.padding_mode = padding_mode
        self.kernel_size = tuple_arg(kernel_size, self.nd, "kernel_size", name)
        self.stride = tuple_arg(stride, self.nd, "stride", name)
        self.dilation = tuple_arg(dilation, self.nd, "dilation", name)
        if any(k <= 0 for k in self.kernel_size):
            raise ValueError(f"{name}: kernel_size must be positive, got {kernel_size!r}")
        if any(s <= 0 for s in self.stride):
            raise ValueError(f"{name}: stride must be positive, got {stride!r}")
        self.padding = padding if isinstance(padding, str) else \
            tuple_arg(padding, self.nd, "padding", name)
        if padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError(f"{name}: padding='same' needs stride 1, got stride {stride!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        shape = ((in_channels, out_channels // groups) if self.transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        add_weight_and_bias(self, shape, bias, dtype, weight_regularizer, bias_regularizer)
        if self.transposed and bias:  # one bias per output channel, not per weight row
            self.bias = Parameter(numpy.empty(out_channels, self.weight.dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform, a = sqrt 5), bias likewise;
        fan_in = in_channels / groups * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        padding = self.padding
        if self.padding_mode != "zeros":  # pad with the mode first, then convolve unpadded
            x, padding = self._pad(x), 0
        return conv_nd(x, self.weight, self.bias, self.stride, padding, self.dilation,
                       self.groups, self.nd, f"{type(self).__name__}({self.extra_repr()})")

    def _pad(self, x):
        """``x`` padded by ``padding_mode`` ('same' splits as F.conv's: extra on the right)."""
        if isinstance(self.padding, str):
            pairs = _padding_arg(self.padding, self.kernel_size, self.dilation, self.stride,
                                 type(self).__name__)
        else:
            pairs = tuple((p, p) for p in self.padding)
        flat = [v for pair in reversed(pairs) for v in pair]
        return pad(x, flat, self.padding_mode)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self.nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution layer (cross-correlation, see ``F.conv2d``).

    Shapes: x (N, in_channels, H, W) -> (N, out_channels, Ho, Wo),
    Ho = (H + 2 ph - dh (kh - 1) - 1) // sh + 1; weight (out, in / groups, kh, kw), bias (out,).
    ``padding`` may be an int, a pair, 'valid' or 'same'. ``weight_regularizer`` and
    ``bias_regularizer`` add penalties to ``Module.regularization_loss()``.
    """

    nd = 2


class Conv1d(_ConvNd):
    """1-D convolution layer: x (N, in_channels, L) -> (N, out_channels, Lo),
    Lo = (L + 2 p - d (k - 1) - 1) // s + 1; weight (out, in / groups, k). As ``Conv2d``."""

    nd = 1
