"""conv3d and the transposed convolutions conv_transpose1d/2d/3d (PyTorch's F signatures).

Both are one batched GEMM plus a window op from ``unfold.py``: conv3d gathers the windows and
multiplies by the weight; a transposed convolution multiplies first and then *scatters* each
input position's ``C_out x prod(kernel)`` block onto the output (col2im), which is exactly the
gradient of a convolution with respect to its input.
"""
from __future__ import annotations

import math

from ..autograd.tensor import Tensor
from .conv import _check, _padding_arg, tuple_arg
from .linalg import matmul
from .shape import permute, reshape, transpose
from .unfold import Fold, Unfold


def _bias(y: Tensor, bias: Tensor | None) -> Tensor:
    if bias is None:
        return y
    return y + reshape(bias, 1, bias.shape[0], *([1] * (y.ndim - 2)))


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,  # noqa: A002
           padding=0, dilation=1, groups: int = 1) -> Tensor:
    """3-D convolution (cross-correlation).

    Args:
        input: (N, C_in, D, H, W).
        weight: (C_out, C_in / groups, kd, kh, kw).
        bias: (C_out,) or None.
        stride, dilation: int or 3-tuple; padding: int, 3-tuple, 'valid' or 'same'.
    Returns:
        (N, C_out, Do, Ho, Wo), Do = (D + 2 pd - dd (kd - 1) - 1) // sd + 1 (likewise H, W).
    """
    op = "conv3d"
    stride = tuple_arg(stride, 3, "stride", op)
    dilation = tuple_arg(dilation, 3, "dilation", op)
    if weight.ndim != 5:
        raise ValueError(f"{op}: weight must be 5-D (C_out, C_in/groups, kd, kh, kw), got shape "
                         f"{tuple(weight.shape)}")
    kernel = tuple(weight.shape[2:])
    pads = _padding_arg(padding, kernel, dilation, stride, op)
    _check(op, input, weight, bias, stride, pads, dilation, groups, 3)
    canvas = tuple(n + a + b for n, (a, b) in zip(input.shape[2:], pads))
    out = tuple((c - d * (k - 1) - 1) // s + 1
                for c, k, s, d in zip(canvas, kernel, stride, dilation))
    start = tuple(a for a, _ in pads)
    cols = Unfold(start, canvas, kernel, stride, dilation, out).apply(input)
    n, c_out, g = input.shape[0], weight.shape[0], groups
    # (G, C/G * K, N * L) columns against (G, C_out/G, C/G * K) weights: one GEMM per group.
    cols = reshape(cols, n, g, input.shape[1] // g * math.prod(kernel), math.prod(out))
    cols = reshape(permute(cols, 1, 2, 0, 3), g, cols.shape[2], n * math.prod(out))
    w = reshape(weight, g, c_out // g, -1)
    y = reshape(matmul(w, cols), g, c_out // g, n, *out)
    y = reshape(permute(y, 2, 0, 1, *range(3, 3 + len(out))), n, c_out, *out)
    return _bias(y, bias)


def conv_transpose_nd(x: Tensor, weight: Tensor, bias, stride, padding, output_padding, groups,
                      dilation, nd: int, op: str, output_size=None) -> Tensor:
    """Shared body of conv_transpose1d/2d/3d (``op`` names the caller in errors)."""
    stride = tuple_arg(stride, nd, "stride", op)
    padding = tuple_arg(padding, nd, "padding", op)
    dilation = tuple_arg(dilation, nd, "dilation", op)
    out_pad = tuple_arg(output_padding, nd, "output_padding", op)
    if x.ndim != nd + 2 or weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: input and weight must be {nd + 2}-D, got shapes "
                           f"{tuple(x.shape)} and {tuple(weight.shape)}")
    if not isinstance(groups, int) or groups <= 0 or x.shape[1] % groups:
        raise RuntimeError(f"{op}: groups={groups!r} must be a positive int dividing the input "
                           f"channels {x.shape[1]}")
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f"{op}: input shape {tuple(x.shape)} has {x.shape[1]} channels but "
                           f"weight shape {tuple(weight.shape)} expects {weight.shape[0]} "
                           f"(weight is (C_in, C_out / groups, kernel...))")
    c_out = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise RuntimeError(f"{op}: bias shape {tuple(bias.shape)} must be ({c_out},)")
    if min(stride + dilation) <= 0 or min(padding + out_pad) < 0:
        raise RuntimeError(f"{op}: stride and dilation must be positive, padding and "
                           f"output_padding non-negative: stride={stride}, padding={padding}, "
                           f"output_padding={out_pad}, dilation={dilation}")
    kernel = tuple(weight.shape[2:])
    base = tuple((n - 1) * s - 2 * p + d * (k - 1) + 1
                 for n, s, p, d, k in zip(x.shape[2:], stride, padding, dilation, kernel))
    if output_size is not None:
        size = tuple(output_size)[-nd:]
        out_pad = tuple(o - b for o, b in zip(size, base))
    for op_, s, d in zip(out_pad, stride, dilation):
        if not 0 <= op_ < max(s, d):
            raise RuntimeError(f"{op}: output_padding {out_pad} must be smaller than stride "
                               f"{stride} or dilation {dilation} (output_size {output_size})")
    size = tuple(b + o for b, o in zip(base, out_pad))
    if min(size) <= 0:
        raise RuntimeError(f"{op}: output size {size} is not positive (input {tuple(x.shape)}, "
                           f"kernel {kernel}, stride {stride}, padding {padding})")
    n, g, k = x.shape[0], groups, math.prod(kernel)
    spatial = x.shape[2:]
    # One (C_out/g * K, C_in/g) x (C_in/g, N * L) GEMM per group: batch dims that match (no
    # broadcast batch) keep NumPy's matmul on BLAS (a broadcast one made it 5x slower).
    xs = reshape(permute(reshape(x, n, g, x.shape[1] // g, math.prod(spatial)), 1, 2, 0, 3),
                 g, x.shape[1] // g, n * math.prod(spatial))
    w = transpose(reshape(weight, g, x.shape[1] // g, c_out // g * k), 1, 2)
    cols = reshape(matmul(w, xs), g, c_out // g, k, n, *spatial)
    cols = reshape(permute(cols, 3, 0, 1, 2, *range(4, 4 + len(spatial))), n, c_out, k,
                   *spatial)
    full = tuple((m - 1) * s + d * (kk - 1) + 1
                 for m, s, d, kk in zip(spatial, stride, dilation, kernel))
    canvas = tuple(max(f, p + o) for f, p, o in zip(full, padding, size))
    y = Fold(padding, size, canvas, kernel, stride, dilation).apply(cols)
    return _bias(y, bias)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution"), the input-gradient of conv2d.

    Args:
        input: (N, C_in, H, W).
        weight: (C_in, C_out / groups, kh, kw).
        bias: (C_out,) or None.
        stride, padding, dilation: int or pair; ``output_padding`` (< stride or dilation) adds
            rows/columns on the bottom/right to pick among the sizes that conv2d maps alike.
    Returns:
        (N, C_out, Ho, Wo), Ho = (H - 1) sh - 2 ph + dh (kh - 1) + output_padding + 1.
    """
    return conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, "conv_transpose2d")


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    """1-D transposed convolution: (N, C_in, L) -> (N, C_out, (L - 1) s - 2 p + d (k - 1) +
    output_padding + 1); weight (C_in, C_out / groups, k)."""
    return conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1, "conv_transpose1d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    """3-D transposed convolution: (N, C_in, D, H, W) -> (N, C_out, Do, Ho, Wo); weight
    (C_in, C_out / groups, kd, kh, kw); sizes as conv_transpose2d per dim."""
    return conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3, "conv_transpose3d")
