"""Scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp."""
from __future__ import annotations

from collections import namedtuple

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input, normalize_dim
from .registry import register

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _flip_cumsum(xp, g, axis):
    """``sum_{j >= i} g_j`` along ``axis``: the adjoint of cumsum."""
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis), axis)


class CumSum(Function):
    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        return get_array_module(x).cumsum(x, self.dim, dtype=x.dtype)

    def backward(self, gy):
        return _flip_cumsum(get_array_module(gy), gy, self.dim)


class CumProd(Function):
    """``y_i = prod_{k <= i} x_k``; d/dx_i = sum_{j >= i} gy_j prod_{k <= j, k != i} x_k.

    Without zeros that is ``revcumsum(gy y) / x``; with zeros in a slice the slice's gradient
    is built exactly from exclusive products (one pass per position of the scanned dim).
    """

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        self.x = x
        self.y = get_array_module(x).cumprod(x, self.dim, dtype=x.dtype)
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)
        x, y, d = self.x, self.y, self.dim
        zero = x == 0
        if not zero.any():
            return _flip_cumsum(xp, gy * y, d) / x
        xm, gm = xp.moveaxis(x, d, -1), xp.moveaxis(gy, d, -1)
        n = xm.shape[-1]
        gx = xp.zeros_like(xm)
        for i in range(n):
            before = xm[..., :i].prod(-1, keepdims=True)
            after = xp.cumprod(xm[..., i + 1:], -1)  # prod_{i < k <= j} x_k for j > i
            gx[..., i] = (before[..., 0] * (gm[..., i] + (gm[..., i + 1:] * after).sum(-1)))
        return xp.moveaxis(gx, -1, d)


def _scan_input(input, dim, dtype, op):
    x = as_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    elif x._data.dtype.kind in "biu" and x._data.dtype != "int64":
        x = Tensor._make(x._data.astype("int64"), False, None, 0)  # PyTorch: integer scans int64
    return x, normalize_dim(dim, x.ndim, op)


@register("scan")
def cumsum(input, dim: int, *, dtype=None, out=None) -> Tensor:  # noqa: A002
    """Running sum along ``dim``: ``y_i = sum_{k <= i} x_k``."""
    x, d = _scan_input(input, dim, dtype, "cumsum")
    if x.ndim == 0:
        return x.clone()
    from .compare import _out

    return _out(CumSum(d).apply(x), out)


@register("scan")
def cumprod(input, dim: int, *, dtype=None, out=None) -> Tensor:  # noqa: A002
    """Running product along ``dim``: ``y_i = prod_{k <= i} x_k`` (exact gradient at zeros)."""
    x, d = _scan_input(input, dim, dtype, "cumprod")
    if x.ndim == 0:
        return x.clone()
    from .compare import _out

    return _out(CumProd(d).apply(x), out)


def _cum_extreme(input, dim, largest, op):
    from .indexing import gather

    x = as_tensor(input)
    if x.ndim == 0:
        return ValuesIndices(x.clone(), Tensor._make(x._data.astype("int64") * 0, False, None, 0))
    d = normalize_dim(dim, x.ndim, op)
    xp = get_array_module(x._data)
    xm = xp.moveaxis(x._data, d, -1)
    n = xm.shape[-1]
    pos = xp.broadcast_to(xp.arange(n), xm.shape)
    # The running extreme's index is the last position reaching it (PyTorch's choice on ties).
    best = (xp.maximum if largest else xp.minimum).accumulate(xm, -1)
    reached = xp.where(xm == best, pos, -1)
    nan = xp.isnan(xm) if xm.dtype.kind == "f" else None
    if nan is not None and nan.any():
        reached = xp.where(nan, pos, reached)
    idx = xp.maximum.accumulate(reached, -1)
    idx = xp.moveaxis(idx, -1, d).astype("int64")
    return ValuesIndices(gather(x, d, idx), Tensor._make(idx, False, None, 0))


@register("scan")
def cummax(input, dim: int):  # noqa: A002
    """Running maximum and the index where it was reached, along ``dim``."""
    return _cum_extreme(input, dim, True, "cummax")


@register("scan")
def cummin(input, dim: int):  # noqa: A002
    """Running minimum and the index where it was reached, along ``dim``."""
    return _cum_extreme(input, dim, False, "cummin")


class LogCumSumExp(Function):
    """``y_i = log sum_{k <= i} e^(x_k)`` via ``logaddexp.accumulate`` (no overflow);
    d/dx_k = sum_{i >= k} gy_i e^(x_k - y_i), summed in log space by sign so that nothing
    overflows however far apart the values are."""

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        self.x = x
        self.y = get_array_module(x).logaddexp.accumulate(x, self.dim)
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)
        d, x, y = self.dim, self.x, self.y

        def part(v):  # x_k + log sum_{i >= k} v_i e^(-y_i), for v >= 0
            logv = xp.full(v.shape, -xp.inf, v.dtype)
            xp.log(v, out=logv, where=v > 0)
            acc = xp.flip(xp.logaddexp.accumulate(xp.flip(logv - y, d), d), d)
            return xp.exp(x + acc)

        return part(xp.maximum(gy, 0)) - part(xp.maximum(-gy, 0))


@register("scan")
def logcumsumexp(input, dim: int, *, out=None) -> Tensor:  # noqa: A002
    """Running ``log(sum(exp(x)))`` along ``dim``, computed stably."""
    x = float_input(input)
    if x.ndim == 0:
        return x.clone()
    from .compare import _out

    return _out(LogCumSumExp(normalize_dim(dim, x.ndim, "logcumsumexp")).apply(x), out)
