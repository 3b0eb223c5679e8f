"""Normalizations over chosen axes: layer_norm, group_norm, instance_norm, rms_norm and
local_response_norm (PyTorch's F signatures).

One fused op, ``Normalize``, standardizes over a set of axes:
``y = (x - mean) / sqrt(var + eps)`` (biased variance) with the gradient
``gx = rstd (gy - mean(gy) - y mean(gy y))``, means over the same axes. The affine parts are
plain broadcasting products, so their gradients come from autograd.
"""
from __future__ import annotations

import math

import numpy

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .padding import pad
from .shape import getitem, reshape


class Normalize(Function):
    """Standardize over ``axes``: (x - mean) / sqrt(var + eps)."""

    def __init__(self, axes, eps):
        self.axes, self.eps = axes, eps

    def forward(self, x):
        xp = get_array_module(x)
        mean = x.mean(axis=self.axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=self.axes, keepdims=True)
        self.rstd = 1.0 / xp.sqrt(var + self.eps)
        self.y = centred * self.rstd
        self.mean, self.var = mean, var
        return self.y

    def backward(self, gy):
        y, axes = self.y, self.axes
        g = gy - gy.mean(axis=axes, keepdims=True) - y * (gy * y).mean(axis=axes, keepdims=True)
        return g * self.rstd


def _affine(y: Tensor, weight, bias, shape) -> Tensor:
    if weight is not None:
        y = y * reshape(weight, *shape)
    if bias is not None:
        y = y + reshape(bias, *shape)
    return y


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dims, then ``* weight + bias``
    (both of ``normalized_shape``): ``y = (x - E[x]) / sqrt(Var[x] + eps) * w + b``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"layer_norm: input shape {tuple(input.shape)} does not end in "
                           f"normalized_shape {shape}")
    y = Normalize(tuple(range(input.ndim - k, input.ndim)), eps).apply(input)
    return _affine(y, weight, bias, shape)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,  # noqa: A002
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dims; eps defaults to the dtype's
    machine epsilon, as PyTorch."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"rms_norm: input shape {tuple(input.shape)} does not end in "
                           f"normalized_shape {shape}")
    if eps is None:
        eps = float(numpy.finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    y = input / ((input * input).mean(dim=dims, keepdim=True) + eps).sqrt()
    return y if weight is None else y * weight


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize (N, C, *) over each group of C / num_groups channels and the spatial dims,
    then a per-channel ``weight``, ``bias`` (C,)."""
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(f"group_norm: expected input with at least 2 dims and channels "
                           f"divisible by num_groups={num_groups}, got shape "
                           f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    y = Normalize((2,), eps).apply(reshape(input, n, num_groups, -1))
    y = reshape(y, *input.shape)
    return _affine(y, weight, bias, (1, c) + (1,) * (input.ndim - 2))


def instance_norm(input: Tensor, running_mean: Tensor | None = None,  # noqa: A002
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each (sample, channel) of (N, C, *spatial) over its spatial dims.

    With ``use_input_stats`` and running buffers given, they move by ``momentum`` toward the
    batch average of the per-instance means and unbiased variances (PyTorch's rule); without
    ``use_input_stats`` the running statistics normalize instead.
    """
    if input.ndim < 3:
        raise RuntimeError(f"instance_norm: input must be (N, C, *spatial), got shape "
                           f"{tuple(input.shape)}")
    c = input.shape[1]
    bshape = (1, c) + (1,) * (input.ndim - 2)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("instance_norm: running_mean and running_var are required "
                               "when use_input_stats=False")
        xp = get_array_module(input._data)
        scale = 1.0 / xp.sqrt(running_var._data.reshape(bshape) + eps)
        y = (input - Tensor._make(running_mean._data.reshape(bshape), False, None, 0)) \
            * Tensor._make(scale.astype(input.dtype), False, None, 0)
        return _affine(y, weight, bias, bshape)
    fn = Normalize(tuple(range(2, input.ndim)), eps)
    y = fn.apply(input)
    if running_mean is not None and running_var is not None:
        m = math.prod(input.shape[2:])
        mean = fn.mean.reshape(input.shape[:2]).mean(axis=0)
        var = (fn.var.reshape(input.shape[:2]) * (m / max(m - 1, 1))).mean(axis=0)
        running_mean._data[...] = (1 - momentum) * running_mean._data + momentum * mean
        running_var._data[...] = (1 - momentum) * running_var._data + momentum * var
    return _affine(y, weight, bias, bshape)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4,  # noqa: A002
                        beta: float = 0.75, k: float = 1.0) -> Tensor:
    """``x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta``; the
    window is centred (``size // 2`` before, ``(size - 1) // 2`` after), zero-padded."""
    if input.ndim < 3:
        raise RuntimeError(f"local_response_norm: input must be at least 3-D (N, C, *), got "
                           f"shape {tuple(input.shape)}")
    c = input.shape[1]
    sq = input * input
    widths = [0, 0] * (input.ndim - 2) + [size // 2, (size - 1) // 2]
    padded = pad(sq, widths)
    total = None
    for j in range(size):
        part = getitem(padded, (slice(None), slice(j, j + c)))
        total = part if total is None else total + part
    return input / (total * (alpha / size) + k) ** beta
