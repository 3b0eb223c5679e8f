"""Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p)."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..random import generator_like


class Dropout(Function):
    def __init__(self, p, rng):
        self.p, self.rng = p, rng

    def forward(self, x):
        keep = self.rng.random(x.shape, dtype=x.dtype if x.dtype.kind == "f" else None)
        mask = (keep >= self.p) * x.dtype.type(1.0 / (1.0 - self.p))
        self.mask = mask
        return x * mask

    def backward(self, gy):
        return gy * self.mask


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator_=None) -> Tensor:
    """In training, ``y = x * m / (1 - p)`` with ``m ~ Bernoulli(1 - p)``; identity otherwise.
    ``inplace=True`` is accepted and computes out of place (use the result).

    The expected value of ``y`` equals ``x``, so nothing changes at evaluation time. The mask is
    drawn on ``x``'s device, from that device's generator (unless ``generator_`` is given).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return Dropout(p, generator_ or generator_like(x._data)).apply(x)
