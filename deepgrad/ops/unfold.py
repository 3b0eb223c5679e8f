"""Sliding windows in N spatial dims: ``unfold`` (im2col) and its adjoint ``fold`` (col2im).

Both ops work on a *canvas*: the input occupies ``[start, start + size)`` of each spatial dim of
a larger array filled with ``fill`` (zero padding, -inf for max pooling, or room for
``output_padding``), and windows of ``kernel`` taps spaced by ``dilation`` start every ``stride``
on the canvas. ``Unfold`` gathers the windows, ``Fold`` adds them back and crops; each one's
backward is the other's forward. Gathering walks the prod(kernel) tap offsets, one strided view
each, never a per-window Python loop. conv3d, conv_transpose*, the general poolings and
F.unfold / F.fold all build on these two.
"""
from __future__ import annotations

import itertools
import math

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .conv import tuple_arg
from .shape import reshape


def _tap_slices(kernel, stride, dilation, out):
    """Yield, per tap offset (row-major over the kernel), the spatial slices of its view."""
    for taps in itertools.product(*[range(k) for k in kernel]):
        yield tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                    for t, d, s, o in zip(taps, dilation, stride, out))


def place(xp, x, start, canvas, fill):
    """``x`` (N, C, *S) inside a new (N, C, *canvas) array of ``fill`` at offsets ``start``."""
    if all(a == 0 for a in start) and tuple(x.shape[2:]) == tuple(canvas):
        return x
    a = xp.full(x.shape[:2] + tuple(canvas), fill, x.dtype)
    a[(Ellipsis,) + _region(start, x.shape[2:])] = x
    return a


def _region(start, size):
    return tuple(slice(b, b + n) for b, n in zip(start, size))


def gather(xp, a, kernel, stride, dilation, out):
    """Windows of the canvas ``a`` (N, C, *canvas) as (N, C, prod(kernel), *out)."""
    cols = xp.empty(a.shape[:2] + (math.prod(kernel),) + tuple(out), a.dtype)
    for k, sl in enumerate(_tap_slices(kernel, stride, dilation, out)):
        cols[:, :, k] = a[(Ellipsis,) + sl]
    return cols


def scatter(xp, cols, canvas, kernel, stride, dilation):
    """Adjoint of ``gather``: add the windows (N, C, K, *out) into a zero (N, C, *canvas)."""
    a = xp.zeros(cols.shape[:2] + tuple(canvas), cols.dtype)
    out = cols.shape[3:]
    for k, sl in enumerate(_tap_slices(kernel, stride, dilation, out)):
        a[(Ellipsis,) + sl] += cols[:, :, k]
    return a


class Unfold(Function):
    """x (N, C, *S) -> windows (N, C, prod(kernel), *out) of x placed at ``start`` on a zero
    canvas."""

    def __init__(self, start, canvas, kernel, stride, dilation, out):
        self.start, self.canvas = start, canvas
        self.geometry = kernel, stride, dilation, out

    def forward(self, x):
        self.size = x.shape[2:]
        xp = get_array_module(x)
        return gather(xp, place(xp, x, self.start, self.canvas, 0), *self.geometry)

    def backward(self, gy):
        kernel, stride, dilation, _ = self.geometry
        a = scatter(get_array_module(gy), gy, self.canvas, kernel, stride, dilation)
        return a[(Ellipsis,) + _region(self.start, self.size)]


class Fold(Function):
    """Adjoint of Unfold: windows (N, C, prod(kernel), *out) summed into the canvas, then the
    region ``[start, start + size)`` cut out."""

    def __init__(self, start, size, canvas, kernel, stride, dilation):
        self.start, self.size, self.canvas = start, size, canvas
        self.geometry = kernel, stride, dilation

    def forward(self, cols):
        self.out = cols.shape[3:]
        a = scatter(get_array_module(cols), cols, self.canvas, *self.geometry)
        return a[(Ellipsis,) + _region(self.start, self.size)]

    def backward(self, gy):
        xp = get_array_module(gy)
        return gather(xp, place(xp, gy, self.start, self.canvas, 0), *self.geometry, self.out)


def out_size(size, kernel, stride, padding, dilation):
    """Windows along each dim: ``(S + 2p - d (k - 1) - 1) // s + 1``."""
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, s, p, d in zip(size, kernel, stride, padding, dilation))


def _geometry(op, nd, kernel_size, dilation, padding, stride):
    kernel = tuple_arg(kernel_size, nd, "kernel_size", op)
    dilation = tuple_arg(dilation, nd, "dilation", op)
    padding = tuple_arg(padding, nd, "padding", op)
    stride = tuple_arg(stride, nd, "stride", op)
    if min(kernel + dilation + stride) <= 0 or min(padding) < 0:
        raise ValueError(f"{op}: kernel_size, dilation and stride must be positive and padding "
                         f"non-negative, got kernel_size={kernel_size}, dilation={dilation}, "
                         f"padding={padding}, stride={stride}")
    return kernel, dilation, padding, stride


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:  # noqa: A002
    """Sliding local blocks (im2col): (N, C, H, W) -> (N, C kh kw, L), L = Ho Wo.

    Column ``c kh kw + i kw + j`` of block l holds ``x_pad[c, ho s + i d, wo s + j d]``.
    """
    if input.ndim != 4:
        raise RuntimeError(f"unfold: input must be 4-D (N, C, H, W), got shape "
                           f"{tuple(input.shape)}")
    kernel, dilation, padding, stride = _geometry("unfold", 2, kernel_size, dilation, padding,
                                                  stride)
    out = out_size(input.shape[2:], kernel, stride, padding, dilation)
    if min(out) <= 0:
        raise RuntimeError(f"unfold: kernel_size {kernel} with dilation {dilation} does not fit "
                           f"the padded input {tuple(input.shape)} (padding {padding})")
    canvas = tuple(n + 2 * p for n, p in zip(input.shape[2:], padding))
    cols = Unfold(padding, canvas, kernel, stride, dilation, out).apply(input)
    n, c = input.shape[:2]
    return reshape(cols, n, c * kernel[0] * kernel[1], out[0] * out[1])


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0,  # noqa: A002
         stride=1) -> Tensor:
    """Sum sliding blocks back into an image (col2im): (N, C kh kw, L) -> (N, C, H, W).

    The adjoint of ``unfold`` with the same arguments (overlaps add up).
    """
    kernel, dilation, padding, stride = _geometry("fold", 2, kernel_size, dilation, padding,
                                                  stride)
    size = tuple_arg(output_size, 2, "output_size", "fold")
    unbatched = input.ndim == 2
    x = reshape(input, 1, *input.shape) if unbatched else input
    k = kernel[0] * kernel[1]
    out = out_size(size, kernel, stride, padding, dilation)
    if x.ndim != 3 or x.shape[1] % k or x.shape[2] != out[0] * out[1]:
        raise RuntimeError(f"fold: input shape {tuple(input.shape)} must be (N, C * {k}, "
                           f"{out[0] * out[1]}) for output_size {size}, kernel_size {kernel}, "
                           f"dilation {dilation}, padding {padding}, stride {stride}")
    cols = reshape(x, x.shape[0], x.shape[1] // k, k, *out)
    canvas = tuple(n + 2 * p for n, p in zip(size, padding))
    y = Fold(padding, size, canvas, kernel, stride, dilation).apply(cols)
    return reshape(y, *y.shape[1:]) if unbatched else y
