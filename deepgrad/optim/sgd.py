"""Stochastic gradient descent with momentum, dampening, Nesterov and coupled weight decay."""
from __future__ import annotations

from typing import Iterable

from ..backend import fused_kernels, get_array_module
from ._validate import check_nonneg
from .optimizer import Optimizer


class SGD(Optimizer):
    r"""Stochastic gradient descent, ``torch.optim.SGD``'s rule and defaults.

    Rule (step ``t``, gradient ``g_t``, PyTorch's form)::

        g   <- -g if maximize;  g <- g + weight_decay * w        (coupled L2 decay)
        b_1 =  g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t
        g   <- g + momentum * b_t   if nesterov   else   b_t      (when momentum != 0)
        w   <- w - lr * g

    Papers: Robbins & Monro (1951) for SGD; Polyak (1964) heavy-ball momentum; Nesterov (1983)
    and Sutskever et al., "On the importance of initialization and momentum in deep learning"
    (ICML 2013) for the Nesterov form used here.

    Chapter mapping: plain gradient descent is ``w <- w - eta * grad J`` with ``eta = lr``. The
    chapter's momentum ``dw(n) = -eta * g(n) + alpha * dw(n-1); w <- w + dw(n)`` is this rule
    with ``alpha = momentum``, ``dampening = 0``: by induction ``dw(n) = -lr * b_n``, so at a
    constant learning rate the iterates are identical. They differ only once ``lr`` changes
    mid-run (a schedule): PyTorch's buffer holds gradients, the chapter's holds steps already
    scaled by old learning rates. Nesterov's look-ahead gradient is written, as in PyTorch,
    in terms of the current gradient: ``w <- w - lr * (g + momentum * b_t)``.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate ``eta`` (>= 0). Default 1e-3 (PyTorch >= 2.2).
        momentum: momentum factor ``alpha`` (>= 0).
        dampening: scales the new gradient in the buffer by ``1 - dampening``.
        weight_decay: coupled L2 coefficient added to the gradient (>= 0).
        nesterov: Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: ascend the objective instead of descending it.
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_nonneg("SGD", group["lr"], "learning rate lr")
        check_nonneg("SGD", group["momentum"], "momentum")
        check_nonneg("SGD", group["weight_decay"], "weight_decay")
        if not isinstance(group["dampening"], (int, float)):
            raise ValueError(f"SGD: invalid dampening: {group['dampening']!r}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov=True requires momentum > 0 and dampening == 0, got "
                             f"momentum={group['momentum']!r}, "
                             f"dampening={group['dampening']!r}")

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        g = self._grad_with_decay(p, g, group)
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            fused = fused_kernels(xp)  # CuPy: momentum and step in one kernel launch
            if fused is not None and buf is not None:
                fused.sgd_momentum_update(g, w, buf, momentum, group["dampening"], group["lr"],
                                          group["nesterov"])
                return
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                xp.multiply(buf, momentum, out=buf)
                dampening = group["dampening"]
                if dampening != 0:
                    # g may already be the scratch array: scaling it in place is then safe
                    xp.add(buf, xp.multiply(g, 1 - dampening, out=self._scratch(g)), out=buf)
                else:
                    xp.add(buf, g, out=buf)
            if group["nesterov"]:
                scaled = xp.multiply(buf, momentum, out=self._scratch(g, 1))
                g = xp.add(g, scaled, out=self._scratch(g))
            else:
                g = buf
        # w -= lr * g, the product in a scratch array (g may be the momentum buffer)
        xp.subtract(w, xp.multiply(g, group["lr"], out=self._scratch(g)), out=w)
