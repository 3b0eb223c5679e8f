"""Gradient control: clip the gradients of a parameter list by global norm or by value."""
from __future__ import annotations

import math
from typing import Iterable

import numpy

from ...autograd.tensor import Tensor
from ...backend import get_array_module


def _with_grads(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters[{i}] is a {type(p).__name__}, expected a Tensor")
    return [p for p in params if p.grad is not None]


def _norm(xp, g, norm_type: float) -> float:
    """The ``norm_type``-norm of one array, as a Python float."""
    if norm_type == math.inf:
        return float(xp.max(xp.abs(g))) if g.size else 0.0
    if norm_type == 2.0:
        flat = g.reshape(-1)
        return math.sqrt(float(xp.dot(flat, flat)))
    return float(xp.sum(xp.abs(g) ** norm_type)) ** (1.0 / norm_type)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    r"""Rescale gradients so that their global norm is at most ``max_norm`` (PyTorch's rule).

    ``total = ||(||g_1||_p, ..., ||g_k||_p)||_p`` over every parameter with a gradient
    (``p = inf``: the largest ``|g|``). If ``total > max_norm`` each gradient becomes
    ``g * max_norm / (total + 1e-6)``. The new gradients are fresh arrays bound to ``p.grad``
    (one gradient array may be shared by several tensors, so none is changed in place).

    As in PyTorch, a non-finite total (with ``error_if_nonfinite=False``) yields NaN gradients
    (for an infinite total, entries that were finite become 0 and infinite ones NaN).

    Args:
        parameters: Tensors (or one Tensor) whose ``.grad`` to clip.
        max_norm: the largest allowed total norm (>= 0).
        norm_type: ``p`` of the p-norm (> 0), or ``math.inf``.
        error_if_nonfinite: raise if the total norm is NaN or infinite.

    Returns:
        The total norm before clipping, as a 0-d Tensor (float32 0.0 when nothing has a grad).

    Raises:
        ValueError: ``max_norm < 0`` or ``norm_type <= 0``.
        RuntimeError: non-finite total norm and ``error_if_nonfinite``.
    """
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm!r} (a negative "
                         f"bound would reverse the gradients)")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 or inf, got {norm_type!r}")
    params = _with_grads(parameters)
    if not params:
        return Tensor._make(numpy.zeros((), numpy.float32), False, None, 0)
    xp = get_array_module(params[0].grad._data)
    if xp is not numpy:
        return _clip_on_device(xp, params, max_norm, norm_type, error_if_nonfinite)
    total = _total_norm(xp, [p.grad._data for p in params], norm_type)
    if not math.isfinite(total) and error_if_nonfinite:
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} is "
                           f"{total}; set error_if_nonfinite=False to clip anyway")
    _scale_grads(xp, params, max_norm, total)
    return Tensor._make(xp.asarray(total, dtype=params[0].grad._data.dtype), False, None, 0)


def _total_norm(xp, arrays: list, norm_type: float) -> float:
    """The ``norm_type``-norm of the norms of ``arrays``, as a Python float."""
    norms = [_norm(xp, a, norm_type) for a in arrays]
    top = max(norms)
    if any(math.isnan(n) for n in norms):
        return math.nan
    if norm_type == math.inf or top == 0 or top == math.inf:
        return top
    # scaled by the largest norm so that n ** p cannot overflow
    return top * math.fsum((n / top) ** norm_type for n in norms) ** (1.0 / norm_type)


def _scale_grads(xp, params: list, max_norm: float, total: float) -> None:
    """Multiply every gradient by ``min(1, max_norm / (total + 1e-6))`` (new arrays)."""
    if not math.isfinite(total):  # NaN everywhere, or (inf total) 0 where finite, else NaN
        for p in params:
            g = p.grad._data
            bad = xp.full_like(g, math.nan)
            new = bad if math.isnan(total) else xp.where(xp.isfinite(g), xp.zeros_like(g), bad)
            p.grad = Tensor._make(new, False, None, 0)
        return
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in params:
            p.grad = Tensor._make(p.grad._data * coef, False, None, 0)


def get_total_norm(tensors: Iterable[Tensor] | Tensor, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The norm of the tensors' norms (of the tensors themselves, e.g. a list of gradients).

    ``foreach`` is accepted for PyTorch's signature (one code path here).

    Raises:
        RuntimeError: a non-finite norm with ``error_if_nonfinite``.
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(numpy.zeros((), numpy.float32), False, None, 0)
    xp = get_array_module(tensors[0]._data)
    total = _total_norm(xp, [t._data for t in tensors], norm_type)
    if not math.isfinite(total) and error_if_nonfinite:
        raise RuntimeError(f"get_total_norm: the total norm of order {norm_type} is {total}; "
                           f"set error_if_nonfinite=False to accept it")
    return Tensor._make(xp.asarray(total, dtype=tensors[0].dtype), False, None, 0)


def clip_grads_with_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                          total_norm, foreach=None) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` given a total norm
    (``get_total_norm`` of the gradients): the second half of ``clip_grad_norm_``."""
    params = _with_grads(parameters)
    if params:
        total = float(total_norm.item() if isinstance(total_norm, Tensor) else total_norm)
        _scale_grads(get_array_module(params[0].grad._data), params, float(max_norm), total)


def _clip_on_device(xp, params, max_norm: float, norm_type: float, error_if_nonfinite: bool):
    """``clip_grad_norm_`` without a host read (unless ``error_if_nonfinite``): the total norm
    and the coefficient ``min(max_norm / (total + 1e-6), 1)`` stay 0-d device arrays, and
    every gradient is multiplied by it (PyTorch's device rule; the same results as the CPU's).
    """
    grads = [p.grad._data for p in params]
    dtype = grads[0].dtype
    if norm_type == math.inf:
        norms = [xp.abs(g).max() if g.size else xp.zeros((), dtype) for g in grads]
    elif norm_type == 2.0:
        norms = [xp.sqrt(xp.dot(g.reshape(-1), g.reshape(-1))) for g in grads]
    else:
        norms = [(xp.abs(g) ** norm_type).sum() ** (1.0 / norm_type) for g in grads]
    norms = xp.stack([n.astype(xp.float64) for n in norms])
    top = norms.max()
    if norm_type == math.inf:
        total = top
    else:  # scaled by the largest norm so that n ** p cannot overflow
        regular = xp.isfinite(top) & (top > 0)
        scale = xp.where(regular, top, 1.0)
        total = xp.where(regular, scale * ((norms / scale) ** norm_type).sum()
                         ** (1.0 / norm_type), top)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} is "
                           f"{float(total)}; set error_if_nonfinite=False to clip anyway")
    coef = xp.minimum(max_norm / (total + 1e-6), 1.0)  # NaN total: NaN; infinite: 0
    for p, g in zip(params, grads):
        finite = xp.isfinite(g)
        new = xp.where(finite, xp.where(finite, g, 0) * coef.astype(g.dtype), xp.nan)
        p.grad = Tensor._make(new.astype(g.dtype, copy=False), False, None, 0)
    return Tensor._make(total.astype(dtype), False, None, 0)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clip every gradient entry into ``[-clip_value, clip_value]`` (new arrays, rebound).

    Args:
        parameters: Tensors (or one Tensor) whose ``.grad`` to clip.
        clip_value: the bound (>= 0).

    Raises:
        ValueError: ``clip_value < 0``.
    """
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value!r}")
    for p in _with_grads(parameters):
        xp = get_array_module(p.grad._data)
        p.grad = Tensor._make(xp.clip(p.grad._data, -clip_value, clip_value), False, None, 0)


__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]
