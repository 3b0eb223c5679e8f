"""Optimizer paths on 2-D functions: the data behind "optimizers on a contour map" figures."""
from __future__ import annotations

import math
from typing import Callable

import numpy

from ..autograd.tensor import Tensor
from ..nn.module import Parameter
from .optimizer import Optimizer


def _resolve(optimizer) -> type:
    if isinstance(optimizer, str):
        from . import OPTIMIZERS  # the registry lives in the package __init__
        try:
            return OPTIMIZERS[optimizer.lower()]
        except KeyError:
            raise ValueError(f"trace: unknown optimizer {optimizer!r}; known: "
                             f"{sorted(OPTIMIZERS)}") from None
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        return optimizer
    raise TypeError(f"trace: optimizer must be an Optimizer class or its name, got {optimizer!r}")


def trace(optimizer: type | str, fn: Callable, start, steps: int = 100, bound: float = 1e6,
          **kwargs) -> numpy.ndarray:
    """Run an optimizer on ``f(x, y)`` from ``start`` and return the visited points.

    The point is one float64 Parameter ``(x, y)``; each step evaluates ``fn(x, y)`` with
    Tensor ops, backpropagates, and calls ``optimizer.step()``. A run that leaves the box
    ``|x|, |y| <= bound`` (divergence, or an unbounded function such as the saddle) stops at
    the first point outside it, before ``fn`` overflows there.

    Args:
        optimizer: an Optimizer class (``dg.optim.Adam``) or a name (``"adam"``).
        fn: ``fn(x, y) -> 0-d Tensor`` written with Tensor operations (see ``surfaces``).
        start: the starting point ``(x0, y0)``.
        steps: the number of optimizer steps (>= 0).
        bound: half-width of the box the path may explore (> 0).
        **kwargs: the optimizer's hyperparameters (``lr=0.01, momentum=0.9``...).

    Returns:
        ``(n, 2)`` float64 array of points, ``n = steps + 1`` unless the run left the box
        (then the path ends at its first point outside).
    """
    cls = _resolve(optimizer)
    if not bound > 0:
        raise ValueError(f"trace: bound must be > 0, got {bound!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"trace: steps must be an int >= 0, got {steps!r}")
    start = numpy.asarray(start, dtype=numpy.float64)
    if start.shape != (2,):
        raise ValueError(f"trace: start must be a point (x, y), got shape {start.shape}")
    point = Parameter(start.copy())
    opt = cls([point], **kwargs)
    path = [start.copy()]
    for _ in range(steps):
        opt.zero_grad()
        value = fn(point[0], point[1])
        if not isinstance(value, Tensor) or value._data.size != 1:
            raise TypeError(f"trace: fn must return a one-element Tensor, got {value!r:.80}")
        value.backward()
        opt.step()
        xy = point._data.copy()
        if not (math.isfinite(xy[0]) and math.isfinite(xy[1])):
            break
        path.append(xy)
        if abs(xy[0]) > bound or abs(xy[1]) > bound:
            break
    return numpy.stack(path)


def trace_many(optimizers: dict, fn: Callable, start, steps: int = 100,
               bound: float = 1e6) -> dict:
    """``trace`` for several optimizers from one start: ``{label: (cls or name, kwargs)}``.

    Returns:
        ``{label: (n, 2) path}`` in the given order.
    """
    return {label: trace(opt, fn, start, steps, bound, **kwargs)
            for label, (opt, kwargs) in optimizers.items()}


__all__ = ["trace", "trace_many"]
