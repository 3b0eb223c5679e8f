"""PyTorch's functional pooling signatures (``F.max_pool2d(..., dilation, ceil_mode,
return_indices)``, ...) over ``pool_ext.py``; the plain cases reach the fast ops of ``pool.py``."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from . import pool_ext as E
from .pool import adaptive_avg_pool2d
from .shape import reshape


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False):
    """1-D max pooling: (N, C, L) -> (N, C, Lo), Lo = (L + 2p - d(k-1) - 1) / s + 1 rounded
    down (up with ``ceil_mode``); with ``return_indices`` also the argmax positions in L."""
    return E.max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode,
                         return_indices, 1, "max_pool1d")


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False):
    """2-D max pooling: (N, C, H, W) -> (N, C, Ho, Wo) (sizes as max_pool1d per dim); padding
    (at most half the kernel) counts as -inf; indices are flat in H*W."""
    return E.max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode,
                         return_indices, 2, "max_pool2d")


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False):
    """3-D max pooling: (N, C, D, H, W) -> (N, C, Do, Ho, Wo); indices flat in D*H*W."""
    return E.max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode,
                         return_indices, 3, "max_pool3d")


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling; ``count_include_pad=False`` divides by the real cells only."""
    return E.avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                         None, 1, "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling: (N, C, H, W) -> (N, C, Ho, Wo); the divisor is the window's size
    inside the padded input (``count_include_pad``), inside the input, or ``divisor_override``."""
    return E.avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override, 2, "avg_pool2d")


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """3-D average pooling: (N, C, D, H, W) -> (N, C, Do, Ho, Wo); divisor as avg_pool2d."""
    return E.avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override, 3, "avg_pool3d")


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum_window x^p)^(1/p)`` over (N, C, L)."""
    return E.lp_pool_nd(input, norm_type, kernel_size, stride, ceil_mode, 1, "lp_pool1d")


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum_window x^p)^(1/p)`` over (N, C, H, W)."""
    return E.lp_pool_nd(input, norm_type, kernel_size, stride, ceil_mode, 2, "lp_pool2d")


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):  # noqa: A002
    """Max over ``output_size`` adaptive bins of (N, C, L)."""
    return E.adaptive_max_pool_nd(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):  # noqa: A002
    """Max over adaptive bins of (N, C, H, W) to (N, C, oh, ow) (None keeps a dim)."""
    return E.adaptive_max_pool_nd(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:  # noqa: A002
    """Mean over ``output_size`` adaptive bins of (N, C, L)."""
    if input.ndim != 3:
        raise RuntimeError(f"adaptive_avg_pool1d: input must be 3-D (N, C, L), got shape "
                           f"{tuple(input.shape)}")
    size = output_size if isinstance(output_size, int) else tuple(output_size)[0]
    y = adaptive_avg_pool2d(reshape(input, *input.shape[:2], 1, input.shape[2]), (1, size))
    return reshape(y, *input.shape[:2], size)


def max_unpool1d(input: Tensor, indices, kernel_size, stride=None, padding=0,  # noqa: A002
                 output_size=None) -> Tensor:
    """Inverse of max_pool1d: values back at their indices, zeros elsewhere."""
    return E.max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 1,
                           "max_unpool1d")


def max_unpool2d(input: Tensor, indices, kernel_size, stride=None, padding=0,  # noqa: A002
                 output_size=None) -> Tensor:
    """Inverse of max_pool2d: (N, C, H, W) values placed at their flat indices in a zero
    (N, C, Ho, Wo), Ho = (H - 1) s - 2p + k unless ``output_size`` is given."""
    return E.max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 2,
                           "max_unpool2d")


def max_unpool3d(input: Tensor, indices, kernel_size, stride=None, padding=0,  # noqa: A002
                 output_size=None) -> Tensor:
    """Inverse of max_pool3d."""
    return E.max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 3,
                           "max_unpool3d")
