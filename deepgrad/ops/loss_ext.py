"""Regression and distribution losses with PyTorch's F signatures: mse_loss and l1_loss (with
``weight=``), smooth_l1_loss, huber_loss, kl_div, poisson_nll_loss, gaussian_nll_loss,
soft_margin_loss.

Each is a short composite of differentiable tensor ops (no hand-written backward), reduced by
``reduction`` ('none' | 'mean' | 'sum'; kl_div also 'batchmean'). The legacy
``size_average``/``reduce`` flags map to a reduction as in PyTorch.
"""
from __future__ import annotations

import math

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import activation as A
from . import arithmetic as M
from . import loss_pointwise as P
from ._util import as_tensor
from .loss import _check_reduction


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """PyTorch's mapping of the deprecated flags: reduce=False -> 'none'; else size_average
    (default True) -> 'mean' or 'sum'."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def reduce_loss(loss: Tensor, reduction: str, op: str) -> Tensor:
    """Apply ``reduction`` to an elementwise loss."""
    _check_reduction(op, reduction)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def _operands(op, input, target):  # noqa: A002
    x = as_tensor(input)
    t = as_tensor(target, x)
    if tuple(x.shape) != tuple(t.shape):
        raise ValueError(f"{op}: input shape {tuple(x.shape)} and target shape "
                         f"{tuple(t.shape)} must match")
    return x, t


def _weighted(op, loss, weight, reduction, normalize):
    """Weighted elementwise loss; 'mean' divides by sum(weight) when ``normalize`` (mse, l1)
    and by the element count otherwise (huber), as PyTorch does."""
    w = as_tensor(weight, loss)
    if tuple(w.shape) != tuple(loss.shape):
        raise ValueError(f"{op}: weights and input must have the same size, got "
                         f"{tuple(w.shape)} and {tuple(loss.shape)}")
    loss = loss * w
    if reduction == "mean" and normalize:
        return loss.sum() / w.sum()
    return reduce_loss(loss, reduction, op)


def _legacy_positional(size_average, reduce, reduction):
    # A string third argument is taken as ``reduction`` (deepgrad's earlier positional form).
    if isinstance(size_average, str):
        size_average, reduction = None, size_average
    return legacy_reduction(size_average, reduce, reduction)


def _pointwise(op, unweighted, elementwise, input, target, size_average, reduce,  # noqa: A002
               reduction, weight):
    reduction = _legacy_positional(size_average, reduce, reduction)
    if weight is None:
        return unweighted(input, target, reduction)
    x, t = _operands(op, input, target)
    return _weighted(op, elementwise(x - t), weight, reduction, True)


def mse_loss(input, target, size_average=None, reduce=None,  # noqa: A002
             reduction: str = "mean", weight=None) -> Tensor:
    """Mean squared error ``(x - t)^2`` (times ``weight``; the weighted mean divides by
    ``sum(weight)``)."""
    return _pointwise("mse_loss", P.mse_loss, lambda d: d * d, input, target, size_average,
                      reduce, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None,  # noqa: A002
            reduction: str = "mean", weight=None) -> Tensor:
    """Mean absolute error ``|x - t|`` (times ``weight``, as mse_loss)."""
    return _pointwise("l1_loss", P.l1_loss, abs, input, target, size_average, reduce,
                      reduction, weight)


def _huber(x, t, delta):
    d = abs(x - t)
    quad = M.minimum(d, delta)  # the quadratic part up to delta, linear beyond
    return quad * (d - 0.5 * quad)


def smooth_l1_loss(input, target, size_average=None, reduce=None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` for ``|d| < beta``, else ``|d| - 0.5 beta`` (d = x - t); beta = 0 is
    the L1 loss. Equals ``huber_loss(delta=beta) / beta``."""
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    reduction = legacy_reduction(size_average, reduce, reduction)
    x, t = _operands("smooth_l1_loss", input, target)
    if beta == 0:
        return reduce_loss(abs(x - t), reduction, "smooth_l1_loss")
    return reduce_loss(_huber(x, t, beta) / beta, reduction, "smooth_l1_loss")


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0,  # noqa: A002
               weight=None) -> Tensor:
    """``0.5 d^2`` for ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``."""
    if delta <= 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    x, t = _operands("huber_loss", input, target)
    loss = _huber(x, t, delta)
    if weight is not None:
        return _weighted("huber_loss", loss, weight, reduction, False)
    return reduce_loss(loss, reduction, "huber_loss")


def kl_div(input, target, size_average=None, reduce=None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence with ``input`` log-probabilities: ``t (log t - x)`` (0 where
    t = 0), or ``e^t (t - x)`` with ``log_target``. 'batchmean' divides the sum by the batch
    size (the true KL per sample); 'mean' averages over every element."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x = as_tensor(input)
    t = as_tensor(target, x)
    if log_target:
        loss = M.exp(t) * (t - x)
    else:
        xp = get_array_module(t._data)
        positive = t._data > 0
        safe = Tensor._make(xp.where(positive, t._data, 1), False, None, 0) \
            if not t.requires_grad else M.where(positive, t, 1.0)
        loss = M.where(positive, t * (M.log(safe) - x), 0.0 * x)
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return reduce_loss(loss, reduction, "kl_div")


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,  # noqa: A002
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood: ``e^x - t x`` (``log_input``) or ``x - t log(x + eps)``;
    ``full`` adds Stirling's ``t log t - t + log(2 pi t) / 2`` where t > 1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x = as_tensor(input)
    t = as_tensor(target, x)
    loss = M.exp(x) - t * x if log_input else x - t * M.log(x + eps)
    if full:
        xp = get_array_module(t._data)
        td = t._data
        safe = xp.where(td > 1, td, 1)
        stirling = xp.where(td > 1, safe * xp.log(safe) - safe + 0.5 * xp.log(2 * math.pi * safe),
                            0)
        loss = loss + Tensor._make(stirling.astype(x.dtype), False, None, 0)
    return reduce_loss(loss, reduction, "poisson_nll_loss")


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,  # noqa: A002
                      reduction: str = "mean") -> Tensor:
    """``(log(max(var, eps)) + (x - t)^2 / max(var, eps)) / 2`` (+ ``log(2 pi) / 2`` when
    ``full``). ``var`` has input's shape, or one dim fewer / a last dim of 1 (one variance per
    sample), or is a float. The clamp passes gradients through unchanged, as PyTorch's."""
    x = as_tensor(input)
    t = as_tensor(target, x)
    v = as_tensor(var, x)
    if tuple(v.shape) != tuple(x.shape):
        if v.ndim == x.ndim - 1 and tuple(v.shape) == tuple(x.shape[:-1]):
            v = v.unsqueeze(-1)
        elif not (v.ndim == x.ndim and tuple(v.shape[:-1]) == tuple(x.shape[:-1])
                  and v.shape[-1] == 1) and v.ndim != 0:
            raise ValueError(f"gaussian_nll_loss: var shape {tuple(v.shape)} does not fit "
                             f"input shape {tuple(x.shape)}")
    if bool((v._data < 0).any()):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    xp = get_array_module(v._data)
    # Clamp without cutting the gradient: add the (constant) amount the clamp raises var by.
    lift = Tensor._make((xp.maximum(v._data, eps) - v._data).astype(x.dtype), False, None, 0)
    v = v + lift
    loss = 0.5 * (M.log(v) + (x - t) * (x - t) / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction, "gaussian_nll_loss")


def soft_margin_loss(input, target, size_average=None, reduce=None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:
    """Two-class logistic loss ``log(1 + e^(-t x))`` for targets t in {-1, 1}."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x, t = _operands("soft_margin_loss", input, target)
    return reduce_loss(A.softplus(-t * x), reduction, "soft_margin_loss")
