"""AdaDelta: AdaGrad with decaying averages and a unit-correcting numerator."""
from __future__ import annotations

from typing import Iterable

from ..backend import get_array_module
from ._kernels import ema_sq_
from ._validate import check_nonneg
from .optimizer import Optimizer


class Adadelta(Optimizer):
    r"""AdaDelta, ``torch.optim.Adadelta``'s rule and defaults.

    Rule::

        g  <- -g if maximize;  g <- g + weight_decay * w
        v  <- rho * v + (1 - rho) * g^2                   (E[g^2])
        dx =  sqrt(u + eps) / sqrt(v + eps) * g
        u  <- rho * u + (1 - rho) * dx^2                  (E[dx^2])
        w  <- w - lr * dx

    Paper: Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (arXiv:1212.5701, 2012).

    Chapter mapping: the chapter's AdaDelta has no global learning rate: its step is
    ``dx = -RMS[dx]_{t-1} / RMS[g]_t * g`` with ``RMS[y] = sqrt(E[y^2] + eps)``; that is
    this rule with ``lr = 1.0`` (PyTorch's default) and the chapter's decay ``rho``.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: scale of ``dx`` (>= 0; 1.0 is the paper's rule).
        rho: decay of both running averages, in [0, 1].
        eps: added inside both square roots (>= 0).
        weight_decay: coupled L2 coefficient (>= 0).
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, maximize: bool = False) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_nonneg("Adadelta", group["lr"], "learning rate lr")
        check_nonneg("Adadelta", group["eps"], "epsilon eps")
        check_nonneg("Adadelta", group["weight_decay"], "weight_decay")
        rho = group["rho"]
        if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0 <= rho <= 1:
            raise ValueError(f"Adadelta: invalid rho: {rho!r} (expected 0 <= rho <= 1)")

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(w)
            state["acc_delta"] = xp.zeros_like(w)
        state["step"] += 1
        g = self._grad_with_decay(p, g, group)
        rho, eps = group["rho"], group["eps"]
        v, u = state["square_avg"], state["acc_delta"]
        std, delta = self._scratch(w, 1), self._scratch(w, 2)
        ema_sq_(xp, v, g, rho, std)
        xp.sqrt(xp.add(v, eps, out=std), out=std)
        xp.sqrt(xp.add(u, eps, out=delta), out=delta)
        xp.divide(delta, std, out=delta)
        xp.multiply(delta, g, out=delta)
        ema_sq_(xp, u, delta, rho, std)
        xp.subtract(w, xp.multiply(delta, group["lr"], out=delta), out=w)
