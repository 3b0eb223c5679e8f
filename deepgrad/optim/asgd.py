"""ASGD: SGD with a decaying step and a running (Polyak) average of the iterates."""
from __future__ import annotations

from typing import Iterable

from ..backend import get_array_module
from ._validate import check_nonneg
from .optimizer import Optimizer


class ASGD(Optimizer):
    r"""Averaged SGD, ``torch.optim.ASGD``'s rule and defaults.

    Rule (step ``t`` from 1; ``eta_1 = lr``, ``mu_1 = 1``)::

        g <- -g if maximize;  g <- g + weight_decay w
        w <- w (1 - lambd eta_t) - eta_t g
        ax <- w if mu_t == 1 else ax + mu_t (w - ax)          (the averaged iterate)
        eta_{t+1} = lr / (1 + lambd lr t)^alpha;   mu_{t+1} = 1 / max(1, t - t0)

    The average ``state["ax"]`` starts at step ``t0``. PyTorch keeps ``eta`` and ``mu`` as
    float32 scalars (its default scalar dtype); deepgrad keeps Python floats, so float64
    trajectories agree with PyTorch's to float32 rounding of ``eta`` (relative ~1e-8).

    Paper: Polyak & Juditsky, "Acceleration of stochastic approximation by averaging" (1992).

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (>= 0). Default 1e-2.
        lambd: decay term (1e-4).
        alpha: power of the ``eta`` decay (0.75).
        t0: step at which averaging starts (1e6).
        weight_decay: coupled L2 coefficient (>= 0).
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0.0,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_nonneg("ASGD", group["lr"], "learning rate lr")
        check_nonneg("ASGD", group["weight_decay"], "weight_decay")
        for key in ("lambd", "alpha", "t0"):
            if isinstance(group[key], bool) or not isinstance(group[key], (int, float)):
                raise ValueError(f"ASGD: invalid {key}: {group[key]!r} (expected a number)")

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state.update(step=0, eta=float(group["lr"]), mu=1.0, ax=xp.zeros_like(w))
        state["step"] += 1
        t, eta = state["step"], state["eta"]
        g = self._grad_with_decay(p, g, group)
        xp.multiply(w, 1 - group["lambd"] * eta, out=w)
        xp.subtract(w, xp.multiply(g, eta, out=self._scratch(w, 1)), out=w)
        ax, mu = state["ax"], state["mu"]
        if mu != 1:
            diff = xp.subtract(w, ax, out=self._scratch(w, 1))
            xp.add(ax, xp.multiply(diff, mu, out=diff), out=ax)
        else:
            ax[...] = w
        lr = group["lr"]
        state["eta"] = lr / (1 + group["lambd"] * lr * t) ** group["alpha"]
        state["mu"] = 1 / max(1, t - group["t0"])
