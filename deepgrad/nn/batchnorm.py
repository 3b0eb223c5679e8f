"""Batch normalization layers: BatchNorm1d and BatchNorm2d (PyTorch's buffers and behaviour)."""
from __future__ import annotations

import numpy

from ..autograd.tensor import DEFAULT_DTYPE, Tensor
from ..ops.batchnorm import batch_norm
from . import init
from .module import Module, Parameter


class _BatchNorm(Module):
    """Normalize each channel with batch statistics in training, running statistics in eval.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``. Buffers (PyTorch's names):
    ``running_mean`` (zeros), ``running_var`` (ones), ``num_batches_tracked`` (int64). In
    training the running statistics move by ``momentum`` (the cumulative average
    ``1 / num_batches_tracked`` when momentum is None), with the unbiased batch variance.
    """

    dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype=None,
                 weight_regularizer=None, bias_regularizer=None) -> None:
        super().__init__()
        name = type(self).__name__
        if num_features <= 0:
            raise ValueError(f"{name}: num_features must be positive, got {num_features}")
        if eps <= 0:
            raise ValueError(f"{name}: eps must be positive, got {eps}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = numpy.dtype(dtype or DEFAULT_DTYPE)
        if affine:
            self.weight = Parameter(numpy.ones(num_features, dtype))
            self.bias = Parameter(numpy.zeros(num_features, dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(numpy.zeros(num_features, dtype)))
            self.register_buffer("running_var", Tensor(numpy.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(numpy.array(0, numpy.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.add_regularizer("weight", weight_regularizer)
        self.add_regularizer("bias", bias_regularizer)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input(self, x) -> None:
        if x.ndim not in self.dims or x.shape[1] != self.num_features:
            layout = " or ".join(f"{d}-D" for d in self.dims)
            raise ValueError(f"{type(self).__name__}({self.num_features}): input must be "
                             f"{layout} with {self.num_features} channels at dim 1, got shape "
                             f"{tuple(x.shape)}")

    def forward(self, x):
        self._check_input(x)
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked._data)
        # Batch statistics in training, and in eval too when no running statistics are kept.
        use_batch = self.training or self.running_mean is None
        track = self.training and self.track_running_stats
        return self._normalize(x, self.running_mean if track or not use_batch else None,
                               self.running_var if track or not use_batch else None,
                               use_batch, momentum or 0.0)

    def _normalize(self, x, running_mean, running_var, use_batch: bool, momentum: float):
        """``F.batch_norm`` with this layer's affine parameters (SyncBatchNorm overrides it)."""
        return batch_norm(x, running_mean, running_var, self.weight, self.bias, use_batch,
                          momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input, statistics per channel C."""

    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, statistics per channel C."""

    dims = (4,)
