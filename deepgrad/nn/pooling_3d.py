"""AdaptiveAvgPool3d, AdaptiveMaxPool3d, LPPool3d and ChannelShuffle (PyTorch's arguments)."""
from __future__ import annotations

from ..ops import pool3d_misc as P
from .module import Module
from .pooling import _Adaptive, _LPPool


class AdaptiveAvgPool3d(_Adaptive):
    """Average pooling of (N, C, D, H, W) to ``output_size`` for any input size."""

    def __init__(self, output_size) -> None:
        super().__init__(output_size)

    def forward(self, x):
        return P.adaptive_avg_pool3d(x, self.output_size)


class AdaptiveMaxPool3d(_Adaptive):
    """Max pooling of (N, C, D, H, W) to ``output_size`` (optionally with indices)."""

    def forward(self, x):
        return P.adaptive_max_pool3d(x, self.output_size, self.return_indices)


class LPPool3d(_LPPool):
    """``(sum over kd x kh x kw windows of x^p)^(1/p)``: (N, C, D, H, W) -> (N, C, Do, Ho, Wo)."""

    nd = 3


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (ShuffleNet): (N, C, *) -> (N, C, *)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input):  # noqa: A002
        return P.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
