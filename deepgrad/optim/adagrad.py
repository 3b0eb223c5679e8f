"""AdaGrad: per-coordinate learning rates from the running sum of squared gradients."""
from __future__ import annotations

from typing import Iterable

from ..backend import get_array_module
from ._validate import check_nonneg
from .optimizer import Optimizer


class Adagrad(Optimizer):
    r"""AdaGrad, ``torch.optim.Adagrad``'s rule and defaults.

    Rule (step ``t`` from 1)::

        g   <- -g if maximize;  g <- g + weight_decay * w
        clr =  lr / (1 + (t - 1) * lr_decay)
        r   <- r + g * g                       (r_0 = initial_accumulator_value)
        w   <- w - clr * g / (sqrt(r) + eps)

    Paper: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization" (JMLR 2011).

    Chapter mapping: the chapter's accumulator ``r <- r + g (.) g`` and update
    ``dw = -eta / (delta + sqrt(r)) (.) g`` are exactly this with ``eta = lr``,
    ``delta = eps`` (added outside the root, as in PyTorch; Keras puts it inside and starts
    ``r`` at 0.1), ``lr_decay = 0`` and ``initial_accumulator_value = 0``.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: global learning rate ``eta`` (>= 0).
        lr_decay: ``lr`` is divided by ``1 + (t - 1) * lr_decay`` (>= 0).
        weight_decay: coupled L2 coefficient (>= 0).
        initial_accumulator_value: starting value of ``r`` (>= 0).
        eps: ``delta``, added to ``sqrt(r)`` for stability (>= 0).
        maximize: ascend instead of descend.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, maximize: bool = False) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_nonneg("Adagrad", group["lr"], "learning rate lr")
        check_nonneg("Adagrad", group["lr_decay"], "lr_decay")
        check_nonneg("Adagrad", group["weight_decay"], "weight_decay")
        check_nonneg("Adagrad", group["initial_accumulator_value"], "initial_accumulator_value")
        check_nonneg("Adagrad", group["eps"], "epsilon eps")

    def _update(self, p, g, state: dict, group: dict) -> None:
        xp = get_array_module(g)
        w = p._data
        if not state:
            state["step"] = 0
            state["sum"] = xp.full_like(w, group["initial_accumulator_value"])
        state["step"] += 1
        g = self._grad_with_decay(p, g, group)
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        acc = state["sum"]
        tmp = self._scratch(w, 1)
        xp.add(acc, xp.multiply(g, g, out=tmp), out=acc)
        xp.sqrt(acc, out=tmp)
        xp.add(tmp, group["eps"], out=tmp)
        # w += (-clr * g) / (sqrt(r) + eps), PyTorch's addcdiv order
        upd = xp.multiply(g, -clr, out=self._scratch(w, 2))
        xp.divide(upd, tmp, out=tmp)
        xp.add(w, tmp, out=w)
