"""Cross-entropy with probability targets that require grad: differentiable in both inputs.

``loss_n = -sum_c w_c q_nc log softmax(x_n)_c`` with ``q = (1 - eps) p + eps / C``; written with
differentiable ops so that the target's gradient, ``-w log softmax(x)``, comes for free.
"""
from __future__ import annotations

from ..autograd.tensor import Tensor
from .activation import log_softmax
from .reduce import mean, sum


def soft_cross_entropy(x: Tensor, target: Tensor, weight, label_smoothing: float,
                       reduction: str) -> Tensor:
    """Shapes: x and target (N, C) or (N, C, d1, ...); the output as ``cross_entropy``'s."""
    if x.ndim == 1:
        x, target = x.reshape(1, -1), target.reshape(1, -1)
        squeeze = True
    else:
        squeeze = False
    n_classes = x.shape[1]
    q = target if target.dtype == x.dtype else target.to(x.dtype)
    if label_smoothing:
        q = q * (1 - label_smoothing) + label_smoothing / n_classes
    logp = log_softmax(x, 1)
    if weight is not None:
        w = weight if isinstance(weight, Tensor) else Tensor(weight)
        logp = logp * w.to(x.dtype).reshape((1, n_classes) + (1,) * (x.ndim - 2))
    rows = -sum(q * logp, 1)
    if squeeze:
        rows = rows.reshape(())
    if reduction == "none":
        return rows
    return sum(rows) if reduction == "sum" else mean(rows)
