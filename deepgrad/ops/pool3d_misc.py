"""The rarer pooling and shuffling functions: adaptive_avg_pool3d, adaptive_max_pool3d,
lp_pool3d, channel_shuffle, and PyTorch's deprecated upsample_nearest / upsample_bilinear."""
from __future__ import annotations

import itertools

from ..autograd.tensor import Tensor
from . import pool_ext as E
from .interpolate import interpolate
from .shape import getitem, reshape, stack, transpose


def adaptive_avg_pool_nd(x: Tensor, output_size, nd: int, op: str) -> Tensor:
    """Mean over PyTorch's adaptive bins ``[floor(i n / o), ceil((i + 1) n / o))`` per dim,
    one bin at a time (a composite of slices and means)."""
    if x.ndim != nd + 2:
        raise RuntimeError(f"{op}: input must be {nd + 2}-D, got shape {tuple(x.shape)}")
    out = E._output_size(op, x, output_size, nd)
    bins = [E._bins(n, o) for n, o in zip(x.shape[2:], out)]
    dims = tuple(range(2, 2 + nd))
    cells = [getitem(x, (slice(None), slice(None)) + tuple(slice(*bins[d][i])
                                                           for d, i in enumerate(cell)))
             .mean(dim=dims) for cell in itertools.product(*[range(o) for o in out])]
    return reshape(stack(cells, -1), *x.shape[:2], *out)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:  # noqa: A002
    """Mean over adaptive bins of (N, C, D, H, W) to (N, C, od, oh, ow) (None keeps a dim)."""
    return adaptive_avg_pool_nd(input, output_size, 3, "adaptive_avg_pool3d")


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):  # noqa: A002
    """Max over adaptive bins of (N, C, D, H, W); indices flat in D*H*W."""
    return E.adaptive_max_pool_nd(input, output_size, return_indices, 3, "adaptive_max_pool3d")


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum_window x^p)^(1/p)`` over (N, C, D, H, W)."""
    return E.lp_pool_nd(input, norm_type, kernel_size, stride, ceil_mode, 3, "lp_pool3d")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """(N, C, *) with C = g k: channel ``i k + j`` moves to ``j g + i`` (ShuffleNet)."""
    c = input.shape[1]
    if groups <= 0 or c % groups:
        raise RuntimeError(f"channel_shuffle: groups {groups} must divide the {c} channels of "
                           f"input shape {tuple(input.shape)}")
    rest = tuple(input.shape[2:])
    x = reshape(input, input.shape[0], groups, c // groups, *rest)
    return reshape(transpose(x, 1, 2), input.shape[0], c, *rest)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:  # noqa: A002
    """Deprecated PyTorch alias: ``interpolate(mode='nearest')``."""
    return interpolate(input, size, scale_factor, "nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:  # noqa: A002
    """Deprecated PyTorch alias: ``interpolate(mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, "bilinear", True)
