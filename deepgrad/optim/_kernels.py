"""In-place array helpers shared by the adaptive optimizers (no parameter-sized allocation)."""
from __future__ import annotations


def lerp_(xp, m, g, weight: float, tmp):
    """``m <- m + weight * (g - m)`` in place (PyTorch's ``lerp_``); ``tmp`` is a work array."""
    xp.subtract(g, m, out=tmp)
    xp.multiply(tmp, weight, out=tmp)
    xp.add(m, tmp, out=m)
    return m


def ema_sq_(xp, v, g, beta: float, tmp):
    """``v <- beta * v + (1 - beta) * g^2`` in place; ``tmp`` is a work array (not ``g``)."""
    xp.multiply(v, beta, out=v)
    xp.multiply(g, g, out=tmp)
    xp.multiply(tmp, 1 - beta, out=tmp)
    xp.add(v, tmp, out=v)
    return v

