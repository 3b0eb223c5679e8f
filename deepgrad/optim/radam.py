"""RAdam: Adam whose adaptive step is switched on gradually by a variance rectification term."""
from __future__ import annotations

import math
from typing import Iterable

from ..backend import get_array_module
from ._kernels import ema_sq_, lerp_
from ._validate import check_adam_group
from .optimizer import Optimizer


class RAdam(Optimizer):
    r"""Rectified Adam, ``torch.optim.RAdam``'s rule and defaults.

    Rule (step ``t`` from 1)::

        g <- -g if maximize;  decay as Adam (coupled, or decoupled with decoupled_weight_decay)
        m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
        m^ = m / (1 - beta1^t)
        rho_inf = 2 / (1 - beta2) - 1;   rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    w <- w - lr m^ r sqrt(1 - beta2^t) / (sqrt(v) + eps)
        otherwise:  w <- w - lr m^                  (SGD with momentum while v is unreliable)

    Paper: Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020).

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (>= 0).
        betas: ``(beta1, beta2)``, each in [0, 1).
        eps: added to ``sqrt(v)`` (>= 0).
        weight_decay: decay coefficient (>= 0).
        decoupled_weight_decay: shrink ``w <- w (1 - lr wd)`` (AdamW-style) instead of adding
            ``wd w`` to the gradient.
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_adam_group("RAdam", group)

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(w)
            state["exp_avg_sq"] = xp.zeros_like(w)
        state["step"] += 1
        t, lr = state["step"], group["lr"]
        g = self._grad_with_decay(p, g, group)
        beta1, beta2 = group["betas"]
        tmp = self._scratch(w, 2)
        m = lerp_(xp, state["exp_avg"], g, 1 - beta1, tmp)
        v = ema_sq_(xp, state["exp_avg_sq"], g, beta2, tmp)
        c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / c2
        if rho_t > 5:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            denom = xp.add(xp.sqrt(v, out=self._scratch(w, 1)), group["eps"],
                           out=self._scratch(w, 1))
            xp.multiply(m, -lr * rect * math.sqrt(c2) / c1, out=tmp)
            xp.add(w, xp.divide(tmp, denom, out=tmp), out=w)
        else:
            xp.add(w, xp.multiply(m, -lr / c1, out=tmp), out=w)
