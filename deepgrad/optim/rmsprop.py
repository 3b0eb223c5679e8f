"""RMSProp: gradients divided by a decaying root-mean-square, optionally centered."""
from __future__ import annotations

from typing import Iterable

from ..backend import get_array_module
from ._kernels import ema_sq_, lerp_
from ._validate import check_nonneg
from .optimizer import Optimizer


class RMSprop(Optimizer):
    r"""RMSProp, ``torch.optim.RMSprop``'s rule and defaults.

    Rule::

        g   <- -g if maximize;  g <- g + weight_decay * w
        v   <- alpha * v + (1 - alpha) * g^2
        centered:  gbar <- alpha * gbar + (1 - alpha) * g;   v~ = v - gbar^2   else  v~ = v
        d   =  sqrt(v~) + eps                              (eps outside the root)
        momentum > 0:  b <- momentum * b + g / d;  w <- w - lr * b
        otherwise:     w <- w - lr * g / d

    Paper: Tieleman & Hinton, "Lecture 6.5 - RMSProp", COURSERA: Neural Networks for Machine
    Learning (2012); the centered form is from Graves, "Generating Sequences With Recurrent
    Neural Networks" (arXiv:1308.0850, 2013).

    Chapter mapping: the chapter's ``r <- rho r + (1 - rho) g (.) g`` and
    ``dw = -eta / sqrt(delta + r) (.) g`` use the attenuation (decay) coefficient ``rho``,
    which is ``alpha`` here, with ``eta = lr``. The chapter (like Keras) puts ``delta``
    inside the root; PyTorch adds ``eps`` after it, so the two agree when ``g^2 >> eps``.
    The chapter's RMSProp with Nesterov momentum has no exact counterpart: ``momentum > 0``
    here applies classical (heavy-ball) momentum to the scaled gradient, with no look-ahead.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate ``eta`` (>= 0).
        alpha: decay ``rho`` of the squared-gradient average (>= 0).
        eps: added to the root for stability (>= 0).
        weight_decay: coupled L2 coefficient (>= 0).
        momentum: momentum factor (>= 0).
        centered: normalize by the estimated variance instead of the raw second moment.
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_nonneg("RMSprop", group["lr"], "learning rate lr")
        check_nonneg("RMSprop", group["eps"], "epsilon eps")
        check_nonneg("RMSprop", group["momentum"], "momentum")
        check_nonneg("RMSprop", group["weight_decay"], "weight_decay")
        check_nonneg("RMSprop", group["alpha"], "alpha")

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(w)
            if group["momentum"] > 0:
                state["momentum_buffer"] = xp.zeros_like(w)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(w)
        state["step"] += 1
        g = self._grad_with_decay(p, g, group)
        alpha = group["alpha"]
        v = state["square_avg"]
        avg, tmp = self._scratch(w, 1), self._scratch(w, 2)
        ema_sq_(xp, v, g, alpha, tmp)
        if group["centered"]:
            gbar = lerp_(xp, state["grad_avg"], g, 1 - alpha, tmp)
            xp.subtract(v, xp.multiply(gbar, gbar, out=tmp), out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(v, out=avg)
        xp.add(avg, group["eps"], out=avg)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            xp.multiply(buf, group["momentum"], out=buf)
            xp.add(buf, xp.divide(g, avg, out=tmp), out=buf)
            xp.subtract(w, xp.multiply(buf, group["lr"], out=tmp), out=w)
        else:
            # w += (-lr * g) / d, PyTorch's addcdiv order
            xp.multiply(g, -group["lr"], out=tmp)
            xp.add(w, xp.divide(tmp, avg, out=tmp), out=w)
