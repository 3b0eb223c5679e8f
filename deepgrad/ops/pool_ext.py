"""Poolings with all of PyTorch's options, in 1, 2 and 3 spatial dims.

max_pool{1,2,3}d (dilation, ceil_mode, return_indices), avg_pool{1,2,3}d (ceil_mode,
count_include_pad, divisor_override), lp_pool{1,2}d, adaptive_max_pool{1,2}d,
adaptive_avg_pool1d and max_unpool{1,2,3}d. The plain 1-D/2-D cases (no dilation, floor mode,
no indices, padding counted) go to the fast window-view ops of ``pool.py``; the rest gather the
windows with ``unfold.py``. A max pool picks, per window, the flat index (into the input's
spatial dims, as PyTorch's ``indices``) of its first maximum and then *takes* those elements, so
its gradient goes to exactly the returned indices.
"""
from __future__ import annotations

import itertools
import math

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import pool as P
from .activation import relu
from .conv import tuple_arg
from .shape import reshape
from .unfold import Unfold, _tap_slices, gather, place


class TakeFlat(Function):
    """``y[n, c, o] = x[n, c].flat[idx[n, c, o]]``; gradients add into the taken places."""

    def __init__(self, idx):
        self.idx = idx

    def forward(self, x):
        self.shape = x.shape
        xp = get_array_module(x)
        flat = x.reshape(x.shape[:2] + (-1,))
        i = self.idx.reshape(self.idx.shape[:2] + (-1,))
        return xp.take_along_axis(flat, i, axis=2).reshape(self.idx.shape)

    def backward(self, gy):
        # One bincount over (sample, channel, position) slots: adds repeated indices (windows
        # overlap) several times faster than ufunc.add.at.
        xp = get_array_module(gy)
        n, c = self.idx.shape[:2]
        size = math.prod(self.shape[2:])
        slots = (xp.arange(n * c)[:, None] * size + self.idx.reshape(n * c, -1)).reshape(-1)
        g = xp.bincount(slots, weights=gy.reshape(-1), minlength=n * c * size)
        return g.astype(gy.dtype, copy=False).reshape(self.shape)


class PutFlat(Function):
    """Adjoint of TakeFlat (max_unpool): ``y[n, c].flat[idx[n, c, o]] = x[n, c, o]`` on zeros."""

    def __init__(self, idx, out):
        self.idx, self.out = idx, out

    def forward(self, x):
        xp = get_array_module(x)
        n, c = x.shape[:2]
        y = xp.zeros((n, c, math.prod(self.out)), x.dtype)
        xp.put_along_axis(y, self.idx.reshape(n, c, -1), x.reshape(n, c, -1), axis=2)
        return y.reshape((n, c) + tuple(self.out))

    def backward(self, gy):
        xp = get_array_module(gy)
        n, c = gy.shape[:2]
        i = self.idx.reshape(n, c, -1)
        return xp.take_along_axis(gy.reshape(n, c, -1), i, axis=2).reshape(self.idx.shape)


def _args(op, x, nd, kernel_size, stride, padding, dilation, ceil_mode):
    # ValueError with the messages of pool.py's checks, so both paths fail alike.
    if x.ndim != nd + 2:
        raise ValueError(f"{op}: input must be {nd + 2}-D (N, C, {nd} spatial dims), got "
                         f"shape {tuple(x.shape)}")
    kernel = tuple_arg(kernel_size, nd, "kernel_size", op)
    stride = kernel if stride is None or stride == [] else tuple_arg(stride, nd, "stride", op)
    padding = tuple_arg(padding, nd, "padding", op)
    dilation = tuple_arg(dilation, nd, "dilation", op)
    if min(kernel) <= 0 or min(stride) <= 0 or min(dilation) <= 0:
        raise ValueError(f"{op}: kernel_size {kernel}, stride must be positive, and dilation "
                         f"{dilation} too; got stride {stride}")
    if any(p < 0 or 2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} must be between 0 and half the kernel size "
                         f"{kernel}")
    out = []
    for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + p:  # the last window must start inside the input
            o -= 1
        if o <= 0:
            raise ValueError(f"{op}: kernel_size {kernel} is larger than the padded input "
                             f"{tuple(x.shape[2:])} + padding {padding} (dilation {dilation}, "
                             f"input shape {tuple(x.shape)})")
        out.append(o)
    out = tuple(out)
    canvas = tuple(max((o - 1) * s + d * (k - 1) + 1, n + 2 * p)
                   for o, s, d, k, n, p in zip(out, stride, dilation, kernel, x.shape[2:],
                                               padding))
    return kernel, stride, padding, dilation, out, canvas


def _max_indices_reference(x, kernel, stride, padding, dilation, out, canvas):
    """Flat index (into the spatial dims) of each window's first maximum: (N, C, *out), from
    the gathered windows and their gathered positions (slow, obviously right)."""
    xp = get_array_module(x._data)
    vals = gather(xp, place(xp, x._data, padding, canvas, -xp.inf), kernel, stride, dilation, out)
    spatial = x.shape[2:]
    pos = xp.arange(math.prod(spatial)).reshape((1, 1) + tuple(spatial))
    pos = gather(xp, place(xp, pos, padding, canvas, 0), kernel, stride, dilation, out)
    best = xp.expand_dims(vals.argmax(axis=2), 2)
    return xp.take_along_axis(xp.broadcast_to(pos, vals.shape), best, axis=2)[:, :, 0]


def _max_indices(x, kernel, stride, padding, dilation, out, canvas):
    """As ``_max_indices_reference``, by a running comparison over the tap views (an argmax
    over a strided window axis is slow) and index arithmetic for the positions."""
    xp = get_array_module(x._data)
    a = place(xp, x._data, padding, canvas, -xp.inf)
    best = arg = None
    for k, sl in enumerate(_tap_slices(kernel, stride, dilation, out)):
        v = a[(Ellipsis,) + sl]
        if best is None:
            best, arg = v.copy(), xp.zeros(v.shape, xp.int64)
            continue
        better = v > best  # strict: the first maximum wins, as PyTorch
        xp.copyto(best, v, where=better)
        arg[better] = k
    flat = xp.zeros(arg.shape, xp.int64)
    taps = xp.unravel_index(arg, kernel)
    spatial = x.shape[2:]
    valid = True
    for d, (t, s, dil, p, n) in enumerate(zip(taps, stride, dilation, padding, spatial)):
        o = xp.arange(out[d]).reshape((-1,) + (1,) * (len(out) - d - 1))
        coord = o * s + t * dil - p
        valid = valid & (coord >= 0) & (coord < n)
        flat = flat * n + coord
    if not bool(xp.all(valid)):  # a window of -inf inputs only: let argmax order decide
        return _max_indices_reference(x, kernel, stride, padding, dilation, out, canvas)
    return flat


def max_pool_nd(x: Tensor, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                nd: int, op: str):
    """Shared body of max_pool1d/2d/3d."""
    geom = _args(op, x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    kernel, stride, padding, dilation, out, canvas = geom
    if (nd < 3 and not return_indices and not ceil_mode and set(dilation) == {1}):
        return P._pool(P.MaxPool2d, x, kernel, stride, padding, nd, op)
    idx = _max_indices(x, *geom[:4], out, canvas)
    y = TakeFlat(idx).apply(x)
    if return_indices:
        return y, Tensor._make(idx.astype("int64", copy=False), False, None, 0)
    return y


def avg_pool_nd(x: Tensor, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, nd: int, op: str) -> Tensor:
    """Shared body of avg_pool1d/2d/3d."""
    kernel, stride, padding, dilation, out, canvas = _args(op, x, nd, kernel_size, stride,
                                                           padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override <= 0:
        raise RuntimeError(f"{op}: divisor_override must be positive, got {divisor_override}")
    if nd < 3 and not ceil_mode and count_include_pad and divisor_override is None:
        return P._pool(P.AvgPool2d, x, kernel, stride, padding, nd, op)
    xp = get_array_module(x._data)
    total = Unfold(padding, canvas, kernel, stride, dilation, out).apply(x).sum(dim=2)
    if divisor_override is not None:
        return total / divisor_override
    # Windows count the padded input's cells (count_include_pad) or the input's, never the
    # cells that ceil_mode adds past the padding.
    spatial = x.shape[2:]
    if count_include_pad:
        ones = xp.ones((1, 1) + tuple(n + 2 * p for n, p in zip(spatial, padding)), x.dtype)
        ones = place(xp, ones, (0,) * nd, canvas, 0)
    else:
        ones = place(xp, xp.ones((1, 1) + tuple(spatial), x.dtype), padding, canvas, 0)
    count = gather(xp, ones, kernel, stride, dilation, out).sum(axis=2)
    return total / Tensor._make(count, False, None, 0)


def lp_pool_nd(x: Tensor, norm_type: float, kernel_size, stride, ceil_mode, nd, op) -> Tensor:
    """``(sum over the window of x^p)^(1/p)`` as PyTorch computes it (no padding)."""
    kernel = tuple_arg(kernel_size, nd, "kernel_size", op)
    mean = avg_pool_nd(x ** norm_type, kernel, stride, 0, ceil_mode, True, None, nd, op)
    xp = get_array_module(mean._data)
    sign = Tensor._make(xp.sign(mean._data), False, None, 0)
    return (sign * relu(abs(mean)) * math.prod(kernel)) ** (1.0 / norm_type)


def _bins(size, out):
    """PyTorch's adaptive bins along one dim: [floor(i n / o), ceil((i + 1) n / o))."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _output_size(op, x, output_size, nd):
    if isinstance(output_size, int) or output_size is None:
        output_size = (output_size,) * nd
    out = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(output_size))
    if len(out) != nd or any(not isinstance(s, int) or s <= 0 for s in out):
        raise RuntimeError(f"{op}: output_size must be a positive int or a {nd}-tuple, got "
                           f"{output_size!r}")
    return out


def adaptive_max_pool_nd(x: Tensor, output_size, return_indices, nd: int, op: str):
    """Max over PyTorch's adaptive bins; indices are flat in the input's spatial dims."""
    if x.ndim != nd + 2:
        raise RuntimeError(f"{op}: input must be {nd + 2}-D, got shape {tuple(x.shape)}")
    out = _output_size(op, x, output_size, nd)
    xp = get_array_module(x._data)
    spatial = x.shape[2:]
    pos = xp.arange(math.prod(spatial)).reshape(spatial)
    idx = xp.empty(x.shape[:2] + out, xp.int64)
    flat = x._data.reshape(x.shape[:2] + (-1,))
    bins = [_bins(n, o) for n, o in zip(spatial, out)]
    for cell in itertools.product(*[range(o) for o in out]):
        region = tuple(slice(*bins[d][i]) for d, i in enumerate(cell))
        where = pos[region].reshape(-1)
        best = flat[:, :, where].argmax(axis=2)
        idx[(Ellipsis,) + cell] = where[best]
    y = TakeFlat(idx).apply(x)
    return (y, Tensor._make(idx, False, None, 0)) if return_indices else y


def max_unpool_nd(x: Tensor, indices, kernel_size, stride, padding, output_size, nd: int,
                  op: str) -> Tensor:
    """Place each value at its max-pool index in a zero (N, C, *out) array."""
    kernel = tuple_arg(kernel_size, nd, "kernel_size", op)
    stride = kernel if stride is None else tuple_arg(stride, nd, "stride", op)
    padding = tuple_arg(padding, nd, "padding", op)
    if output_size is None:
        out = tuple((n - 1) * s - 2 * p + k
                    for n, s, p, k in zip(x.shape[2:], stride, padding, kernel))
    else:
        out = tuple(output_size)[-nd:]
    idx = indices._data if isinstance(indices, Tensor) else indices
    if tuple(idx.shape) != tuple(x.shape):
        raise RuntimeError(f"{op}: indices shape {tuple(idx.shape)} must equal the input shape "
                           f"{tuple(x.shape)}")
    if idx.size and (idx.min() < 0 or idx.max() >= math.prod(out)):
        raise RuntimeError(f"{op}: an index is out of range for the output size {out}")
    unbatched = x.ndim == nd + 1
    if unbatched:
        x, idx = reshape(x, 1, *x.shape), idx[None]
    y = PutFlat(idx, out).apply(x)
    return reshape(y, *y.shape[1:]) if unbatched else y
