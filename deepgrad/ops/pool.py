"""Pooling: max_pool1d/2d, avg_pool1d/2d and adaptive_avg_pool2d (NCHW outside).

Both poolings walk the kh*kw window offsets: each offset is one strided view of the input
with the output's shape, so a pool is kh*kw whole-array ufunc calls and never a per-window
Python loop or a window-sized copy. Inside, the input is channels-last (N, H, W, C), or
(C, H, W, N) when it came batch-innermost from a small convolution (``conv_batch_last.py``);
either way the spatial axes are 1 and 2, and the output keeps the input's layout (an NCHW view),
so a conv -> relu -> pool -> conv chain never changes layout. With few channels channels-last, a
window view's inner loop is short and slow, so max-pool then copies each view once into a
contiguous stack first (``STACK_MAX_CHANNELS``).
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .conv import tuple_arg
from .conv_cols import is_batch_last
from .shape import reshape

# Channel counts up to which max-pool copies its window views into a contiguous stack first.
STACK_MAX_CHANNELS = 16


def _offsets(xpad, kernel, stride, out_hw):
    """Yield ``(k, view)``: the (N, Ho, Wo, C) view of the NHWC input under window offset k."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
    for i in range(kh):
        for j in range(kw):
            yield i * kw + j, xpad[:, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw, :]


class _Pool2d(Function):
    """Shared geometry: padding the NHWC input and scattering gradients back through views."""

    def __init__(self, kernel, stride, padding):
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def _prepare(self, x, fill):
        """The padded input in the inside layout (spatial axes 1 and 2; see the module doc)."""
        xp = get_array_module(x)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        # (N, C, H, W) -> inside layout, and back (the inverse permutation).
        self.perm, self.unperm = ((1, 2, 3, 0), (3, 0, 1, 2)) if is_batch_last(x) else \
            ((0, 2, 3, 1), (0, 3, 1, 2))
        x_in = x.transpose(self.perm)
        a, h, w, b = x_in.shape
        self.in_shape = x.shape
        self.out_hw = ((h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
        if ph == pw == 0:
            return xp, x_in
        xpad = xp.full((a, h + 2 * ph, w + 2 * pw, b), fill, x.dtype)
        xpad[:, ph:ph + h, pw:pw + w, :] = x_in
        return xp, xpad

    def _scatter(self, xp, pieces):
        """Gradient (N, C, H, W) from ``pieces(k, out)``: offset k's (N, Ho, Wo, C) gradient,
        written into ``out`` when given (windows that do not overlap), else returned."""
        n, c, h, w = self.in_shape
        (ph, pw), (kh, kw), (sh, sw) = self.padding, self.kernel, self.stride
        dtype = self.dtype
        outer, _, _, inner = (self.in_shape[p] for p in self.perm)
        shape = (outer, h + 2 * ph, w + 2 * pw, inner)
        # Windows that tile the input exactly are written once each, with no zero fill.
        tiles = (sh, sw) == (kh, kw) and (h + 2 * ph, w + 2 * pw) == (
            self.out_hw[0] * kh, self.out_hw[1] * kw)
        overlap = sh < kh or sw < kw
        gxpad = xp.empty(shape, dtype) if tiles else xp.zeros(shape, dtype)
        for k, view in _offsets(gxpad, self.kernel, self.stride, self.out_hw):
            if overlap:
                view += pieces(k, None)
            else:
                pieces(k, view)
        return gxpad[:, ph:ph + h, pw:pw + w, :].transpose(self.unperm)


class MaxPool2d(_Pool2d):
    """``y[n,c,i,j] = max over the window at (i*sh - ph, j*sw - pw)``; padding counts as -inf.

    The gradient goes to the first maximum of each window (row-major order, as PyTorch).
    """

    def forward(self, x):
        fill = -math.inf if x.dtype.kind == "f" else x.min()
        xp, xpad = self._prepare(x, fill)
        views = _offsets(xpad, self.kernel, self.stride, self.out_hw)
        (kh, kw), (sh, sw) = self.kernel, self.stride
        if self.perm[0] == 0 and x.shape[1] <= STACK_MAX_CHANNELS and sh >= kh and sw >= kw:
            # Every ufunc on a window view runs an inner loop of only C values (LeNet: 6), so
            # each pass costs ~8x a contiguous one: copy each offset's view once into a
            # contiguous stack (no larger than x, windows do not overlap) and run the max/argmax
            # passes there (LeNet's first pool: ~30% faster forward).
            stack = xp.empty((kh * kw,) + xpad.shape[:1] + self.out_hw + xpad.shape[3:], x.dtype)
            for k, v in views:
                stack[k] = v
            views = iter(enumerate(stack))
        _, first = next(views)
        y = first.copy()
        idx = xp.zeros(y.shape, xp.uint8)
        for k, v in views:
            better = v > y
            # Offsets come in increasing order, so max(idx, k*better) sets idx = k exactly where
            # this offset is a new strict maximum: far cheaper than a masked assignment.
            xp.maximum(idx, xp.multiply(better, k, dtype=xp.uint8), out=idx)
            xp.maximum(y, v, out=y)
        self.idx, self.dtype = idx, x.dtype
        return y.transpose(self.unperm)

    def backward(self, gy):
        xp = get_array_module(gy)
        gy = gy.transpose(self.perm)
        idx = self.idx
        return self._scatter(xp, lambda k, out: xp.multiply(gy, idx == k, out=out))


class AvgPool2d(_Pool2d):
    """``y = mean over the kh*kw window``; zero padding is counted (count_include_pad=True)."""

    def forward(self, x):
        xp, xpad = self._prepare(x, 0)
        views = _offsets(xpad, self.kernel, self.stride, self.out_hw)
        _, first = next(views)
        y = first.copy()
        for _, v in views:
            y += v
        y *= x.dtype.type(1.0 / (self.kernel[0] * self.kernel[1]))
        self.dtype = x.dtype
        return y.transpose(self.unperm)

    def backward(self, gy):
        xp = get_array_module(gy)
        g = gy.transpose(self.perm) * gy.dtype.type(1.0 / (self.kernel[0] * self.kernel[1]))
        return self._scatter(xp, lambda k, out: g if out is None else xp.copyto(out, g))


class AdaptiveAvgPool2d(Function):
    """Average over bins ``[floor(i H / oh), ceil((i + 1) H / oh))`` (likewise for W)."""

    def __init__(self, out_hw):
        self.out_hw = out_hw

    def _bins(self, size, out):
        return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]

    def forward(self, x):
        xp = get_array_module(x)
        self.in_shape, self.dtype = x.shape, x.dtype
        self.rows, self.cols = self._bins(x.shape[2], self.out_hw[0]), \
            self._bins(x.shape[3], self.out_hw[1])
        y = xp.empty(x.shape[:2] + tuple(self.out_hw), x.dtype)
        for i, (h0, h1) in enumerate(self.rows):
            for j, (w0, w1) in enumerate(self.cols):
                y[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
        return y

    def backward(self, gy):
        xp = get_array_module(gy)
        gx = xp.zeros(self.in_shape, self.dtype)
        for i, (h0, h1) in enumerate(self.rows):
            for j, (w0, w1) in enumerate(self.cols):
                area = (h1 - h0) * (w1 - w0)
                gx[:, :, h0:h1, w0:w1] += (gy[:, :, i, j] / area)[:, :, None, None]
        return gx


def _pool_args(x, kernel_size, stride, padding, nd, op):
    if x.ndim != nd + 2:
        layout = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
        raise ValueError(f"{op}: input must be {nd + 2}-D {layout}, got shape {tuple(x.shape)}")
    kernel = tuple_arg(kernel_size, nd, "kernel_size", op)
    stride = kernel if stride is None else tuple_arg(stride, nd, "stride", op)
    padding = tuple_arg(padding, nd, "padding", op)
    if any(k <= 0 for k in kernel):
        raise ValueError(f"{op}: kernel_size must be positive, got {kernel_size!r}")
    if any(s <= 0 for s in stride):
        raise ValueError(f"{op}: stride must be positive, got {stride}")
    if any(p < 0 or 2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} must be between 0 and half the kernel size "
                         f"{kernel}")
    for k, p, size in zip(kernel, padding, x.shape[2:]):
        if k > size + 2 * p:
            raise ValueError(f"{op}: kernel_size {kernel} is larger than the padded input "
                             f"{tuple(x.shape[2:])} + padding {padding} (input shape "
                             f"{tuple(x.shape)})")
    if nd == 1:
        return (1,) + kernel, (1,) + stride, (0,) + padding
    return kernel, stride, padding


def _pool(cls, x, kernel_size, stride, padding, nd, op):
    kernel, stride, padding = _pool_args(x, kernel_size, stride, padding, nd, op)
    if nd == 1:  # a 1-D pool is a 2-D pool over a height-1 image
        y = cls(kernel, stride, padding).apply(reshape(x, x.shape[0], x.shape[1], 1, x.shape[2]))
        return reshape(y, y.shape[0], y.shape[1], y.shape[3])
    return cls(kernel, stride, padding).apply(x)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """2-D max pooling: x (N, C, H, W) -> (N, C, Ho, Wo), Ho = (H + 2 ph - kh) // sh + 1.

    ``stride`` defaults to ``kernel_size``; padding (at most half the kernel) counts as -inf.
    """
    return _pool(MaxPool2d, x, kernel_size, stride, padding, 2, "max_pool2d")


def max_pool1d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """1-D max pooling: x (N, C, L) -> (N, C, Lo), Lo = (L + 2 p - k) // s + 1."""
    return _pool(MaxPool2d, x, kernel_size, stride, padding, 1, "max_pool1d")


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """2-D average pooling (zero padding included in the mean, as PyTorch's default):
    x (N, C, H, W) -> (N, C, Ho, Wo), Ho = (H + 2 ph - kh) // sh + 1."""
    return _pool(AvgPool2d, x, kernel_size, stride, padding, 2, "avg_pool2d")


def avg_pool1d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """1-D average pooling: x (N, C, L) -> (N, C, Lo), Lo = (L + 2 p - k) // s + 1."""
    return _pool(AvgPool2d, x, kernel_size, stride, padding, 1, "avg_pool1d")


def adaptive_avg_pool2d(x: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (oh, ow) whatever the input size.

    Bin i along H spans rows ``[floor(i H / oh), ceil((i + 1) H / oh))``; None keeps that dim.
    """
    if x.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d: input must be 4-D (N, C, H, W), got shape "
                         f"{tuple(x.shape)}")
    if isinstance(output_size, int) or output_size is None:
        output_size = (output_size, output_size)
    out = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(output_size))
    if len(out) != 2 or any(not isinstance(s, int) or s <= 0 for s in out):
        raise ValueError(f"adaptive_avg_pool2d: output_size must be a positive int or a pair, "
                         f"got {output_size!r}")
    h, w = x.shape[2:]
    if h % out[0] == 0 and w % out[1] == 0:  # equal bins: a plain average pool, vectorized
        k = (h // out[0], w // out[1])
        return AvgPool2d(k, k, (0, 0)).apply(x)
    return AdaptiveAvgPool2d(out).apply(x)
