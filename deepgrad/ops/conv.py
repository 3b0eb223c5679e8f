"""Convolution (conv1d, conv2d): fused im2col + one GEMM, channels-last inside, NCHW outside.

Layout: the public API takes and returns NCHW (NCL) arrays, but the output of a convolution is
an NCHW *view* of an NHWC-contiguous array, so the next conv or pool reads it channels-last
with a free transpose, and the GEMM output ``(N*Ho*Wo, C_out)`` already is the NHWC result.
The im2col buffer is bounded by ``COLS_BUDGET_BYTES``: larger batches are processed in chunks of
samples and, in that case, the columns are rebuilt in backward instead of being kept.
Column building, GEMM blocking and the channels-first input gradient of stride-1 convolutions
with few input channels live in ``conv_cols.py``. With one input channel (a network's
first layer) the bias is folded into the GEMM: see ``Conv2d.forward``.

Small convolutions (groups=1, stride 1, at most 8 input and 16 output channels, one chunk, as
LeNet's two) run batch-innermost instead, (C, H, W, N) inside: see ``conv_batch_last.py``. Each
path reads either layout; poolings and ReLU keep the one they get. These layouts, the blocked
one-channel columns and the channels-first input gradient are CPU (cache and BLAS) tricks,
taken only for NumPy arrays: on a GPU every convolution is the plain im2col + one GEMM.
path reads either layout; poolings and ReLU keep the one they get.

NumPy inputs with 2 to 4 input channels (an RGB first layer) and groups=1 build their columns
and input gradient channels-first instead, any stride: see ``cpu_conv_few.py``.
"""
from __future__ import annotations

import numpy

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module, long_runs
from . import conv_batch_last, cpu_conv_few
from .conv_cols import (
    BATCH_LAST_MAX_OUT,
    CHANNELS_FIRST_MAX,
    gemm_blocks,
    im2col,
    input_grad_batch_last,
    windows,
)
from .shape import reshape

# Largest im2col buffer (bytes) built at once; a 3x3 conv over a batch of 256 3x224x224 images
# (1.4 GB of columns) then runs in ~22 chunks instead of exhausting memory.
COLS_BUDGET_BYTES = 64 << 20


def tuple_arg(value, n: int, name: str, op: str) -> tuple:
    """``value`` (an int or a sequence of ``n`` ints) as an ``n``-tuple of ints."""
    if isinstance(value, int):
        return (value,) * n
    t = tuple(value)
    if len(t) != n or not all(isinstance(v, int) for v in t):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    return t


def _padding_arg(padding, kernel, dilation, stride, op: str) -> tuple:
    """Padding as ((before, after), ...) per spatial dim; 'same' pads extra on the right."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding != "same":
            raise ValueError(f"{op}: padding must be an int, a tuple, 'same' or 'valid', "
                             f"got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    p = tuple_arg(padding, n, "padding", op)
    if any(v < 0 for v in p):
        raise ValueError(f"{op}: padding must be non-negative, got {padding!r}")
    return tuple((v, v) for v in p)


class Conv2d(Function):
    """2-D cross-correlation ``y[n,o,i,j] = b[o] + sum_{c,p,q} x[n,c,i*s+p*d,j*s+q*d] w[o,c,p,q]``.

    Shapes: x (N, C, H, W), weight (C_out, C/groups, kh, kw), bias (C_out,) ->
    y (N, C_out, Ho, Wo), Ho = (H + pad_top + pad_bottom - d (kh - 1) - 1) // s + 1.
    """

    def __init__(self, stride, padding, dilation, groups):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def _geometry(self, x, w):
        (pt, pb), (pl, pr) = self.padding
        h, wd = x.shape[2] + pt + pb, x.shape[3] + pl + pr
        ekh = self.dilation[0] * (w.shape[2] - 1) + 1
        ekw = self.dilation[1] * (w.shape[3] - 1) + 1
        return (h, wd), ((h - ekh) // self.stride[0] + 1, (wd - ekw) // self.stride[1] + 1)

    def _padded(self, xp, x_nhwc, n0, n1):
        """Samples n0:n1 as an NHWC array with the zero padding (a view when there is none)."""
        (pt, pb), (pl, pr) = self.padding
        xs = x_nhwc[n0:n1]
        if pt == pb == pl == pr == 0:
            return xs
        n, h, w, c = xs.shape
        xpad = xp.zeros((n, h + pt + pb, w + pl + pr, c), xs.dtype)
        xpad[:, pt:pt + h, pl:pl + w, :] = xs
        return xpad

    def _chunks(self, x, w, out_hw):
        """Sample ranges whose im2col buffer stays within COLS_BUDGET_BYTES."""
        per_sample = out_hw[0] * out_hw[1] * w.shape[1] * w.shape[2] * w.shape[3] * x.itemsize
        step = max(1, COLS_BUDGET_BYTES // max(per_sample, 1))
        n = x.shape[0]
        return [(i, min(i + step, n)) for i in range(0, n, step)]

    def forward(self, x, w, b=None):
        xp = get_array_module(x)
        kernel, g = (w.shape[2], w.shape[3]), self.groups
        _, out_hw = self._geometry(x, w)
        co, cg = w.shape[0], w.shape[1]
        cog = co // g
        # (G, C_out/G, K) with K ordered (kh, kw, C) to match the column layout.
        wmat = w.reshape(g, cog, cg, kernel[0] * kernel[1]).transpose(0, 1, 3, 2) \
            .reshape(g, cog, -1)
        # One input channel: the bias rides in the GEMM as a last weight column against a
        # column of ones, instead of a pass over the output (and its gradient is the matching
        # column of the weight gradient's GEMM, instead of a GEMV): -30% on cnn2's first conv.
        fold = xp is numpy and b is not None and g == 1 and cg == 1
        wgemm = xp.concatenate((wmat[0], b.reshape(co, 1)), axis=1) if fold else wmat[0]
        chunks = self._chunks(x, w, out_hw)
        keep = len(chunks) == 1
        self.x, self.w, self.wmat, self.out_hw, self.chunks = x, w, wmat, out_hw, chunks
        self.fold = fold
        # The batch-innermost layout is a CPU cache trick; a GPU runs plain im2col + GEMM.
        self.batch_last = (xp is numpy and keep and g == 1 and self.stride == (1, 1)
                           and cg <= CHANNELS_FIRST_MAX and co <= BATCH_LAST_MAX_OUT)
        if self.batch_last:
            y, self.saved = conv_batch_last.forward(xp, x, wgemm, None if fold else b,
                                                    self.padding, kernel, self.dilation, out_hw)
            return y
        x_nhwc = x.transpose(0, 2, 3, 1)
        y = xp.empty((x.shape[0], out_hw[0], out_hw[1], co), x.dtype)
        self.cols = []
        # A few input channels (RGB): channels-first columns and input gradient on the CPU.
        self.few = xp is numpy and g == 1 and 1 < cg <= cpu_conv_few.FEW_CHANNELS_MAX
        for n0, n1 in chunks:
            xpad = None if self.few else self._padded(xp, x_nhwc, n0, n1)
            y2 = y[n0:n1].reshape(-1, co)
            for gi in range(g):
                cols = self._im2col(xp, xpad, n0, n1, gi, fold)
                if g == 1:
                    starts, step = gemm_blocks(cols, cols.shape[1] + co)
                    for r in starts:
                        xp.matmul(cols[r:r + step], wgemm.T, out=y2[r:r + step])
                else:
                    y2[:, gi * cog:(gi + 1) * cog] = cols @ wmat[gi].T
                if keep:
                    self.cols.append(cols)
        if b is not None and not fold:
            # Rows of Wo*C_out values: adding (C_out,) to (M, C_out) runs an inner loop of only
            # C_out floats (6 in LeNet), several times slower than this tiled add.
            rows = y.reshape(-1, out_hw[1] * co)
            rows += xp.tile(b, out_hw[1])
        return y.transpose(0, 3, 1, 2)

    def backward(self, gy):
        xp = get_array_module(gy)
        x, w, g, need = self.x, self.w, self.groups, self.needs_input_grad
        kernel, out_hw, co, cg = (w.shape[2], w.shape[3]), self.out_hw, w.shape[0], w.shape[1]
        cog, kk = co // g, kernel[0] * kernel[1]
        if self.batch_last:
            wk = self.wmat[0].reshape(co, kk, cg).transpose(1, 0, 2)
            gx, gwmat, gb = conv_batch_last.backward(
                xp, gy, self.saved, wk, x.shape, self.padding, kernel, self.dilation, out_hw,
                need)
            gw = None if gwmat is None else xp.ascontiguousarray(
                gwmat.reshape(co, kernel[0], kernel[1], cg).transpose(0, 3, 1, 2))
            return (gx, gw, gb) if len(need) > 2 else (gx, gw)
        # One NHWC copy at most (none when gy came from a conv/pool/relu: already NHWC inside).
        gy_nhwc = xp.ascontiguousarray(gy.transpose(0, 2, 3, 1))
        gb = None
        # With the bias folded in, its gradient is the last column of the weight gradient.
        fold_gb = self.fold and need[1] and need[2]
        if len(need) > 2 and need[2] and not fold_gb:
            # A GEMV with a ones vector is ~12x faster than a sum over axis 0 of a tall matrix.
            # With few channels, rows of Wo*C_out values run it 3x faster (LeNet: 88 -> 29 us).
            wide = out_hw[1] if co < 16 else 1
            g2 = gy_nhwc.reshape(-1, wide * co)
            gb = (xp.ones(g2.shape[0], gy.dtype) @ g2).reshape(wide, co).sum(axis=0)
        gwmat = xp.zeros((g, cog, kk * cg + self.fold), w.dtype) if need[1] else None
        gxpad = None
        if need[0]:
            pad_hw, _ = self._geometry(x, w)
            # Few input channels and stride 1: each chunk's gradient is written whole.
            channels_first = (xp is numpy and g == 1 and self.stride == (1, 1)
                              and cg <= CHANNELS_FIRST_MAX)
            gxpad = (xp.empty if channels_first else xp.zeros)(
                (x.shape[0], pad_hw[0], pad_hw[1], x.shape[1]), x.dtype) if not self.few \
                else xp.empty(x.shape, x.dtype)  # NCHW, no padding: see cpu_conv_few
            # (G, K, C_out/G, C/G): the weight slice of each kernel offset.
            wk = self.wmat.reshape(g, cog, kk, cg).transpose(0, 2, 1, 3)
        for n0, n1 in self.chunks:
            xpad = None
            gy2 = gy_nhwc[n0:n1].reshape(-1, co)
            for gi in range(g):
                gyg = gy2[:, gi * cog:(gi + 1) * cog]
                if gwmat is not None:
                    if self.cols:
                        cols = self.cols[gi]
                    else:
                        if xpad is None and not self.few:
                            xpad = self._padded(xp, x.transpose(0, 2, 3, 1), n0, n1)
                        cols = self._im2col(xp, xpad, n0, n1, gi, self.fold)
                    if cols.flags.f_contiguous:  # the one-channel (K, M) buffer, transposed
                        starts, step = gemm_blocks(cols, cols.shape[1] + cog)
                        for r in starts:
                            gwmat[gi] += (cols[r:r + step].T @ gyg[r:r + step]).T
                    else:
                        # cols^T @ gy, then transposed: 1.2x (cnn2) to 2x (LeNet) faster with
                        # OpenBLAS than gy^T @ cols, the same product.
                        gwmat[gi] += (cols.T @ gyg).T
                if gxpad is None:
                    continue
                if self.few:
                    gxpad[n0:n1] = cpu_conv_few.input_grad(
                        xp, gyg, self.wmat[0], n1 - n0, x.shape[1:], self.padding, kernel,
                        self.stride, self.dilation, out_hw)
                elif channels_first:
                    gy_t = xp.ascontiguousarray(gy_nhwc[n0:n1].transpose(3, 1, 2, 0))
                    gxpad[n0:n1] = input_grad_batch_last(
                        xp, gy_t.reshape(co, -1), wk[0], kernel, pad_hw, out_hw,
                        self.dilation).transpose(3, 1, 2, 0)
                else:
                    self._col2im_add(xp, gxpad, gyg, wk[gi], n0, n1, gi * cg, (gi + 1) * cg)
        gx = gw = None
        if gxpad is not None and self.few:
            gx = gxpad
        elif gxpad is not None:
            (pt, _), (pl, _) = self.padding
            gx = gxpad[:, pt:pt + x.shape[2], pl:pl + x.shape[3], :].transpose(0, 3, 1, 2)
        if gwmat is not None:
            if self.fold:
                gb = gwmat[0, :, -1].copy() if fold_gb else None
                gwmat = gwmat[..., :-1]
            gw = xp.ascontiguousarray(gwmat.reshape(g, cog, kernel[0], kernel[1], cg)
                                      .transpose(0, 1, 4, 2, 3).reshape(w.shape))
        return (gx, gw, gb) if len(need) > 2 else (gx, gw)

    def _im2col(self, xp, xpad, n0, n1, gi, fold=False):
        """The (M, K) columns of samples n0:n1, group gi (``xpad``: their padded NHWC input)."""
        kernel, cg = self.w.shape[2:], self.w.shape[1]
        if self.few:
            return cpu_conv_few.im2col(xp, self.x, n0, n1, self.padding, kernel, self.stride,
                                       self.dilation, self.out_hw)
        return im2col(xp, xpad[..., gi * cg:(gi + 1) * cg], kernel, self.stride, self.dilation,
                      self.out_hw, fold)

    def _col2im_add(self, xp, gxpad, gyg, wk, n0, n1, c0, c1):
        """Add the input gradient of samples n0:n1, channels c0:c1 into gxpad (NHWC).

        Per kernel offset k: one GEMM ``gy (M, C_out) @ W_k (C_out, C)`` into a reused buffer,
        then one contiguous slice-add into the window k touches; a strided col2im scatter of a
        single (M, K) GEMM was 1.5-3x slower, a batched (K, M, C) GEMM ~20% slower.
        """
        n, (ho, wo) = n1 - n0, self.out_hw
        buf = xp.empty((gyg.shape[0], c1 - c0), gxpad.dtype)
        target = gxpad[n0:n1, :, :, c0:c1]
        with long_runs(xp):  # each window is runs of Wo*C values (448 in cnn2's second conv)
            for k, v in windows(target, (self.w.shape[2], self.w.shape[3]), self.stride,
                                self.dilation, self.out_hw):
                xp.matmul(gyg, wk[k], out=buf)
                v += buf.reshape(n, ho, wo, c1 - c0)


def _check(op, x, w, b, stride, padding, dilation, groups, nd):
    if x.ndim != nd + 2:
        layout = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
        raise ValueError(f"{op}: input must be {nd + 2}-D {layout}, got shape {tuple(x.shape)}")
    if w.ndim != nd + 2:
        raise ValueError(f"{op}: weight must be {nd + 2}-D (C_out, C_in/groups, kernel...), got "
                         f"shape {tuple(w.shape)}")
    if not isinstance(groups, int) or groups <= 0:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if x.shape[1] % groups or w.shape[0] % groups:
        raise ValueError(f"{op}: groups={groups} must divide both the input channels "
                         f"{x.shape[1]} and the output channels {w.shape[0]}")
    if x.shape[1] != w.shape[1] * groups:
        raise ValueError(f"{op}: input shape {tuple(x.shape)} has {x.shape[1]} channels, weight "
                         f"shape {tuple(w.shape)} with groups={groups} expects "
                         f"{w.shape[1] * groups}")
    if b is not None and tuple(b.shape) != (w.shape[0],):
        raise ValueError(f"{op}: bias shape {tuple(b.shape)} must be ({w.shape[0]},)")
    if any(s <= 0 for s in stride):
        raise ValueError(f"{op}: stride must be positive, got {stride}")
    if any(d <= 0 for d in dilation):
        raise ValueError(f"{op}: dilation must be positive, got {dilation}")
    for dim, (k, d, (p0, p1)) in enumerate(zip(w.shape[2:], dilation, padding)):
        size = x.shape[2 + dim] + p0 + p1
        if d * (k - 1) + 1 > size:
            raise ValueError(f"{op}: kernel size {tuple(w.shape[2:])} (dilation {dilation}) is "
                             f"larger than the padded input {tuple(x.shape[2:])} + padding "
                             f"{padding} (input shape {tuple(x.shape)})")


def conv_nd(x: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, dilation,
            groups: int, nd: int, op: str) -> Tensor:
    """Shared body of conv1d/conv2d (``op`` names the caller in error messages)."""
    stride = tuple_arg(stride, nd, "stride", op)
    dilation = tuple_arg(dilation, nd, "dilation", op)
    if weight.ndim != nd + 2:
        raise ValueError(f"{op}: weight must be {nd + 2}-D (C_out, C_in/groups, kernel...), got "
                         f"shape {tuple(weight.shape)}")
    pads = _padding_arg(padding, tuple(weight.shape[2:]), dilation, stride, op)
    _check(op, x, weight, bias, stride, pads, dilation, groups, nd)
    if nd == 1:  # a 1-D conv is a 2-D conv over a height-1 image
        x = reshape(x, x.shape[0], x.shape[1], 1, x.shape[2])
        weight = reshape(weight, *weight.shape[:2], 1, weight.shape[2])
        stride, dilation, pads = (1,) + stride, (1,) + dilation, ((0, 0),) + pads
    fn = Conv2d(stride, pads, dilation, groups)
    y = fn.apply(x, weight) if bias is None else fn.apply(x, weight, bias)
    if nd == 1:
        y = reshape(y, y.shape[0], y.shape[1], y.shape[3])
    return y


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch's ``F.conv2d``).

    Args:
        x: (N, C_in, H, W).
        weight: (C_out, C_in / groups, kh, kw).
        bias: (C_out,) or None.
        stride, dilation: int or (sh, sw); positive.
        padding: int, (ph, pw), 'valid' (none) or 'same' (output size = input size, stride 1).
        groups: split the channels into ``groups`` independent convolutions.
    Returns:
        (N, C_out, Ho, Wo) with Ho = (H + 2 ph - dh (kh - 1) - 1) // sh + 1 (likewise Wo).
    """
    return conv_nd(x, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv1d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution: x (N, C_in, L), weight (C_out, C_in / groups, k) -> (N, C_out, Lo),
    Lo = (L + 2 p - d (k - 1) - 1) // s + 1; arguments as ``conv2d``."""
    return conv_nd(x, weight, bias, stride, padding, dilation, groups, 1, "conv1d")
