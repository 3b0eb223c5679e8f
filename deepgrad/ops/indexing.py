"""Indexing along a dim: gather, scatter, scatter_add, scatter_reduce, index_select, index_add,
index_copy, index_fill, take, take_along_dim, and the masked ops.

``gather`` is the primitive the sorting family builds on: values = gather(x, dim, indices), so
that sort/topk/kthvalue/median/mode/cummax get their gradients from one backward.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, as_tensor, normalize_dim
from .registry import register


def along(index, dim: int):
    """The advanced-index tuple that picks ``index[i..]`` along ``dim`` and ``i..`` elsewhere."""
    xp = get_array_module(index)
    nd = index.ndim
    tup = []
    for d in range(nd):
        if d == dim:
            tup.append(index)
        else:
            shape = [1] * nd
            shape[d] = index.shape[d]
            tup.append(xp.arange(index.shape[d]).reshape(shape))
    return tuple(tup)


def _index_array(index, op: str):
    data = index._data if isinstance(index, Tensor) else index
    xp = get_array_module(data)
    data = xp.asarray(data)
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {data.dtype}")
    return data


def _check_index(op: str, x_shape, index, dim: int) -> None:
    if index.ndim != len(x_shape) and not (index.ndim <= 1 and len(x_shape) <= 1):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor (index {tuple(index.shape)}, input {tuple(x_shape)})")
    if index.size and (index.max() >= x_shape[dim] or index.min() < -x_shape[dim]):
        raise RuntimeError(f"{op}(): index {int(index.max())} is out of bounds for dimension "
                           f"{dim} with size {x_shape[dim]}")
    for d in range(index.ndim):
        if d != dim and index.shape[d] > x_shape[d]:
            raise RuntimeError(f"{op}(): Size does not match at dimension {d}: index "
                               f"{tuple(index.shape)} is larger than input {tuple(x_shape)}")


class Gather(Function):
    """``y[i][j] = x[i][index[i][j]]`` (dim 1); backward adds ``gy`` at the gathered places."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        self.shape = x.shape
        self.tup = along(self.index, self.dim)
        return x[self.tup]

    def backward(self, gy):
        xp = get_array_module(gy)
        gx = xp.zeros(self.shape, gy.dtype)
        xp.add.at(gx, self.tup, gy)
        return gx


class Scatter(Function):
    """``out = x`` with ``out[index] = src`` (or ``+= src`` when ``add``) along ``dim``."""

    def __init__(self, dim, index, add):
        self.dim, self.index, self.add = dim, index, add

    def forward(self, x, src):
        xp = get_array_module(x)
        self.tup = along(self.index, self.dim)
        out = x.copy()
        part = src[tuple(slice(0, n) for n in self.index.shape)]
        if self.add:
            xp.add.at(out, self.tup, part)
        else:
            out[self.tup] = part
        self.src_shape = src.shape
        return out

    def backward(self, gy):
        xp = get_array_module(gy)
        n = self.needs_input_grad
        gx = gsrc = None
        if n[0]:
            gx = gy
            if not self.add:
                gx = gy.copy()
                gx[self.tup] = 0
        if n[1]:
            gsrc = xp.zeros(self.src_shape, gy.dtype)
            gsrc[tuple(slice(0, k) for k in self.index.shape)] = gy[self.tup]
        return gx, gsrc


def _dim_index(input, dim, index, op):
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, op)
    idx = _index_array(index, op)
    _check_index(op, x.shape, idx, d)
    return x, d, idx % max(x.shape[d], 1) if idx.size else idx


@register("indexing")
def gather(input, dim: int, index, *, sparse_grad: bool = False, out=None) -> Tensor:  # noqa: A002
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` for dim 1 (shapes: index's)."""
    x, d, idx = _dim_index(input, dim, index, "gather")
    return Gather(d, idx).apply(x)


def _src(src, x: Tensor, index) -> Tensor:
    if isinstance(src, Tensor):
        return src if src.dtype == x.dtype else src.to(x.dtype)
    xp = get_array_module(x._data)
    return Tensor._make(xp.full(index.shape, src, x.dtype), False, None, 0)


@register("indexing")
def scatter(input, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:  # noqa: A002
    """``out = input`` with ``out[i][index[i][j]] = src[i][j]`` (dim 1); ``src`` may be a number.
    ``reduce='add'``/``'multiply'`` combine instead of overwrite (PyTorch's legacy keyword)."""
    src = value if src is None else src
    if src is None:
        raise TypeError("scatter(): expected a src tensor or a value")
    if reduce == "add":
        return scatter_add(input, dim, index, src)
    if reduce == "multiply":
        return scatter_reduce(input, dim, index, src, "prod")
    if reduce is not None:
        raise RuntimeError(f"scatter(): reduce argument must be 'add' or 'multiply', got "
                           f"{reduce!r}")
    x, d, idx = _dim_index(input, dim, index, "scatter")
    return Scatter(d, idx, False).apply(x, _src(src, x, idx))


@register("indexing")
def scatter_add(input, dim: int, index, src) -> Tensor:  # noqa: A002
    """``out = input`` then ``out[i][index[i][j]] += src[i][j]`` (dim 1); repeats accumulate."""
    x, d, idx = _dim_index(input, dim, index, "scatter_add")
    return Scatter(d, idx, True).apply(x, _src(src, x, idx))


@register("indexing")
def scatter_reduce(input, dim: int, index, src, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` with 'sum', 'prod', 'mean',
    'amax' or 'amin' (``include_self`` keeps ``input``'s values in the reduction).

    Written with differentiable ops: a one-hot (index == k) mask over ``dim`` turns the
    reduction into one over a new axis, so gradients (ties split evenly for amax/amin, as
    PyTorch's) follow from the ops used.
    """
    from . import arithmetic as M
    from .reduce_more import amax, amin, prod
    from .shape import cat, getitem

    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"scatter_reduce(): reduce argument must be one of sum, prod, mean, "
                           f"amax, amin, got {reduce!r}")
    x, d, idx = _dim_index(input, dim, index, "scatter_reduce")
    src = getitem(_src(src, x, idx), tuple(slice(0, n) for n in idx.shape))
    xp = get_array_module(x._data)
    k = x.shape[d]
    hit = Tensor._make(idx[..., None] == xp.arange(k), False, None, 0)  # idx.shape + (k,)
    neutral = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "amax": float("-inf"),
               "amin": float("inf")}[reduce]
    # cand[..., k at d, ..., j] = src[..., j at d, ...] where index[..., j, ...] == k
    cand = M.where(hit, src.unsqueeze(-1), neutral).transpose(d, -1)
    count = hit._data.swapaxes(d, -1).sum(-1)
    covered = [slice(0, n) for n in idx.shape]
    covered[d] = slice(None)
    xs = getitem(x, tuple(covered))  # the part of input that index spans in the other dims
    if include_self:
        cand = cat([cand, xs.unsqueeze(-1)], -1)
    if reduce in ("sum", "mean"):
        part = cand.sum(-1)
        if reduce == "mean":
            part = part / (count + int(include_self)).clip(1, None).astype(x.dtype)
    elif reduce == "prod":
        part = prod(cand, -1)
    else:
        part = (amax if reduce == "amax" else amin)(cand, -1)
    result = M.where(Tensor._make(count > 0, False, None, 0), part, xs)
    if tuple(result.shape) == tuple(x.shape):
        return result
    from .setitem import index_put

    return index_put(x, tuple(covered), result)


@register("indexing")
def index_select(input, dim: int, index, *, out=None) -> Tensor:  # noqa: A002
    """The slices ``index`` (1-D) of ``input`` along ``dim``; repeats allowed."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "index_select")
    idx = _index_array(index, "index_select").reshape(-1)
    if idx.size and (idx.max() >= x.shape[d] or idx.min() < -x.shape[d]):
        raise IndexError(f"index_select(): index out of range in self (dim {d} of size "
                         f"{x.shape[d]})")
    from .shape import getitem

    return getitem(x, (slice(None),) * d + (idx,))


class IndexAdd(Function):
    """``out = x``; ``out[..., index[i], ...] += alpha * src[..., i, ...]`` along ``dim``."""

    def __init__(self, dim, index, alpha, copy):
        self.dim, self.index, self.alpha, self.copy = dim, index, alpha, copy

    def forward(self, x, src):
        xp = get_array_module(x)
        self.key = (slice(None),) * self.dim + (self.index,)
        out = x.copy()
        if self.copy:
            out[self.key] = src
        else:
            xp.add.at(out, self.key, src * src.dtype.type(self.alpha) if self.alpha != 1 else src)
        return out

    def backward(self, gy):
        n = self.needs_input_grad
        gx = gs = None
        if n[0]:
            gx = gy
            if self.copy:
                gx = gy.copy()
                gx[self.key] = 0
        if n[1]:
            gs = gy[self.key]
            if self.alpha != 1:
                gs = gs * gs.dtype.type(self.alpha)
        return gx, gs


def _index_update(op, input, dim, index, source, alpha=1, copy=False):
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, op)
    idx = _index_array(index, op).reshape(-1)
    src = as_tensor(source, x)
    if src.dtype != x.dtype:
        src = src.to(x.dtype)
    expect = x.shape[:d] + (idx.size,) + x.shape[d + 1:]
    if tuple(src.shape) != expect and not (src.ndim == 0 and x.ndim == 0):
        raise RuntimeError(f"{op}(): source of shape {tuple(src.shape)} does not match the "
                           f"expected shape {expect} (input {tuple(x.shape)}, dim {d}, "
                           f"{idx.size} indices)")
    return IndexAdd(d, idx, alpha, copy).apply(x, src)


@register("indexing")
def index_add(input, dim: int, index, source, *, alpha=1) -> Tensor:  # noqa: A002
    """``out = input``; ``out.select(dim, index[i]) += alpha * source.select(dim, i)``."""
    return _index_update("index_add", input, dim, index, source, alpha)


@register("indexing")
def index_copy(input, dim: int, index, source) -> Tensor:  # noqa: A002
    """``out = input``; ``out.select(dim, index[i]) = source.select(dim, i)``."""
    return _index_update("index_copy", input, dim, index, source, copy=True)


@register("indexing")
def index_fill(input, dim: int, index, value) -> Tensor:  # noqa: A002
    """``out = input`` with the slices ``index`` along ``dim`` set to ``value``."""
    from .arithmetic import where

    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "index_fill")
    idx = _index_array(index, "index_fill").reshape(-1)
    xp = get_array_module(x._data)
    mask = xp.zeros(x.shape[d], bool)
    mask[idx] = True
    mask = mask.reshape((-1,) + (1,) * (x.ndim - d - 1)) if x.ndim else mask.reshape(())
    return where(Tensor._make(mask, False, None, 0), value, x)


@register("indexing")
def take(input, index) -> Tensor:  # noqa: A002
    """Elements of the flattened ``input`` at ``index`` (output has ``index``'s shape)."""
    x = as_tensor(input)
    idx = _index_array(index, "take")
    n = x._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"take(): index out of range for a tensor of {n} elements")
    from .shape import getitem, reshape

    return getitem(reshape(x, (-1,)), idx)


@register("indexing")
def take_along_dim(input, indices, dim: int | None = None) -> Tensor:  # noqa: A002
    """``gather`` with broadcasting between ``input`` and ``indices`` (flattened if dim=None)."""
    from .shape import broadcast_to, reshape

    x = as_tensor(input)
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return gather(reshape(x, (-1,)), 0, idx.reshape(-1))
    d = normalize_dim(dim, x.ndim, "take_along_dim")
    xp = get_array_module(idx)
    shape_x, shape_i = list(x.shape), list(idx.shape)
    shape_x[d] = shape_i[d] = 1
    try:
        common = list(xp.broadcast_shapes(tuple(shape_x), tuple(shape_i)))
    except ValueError:
        raise OpError(f"take_along_dim(): input {tuple(x.shape)} and indices "
                      f"{tuple(idx.shape)} do not broadcast outside dim {d}") from None
    xs, ix = list(common), list(common)
    xs[d], ix[d] = x.shape[d], idx.shape[d]
    return gather(broadcast_to(x, tuple(xs)), d, xp.broadcast_to(idx, tuple(ix)))
