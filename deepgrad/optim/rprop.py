"""Rprop: per-weight step sizes that grow while the gradient keeps its sign and shrink on a flip."""
from __future__ import annotations

from typing import Iterable

from ..backend import get_array_module
from ._validate import check_nonneg
from .optimizer import Optimizer


class Rprop(Optimizer):
    r"""Resilient backpropagation, ``torch.optim.Rprop``'s rule and defaults (Rprop- variant).

    Rule (per weight; ``step_size`` starts at ``lr``, the previous gradient ``prev`` at 0)::

        g <- -g if maximize
        s = sign(g prev):  s > 0: step_size *= eta_plus;  s < 0: step_size *= eta_minus
        step_size = clamp(step_size, step_min, step_max)
        where s < 0: g <- 0                          (skip the update after a sign flip)
        w <- w - sign(g) step_size;   prev <- g

    Paper: Riedmiller & Braun, "A direct adaptive method for faster backpropagation learning:
    the RPROP algorithm" (ICNN 1993).

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: initial step size (>= 0). Default 1e-2.
        etas: ``(eta_minus, eta_plus)`` with ``0 < eta_minus < 1 < eta_plus``.
        step_sizes: ``(step_min, step_max)`` bounds of the step sizes.
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), maximize: bool = False) -> None:
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_nonneg("Rprop", group["lr"], "learning rate lr")
        eta_minus, eta_plus = group["etas"]
        if not 0.0 < eta_minus < 1.0 < eta_plus:
            raise ValueError(f"Rprop: Invalid eta values: {eta_minus}, {eta_plus} (expected "
                             f"0 < eta_minus < 1 < eta_plus)")
        lo, hi = group["step_sizes"]
        if not 0 <= lo <= hi:
            raise ValueError(f"Rprop: invalid step_sizes {group['step_sizes']!r} (expected "
                             f"0 <= step_min <= step_max)")

    def _mask(self, like, slot: int):
        """A reusable boolean work array of ``like``'s shape (no allocation after the first)."""
        pool = self.__dict__.setdefault("_masks", {})
        key = (like.shape, get_array_module(like), slot)
        if key not in pool:
            pool[key] = key[1].empty(like.shape, dtype=bool)
        return pool[key]

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state.update(step=0, prev=xp.zeros_like(w), step_size=xp.full_like(w, group["lr"]))
        state["step"] += 1
        if group["maximize"]:
            g = xp.negative(g, out=self._scratch(w, 3))
        eta_minus, eta_plus = group["etas"]
        prev, step_size = state["prev"], state["step_size"]
        same = xp.multiply(g, prev, out=self._scratch(w, 1))  # sign(g prev) decides
        grew, flipped = self._mask(w, 0), self._mask(w, 1)
        xp.greater(same, 0, out=grew)
        xp.less(same, 0, out=flipped)
        factor = self._scratch(w, 2)
        factor.fill(1)
        xp.copyto(factor, eta_plus, where=grew)
        xp.copyto(factor, eta_minus, where=flipped)
        xp.multiply(step_size, factor, out=step_size)
        xp.clip(step_size, *group["step_sizes"], out=step_size)
        prev[...] = g
        prev[flipped] = 0  # no step (and no memory of the sign) right after a flip
        xp.multiply(xp.sign(prev, out=factor), step_size, out=factor)
        xp.subtract(w, factor, out=w)
