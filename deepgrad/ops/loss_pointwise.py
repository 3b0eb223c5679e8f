"""Elementwise losses: mse, l1, the chapter's quadratic cost, binary cross-entropy (with logits)."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, check_broadcast
from .loss import _check_reduction


class PointwiseLoss(Function):
    """Base: ``elementwise(x, t)`` returns (loss, d loss/dx, d loss/dt or None) per element;
    the result is reduced by ``reduction`` and scaled by ``scale`` (the chapter's 1/2)."""

    def __init__(self, reduction, scale=1.0, denom=None):
        self.reduction, self.scale, self.denom = reduction, scale, denom

    def forward(self, x, t):
        loss, self.dx, self.dt = self.elementwise(x, t)
        k = self.scale
        if self.reduction == "mean":
            k = k / (self.denom if self.denom is not None else max(loss.size, 1))
        self.k = x.dtype.type(k)
        if self.reduction == "none":
            return loss * self.k if k != 1 else loss
        return get_array_module(x).asarray(loss.sum() * self.k, dtype=x.dtype)

    def backward(self, gy):
        g = gy * self.k
        n = self.needs_input_grad
        gx = self.dx * g if n[0] else None
        gt = self.dt * g if n[1] and self.dt is not None else None
        return gx, gt


class SquaredError(PointwiseLoss):
    def elementwise(self, x, t):
        d = x - t
        return d * d, 2 * d, -2 * d


class AbsoluteError(PointwiseLoss):
    def elementwise(self, x, t):
        d = x - t
        s = get_array_module(d).sign(d)
        return abs(d), s, -s


class BinaryCrossEntropy(PointwiseLoss):
    """``-w (t log p + (1-t) log(1-p))``; logs clamped at -100 as PyTorch's."""

    def __init__(self, reduction, weight):
        super().__init__(reduction)
        self.weight = weight

    def elementwise(self, p, t):
        xp = get_array_module(p)
        q = 1 - p
        # The floor 1e-44 (~e^-101, a float32 subnormal) keeps log finite at p = 0 or 1.
        log_p = xp.maximum(xp.log(xp.maximum(p, 1e-44)), -100)
        log_q = xp.maximum(xp.log(xp.maximum(q, 1e-44)), -100)
        loss = -(t * log_p + (1 - t) * log_q)
        dx = (p - t) / xp.maximum(p * q, p.dtype.type(1e-12))
        dt = log_q - log_p
        if self.weight is not None:
            loss, dx, dt = loss * self.weight, dx * self.weight, dt * self.weight
        return loss.astype(p.dtype, copy=False), dx.astype(p.dtype, copy=False), dt


class BCEWithLogits(PointwiseLoss):
    """``(1-t) x + L softplus(-x)`` with ``L = 1 + (pos_weight - 1) t``; stable for any x.

    dx = (1 - t) - L sigmoid(-x); without pos_weight this is ``sigmoid(x) - t``.
    dt = -x + (pos_weight - 1) softplus(-x).
    """

    def __init__(self, reduction, weight, pos_weight):
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def elementwise(self, x, t):
        xp = get_array_module(x)
        sp_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-abs(x)))  # softplus(-x), no overflow
        sig_neg = (1 - xp.tanh(x * x.dtype.type(0.5))) * x.dtype.type(0.5)  # sigmoid(-x)
        if self.pos_weight is None:
            loss = (1 - t) * x + sp_neg
            dx = (1 - t) - sig_neg
        else:
            lw = 1 + (self.pos_weight - 1) * t
            loss = (1 - t) * x + lw * sp_neg
            dx = (1 - t) - lw * sig_neg
        dt = -x + (self.pos_weight - 1) * sp_neg if self.pos_weight is not None else -x
        if self.weight is not None:
            loss, dx, dt = loss * self.weight, dx * self.weight, dt * self.weight
        return loss, dx, dt


def _pair(op, input, target):  # noqa: A002
    x = as_tensor(input)
    t = as_tensor(target, x)
    if x.shape != t.shape:
        raise ValueError(f"{op}: input shape {x.shape} and target shape {t.shape} must match")
    if t.dtype.kind not in "fc":
        t = Tensor._make(t._data.astype(x.dtype), False, None, 0)
    return x, t


def _array(w, like, op, name):
    """A weight as an array of ``like``'s dtype, checked to broadcast against ``like``."""
    if w is None:
        return None
    w = (w._data if isinstance(w, Tensor) else get_array_module(like._data).asarray(w)) \
        .astype(like.dtype)
    check_broadcast(f"{op}: {name} and input", w, like._data)
    return w


def mse_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error ``mean((x - t)^2)``."""
    _check_reduction("mse_loss", reduction)
    return SquaredError(reduction).apply(*_pair("mse_loss", input, target))


def l1_loss(input, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error ``mean(|x - t|)``."""
    _check_reduction("l1_loss", reduction)
    return AbsoluteError(reduction).apply(*_pair("l1_loss", input, target))


def quadratic_loss(output, target, reduction: str = "sum") -> Tensor:
    """The chapter's quadratic cost ``E = 1/2 sum (t - o)^2``.

    ``reduction='sum'`` is the chapter's E over every output of the batch; ``'mean'`` divides by
    the batch size (``output.shape[0]``), giving the average per-sample E; ``'none'`` returns
    ``1/2 (t - o)^2`` per element. Equal to ``mse_loss(o, t, 'sum') / 2``.
    """
    _check_reduction("quadratic_loss", reduction)
    x, t = _pair("quadratic_loss", output, target)
    denom = x.shape[0] if x.ndim else 1
    return SquaredError(reduction, scale=0.5, denom=denom).apply(x, t)


def binary_cross_entropy(input, target, weight=None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """``-w (t log p + (1 - t) log(1 - p))`` for probabilities ``p`` in [0, 1]."""
    _check_reduction("binary_cross_entropy", reduction)
    x, t = _pair("binary_cross_entropy", input, target)
    d = x._data
    if d.size and (d.min() < 0 or d.max() > 1):
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1]; for "
                         "logits use binary_cross_entropy_with_logits")
    w = _array(weight, x, "binary_cross_entropy", "weight")
    return BinaryCrossEntropy(reduction, w).apply(x, t)


def binary_cross_entropy_with_logits(input, target, weight=None,  # noqa: A002
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable node; ``pos_weight`` weighs positives."""
    op = "binary_cross_entropy_with_logits"
    _check_reduction(op, reduction)
    x, t = _pair(op, input, target)
    return BCEWithLogits(reduction, _array(weight, x, op, "weight"),
                         _array(pos_weight, x, op, "pos_weight")).apply(x, t)
