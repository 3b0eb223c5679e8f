"""Masked ops: masked_fill, masked_select, masked_scatter (a bool mask broadcast to the input)."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, as_tensor
from .registry import register


@register("indexing")
def masked_fill(input, mask, value) -> Tensor:  # noqa: A002
    """``input`` with ``value`` where ``mask`` (bool, broadcast to input) is True."""
    from .arithmetic import where

    x = as_tensor(input)
    m = as_tensor(mask)
    if m.dtype.kind != "b":
        raise RuntimeError(f"masked_fill(): expected a bool mask, got {m.dtype}")
    out = where(m, value, x)
    if tuple(out.shape) != tuple(x.shape):
        raise OpError(f"masked_fill(): mask {tuple(m.shape)} does not broadcast to input "
                      f"{tuple(x.shape)}")
    return out


@register("indexing")
def masked_select(input, mask) -> Tensor:  # noqa: A002
    """The elements where ``mask`` is True, as a 1-D tensor (both broadcast first)."""
    from .shape import broadcast_to, getitem

    x = as_tensor(input)
    m = as_tensor(mask)._data
    xp = get_array_module(m)
    shape = xp.broadcast_shapes(tuple(x.shape), tuple(m.shape))
    return getitem(broadcast_to(x, shape), xp.broadcast_to(m, shape))


class MaskedScatter(Function):
    """``out = x``; the True places of ``mask`` take ``source``'s first elements in order."""

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x, source):
        self.k = int(self.mask.sum())
        if source.size < self.k:
            raise RuntimeError(f"masked_scatter(): source has {source.size} elements, the mask "
                               f"selects {self.k}")
        out = x.copy()
        out[self.mask] = source.reshape(-1)[:self.k]
        self.src_shape = source.shape
        return out

    def backward(self, gy):
        xp = get_array_module(gy)
        gx = xp.where(self.mask, gy.dtype.type(0), gy)
        gs = xp.zeros(self.src_shape, gy.dtype)
        gs.reshape(-1)[:self.k] = gy[self.mask]
        return gx, gs


@register("indexing")
def masked_scatter(input, mask, source) -> Tensor:  # noqa: A002
    """Copy ``source``'s elements, in order, into ``input`` where ``mask`` is True."""
    x = as_tensor(input)
    m = as_tensor(mask)._data
    xp = get_array_module(m)
    m = xp.broadcast_to(m, x.shape)
    return MaskedScatter(m).apply(x, as_tensor(source, x))
