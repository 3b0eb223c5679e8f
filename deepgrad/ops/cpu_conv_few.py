"""CPU path of convolutions with few input channels (an RGB image's first layer), any stride.

Chosen by ``Conv2d`` for NumPy inputs with groups=1 and 2 to ``FEW_CHANNELS_MAX`` input channels
outside the batch-innermost path (``conv_batch_last.py``); the NHWC im2col of ``conv_cols.py``
stays the reference the tests compare with.

Why: channels-last, a 3-channel window copy runs inner loops of kw*C values (21 for a 7x7
kernel) and the input gradient's per-offset GEMMs have C-wide outputs with C-wide scattered adds,
all far too short for NumPy and BLAS. Channels-first, every copy and add below runs over rows of
Wo values instead:

- columns: a (K, M) buffer (K ordered (kh, kw, C) like the weight matrix, M = (n, Ho, Wo)) filled
  per (kernel column j, channel c) from one copy ``z`` of the input columns j reads, each kernel
  row then a strided slice of ``z``; the GEMM takes the buffer transposed (F order), as for one
  channel in ``conv_cols.im2col``.
- input gradient: one GEMM ``W^T (K, C_out) @ gy^T`` gives the column gradients (K, M); the
  padded input splits into stride phases (row r = sh * q + p), in which offset (i, j) of every
  output position lands on contiguous rows, so col2im is kh*kw slice-adds of (C, n, Ho, Wo) runs
  with no dense stride-1 intermediate and no scatter.
"""
from __future__ import annotations

# Input channels (from 2) up to which a convolution takes this path; one channel has its own
# (``conv_cols.im2col``) and 8 channels run inner loops long enough channels-last.
FEW_CHANNELS_MAX = 4


def _padded_cf(xp, x, n0, n1, padding):
    """Samples n0:n1 of x (N, C, H, W) as a (n, C, Hp, Wp) array with the zero padding."""
    (pt, pb), (pl, pr) = padding
    xs = x[n0:n1]
    if pt == pb == pl == pr == 0:
        return xs
    n, c, h, w = xs.shape
    xpad = xp.zeros((n, c, h + pt + pb, w + pl + pr), xs.dtype)
    xpad[:, :, pt:pt + h, pl:pl + w] = xs
    return xpad


def im2col(xp, x, n0, n1, padding, kernel, stride, dilation, out_hw):
    """The (M, K) column matrix of samples n0:n1, as the F-ordered view of a (K, M) buffer.

    Args:
        x: (N, C, H, W) input, any memory layout; padding: ((pt, pb), (pl, pr)).
        kernel, stride, dilation, out_hw: (kh, kw), (sh, sw), (dh, dw), (Ho, Wo).
    Returns:
        (n*Ho*Wo, kh*kw*C) with columns ordered (kh, kw, C), rows (n, Ho, Wo).
    """
    xpad = _padded_cf(xp, x, n0, n1, padding)
    n, c, hp = xpad.shape[:3]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    cols = xp.empty((kh, kw, c, n, ho, wo), x.dtype)
    z = xp.empty((n, hp, wo), x.dtype)
    for ci in range(c):
        for j in range(kw):
            xp.copyto(z, xpad[:, ci, :, j * dw:j * dw + sw * (wo - 1) + 1:sw])
            for i in range(kh):
                cols[i, j, ci] = z[:, i * dh:i * dh + sh * (ho - 1) + 1:sh, :]
    return cols.reshape(kh * kw * c, n * ho * wo).T


def input_grad(xp, gy2, wmat, n, in_chw, padding, kernel, stride, dilation, out_hw):
    """Input gradient (n, C, H, W) of n samples, from their output gradient ``gy2``.

    Args:
        gy2: (n*Ho*Wo, C_out) output gradient, rows (n, Ho, Wo) (NHWC).
        wmat: (C_out, K) weight matrix, K ordered (kh, kw, C).
        in_chw: (C, H, W) of the input; the rest as ``im2col``.
    Formula: gx_pad[s, c, i*dh + sh*y, j*dw + sw*x] += sum_o gy[s, y, x, o] w[o, c, i, j].
    """
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    (pt, pb), (pl, pr) = padding
    c, h, w = in_chw
    hp, wp = h + pt + pb, w + pl + pr
    hq, wq = -(-hp // sh), -(-wp // sw)
    gcols = (wmat.T @ gy2.T).reshape(kh, kw, c, n, ho, wo)
    # phases[p, q] holds the padded rows sh*y + p and columns sw*x + q, channels first.
    phases = xp.zeros((sh, sw, c, n, hq, wq), gy2.dtype)
    for i in range(kh):
        p, r = (i * dh) % sh, (i * dh) // sh
        for j in range(kw):
            q, s = (j * dw) % sw, (j * dw) // sw
            phases[p, q, :, :, r:r + ho, s:s + wo] += gcols[i, j]
    gx = xp.empty((n, c, h, w), gy2.dtype)
    for p in range(sh):
        # padded row sh*y + p is input row sh*y + p - pt: the first y with it >= 0, and its row
        y0 = max(0, -(-(pt - p) // sh))
        r0 = sh * y0 + p - pt
        if r0 >= h:
            continue
        ny = -(-(h - r0) // sh)
        for q in range(sw):
            x0 = max(0, -(-(pl - q) // sw))
            c0 = sw * x0 + q - pl
            if c0 >= w:
                continue
            nx = -(-(w - c0) // sw)
            gx[:, :, r0::sh, c0::sw] = phases[p, q, :, :, y0:y0 + ny, x0:x0 + nx] \
                .transpose(1, 0, 2, 3)
    return gx
