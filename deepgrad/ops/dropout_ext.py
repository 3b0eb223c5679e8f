"""Channel ("feature") dropout and alpha dropout: dropout1d/2d/3d, alpha_dropout,
feature_alpha_dropout (PyTorch's F signatures).

Each draws a constant Bernoulli(1 - p) keep-mask (per element, or per (sample, channel) for
the feature kinds, broadcast over the spatial dims) and applies it with plain tensor products,
so the gradient is the same mask. ``inplace=True`` is accepted and computes out of place.
"""
from __future__ import annotations

import warnings

from ..autograd.tensor import Tensor
from ..random import generator
from .activation_ext import SELU_ALPHA, SELU_SCALE

# SELU's negative saturation value, -alpha * scale: alpha dropout sets dropped units to it.
ALPHA_PRIME = -SELU_ALPHA * SELU_SCALE


def _check(op, p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")


def _keep(x: Tensor, p: float, per_channel: bool, spatial: int):
    """A (N, C, 1, ...) or x-shaped float mask of Bernoulli(1 - p) draws."""
    shape = tuple(x.shape)
    if per_channel:
        lead = x.ndim - spatial  # (N, C) or the unbatched (C,)
        shape = shape[:lead] + (1,) * spatial
    return (generator().random(shape) >= p).astype(x.dtype)


def _const(a) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _feature_dropout(op, x, p, training, spatial):
    _check(op, p)
    if x.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"{op}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D "
                           f"(batched) input, got shape {tuple(x.shape)}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return x * _const(_keep(x, p, True, spatial) * (1.0 / (1.0 - p)))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) / (C, L) with probability p, scale the rest 1/(1-p)."""
    return _feature_dropout("dropout1d", input, p, training, 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability p, scale 1/(1-p). A 3-D input is
    taken as (N, C, L), with PyTorch's warning (PyTorch plans to read it as (C, H, W))."""
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim; use dropout1d for that.",
                      UserWarning, stacklevel=2)
        return _feature_dropout("dropout2d", input, p, training, 1)
    return _feature_dropout("dropout2d", input, p, training, 2)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) / (C, D, H, W) with probability p."""
    return _feature_dropout("dropout3d", input, p, training, 3)


def _alpha(op, x, p, training, per_channel):
    """``a (x m + alpha' (1 - m)) + b`` with ``a = ((1 - p)(1 + p alpha'^2))^-1/2`` and
    ``b = -a alpha' p``: mean and variance of SELU-normalized inputs are kept."""
    _check(op, p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    a = ((1.0 - p) * (1.0 + p * ALPHA_PRIME ** 2)) ** -0.5
    b = -a * ALPHA_PRIME * p
    spatial = max(x.ndim - 2, 0)
    keep = _keep(x, p, per_channel, spatial)
    return x * _const(keep * a) + _const((1.0 - keep) * (a * ALPHA_PRIME) + b)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,  # noqa: A002
                  inplace: bool = False) -> Tensor:
    """Alpha dropout (for SELU networks): dropped units take SELU's saturation value and an
    affine map restores the mean and variance."""
    return _alpha("alpha_dropout", input, p, training, False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5,  # noqa: A002
                          training: bool = False, inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels of (N, C, *)."""
    return _alpha("feature_alpha_dropout", input, p, training, True)
