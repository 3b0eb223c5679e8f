"""Sorting and selection: sort, argsort, topk, kthvalue, median, mode, unique, bincount, histc.

Each selection computes indices on arrays, then takes its values with ``gather``, so the
gradient flows to the selected elements only (PyTorch's rule).
"""
from __future__ import annotations

from collections import namedtuple

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, normalize_dim
from .indexing import gather
from .registry import register

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


def _order(xp, data, d, descending, stable=True):
    """Indices sorting ``data`` along ``d``; NaN sorts as the largest value (PyTorch)."""
    if descending:
        # Reverse a stable ascending sort of the negated order keys, keeping equal keys in
        # their original order: sort by -x, NaN first (largest).
        key = data
        if data.dtype.kind == "b":
            key = data.astype("int8")
        if key.dtype.kind == "f":
            nan = xp.isnan(key)
            key = xp.where(nan, -xp.inf, -key)
            idx = xp.argsort(key, axis=d, kind="stable")
            # -inf from NaN and from +inf tie; put the NaN ones first as PyTorch does.
            first = xp.take_along_axis(nan, idx, d)
            return xp.take_along_axis(idx, xp.argsort(~first, axis=d, kind="stable"), d)
        return xp.argsort(-key.astype("int64") if key.dtype.kind == "u" else -key, axis=d,
                          kind="stable")
    return xp.argsort(data, axis=d, kind="stable")


@register("sorting")
def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):  # noqa: A002
    """``(values, indices)`` sorted along ``dim``; equal values keep their order."""
    x = as_tensor(input)
    if x.ndim == 0:
        return ValuesIndices(x.clone(), _const(x._data.astype("int64") * 0))
    d = normalize_dim(dim, x.ndim, "sort")
    xp = get_array_module(x._data)
    idx = _order(xp, x._data, d, descending).astype("int64")
    return ValuesIndices(gather(x, d, idx), _const(idx))


@register("sorting", differentiable=False)
def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False):  # noqa: A002
    """The indices that sort ``input`` along ``dim``."""
    return sort(input, dim, descending, stable).indices


@register("sorting", differentiable=False)
def msort(input) -> Tensor:  # noqa: A002
    """``sort(input, dim=0).values``."""
    return sort(input, 0).values


@register("sorting")
def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "topk") if x.ndim else 0
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k={k} out of range for dim {d} of size {n}")
    if x.ndim == 0:
        return ValuesIndices(x.clone(), _const(x._data.astype("int64") * 0))
    xp = get_array_module(x._data)
    idx = _order(xp, x._data, d, largest)
    idx = xp.take(idx, xp.arange(k), axis=d).astype("int64")
    return ValuesIndices(gather(x, d, idx), _const(idx))


@register("sorting")
def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):  # noqa: A002
    """The ``k``-th smallest value (1-based) along ``dim`` and its index."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "kthvalue") if x.ndim else 0
    n = x.shape[d] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dim {d} of "
                           f"size {n}")
    return _pick(x, d, lambda xp, idx: xp.take(idx, [k - 1], axis=d), keepdim)


def _pick(x, d, choose, keepdim):
    """Values and indices at the sorted positions that ``choose`` keeps (one along ``d``)."""
    if x.ndim == 0:
        return ValuesIndices(x.clone(), _const(x._data.astype("int64") * 0))
    xp = get_array_module(x._data)
    idx = choose(xp, _order(xp, x._data, d, False)).astype("int64")
    values = gather(x, d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return ValuesIndices(values, _const(idx))


@register("sorting")
def median(input, dim: int | None = None, keepdim: bool = False):  # noqa: A002
    """The lower median (the ``(n-1)//2``-th smallest) over all elements, or ``(values,
    indices)`` along ``dim``; the gradient goes to the chosen element."""
    x = as_tensor(input)
    if dim is None:
        flat = x.reshape(-1)
        n = flat.shape[0]
        return _pick(flat, 0, lambda xp, idx: xp.take(idx, [(n - 1) // 2], axis=0),
                     False).values
    d = normalize_dim(dim, x.ndim, "median") if x.ndim else 0
    n = x.shape[d] if x.ndim else 1
    return _pick(x, d, lambda xp, idx: xp.take(idx, [(n - 1) // 2], axis=d), keepdim)


@register("sorting")
def mode(input, dim: int = -1, keepdim: bool = False):  # noqa: A002
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and an
    index where it occurs."""
    x = as_tensor(input)
    if x.ndim == 0:
        return ValuesIndices(x.clone(), _const(x._data.astype("int64") * 0))
    d = normalize_dim(dim, x.ndim, "mode")
    xp = get_array_module(x._data)
    xm = xp.moveaxis(x._data, d, -1)
    order = xp.argsort(xm, axis=-1, kind="stable")
    s = xp.take_along_axis(xm, order, -1)
    n = s.shape[-1]
    pos = xp.arange(n)
    differs = s[..., 1:] != s[..., :-1]
    new_run = xp.concatenate([xp.ones(s.shape[:-1] + (1,), bool), differs], -1)
    run_end = xp.concatenate([differs, xp.ones(s.shape[:-1] + (1,), bool)], -1)
    start = xp.maximum.accumulate(xp.where(new_run, pos, 0), -1)
    end = xp.flip(xp.minimum.accumulate(xp.flip(xp.where(run_end, pos, n - 1), -1), -1), -1)
    # The first (smallest) value with the longest run; its last occurrence in sorted order.
    best = xp.argmax(end - start, axis=-1)[..., None]
    last = xp.take_along_axis(end, best, -1)
    idx = xp.take_along_axis(order, last, -1)
    idx = xp.moveaxis(idx, -1, d).astype("int64")
    values = gather(x, d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return ValuesIndices(values, _const(idx))


@register("sorting", differentiable=False)
def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None):
    """The distinct values (sorted), with the inverse indices and counts when asked."""
    x = as_tensor(input)
    xp = get_array_module(x._data)
    if dim is None:
        vals, inv, cnt = xp.unique(x._data.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(x.shape)
    else:
        d = normalize_dim(dim, x.ndim, "unique")
        vals, inv, cnt = xp.unique(x._data, return_inverse=True, return_counts=True, axis=d)
        inv = inv.reshape(-1)
    out = [_const(vals)]
    if return_inverse:
        out.append(_const(inv.astype("int64")))
    if return_counts:
        out.append(_const(cnt.astype("int64")))
    return out[0] if len(out) == 1 else tuple(out)


@register("sorting", differentiable=False)
def bincount(input, weights=None, minlength: int = 0) -> Tensor:  # noqa: A002
    """Count of each value of a 1-D non-negative integer tensor (weighted sums with
    ``weights``: float64 for float64 weights, else float32... as PyTorch: the weights' dtype
    promoted to at least float)."""
    x = as_tensor(input)
    if x.ndim != 1 or x.dtype.kind not in "iu":
        raise RuntimeError(f"bincount(): expects a 1-D integer tensor, got {x.dtype} of shape "
                           f"{tuple(x.shape)}")
    if x._data.size and x._data.min() < 0:
        raise RuntimeError("bincount(): input must contain non-negative values only")
    xp = get_array_module(x._data)
    if weights is None:
        return _const(xp.bincount(x._data, minlength=minlength).astype("int64"))
    w = as_tensor(weights)
    out = xp.bincount(x._data, weights=w._data, minlength=minlength)
    return _const(out.astype(w.dtype if w.dtype.kind == "f" else "float64"))


@register("sorting", differentiable=False)
def histc(input, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Histogram of ``bins`` equal bins over [min, max] (the data's range when both are 0);
    values outside are ignored."""
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise RuntimeError(f"histc(): expects a floating point input, got {x.dtype}")
    xp = get_array_module(x._data)
    lo, hi = float(min), float(max)
    if lo == hi and x._data.size:
        lo, hi = float(x._data.min()), float(x._data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = xp.histogram(x._data, bins=bins, range=(lo, hi))
    return _const(counts.astype(x.dtype))
