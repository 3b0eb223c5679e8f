"""Padding layers (Zero/Constant/Reflection/Replication/CircularPad 1d-3d) and Fold/Unfold."""
from __future__ import annotations

from ..ops.padding import pad
from ..ops.unfold import fold, unfold
from .module import Module


class _PadNd(Module):
    """``padding``: an int (every side) or PyTorch's (left, right, top, bottom, front, back)."""

    nd, mode = 2, "constant"

    def __init__(self, padding, value: float = 0.0) -> None:
        super().__init__()
        self.padding = (padding,) * (2 * self.nd) if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != 2 * self.nd:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a "
                             f"{2 * self.nd}-tuple, got {padding!r}")
        self.value = value

    def forward(self, x):
        if self.mode == "constant":
            return pad(x, self.padding, "constant", self.value)
        return pad(x, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}" + (f", value={self.value}" if self.mode == "constant" else "")


class _ConstantPad(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding, value)


class _ZeroPad(_PadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)


class ConstantPad1d(_ConstantPad):
    """Pad the last dim with ``value``."""

    nd = 1


class ConstantPad2d(_ConstantPad):
    """Pad the last 2 dims with ``value``."""


class ConstantPad3d(_ConstantPad):
    """Pad the last 3 dims with ``value``."""

    nd = 3


class ZeroPad1d(_ZeroPad):
    """Pad the last dim with zeros."""

    nd = 1


class ZeroPad2d(_ZeroPad):
    """Pad the last 2 dims with zeros."""


class ZeroPad3d(_ZeroPad):
    """Pad the last 3 dims with zeros."""

    nd = 3


class _ModePad(_PadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReflectionPad1d(_ModePad):
    """Mirror the last dim without repeating its edge."""

    nd, mode = 1, "reflect"


class ReflectionPad2d(_ModePad):
    """Mirror the last 2 dims without repeating the edges."""

    mode = "reflect"


class ReflectionPad3d(_ModePad):
    """Mirror the last 3 dims without repeating the edges."""

    nd, mode = 3, "reflect"


class ReplicationPad1d(_ModePad):
    """Repeat the edge values of the last dim."""

    nd, mode = 1, "replicate"


class ReplicationPad2d(_ModePad):
    """Repeat the edge values of the last 2 dims."""

    mode = "replicate"


class ReplicationPad3d(_ModePad):
    """Repeat the edge values of the last 3 dims."""

    nd, mode = 3, "replicate"


class CircularPad1d(_ModePad):
    """Wrap the last dim around."""

    nd, mode = 1, "circular"


class CircularPad2d(_ModePad):
    """Wrap the last 2 dims around."""

    mode = "circular"


class CircularPad3d(_ModePad):
    """Wrap the last 3 dims around."""

    nd, mode = 3, "circular"


class Unfold(Module):
    """Sliding local blocks: (N, C, H, W) -> (N, C kh kw, L); see ``F.unfold``."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, x):
        return unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Unfold):
    """Blocks back into an image, overlaps summed: (N, C kh kw, L) -> (N, C, *output_size)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, x):
        return fold(x, self.output_size, self.kernel_size, self.dilation, self.padding,
                    self.stride)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, {super().extra_repr()}"
