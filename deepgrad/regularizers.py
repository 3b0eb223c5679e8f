r"""Weight penalties L1, L2 and L1L2 (Keras names, defaults and coefficient convention).

A regularizer is a callable ``reg(w) -> Tensor`` (a 0-d penalty that backpropagates). Layers
take it as ``weight_regularizer=`` / ``bias_regularizer=`` and ``Module.regularization_loss()``
sums every attached penalty; add that to the data loss::

    loss = loss_fn(model(x), y) + model.regularization_loss()

It also works on any list of parameters: ``L2(1e-4)(model.parameters())``.

Coefficient convention (Keras'): ``L1(l1)`` is ``l1 * sum |w|`` and ``L2(l2)`` is
``l2 * sum w^2`` -- *no* factor 1/2. Hence the gradient of an L2 penalty is ``2 * l2 * w``.

How the three forms of "weight decay" relate, for a learning rate ``lr``:

* L2 penalty (this module): ``g <- grad J + 2 * l2 * w``, then the optimizer's rule.
* Coupled ``weight_decay=wd`` (PyTorch's SGD, Adam, Adagrad, RMSprop...): ``g <- grad J +
  wd * w``, then the rule. So ``wd = 2 * l2`` gives the same trajectory as ``L2(l2)`` (the
  penalty of ``weight_decay`` is ``wd/2 * sum w^2``, the chapter's ``alpha/2 ||w||^2``).
* Decoupled decay (``AdamW``, ``NAdam(decoupled_weight_decay=True)``): ``w <- (1 - lr * wd)
  w`` and then the rule on ``grad J`` alone. For plain SGD this equals coupled decay: the
  chapter's ``w <- (1 - eps * alpha) w - eps * grad J`` is SGD with ``lr = eps`` and
  ``weight_decay = alpha`` (i.e. ``L2(alpha / 2)``). For adaptive methods they differ: a
  coupled/L2 term is divided by ``sqrt(v)`` like the gradient, the decoupled shrink is not
  (Loshchilov & Hutter, ICLR 2019).

L1 drives weights exactly towards 0 (its subgradient ``l1 * sign(w)`` has constant size),
giving sparse weights; L2 shrinks them proportionally.
"""
from __future__ import annotations

from typing import Iterable

from .autograd.tensor import Tensor
from .ops.arithmetic import abs as _abs
from .ops.reduce import sum as _sum


def _check_coef(name: str, arg: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{name}: {arg} must be a number >= 0, got {value!r}")
    return float(value)


def _tensors(weights) -> list[Tensor]:
    if isinstance(weights, Tensor):
        return [weights]
    out = list(weights)
    for i, w in enumerate(out):
        if not isinstance(w, Tensor):
            raise TypeError(f"regularizer: weights[{i}] is a {type(w).__name__}, expected a "
                            f"Tensor")
    return out


class Regularizer:
    """Base class: ``__call__(weights)`` returns the penalty over one Tensor or a list of them.

    Subclasses implement ``penalty(w) -> Tensor`` for one tensor.
    """

    def __call__(self, weights: Tensor | Iterable[Tensor]) -> Tensor:
        total = None
        for w in _tensors(weights):
            term = self.penalty(w)
            total = term if total is None else total + term
        if total is None:
            raise ValueError(f"{type(self).__name__}: no weights to regularize")
        return total

    def penalty(self, w: Tensor) -> Tensor:
        raise TypeError(f"{type(self).__name__} does not define penalty()")

    def get_config(self) -> dict:
        """The constructor arguments (Keras' ``get_config``)."""
        return dict(vars(self))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """L1 penalty ``l1 * sum(|w|)``; gradient ``l1 * sign(w)``. Keras' default ``l1=0.01``."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _check_coef("L1", "l1", l1)

    def penalty(self, w: Tensor) -> Tensor:
        return _sum(_abs(w)) * self.l1


class L2(Regularizer):
    """L2 penalty ``l2 * sum(w^2)`` (no 1/2); gradient ``2 * l2 * w``. Keras' ``l2=0.01``.

    Equivalent to coupled ``weight_decay = 2 * l2`` in the optimizers (module docstring).
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check_coef("L2", "l2", l2)

    def penalty(self, w: Tensor) -> Tensor:
        return _sum(w * w) * self.l2


class L1L2(Regularizer):
    """Elastic-net penalty ``l1 * sum(|w|) + l2 * sum(w^2)``; Keras' defaults ``l1 = l2 = 0``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_coef("L1L2", "l1", l1)
        self.l2 = _check_coef("L1L2", "l2", l2)

    def penalty(self, w: Tensor) -> Tensor:
        out = _sum(_abs(w)) * self.l1
        return out + _sum(w * w) * self.l2


#: lookup by name (Keras' string identifiers)
REGULARIZERS = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}

__all__ = ["Regularizer", "L1", "L2", "L1L2", "REGULARIZERS"]
