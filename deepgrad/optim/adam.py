"""Adam and AdamW: bias-corrected first and second moment estimates (coupled or decoupled decay)."""
from __future__ import annotations

from typing import Iterable

from ..backend import fused_kernels, get_array_module
from ._kernels import ema_sq_, lerp_
from ._validate import check_adam_group
from .optimizer import Optimizer


class Adam(Optimizer):
    r"""Adam, ``torch.optim.Adam``'s rule and defaults.

    Rule (step ``t`` from 1)::

        g  <- -g if maximize
        decoupled_weight_decay:  w <- w * (1 - lr * weight_decay)    (AdamW)
        otherwise:               g <- g + weight_decay * w           (coupled L2)
        m  <- beta1 * m + (1 - beta1) * g
        v  <- beta2 * v + (1 - beta2) * g^2
        amsgrad:  v_max <- max(v_max, v), and v_max replaces v below
        w  <- w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Papers: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); amsgrad from
    Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018); decoupled decay
    from Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).

    Chapter mapping: the chapter's first moment ``s <- rho1 s + (1 - rho1) g`` and second
    moment ``r <- rho2 r + (1 - rho2) g (.) g`` are ``m`` and ``v`` with ``rho1, rho2 =
    betas``; its corrections ``s^ = s / (1 - rho1^t)``, ``r^ = r / (1 - rho2^t)`` and step
    ``dw = -eps_lr * s^ / (sqrt(r^) + delta)`` are this rule with ``eps_lr = lr`` and
    ``delta = eps`` (PyTorch's placement: ``eps`` is added to the corrected root).

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (>= 0).
        betas: ``(beta1, beta2)``, each in [0, 1).
        eps: added to the denominator (>= 0).
        weight_decay: L2 coefficient (>= 0), coupled unless ``decoupled_weight_decay``.
        amsgrad: use the running maximum of ``v`` (AMSGrad).
        maximize: ascend instead of descend.
        decoupled_weight_decay: shrink ``w`` directly (AdamW) instead of adding to ``g``.
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_adam_group(type(self).__name__, group)

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(w)
            state["exp_avg_sq"] = xp.zeros_like(w)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(w)
        state["step"] += 1
        t = state["step"]
        lr = group["lr"]
        g = self._grad_with_decay(p, g, group)
        beta1, beta2 = group["betas"]
        root_c2 = (1 - beta2 ** t) ** 0.5
        fused = fused_kernels(xp)  # CuPy: the whole update below in one kernel launch
        if fused is not None and not group["amsgrad"]:
            fused.adam_update(g, w, state["exp_avg"], state["exp_avg_sq"], beta1, beta2,
                              -lr * root_c2 / (1 - beta1 ** t), group["eps"] * root_c2)
            return
        denom, tmp = self._scratch(w, 1), self._scratch(w, 2)
        m = lerp_(xp, state["exp_avg"], g, 1 - beta1, tmp)
        v = ema_sq_(xp, state["exp_avg_sq"], g, beta2, tmp)
        if group["amsgrad"]:
            v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        # lr/c1 * m / (sqrt(v)/s + eps) == lr*s/c1 * m / (sqrt(v) + eps*s), s = sqrt(c2): the
        # second form folds the bias correction into scalars and saves one pass over v
        xp.add(xp.sqrt(v, out=denom), group["eps"] * root_c2, out=denom)
        xp.multiply(m, -lr * root_c2 / (1 - beta1 ** t), out=tmp)
        xp.add(w, xp.divide(tmp, denom, out=tmp), out=w)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, ``torch.optim.AdamW``'s defaults.

    Rule: ``w <- w * (1 - lr * weight_decay)``, then Adam's step without any decay term in the
    gradient (see :class:`Adam`). Paper: Loshchilov & Hutter, "Decoupled Weight Decay
    Regularization" (ICLR 2019).

    Chapter mapping: the chapter's weight-decay form ``w <- (1 - eps * alpha) w - eps * grad J``
    is exactly this shrink with ``eps = lr`` and ``alpha = weight_decay``, followed by the
    adaptive step. Unlike coupled decay (``g + weight_decay * w``, equal to an L2 penalty),
    the shrink is not divided by Adam's ``sqrt(v)``, so every weight decays at the same rate.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (>= 0).
        betas: ``(beta1, beta2)``, each in [0, 1).
        eps: added to the denominator (>= 0).
        weight_decay: decoupled decay coefficient (>= 0). Default 1e-2.
        amsgrad: use the running maximum of ``v`` (AMSGrad).
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)
