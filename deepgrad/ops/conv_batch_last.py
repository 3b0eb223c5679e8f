"""The batch-innermost convolution path for layers with few channels (LeNet's two convs).

Inside this path activations are (C, H, W, N) arrays: the batch is the innermost axis. The
public API stays NCHW: the output is an NCHW *view* of the (C_out, Ho, Wo, N) GEMM result, and
poolings and ReLU keep that layout, so the next small convolution reads it with a free transpose.

Why: with few channels every NHWC pass runs inner loops of C values (6 in LeNet), far below
what NumPy's loops need to run fast. Batch-innermost, im2col copies, pooling windows and the
input gradient's column adds all run over Wo*N contiguous values, and the GEMM output is
already in this layout. Used for groups=1, stride 1, at most ``CHANNELS_FIRST_MAX`` input and
``BATCH_LAST_MAX_OUT`` output channels, and columns within the memory budget (one chunk).
"""
from __future__ import annotations

from .conv_cols import GEMM_BLOCK_BYTES, im2col_batch_last, input_grad_batch_last


def _column_blocks(cols, rows: int):
    """Column-block starts and size for GEMMs over the (K, M) ``cols`` with ``rows`` output rows.

    One input channel (K of 25 or so): blocks of 512 KiB of operands ran 1.2x (forward) to 2.6x
    (weight gradient) faster on LeNet's first conv; with more channels whole GEMMs were fastest.
    """
    k, m = cols.shape
    if k > 32:
        return range(0, m, max(m, 1)), max(m, 1)
    step = max(256, GEMM_BLOCK_BYTES // ((k + rows) * cols.itemsize))
    return range(0, m, step), step


def forward(xp, x, wgemm, bias, padding, kernel, dilation, out_hw):
    """Convolution of x (N, C, H, W) with wgemm (C_out, K[+1]); returns (y, cols).

    ``wgemm`` has K = kh*kw*C columns ordered (kh, kw, C), plus the bias as a last column when
    it is folded in (then ``bias`` is None and the columns get a row of ones). y is an NCHW view
    of a (C_out, Ho, Wo, N) array; cols, (K[+1], Ho*Wo*N), is kept for the weight gradient.
    """
    (pt, pb), (pl, pr) = padding
    n, c, h, w = x.shape
    x_bl = x.transpose(1, 2, 3, 0)
    if pt == pb == pl == pr == 0:
        xpad = xp.ascontiguousarray(x_bl)
    else:
        xpad = xp.zeros((c, h + pt + pb, w + pl + pr, n), x.dtype)
        xpad[:, pt:pt + h, pl:pl + w, :] = x_bl
    fold = wgemm.shape[1] > kernel[0] * kernel[1] * c
    cols = im2col_batch_last(xp, xpad, kernel, dilation, out_hw, fold)
    co = wgemm.shape[0]
    y = xp.empty((co, cols.shape[1]), x.dtype)
    starts, step = _column_blocks(cols, co)
    for r in starts:
        xp.matmul(wgemm, cols[:, r:r + step], out=y[:, r:r + step])
    if bias is not None:
        y += bias.reshape(co, 1)
    return y.reshape(co, out_hw[0], out_hw[1], n).transpose(3, 0, 1, 2), cols


def backward(xp, gy, cols, wk, x_shape, padding, kernel, dilation, out_hw, need, fold):
    """Gradients (gx, gwmat, gb) of ``forward`` from gy (N, C_out, Ho, Wo), any layout.

    gwmat is (C_out, K) with K ordered (kh, kw, C); gx an NCHW view of a (C, H, W, N) array; wk
    (K, C_out, C) the weight slice of each kernel offset. None where ``need`` (input, weight,
    bias) says no. With the bias folded, its gradient is the last column of the weight GEMM.
    """
    co = gy.shape[1]
    gy_t = xp.ascontiguousarray(gy.transpose(1, 2, 3, 0)).reshape(co, -1)
    gx = gwmat = gb = None
    need_b = len(need) > 2 and need[2]
    if need[1] or (fold and need_b):
        acc = xp.zeros((cols.shape[0], co), gy.dtype)
        starts, step = _column_blocks(cols, co)
        for r in starts:
            # cols @ gy^T: the faster orientation with OpenBLAS for these shapes.
            acc += cols[:, r:r + step] @ gy_t[:, r:r + step].T
        if fold:
            gb = acc[-1].copy() if need_b else None
            acc = acc[:-1]
        gwmat = acc.T if need[1] else None
    if need_b and not fold:
        gb = gy_t.sum(axis=1)
    if need[0]:
        (pt, _), (pl, _) = padding
        n, _, h, w = x_shape
        pad_hw = (h + padding[0][0] + padding[0][1], w + padding[1][0] + padding[1][1])
        gcf = input_grad_batch_last(xp, gy_t, wk, kernel, pad_hw, out_hw, dilation)
        gx = gcf[:, pt:pt + h, pl:pl + w, :].transpose(3, 0, 1, 2)
    return gx, gwmat, gb
