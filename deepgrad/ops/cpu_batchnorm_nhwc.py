"""CPU path of training-mode batch normalization over channels-last data, as fused passes.

Chosen by ``BatchNorm`` for NumPy inputs whose channel axis is innermost in memory: the NCHW view
of an NHWC convolution output (see ``conv.py``), or a C-contiguous (N, C) batch. The data is
then one (M, C) matrix, M = values per channel, and

- every per-channel sum is a GEMV with a ones vector (~12x faster than ``sum(axis=0)`` of a tall
  matrix, and the generic path's reductions over axes (0, 2, 3) are such sums);
- the output is ``xc * a + bias`` with ``a = weight * invstd`` folded per channel, so ``xhat``
  is never stored: backward keeps ``xc = x - mean`` and folds ``invstd`` into its coefficients;
- backward is the closed form as three passes over (M, C) after two GEMVs:
  ``gx = gy * a + xc * k2 + k3`` with ``k2 = -a invstd^2 sum(gy xc) / m`` and
  ``k3 = -a sum(gy) / m`` (the generic path's ``invstd / m (m gxhat - sum(gxhat) - xhat
  sum(gxhat xhat))`` expanded).

The generic ``BatchNorm`` in ``batchnorm.py`` stays the reference the tests compare with.
"""
from __future__ import annotations


def channels_innermost(x) -> bool:
    """Whether x (N, C, ...) is laid out with C innermost and contiguous as an (M, C) matrix."""
    if x.ndim == 2:
        return x.flags.c_contiguous
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    return x.ndim > 2 and x.transpose(perm).flags.c_contiguous


def _as_matrix(x):
    """The (M, C) matrix view of a channels-innermost x."""
    if x.ndim == 2:
        return x
    return x.transpose((0,) + tuple(range(2, x.ndim)) + (1,)).reshape(-1, x.shape[1])


def forward(xp, x, weight, bias, eps: float):
    """Training-mode batch norm of a channels-innermost x (N, C, ...).

    Returns:
        (y, saved, mean, var): y of x's shape and layout, ``saved`` for ``backward``, and the
        batch mean and biased variance (C,) for the running statistics.
    """
    x2 = _as_matrix(x)
    m = x2.shape[0]
    ones = xp.ones(m, x.dtype)
    mean = (ones @ x2) * (1.0 / m)
    xc = x2 - mean
    sq = xp.square(xc)
    var = (ones @ sq) * (1.0 / m)
    invstd = (1.0 / xp.sqrt(var + x.dtype.type(eps))).astype(x.dtype, copy=False)
    a = invstd if weight is None else weight * invstd
    y2 = xp.multiply(xc, a, out=sq)  # the squares are no longer needed: reuse their buffer
    if bias is not None:
        y2 += bias
    y = unmatrix(y2, x.shape)
    return y, (xc, invstd, a, ones), mean, var


def unmatrix(y2, shape):
    """The (M, C) matrix y2 as an (N, C, ...) array of ``shape``, C innermost in memory."""
    nd = len(shape)
    if nd == 2:
        return y2
    inner = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return y2.reshape(inner).transpose((0, nd - 1) + tuple(range(1, nd - 1)))


def backward(xp, gy, saved, need):
    """Gradients (gx, gw, gb) of ``forward`` (None where ``need`` is False; gw, gb only when
    ``need`` has them)."""
    xc, invstd, a, ones = saved
    m = xc.shape[0]
    g2 = _as_matrix(gy) if channels_innermost(gy) else \
        xp.ascontiguousarray(gy.transpose((0,) + tuple(range(2, gy.ndim)) + (1,))) \
        .reshape(-1, gy.shape[1])
    sum_gy = ones @ g2
    tmp = xp.multiply(g2, xc)
    sum_gy_xc = ones @ tmp
    gx = gw = gb = None
    if need[0]:
        k2 = -a * invstd * invstd * sum_gy_xc * (1.0 / m)
        k3 = -a * sum_gy * (1.0 / m)
        gx2 = xp.multiply(g2, a)
        gx2 += k3
        gx2 += xp.multiply(xc, k2, out=tmp)
        gx = unmatrix(gx2, gy.shape)
    if len(need) > 1 and need[1]:
        gw = sum_gy_xc * invstd
    if len(need) > 2 and need[2]:
        gb = sum_gy
    return (gx, gw, gb)[:len(need)]
