"""The batch-innermost convolution path for layers with few channels (LeNet's two convs).

Inside this path activations are (C, H, W, N) arrays: the batch is the innermost axis. The
public API stays NCHW: the output is an NCHW *view* of the (C_out, Ho, Wo, N) GEMM result, and
poolings and ReLU keep that layout, so the next small convolution reads it with a free transpose.

Why: with few channels every NHWC pass runs inner loops of C values (6 in LeNet), far below
what NumPy's loops need to run fast. Batch-innermost, im2col copies, pooling windows and the
input gradient's column adds all run over Wo*N contiguous values, and the GEMM output is
already in this layout. Used for groups=1, stride 1, at most ``CHANNELS_FIRST_MAX`` input and
``BATCH_LAST_MAX_OUT`` output channels, and columns within the memory budget (one chunk).

With one input channel (K = kh*kw, 25 in LeNet) the GEMMs are thin and memory-bound, so the
columns are never stored whole: they are built block by block into one L2-sized buffer, each
block multiplied at once, and built again in backward for the weight gradient (LeNet's step
16% faster than with the 5 MB column matrix written and read back twice from memory; with
more channels the GEMMs are compute-bound and blocking them made the step 19% slower).
"""
from __future__ import annotations

from . import conv_cols
from .conv_cols import im2col_batch_last, input_grad_batch_last, windows_batch_last

# Columns (K, plus a ones row for a folded bias) up to which they are built in blocks.
ROW_BLOCKS_MAX_K = 32


def _padded(xp, x, padding):
    """x (N, C, H, W) as a (C, Hp, Wp, N) array with the zero padding."""
    (pt, pb), (pl, pr) = padding
    n, c, h, w = x.shape
    x_bl = x.transpose(1, 2, 3, 0)
    if pt == pb == pl == pr == 0:
        return xp.ascontiguousarray(x_bl)
    xpad = xp.zeros((c, h + pt + pb, w + pl + pr, n), x.dtype)
    xpad[:, pt:pt + h, pl:pl + w, :] = x_bl
    return xpad


def _column_blocks(xp, xpad, kernel, dilation, out_hw, ones: bool, rows: int):
    """Yield ``(m0, m1, cols[:, m0:m1])``: the columns of ``im2col_batch_last`` in blocks.

    A block is whole output rows (Wo*N columns each), as many as fit with the GEMM's ``rows``
    output rows in ``conv_cols.GEMM_BLOCK_BYTES``; every block is copied from a slice of
    ``windows_batch_last`` into the same buffer, so the columns stay in L2 for the GEMM that
    reads them.
    """
    view = windows_batch_last(xp, xpad, kernel, dilation, out_hw)
    kh, kw, c, ho, wo, n = view.shape
    kk = kh * kw * c
    row_bytes = (kk + ones + rows) * wo * n * xpad.itemsize
    block_rows = min(ho, max(1, conv_cols.GEMM_BLOCK_BYTES // row_bytes))
    buf = xp.empty((kk + ones, block_rows, wo, n), xpad.dtype)
    if ones:
        buf[kk] = 1
    for h0 in range(0, ho, block_rows):
        h1 = min(h0 + block_rows, ho)
        cols = buf[:, :h1 - h0]
        cols[:kk].reshape(kh, kw, c, h1 - h0, wo, n)[...] = view[:, :, :, h0:h1]
        yield h0 * wo * n, h1 * wo * n, cols.reshape(kk + ones, -1)


def forward(xp, x, wgemm, bias, padding, kernel, dilation, out_hw):
    """Convolution of x (N, C, H, W) with wgemm (C_out, K[+1]); returns (y, saved).

    ``wgemm`` has K = kh*kw*C columns ordered (kh, kw, C), plus the bias as a last column when
    it is folded in (then ``bias`` is None and the columns get a row of ones). y is an NCHW view
    of a (C_out, Ho, Wo, N) array; ``saved`` is what ``backward`` needs: the padded input and,
    unless the columns are built in blocks, the (K[+1], Ho*Wo*N) column matrix.
    """
    n = x.shape[0]
    xpad = _padded(xp, x, padding)
    co, k = wgemm.shape
    fold = k > kernel[0] * kernel[1] * xpad.shape[0]
    y = xp.empty((co, out_hw[0] * out_hw[1] * n), x.dtype)
    if k <= ROW_BLOCKS_MAX_K:
        for m0, m1, cols in _column_blocks(xp, xpad, kernel, dilation, out_hw, fold, co):
            xp.matmul(wgemm, cols, out=y[:, m0:m1])
        cols = None
    else:
        cols = im2col_batch_last(xp, xpad, kernel, dilation, out_hw, fold)
        xp.matmul(wgemm, cols, out=y)
    if bias is not None:
        y += bias.reshape(co, 1)
    return y.reshape(co, out_hw[0], out_hw[1], n).transpose(3, 0, 1, 2), (xpad, cols, fold)


def backward(xp, gy, saved, wk, x_shape, padding, kernel, dilation, out_hw, need):
    """Gradients (gx, gwmat, gb) of ``forward`` from gy (N, C_out, Ho, Wo), any layout.

    gwmat is (C_out, K) with K ordered (kh, kw, C); gx an NCHW view of a (C, H, W, N) array; wk
    (K, C_out, C) the weight slice of each kernel offset. None where ``need`` (input, weight,
    bias) says no. With the bias folded, its gradient is the last column of the weight GEMM.
    """
    xpad, cols, fold = saved
    co = gy.shape[1]
    gy_t = xp.ascontiguousarray(gy.transpose(1, 2, 3, 0)).reshape(co, -1)
    gx = gwmat = gb = None
    need_b = len(need) > 2 and need[2]
    if need[1] or (fold and need_b):
        # cols @ gy^T: the faster orientation with OpenBLAS for these shapes.
        if cols is None:
            acc = 0
            for m0, m1, block in _column_blocks(xp, xpad, kernel, dilation, out_hw, fold, co):
                acc = acc + block @ gy_t[:, m0:m1].T
        else:
            acc = cols @ gy_t.T
        if fold:
            gb = acc[-1].copy() if need_b else None
            acc = acc[:-1]
        gwmat = acc.T if need[1] else None
    if need_b and not fold:
        gb = gy_t.sum(axis=1)
    if need[0]:
        (pt, _), (pl, _) = padding
        h, w = x_shape[2:]
        pad_hw = (h + padding[0][0] + padding[0][1], w + padding[1][0] + padding[1][1])
        gcf = input_grad_batch_last(xp, gy_t, wk, kernel, pad_hw, out_hw, dilation)
        gx = gcf[:, pt:pt + h, pl:pl + w, :].transpose(3, 0, 1, 2)
    return gx, gwmat, gb
