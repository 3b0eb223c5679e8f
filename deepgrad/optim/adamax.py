"""AdaMax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from typing import Iterable

from ..backend import get_array_module
from ._kernels import lerp_
from ._validate import check_adam_group
from .optimizer import Optimizer


class Adamax(Optimizer):
    r"""AdaMax, ``torch.optim.Adamax``'s rule and defaults.

    Rule (step ``t`` from 1)::

        g <- -g if maximize;  g <- g + weight_decay * w
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        w <- w - lr / (1 - beta1^t) * m / u

    Paper: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1.

    Chapter mapping: the chapter's ``s <- rho1 s + (1 - rho1) g`` is ``m`` with
    ``rho1 = beta1``; its ``r <- max(rho2 r, |g|)`` is ``u`` with ``rho2 = beta2`` (PyTorch
    adds ``eps`` to ``|g|`` inside the max so that ``u > 0``; Keras adds it to ``u`` at the
    division); ``dw = -eta / (1 - rho1^t) * s / r`` with ``eta = lr``.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (>= 0).
        betas: decay rates ``(beta1, beta2)``, each in [0, 1).
        eps: added to ``|g|`` (>= 0).
        weight_decay: coupled L2 coefficient (>= 0).
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_adam_group("Adamax", group)

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(w)
            state["exp_inf"] = xp.zeros_like(w)
        state["step"] += 1
        g = self._grad_with_decay(p, g, group)
        beta1, beta2 = group["betas"]
        tmp = self._scratch(w, 1)
        m = lerp_(xp, state["exp_avg"], g, 1 - beta1, tmp)
        u = state["exp_inf"]
        xp.multiply(u, beta2, out=u)
        xp.maximum(u, xp.add(xp.abs(g, out=tmp), group["eps"], out=tmp), out=u)
        clr = group["lr"] / (1 - beta1 ** state["step"])
        xp.multiply(m, -clr, out=tmp)
        xp.add(w, xp.divide(tmp, u, out=tmp), out=w)
