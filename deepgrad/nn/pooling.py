"""Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool2d (PyTorch's arguments)."""
from __future__ import annotations

from ..ops.pool import AvgPool2d as AvgPoolFn
from ..ops.pool import MaxPool2d as MaxPoolFn
from ..ops.pool import _pool, adaptive_avg_pool2d
from .module import Module


class _Pool(Module):
    """kernel_size, stride (default: kernel_size) and padding, as ints or tuples."""

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def _run(self, fn, x, nd):
        # Errors name the layer, e.g. "MaxPool2d(kernel_size=2, ...): input must be 4-D".
        return _pool(fn, x, self.kernel_size, self.stride, self.padding, nd,
                     f"{type(self).__name__}({self.extra_repr()})")

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool):
    """Max over kh x kw windows: (N, C, H, W) -> (N, C, (H + 2 ph - kh) // sh + 1, ...)."""

    def forward(self, x):
        return self._run(MaxPoolFn, x, 2)


class MaxPool1d(_Pool):
    """Max over windows of k: (N, C, L) -> (N, C, (L + 2 p - k) // s + 1)."""

    def forward(self, x):
        return self._run(MaxPoolFn, x, 1)


class AvgPool2d(_Pool):
    """Mean over kh x kw windows (zero padding counted): (N, C, H, W) -> (N, C, Ho, Wo)."""

    def forward(self, x):
        return self._run(AvgPoolFn, x, 2)


class AvgPool1d(_Pool):
    """Mean over windows of k (zero padding counted): (N, C, L) -> (N, C, Lo)."""

    def forward(self, x):
        return self._run(AvgPoolFn, x, 1)


class AdaptiveAvgPool2d(Module):
    """Average pooling to ``output_size`` (int or (oh, ow), None keeps a dim) for any input size."""

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
