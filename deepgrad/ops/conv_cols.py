"""Column (im2col) helpers of the convolution: window views, the column matrix, GEMM blocks.

Activations are channels-last (NHWC), or batch-innermost (C, H, W, N) for small convolutions,
inside the convolution; see ``conv.py`` for the layouts.
"""
from __future__ import annotations

import numpy

from ..backend import long_runs

# Rows per GEMM block for the one-channel (M, K) columns: OpenBLAS runs a tall, thin GEMM with a
# transposed operand ~2x faster in blocks whose operands fit in L2 (LeNet's first conv: forward
# 670 -> 320 us, weight gradient 580 -> 280 us); 512 KiB of cols + output rows per block beat
# 128, 256 and 1024 KiB on LeNet's and cnn2's first convs.
GEMM_BLOCK_BYTES = 512 << 10


def gemm_blocks(cols, width: int):
    """Row-block starts and block size for a GEMM over ``cols`` (rows hold ``width`` values).

    Blocked only for the one-channel F layout: the C layout ran no faster in blocks.
    """
    m = cols.shape[0]
    if cols.flags.f_contiguous and not cols.flags.c_contiguous:
        step = max(256, GEMM_BLOCK_BYTES // (width * cols.itemsize))
        return range(0, m, step), step
    return range(0, m, max(m, 1)), max(m, 1)


def windows(xpad, kernel, stride, dilation, out_hw):
    """Yield ``(k, view)`` for each kernel offset: the (n, Ho, Wo, C) input view it multiplies."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    for i in range(kh):
        r = i * dh
        for j in range(kw):
            c = j * dw
            yield i * kw + j, xpad[:, r:r + sh * (ho - 1) + 1:sh, c:c + sw * (wo - 1) + 1:sw, :]


def im2col(xp, xpad, kernel, stride, dilation, out_hw, ones: bool = False):
    """The (M, K) column matrix, M = n*Ho*Wo rows, K ordered (kh, kw, C).

    ``ones`` (one channel only) appends a column of ones, so that a bias folded into the weight
    matrix as its last column comes out of the same GEMM (see ``Conv2d.forward``).

    Many channels: one copy of a strided window view (NumPy's iterator then picks a long inner
    loop; kh*kw slice copies with a C-float inner loop were 3-8x slower). One channel: a (K, M)
    buffer, returned transposed (BLAS takes it as is), filled per kernel column j from one copy
    ``z`` of the input columns that j reads: with stride 1 every kernel row i is then a copy of
    Ho*Wo contiguous values per sample instead of Ho runs of Wo (~25% faster on LeNet).
    """
    n, c = xpad.shape[0], xpad.shape[3]
    kk = kernel[0] * kernel[1]
    m = n * out_hw[0] * out_hw[1]
    (sh, sw), (dh, dw) = stride, dilation
    if c == 1 and xp is numpy:  # a CPU cache trick; a GPU copies the window view below
        (kh, kw), (ho, wo), hp = kernel, out_hw, xpad.shape[1]
        cols = xp.empty((kk + ones, n, ho, wo), xpad.dtype)
        if ones:
            cols[kk] = 1
        z = xp.empty((n, hp, wo), xpad.dtype)
        for j in range(kw):
            xp.copyto(z, xpad[:, :, j * dw:j * dw + sw * (wo - 1) + 1:sw, 0])
            for i in range(kh):
                cols[i * kw + j] = z[:, i * dh:i * dh + sh * (ho - 1) + 1:sh, :]
        return cols.reshape(kk + ones, m).T
    span = (dh * (kernel[0] - 1) + 1, dw * (kernel[1] - 1) + 1)
    win = xp.lib.stride_tricks.sliding_window_view(xpad, span, axis=(1, 2))
    win = win[:, ::sh, ::sw, :, ::dh, ::dw]  # (n, Ho, Wo, C, kh, kw)
    return win.transpose(0, 1, 2, 4, 5, 3).reshape(m, kk * c)


# Input channels up to which a stride-1 convolution's input gradient is accumulated
# channels-first (``input_grad_batch_last``); with more, per-offset NHWC GEMMs are faster.
CHANNELS_FIRST_MAX = 8
# Output channels up to which such a convolution (groups=1, stride 1, columns within the budget)
# also runs forward in the batch-innermost layout: see ``conv.py``.
BATCH_LAST_MAX_OUT = 16


def is_batch_last(a) -> bool:
    """Whether the (N, C, H, W) array ``a`` is a view of a C-contiguous (C, H, W, N) array."""
    return a.ndim == 4 and a.transpose(1, 2, 3, 0).flags.c_contiguous


def windows_batch_last(xp, xpad, kernel, dilation, out_hw):
    """The (kh, kw, C, Ho, Wo, n) strided view of a stride-1 convolution's windows (read only).

    ``xpad`` is the padded input as (C, Hp, Wp, n); entry (i, j, c, h, w, s) is
    ``xpad[c, h + i*dh, w + j*dw, s]``. Copying it (or a slice of Ho) gives column rows of C*Ho
    runs of Wo*n contiguous values (in NHWC, runs of kw*C: 30 values in LeNet's second conv).
    """
    (kh, kw), (dh, dw), (ho, wo) = kernel, dilation, out_hw
    c, n = xpad.shape[0], xpad.shape[3]
    s = xpad.strides
    return xp.lib.stride_tricks.as_strided(
        xpad, (kh, kw, c, ho, wo, n), (s[1] * dh, s[2] * dw, s[0], s[1], s[2], s[3]))


def im2col_batch_last(xp, xpad, kernel, dilation, out_hw, ones: bool = False):
    """The (K, M) column matrix of a stride-1 convolution in the batch-innermost layout.

    Rows are ordered (kh, kw, C), like the weight matrix's columns, and the M = Ho*Wo*n columns
    (Ho, Wo, n), so the GEMM ``W @ cols`` is the (C_out, Ho, Wo, n) output; one copy of
    ``windows_batch_last``. ``ones`` appends a row of ones for a bias folded into the weights.
    """
    view = windows_batch_last(xp, xpad, kernel, dilation, out_hw)
    kh, kw, c, ho, wo, n = view.shape
    kk = kh * kw * c
    cols = xp.empty((kk + ones, ho * wo * n), xpad.dtype)
    cols[:kk].reshape(view.shape)[...] = view
    if ones:
        cols[kk] = 1
    return cols


def input_grad_batch_last(xp, gy_t, wk, kernel, pad_hw, out_hw, dilation):
    """Input gradient (C, Hp, Wp, n) of a stride-1 convolution (groups=1), padding included.

    Args:
        gy_t: (C_out, Ho*Wo*n) output gradient, columns ordered (Ho, Wo, n).
        wk: (K, C_out, C) weight slice of each kernel offset k = i*kw + j; kernel: (kh, kw).
        pad_hw: (Hp, Wp), the padded input size; out_hw: (Ho, Wo); dilation: (dh, dw).

    With few input channels, a GEMM ``gy (M, C_out) @ W_k (C_out, C)`` per offset has a C-wide
    output that BLAS runs slowly. Here one GEMM per kernel row i, ``W_i^T (kw*C, C_out) @ gy_t``,
    gives that row's column gradients in a (kw, C, Ho, Wo, n) layout: the batch innermost, so
    that offset (i, j)'s window of the (C, Hp, Wp, n) gradient is C*Ho runs of Wo*n contiguous
    values. LeNet's second conv: 1.5x faster than one GEMM per offset on a grid as wide as the
    padded input (whose adds ran over per-sample runs of Ho*Wp values); one GEMM for all rows
    was faster alone but 5% slower in the network step, its 3.8 MB output falling out of L2.
    """
    (hp, wp), (ho, wo), (dh, dw), (kh, kw) = pad_hw, out_hw, dilation, kernel
    co, n = gy_t.shape[0], gy_t.shape[1] // (ho * wo)
    c = wk.shape[2]
    wt = xp.ascontiguousarray(wk.transpose(0, 2, 1)).reshape(kh, kw * c, co)
    cols = xp.empty((kw, c, ho, wo, n), gy_t.dtype)
    gcf = xp.zeros((c, hp, wp, n), gy_t.dtype)
    with long_runs(xp):  # the adds' runs are Wo*n long: 2x faster without the ufunc buffer
        for i in range(kh):
            xp.matmul(wt[i], gy_t, out=cols.reshape(kw * c, -1))
            for j in range(kw):
                gcf[:, i * dh:i * dh + ho, j * dw:j * dw + wo, :] += cols[j]
    return gcf
