"""Margin and embedding losses with PyTorch's F signatures: cosine_embedding_loss,
margin_ranking_loss, hinge_embedding_loss, multilabel_margin_loss,
multilabel_soft_margin_loss, multi_margin_loss, triplet_margin_loss; and the distances they
use, pairwise_distance, cosine_similarity and normalize. Composites of differentiable tensor ops.
"""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import activation as A
from . import arithmetic as M
from ._util import as_tensor
from .activation_ext import logsigmoid
from .loss_ext import legacy_reduction, reduce_loss


def _const(a, like: Tensor) -> Tensor:
    return Tensor._make(a.astype(like.dtype, copy=False), False, None, 0)


def _target_array(target):
    return target._data if isinstance(target, Tensor) else get_array_module(target).asarray(target)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim."""
    x1 = as_tensor(x1)
    d = x1 - as_tensor(x2, x1) + eps
    if p == 2:
        return (d * d).sum(dim=-1, keepdim=keepdim).sqrt()
    return (abs(d) ** p).sum(dim=-1, keepdim=keepdim) ** (1.0 / p)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim``."""
    x1 = as_tensor(x1)
    x2 = as_tensor(x2, x1)
    n1 = M.clamp((x1 * x1).sum(dim=dim, keepdim=True).sqrt(), min=eps)
    n2 = M.clamp((x2 * x2).sum(dim=dim, keepdim=True).sqrt(), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim=dim)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12,  # noqa: A002
              out=None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim`` (unit vectors; zero vectors stay zero)."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported; use the result")
    x = as_tensor(input)
    if p == 2:
        norm = (x * x).sum(dim=dim, keepdim=True).sqrt()
    else:
        norm = (abs(x) ** p).sum(dim=dim, keepdim=True) ** (1.0 / p)
    return x / M.clamp(norm, min=eps)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0,  # noqa: A002
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where y = 1 and ``max(0, cos(x1, x2) - margin)`` where y = -1; the
    cosine along the last dim with 1e-12 added to each squared norm (PyTorch's)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x1 = as_tensor(input1)
    x2 = as_tensor(input2, x1)
    y = _target_array(target)
    eps = 1e-12
    cos = (x1 * x2).sum(dim=-1) / (((x1 * x1).sum(dim=-1) + eps)
                                   * ((x2 * x2).sum(dim=-1) + eps)).sqrt()
    loss = M.where(y == 1, 1.0 - cos, 0.0 * cos) \
        + M.where(y == -1, A.relu(cos - margin), 0.0 * cos)
    return reduce_loss(loss, reduction, "cosine_embedding_loss")


def margin_ranking_loss(input1, input2, target, margin: float = 0.0,  # noqa: A002
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -y (x1 - x2) + margin)`` for y in {1, -1}."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x1 = as_tensor(input1)
    y = as_tensor(target, x1)
    return reduce_loss(A.relu(-y * (x1 - as_tensor(input2, x1)) + margin), reduction,
                       "margin_ranking_loss")


def hinge_embedding_loss(input, target, margin: float = 1.0,  # noqa: A002
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``x`` where y = 1, ``max(0, margin - x)`` where y = -1 (PyTorch adds both terms for
    targets that are neither)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x = as_tensor(input)
    y = _target_array(target)
    loss = M.where(y != 1, A.relu(margin - x), 0.0 * x) + M.where(y != -1, x, 0.0 * x)
    return reduce_loss(loss, reduction, "hinge_embedding_loss")


def multilabel_margin_loss(input, target, size_average=None, reduce=None,  # noqa: A002
                           reduction: str = "mean") -> Tensor:
    """``sum_{j in targets} sum_{i not in targets} max(0, 1 - (x[j] - x[i])) / C`` per sample;
    ``target`` (C,) or (N, C) lists class indices, ended by the first -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x = as_tensor(input)
    y = _target_array(target)
    if tuple(y.shape) != tuple(x.shape) or x.ndim not in (1, 2):
        raise RuntimeError(f"multilabel_margin_loss: input {tuple(x.shape)} and target "
                           f"{tuple(y.shape)} must both be (C,) or (N, C)")
    xp = get_array_module(y)
    x2 = x.unsqueeze(0) if x.ndim == 1 else x
    y2 = y.reshape(x2.shape)
    n, c = x2.shape
    listed = xp.cumprod(y2 >= 0, axis=1).astype(bool)  # entries before the first -1
    if bool(((y2 >= c) & listed).any()):
        raise IndexError(f"multilabel_margin_loss: a target is out of range for {c} classes")
    count = xp.zeros((n, c))
    rows = xp.broadcast_to(xp.arange(n)[:, None], y2.shape)
    xp.add.at(count, (rows[listed], y2[listed]), 1)
    other = (count == 0)
    hinge = A.relu(1.0 - x2.unsqueeze(2) + x2.unsqueeze(1))  # [n, j, i]
    weight = _const(count[:, :, None] * other[:, None, :], x2)
    loss = (hinge * weight).sum(dim=(1, 2)) / c
    if x.ndim == 1:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction, "multilabel_margin_loss")


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None,  # noqa: A002
                                reduce=None, reduction: str = "mean") -> Tensor:
    """``-mean_c w_c (t_c log sigmoid(x_c) + (1 - t_c) log sigmoid(-x_c))`` per sample."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    x = as_tensor(input)
    t = as_tensor(target, x)
    loss = -(t * logsigmoid(x) + (1.0 - t) * logsigmoid(-x))
    if weight is not None:
        loss = loss * as_tensor(weight, x)
    return reduce_loss(loss.mean(dim=-1), reduction, "multilabel_soft_margin_loss")


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0,  # noqa: A002
                      weight=None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge: ``sum_{i != y} w_y max(0, margin - x[y] + x[i])^p / C`` per sample,
    p in {1, 2}."""
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    reduction = legacy_reduction(size_average, reduce, reduction)
    x = as_tensor(input)
    x2 = x.unsqueeze(0) if x.ndim == 1 else x
    xp = get_array_module(x2._data)
    y = xp.asarray(_target_array(target)).reshape(-1)
    n, c = x2.shape
    if y.shape[0] != n or (y.size and (y.min() < 0 or y.max() >= c)):
        raise IndexError(f"multi_margin_loss: target {tuple(y.shape)} must hold {n} class "
                         f"indices in [0, {c})")
    picked = x2[xp.arange(n), y].unsqueeze(1)
    z = A.relu(margin - picked + x2)
    if p == 2:
        z = z * z
    others = xp.ones((n, c))
    others[xp.arange(n), y] = 0
    scale = others
    if weight is not None:
        w = weight._data if isinstance(weight, Tensor) else xp.asarray(weight)
        scale = others * w[y][:, None]
    loss = (z * _const(scale, x2)).sum(dim=1) / c
    if x.ndim == 1:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction, "multi_margin_loss")


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the pairwise p-norm distance;
    ``swap`` uses ``min(d(a, n), d(p, n))`` for the negative distance."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_an = M.minimum(d_an, pairwise_distance(positive, negative, p, eps))
    return reduce_loss(A.relu(margin + d_ap - d_an), reduction, "triplet_margin_loss")


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with any ``distance_function`` (default: the
    pairwise Euclidean distance); ``swap`` uses ``min(d(a, n), d(p, n))``."""
    dist = distance_function or pairwise_distance
    d_ap, d_an = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_an = M.minimum(d_an, dist(positive, negative))
    return reduce_loss(A.relu(margin + d_ap - d_an), reduction,
                       "triplet_margin_with_distance_loss")
