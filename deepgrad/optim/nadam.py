"""NAdam: Adam with Nesterov momentum and a warming momentum schedule."""
from __future__ import annotations

from typing import Iterable

from ..backend import get_array_module
from ._kernels import ema_sq_, lerp_
from ._validate import check_adam_group, check_nonneg
from .optimizer import Optimizer


class NAdam(Optimizer):
    r"""NAdam, ``torch.optim.NAdam``'s rule and defaults.

    Rule (step ``t`` from 1, ``psi = momentum_decay``)::

        g      <- -g if maximize
        decoupled_weight_decay:  w <- w * (1 - lr * weight_decay)   else  g <- g + wd * w
        mu_t   =  beta1 * (1 - 0.5 * 0.96^(t * psi))               (momentum warm-up)
        P_t    =  mu_1 * ... * mu_t
        m      <- beta1 * m + (1 - beta1) * g
        v      <- beta2 * v + (1 - beta2) * g^2
        d      =  sqrt(v / (1 - beta2^t)) + eps
        w      <- w - lr * (1 - mu_t) / (1 - P_t) * g / d
                    - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d

    Paper: Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop); the
    ``0.96^(t * psi)`` schedule with ``psi = 0.004`` is the report's ``0.96^(t/250)``.
    Decoupled decay as in Loshchilov & Hutter (ICLR 2019).

    Chapter mapping: Adam's moments ``s`` (``m``) and ``r`` (``v``) with ``rho1, rho2 =
    betas``; the Nesterov look-ahead replaces the corrected first moment by a mix of the
    next step's momentum ``mu_{t+1} m`` and the current gradient ``(1 - mu_t) g``. Keras uses
    ``0.96^t`` (no ``psi``), so its ``mu_t`` reaches ``beta1`` about 250x sooner.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (>= 0).
        betas: ``(beta1, beta2)``, each in [0, 1).
        eps: added to the denominator (>= 0).
        weight_decay: decay coefficient (>= 0).
        momentum_decay: ``psi`` (>= 0).
        decoupled_weight_decay: shrink ``w`` directly (as AdamW) instead of adding to ``g``.
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_adam_group("NAdam", group)
        check_nonneg("NAdam", group["momentum_decay"], "momentum_decay")

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = xp.zeros_like(w)
            state["exp_avg_sq"] = xp.zeros_like(w)
        state["step"] += 1
        t = state["step"]
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        g = self._grad_with_decay(p, g, group)
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state["mu_product"] = state["mu_product"] * mu
        denom, tmp = self._scratch(w, 1), self._scratch(w, 2)
        m = lerp_(xp, state["exp_avg"], g, 1 - beta1, tmp)
        v = ema_sq_(xp, state["exp_avg_sq"], g, beta2, tmp)
        xp.sqrt(xp.divide(v, 1 - beta2 ** t, out=denom), out=denom)
        xp.add(denom, group["eps"], out=denom)
        xp.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=tmp)
        xp.add(w, xp.divide(tmp, denom, out=tmp), out=w)
        xp.multiply(m, -lr * mu_next / (1.0 - mu_product * mu_next), out=tmp)
        xp.add(w, xp.divide(tmp, denom, out=tmp), out=w)
