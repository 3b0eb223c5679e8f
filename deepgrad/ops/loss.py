"""Losses: cross_entropy (fused with log_softmax), nll_loss, binary cross-entropy (with logits),
mse, l1 and the chapter's quadratic cost. Reductions and defaults as PyTorch's."""
from __future__ import annotations

import numpy

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor
from .shape import permute, reshape

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _total(xp, rows, empty_mean: bool):
    """The summed (pre-scaled) row losses as a 0-d array; NaN for the mean of no rows (PyTorch's
    value for an empty batch), where the plain sum would say 0."""
    if empty_mean and rows.shape[0] == 0:
        return xp.asarray(float("nan"), dtype=rows.dtype)
    return xp.asarray(rows.sum())


def _class_coefficients(xp, target, n_classes, weight, label_smoothing, ignore_index, reduction,
                        dtype):
    """Coefficient matrix ``A`` (N, C) with ``loss = -sum(A * log p)`` for class-index targets.

    PyTorch's definition: the NLL part weighs row i by ``w[y_i]``, the smoothing part spreads
    ``eps / C`` over classes weighted by ``w[c]``; with ``reduction='mean'`` both are divided by
    ``sum_i w[y_i]`` over the rows not ignored (the plain count without weights).
    """
    n = target.shape[0]
    valid = target != ignore_index
    safe = xp.where(valid, target, 0)
    # The range check reads a flag back from the device, so it runs on the CPU only.
    if xp is numpy and xp.any((safe < 0) | (safe >= n_classes)):
        bad = target[valid & ((target < 0) | (target >= n_classes))][0]
        raise IndexError(f"cross_entropy: target {int(bad)} is out of bounds for {n_classes} "
                         f"classes")
    rows = xp.arange(n)
    coef = xp.zeros((n, n_classes), dtype)
    w_row = weight[safe] * valid if weight is not None else valid.astype(dtype)
    coef[rows, safe] = (1.0 - label_smoothing) * w_row
    if label_smoothing:
        w_cls = weight if weight is not None else xp.ones(n_classes, dtype)
        coef += (label_smoothing / n_classes) * valid[:, None] * w_cls[None, :]
    if reduction == "mean":
        denom = w_row.sum()
        if xp is not numpy:  # no host read on a device: NaN when every row is ignored
            coef *= mean_scale(xp, denom, dtype)
        elif denom:
            coef /= denom
        else:  # every row ignored: the mean is undefined, as PyTorch's NaN
            coef.fill(float("nan"))
    return coef


def mean_scale(xp, count, dtype):
    """``1 / count`` as a 0-d array of ``dtype``, NaN where ``count`` is 0, without a host read."""
    nonzero = count != 0
    return xp.where(nonzero, 1.0 / xp.where(nonzero, count, 1), xp.nan).astype(dtype)


class SoftmaxCrossEntropy(Function):
    """``-sum_c A_ic log softmax(x)_ic`` in one node; dx = gy (rowsum(A) softmax(x) - A).

    ``coef`` is built by the wrapper (one-hot, class weights, smoothing, reduction folded in);
    ``empty_mean`` makes the loss of an empty batch NaN (the mean of no rows).
    """

    def __init__(self, coef, per_row, empty_mean=False):
        self.coef, self.per_row, self.empty_mean = coef, per_row, empty_mean

    def forward(self, x):
        xp = get_array_module(x)
        shifted = x - x.max(axis=1, keepdims=True)
        e = xp.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        logp = shifted - xp.log(s)
        self.p = e / s
        rows = -(self.coef * logp).sum(axis=1)
        return rows if self.per_row else _total(xp, rows, self.empty_mean)

    def backward(self, gy):
        coef = self.coef
        g = self.p * coef.sum(axis=1, keepdims=True)
        g -= coef
        return g * (gy[:, None] if self.per_row else gy)


class SparseSoftmaxCrossEntropy(Function):
    """Fast path of SoftmaxCrossEntropy for integer targets without weights or smoothing.

    loss_i = logsumexp(x_i) - x_i[y_i]; dx = gy (softmax(x) - onehot(y)); ignored rows get 0.
    """

    def __init__(self, target, valid, scale, per_row):
        self.target, self.valid, self.scale, self.per_row = target, valid, scale, per_row

    def forward(self, x):
        xp = get_array_module(x)
        rows = xp.arange(x.shape[0])
        m = x.max(axis=1, keepdims=True)
        e = xp.exp(x - m)
        s = e.sum(axis=1, keepdims=True)
        self.e, self.s, self.rows = e, s, rows
        loss = (xp.log(s) + m)[:, 0] - x[rows, self.target]
        if self.valid is not None:
            loss *= self.valid
        return loss if self.per_row else xp.asarray(loss.sum() * self.scale, dtype=x.dtype)

    def backward(self, gy):
        # A fresh array: backward may run again through a retained graph, so the saved
        # exponentials must stay intact (softmax is formed here rather than in forward).
        g = self.e / self.s
        g[self.rows, self.target] -= 1
        if self.valid is not None:
            g *= self.valid[:, None]
        if self.per_row:
            g *= gy[:, None]
        else:
            scale = self.scale  # a float, or a 0-d device array (see _sparse_cross_entropy)
            g *= gy * (g.dtype.type(scale) if isinstance(scale, float) else scale)
        return g


class NLL(Function):
    """``-sum_c A_ic x_ic`` for log-probabilities x; dx = -A gy."""

    def __init__(self, coef, per_row, empty_mean=False):
        self.coef, self.per_row, self.empty_mean = coef, per_row, empty_mean

    def forward(self, x):
        rows = -(self.coef * x).sum(axis=1)
        return rows if self.per_row else _total(get_array_module(x), rows, self.empty_mean)

    def backward(self, gy):
        return -self.coef * (gy[:, None] if self.per_row else gy)


def _flatten_classes(x: Tensor, target, op: str):
    """(N, C, d1, ...) logits -> (N*d1*..., C) and matching targets; also returns the out shape."""
    if x.ndim < 1:
        raise ValueError(f"{op}: input must have a class dim, got shape {x.shape}")
    if x.ndim == 1:
        return reshape(x, (1, -1)), target.reshape((1,) + target.shape[1:] if target.ndim > 1
                                                  else (-1,)), ()
    if x.ndim == 2:
        return x, target, (x.shape[0],)
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    flat = reshape(permute(x, perm), (-1, x.shape[1]))
    if target.ndim == x.ndim:  # probabilities (N, C, d1, ...)
        target = target.transpose(perm).reshape(-1, x.shape[1])
    else:
        target = target.reshape(-1)
    return flat, target, (x.shape[0],) + x.shape[2:]


def _class_loss(fn_cls, op, x, target, weight, ignore_index, reduction, label_smoothing):
    _check_reduction(op, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = as_tensor(x)
    t = target._data if isinstance(target, Tensor) else get_array_module(x._data).asarray(target)
    xp = get_array_module(x._data)
    probs = t.dtype.kind == "f"
    if probs and t.shape != x.shape:
        raise ValueError(f"{op}: probability targets must have the input's shape {x.shape}, "
                         f"got {t.shape}; class-index targets must be integers")
    if not probs and t.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class indices or float "
                        f"probabilities, got dtype {t.dtype}")
    if not probs and (t.shape != x.shape[:1] + x.shape[2:] if x.ndim > 1 else t.ndim != 0):
        raise ValueError(f"{op}: input shape {x.shape} needs class-index target of shape "
                         f"{x.shape[:1] + x.shape[2:]}, got {t.shape}")
    if probs and isinstance(target, Tensor) and target.requires_grad:
        from .loss_soft import soft_cross_entropy  # differentiable in the target too

        return soft_cross_entropy(x, target, weight, label_smoothing, reduction)
    flat, t, out_shape = _flatten_classes(x, t, op)
    n_classes = flat.shape[1]
    w = None
    if weight is not None:
        w = (weight._data if isinstance(weight, Tensor) else xp.asarray(weight)).astype(x.dtype)
        if w.shape != (n_classes,):
            raise ValueError(f"{op}: weight must have shape ({n_classes},), got {w.shape}")
    if probs:
        coef = t.astype(x.dtype)
        if label_smoothing:
            coef = coef * (1 - label_smoothing) + label_smoothing / n_classes
        if w is not None:
            coef = coef * w
        if reduction == "mean":
            coef = coef / x.dtype.type(flat.shape[0])
    elif fn_cls is SoftmaxCrossEntropy and w is None and not label_smoothing:
        out = _sparse_cross_entropy(xp, flat, t, n_classes, ignore_index, reduction)
        return _reshape_rows(out, out_shape, reduction)
    else:
        coef = _class_coefficients(xp, t, n_classes, w, label_smoothing, ignore_index,
                                   reduction, x.dtype)
    out = fn_cls(coef, reduction == "none", reduction == "mean").apply(flat)
    return _reshape_rows(out, out_shape, reduction)


def _sparse_cross_entropy(xp, flat, t, n_classes, ignore_index, reduction):
    if xp is not numpy:
        # On a device: no range check and no host read of the targets (each would stall the
        # step); ignored rows are masked, and the mean's count stays a 0-d device array.
        valid = t != ignore_index
        t = xp.where(valid, t, 0)
        valid = valid.astype(flat.dtype)
        scale = mean_scale(xp, valid.sum(), flat.dtype) if reduction == "mean" else 1.0
        return SparseSoftmaxCrossEntropy(t, valid, scale, reduction == "none").apply(flat)
    valid = None
    lo, hi = (int(t.min()), int(t.max())) if t.size else (0, -1)  # an empty batch has no range
    # ignore_index may be a real class id (e.g. 0 for padding), so test it as well as the range.
    if lo < 0 or hi >= n_classes or lo <= ignore_index <= hi:
        valid = t != ignore_index
        bad = t[valid & ((t < 0) | (t >= n_classes))]
        if bad.size:
            raise IndexError(f"cross_entropy: target {int(bad[0])} is out of bounds for "
                             f"{n_classes} classes")
        t = xp.where(valid, t, 0)
        valid = valid.astype(flat.dtype)
    count = flat.shape[0] if valid is None else float(valid.sum())
    scale = (1.0 / count if count else float("nan")) if reduction == "mean" else 1.0
    return SparseSoftmaxCrossEntropy(t, valid, scale, reduction == "none").apply(flat)


def _reshape_rows(out, out_shape, reduction):
    if reduction == "none":
        out = reshape(out, out_shape)
    return out


def cross_entropy(input: Tensor, target, weight=None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from logits, fused and stable (log-sum-exp shift).

    Args:
        input: logits (N, C) or (N, C, d1, ...), or (C,) for one sample.
        target: class indices (N,) / (N, d1, ...) as integers, or probabilities of input's shape.
        weight: per-class weights (C,).
        label_smoothing: eps; the target becomes ``(1 - eps) onehot + eps / C``.
    Returns:
        The mean (default), sum, or per-sample losses. An empty batch (N = 0) gives what
        PyTorch gives: NaN for the mean (the mean of no losses; no NumPy warning), 0 for the
        sum, an empty array for ``'none'``; its gradient is the empty (0, C) array.
    """
    return _class_loss(SoftmaxCrossEntropy, "cross_entropy", input, target, weight,
                       ignore_index, reduction, label_smoothing)


def nll_loss(input: Tensor, target, weight=None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) at integer ``target`` (N,)."""
    return _class_loss(NLL, "nll_loss", input, target, weight, ignore_index, reduction, 0.0)
