"""Batch normalization as one fused op (``F.batch_norm``), with running statistics.

Training on channels-last NumPy data (a convolution's output) takes the fused passes of
``cpu_batchnorm_nhwc.py``; ``BatchNorm`` below is the general path and its reference.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ..backend import xp as _numpy
from . import cpu_batchnorm_nhwc


class BatchNorm(Function):
    """``y = (x - mean) / sqrt(var + eps) * weight + bias`` over every axis but the channel axis 1.

    Training: mean and (biased) var of the batch; backward is the closed form
    ``gx = invstd / m * (m gxhat - sum(gxhat) - xhat sum(gxhat xhat))``, gxhat = gy * weight,
    with m the number of values per channel. Evaluation: the given running mean/var, an affine
    map whose gradient is ``gy * weight * invstd``.
    """

    def __init__(self, training, eps, mean=None, var=None):
        self.training, self.eps, self.mean, self.var = training, eps, mean, var

    def forward(self, x, weight=None, bias=None):
        xp = get_array_module(x)
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        # Channels-last NumPy data in training: fused passes (SyncBatchNorm keeps this path).
        self.fused = (self.training and xp is _numpy and type(self) is BatchNorm
                      and cpu_batchnorm_nhwc.channels_innermost(x))
        if self.fused:
            self.count = x.size // x.shape[1]
            y, self.saved, self.batch_mean, self.batch_var = cpu_batchnorm_nhwc.forward(
                xp, x, weight, bias, self.eps)
            return y
        if self.training:
            mean, xc, var = self.batch_stats(x, axes, shape)
            self.batch_mean, self.batch_var = mean, var
        else:
            xc = x - self.mean.reshape(shape).astype(x.dtype, copy=False)
            var = self.var.astype(x.dtype, copy=False)
        invstd = (1.0 / xp.sqrt(var + x.dtype.type(self.eps))).astype(x.dtype, copy=False)
        xhat = xc * invstd.reshape(shape)
        self.xhat, self.invstd, self.axes, self.shape = xhat, invstd, axes, shape
        self.weight = weight
        y = xhat if weight is None else xhat * weight.reshape(shape)
        return y if bias is None else y + bias.reshape(shape)

    def batch_stats(self, x, axes, shape):
        """(mean, x - mean, biased var) per channel; sets ``self.count``, the values per
        channel. SyncBatchNorm overrides this (and ``reduce_sums``) to span all ranks."""
        self.count = x.size // x.shape[1]
        mean = x.mean(axis=axes)
        xc = x - mean.reshape(shape)
        return mean, xc, (xc * xc).mean(axis=axes)

    def reduce_sums(self, s1, s2):
        """The per-channel sums of backward, ``sum(gxhat)`` and ``sum(gxhat * xhat)``."""
        return s1, s2

    def backward(self, gy):
        if self.fused:
            return cpu_batchnorm_nhwc.backward(get_array_module(gy), gy, self.saved,
                                               self.needs_input_grad)
        need, shape, axes, xhat = self.needs_input_grad, self.shape, self.axes, self.xhat
        gxhat = gy if self.weight is None else gy * self.weight.reshape(shape)
        gx = gw = gb = None
        if need[0]:
            if self.training:
                m = self.count
                s1, s2 = self.reduce_sums(gxhat.sum(axis=axes), (gxhat * xhat).sum(axis=axes))
                s1, s2 = s1.reshape(shape), s2.reshape(shape)
                gx = (gxhat - s1 / m - xhat * (s2 / m)) * self.invstd.reshape(shape)
            else:
                gx = gxhat * self.invstd.reshape(shape)
        if len(need) > 1 and need[1]:
            gw = (gy * xhat).sum(axis=axes)
        if len(need) > 2 and need[2]:
            gb = gy.sum(axis=axes)
        return (gx, gw, gb)[:len(need)]


def batch_norm(x: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalization (PyTorch's ``F.batch_norm``).

    Args:
        x: (N, C) or (N, C, L) or (N, C, H, W); statistics are per channel C.
        running_mean, running_var: (C,) buffers, updated in place in training as
            ``r = (1 - momentum) r + momentum * batch_stat`` (the variance unbiased, n / (n - 1));
            may be None in training (no tracking). Required when ``training`` is False.
        weight, bias: (C,) affine parameters or None.
        training: normalize with the batch statistics (True) or the running ones (False).
        momentum: the update factor of the running statistics.
        eps: added to the variance for stability.
    Returns:
        A tensor of x's shape.
    """
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must be at least 2-D (N, C, ...), got shape "
                         f"{tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} shape {tuple(t.shape)} does not match the "
                             f"{c} channels of input shape {tuple(x.shape)}")
    if not training and (running_mean is None or running_var is None):
        raise ValueError("batch_norm: running_mean and running_var are required when "
                         "training=False")
    m = x._data.size // c
    if training and m <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input shape {tuple(x.shape)}")
    fn = BatchNorm(training, eps, None if training else running_mean._data,
                   None if training else running_var._data)
    if weight is None and bias is not None:  # the op takes weight before bias: use ones
        weight = Tensor._make(get_array_module(x._data).ones(c, x.dtype), False, None, 0)
    inputs = [x] + [t for t in (weight, bias) if t is not None]
    y = fn.apply(*inputs)
    if training and running_mean is not None:
        update_running_stats(fn, running_mean, running_var, momentum)
    return y


def update_running_stats(fn: BatchNorm, running_mean: Tensor, running_var: Tensor,
                         momentum: float) -> None:
    """``r = (1 - momentum) r + momentum * batch_stat`` in place, from a training-mode
    BatchNorm node ``fn`` (the variance made unbiased with its ``count`` m: var * m / (m - 1))."""
    m = fn.count
    rm, rv = running_mean._data, running_var._data
    mean, var = fn.batch_mean, fn.batch_var * (m / (m - 1))
    rm *= 1 - momentum
    rm += (momentum * mean).astype(rm.dtype, copy=False)
    rv *= 1 - momentum
    rv += (momentum * var).astype(rv.dtype, copy=False)
