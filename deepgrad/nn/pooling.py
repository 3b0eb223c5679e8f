"""Pooling layers with PyTorch's arguments: Max/Avg/LPPool, adaptive max/avg, MaxUnpool."""
from __future__ import annotations

from ..ops import pool_ext as E
from ..ops.pool import adaptive_avg_pool2d
from ..ops.pooling_f import adaptive_avg_pool1d
from .module import Module


class _Pool(Module):
    """kernel_size, stride (default: kernel_size) and padding, as ints or tuples."""

    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    @property
    def _op(self) -> str:
        # Errors name the layer, e.g. "MaxPool2d(kernel_size=2, ...): input must be 4-D".
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _MaxPool(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding)
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x):
        return E.max_pool_nd(x, self.kernel_size, self.stride, self.padding, self.dilation,
                             self.ceil_mode, self.return_indices, self.nd, self._op)

    def extra_repr(self) -> str:
        return (f"{super().extra_repr()}, dilation={self.dilation}, "
                f"ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPool):
    """Max over kh x kw windows: (N, C, H, W) -> (N, C, Ho, Wo), Ho = (H + 2 ph - dh (kh - 1)
    - 1) / sh + 1 rounded down (up with ``ceil_mode``); ``return_indices`` also returns the
    flat argmax positions for MaxUnpool2d."""


class MaxPool1d(_MaxPool):
    """Max over windows of k: (N, C, L) -> (N, C, Lo); arguments as MaxPool2d."""

    nd = 1


class MaxPool3d(_MaxPool):
    """Max over kd x kh x kw windows: (N, C, D, H, W) -> (N, C, Do, Ho, Wo)."""

    nd = 3


class _AvgPool(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None) -> None:
        super().__init__(kernel_size, stride, padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x):
        return E.avg_pool_nd(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override, self.nd, self._op)


class AvgPool2d(_AvgPool):
    """Mean over kh x kw windows: (N, C, H, W) -> (N, C, Ho, Wo); zero padding counted unless
    ``count_include_pad=False``; ``divisor_override`` replaces the window size."""


class AvgPool1d(_AvgPool):
    """Mean over windows of k: (N, C, L) -> (N, C, Lo)."""

    nd = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class AvgPool3d(_AvgPool):
    """Mean over kd x kh x kw windows: (N, C, D, H, W) -> (N, C, Do, Ho, Wo)."""

    nd = 3


class _LPPool(Module):
    nd = 2

    def __init__(self, norm_type: float, kernel_size, stride=None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, x):
        return E.lp_pool_nd(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode,
                            self.nd, type(self).__name__)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool2d(_LPPool):
    """``(sum over kh x kw windows of x^p)^(1/p)``: (N, C, H, W) -> (N, C, Ho, Wo)."""


class LPPool1d(_LPPool):
    """``(sum over windows of k of x^p)^(1/p)``: (N, C, L) -> (N, C, Lo)."""

    nd = 1


class _Adaptive(Module):
    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_Adaptive):
    """Average pooling to ``output_size`` (int or (oh, ow), None keeps a dim) for any input size."""

    def __init__(self, output_size) -> None:
        super().__init__(output_size)

    def forward(self, x):
        return adaptive_avg_pool2d(x, self.output_size)


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of (N, C, L) to (N, C, output_size)."""

    def forward(self, x):
        return adaptive_avg_pool1d(x, self.output_size)


class AdaptiveMaxPool2d(_Adaptive):
    """Max pooling to ``output_size`` over PyTorch's adaptive bins (optionally with indices)."""

    def forward(self, x):
        return E.adaptive_max_pool_nd(x, self.output_size, self.return_indices, 2,
                                      "AdaptiveMaxPool2d")


class AdaptiveMaxPool1d(_Adaptive):
    """Max pooling of (N, C, L) to (N, C, output_size)."""

    def forward(self, x):
        return E.adaptive_max_pool_nd(x, self.output_size, self.return_indices, 1,
                                      "AdaptiveMaxPool1d")


class _MaxUnpool(_Pool):
    def forward(self, x, indices, output_size=None):
        return E.max_unpool_nd(x, indices, self.kernel_size, self.stride, self.padding,
                               output_size, self.nd, type(self).__name__)


class MaxUnpool2d(_MaxUnpool):
    """Inverse of MaxPool2d: ``forward(x, indices, output_size=None)`` puts each value at its
    index in a zero (N, C, Ho, Wo), Ho = (H - 1) sh - 2 ph + kh unless ``output_size``."""


class MaxUnpool1d(_MaxUnpool):
    """Inverse of MaxPool1d."""

    nd = 1


class MaxUnpool3d(_MaxUnpool):
    """Inverse of MaxPool3d."""

    nd = 3
