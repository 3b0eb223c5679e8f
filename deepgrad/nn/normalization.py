"""Normalization layers: LayerNorm, RMSNorm, GroupNorm, InstanceNorm1d/2d/3d,
LocalResponseNorm, BatchNorm3d (PyTorch's arguments, parameter and buffer names)."""
from __future__ import annotations

import numpy

from ..autograd.tensor import DEFAULT_DTYPE
from ..ops import normalization as N
from .batchnorm import _BatchNorm
from .module import Module, Parameter


def _affine_params(module, shape, affine: bool, bias: bool, dtype) -> None:
    dtype = numpy.dtype(dtype or DEFAULT_DTYPE)
    if affine:
        module.weight = Parameter(numpy.ones(shape, dtype))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(numpy.zeros(shape, dtype))
    else:
        module.register_parameter("bias", None)


class LayerNorm(Module):
    """Normalize over the trailing ``normalized_shape`` dims: ``(x - E[x]) / sqrt(Var[x] + eps)
    * weight + bias``; weight (ones) and bias (zeros) of ``normalized_shape``."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) \
            else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _affine_params(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def forward(self, input):  # noqa: A002
        return N.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class RMSNorm(LayerNorm):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing dims (eps None: the dtype's
    machine epsilon)."""

    def __init__(self, normalized_shape, eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None) -> None:
        super().__init__(normalized_shape, eps, elementwise_affine, False, device, dtype)

    def forward(self, input):  # noqa: A002
        return N.rms_norm(input, self.normalized_shape, self.weight, self.eps)


class GroupNorm(Module):
    """Normalize (N, C, *) over groups of C / num_groups channels (and the spatial dims), then
    per-channel weight (ones) and bias (zeros)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels {num_channels} must be divisible by "
                             f"num_groups {num_groups}")
        self.num_groups, self.num_channels, self.eps, self.affine = (num_groups, num_channels,
                                                                     eps, affine)
        _affine_params(self, (num_channels,), affine, True, dtype)

    def forward(self, input):  # noqa: A002
        return N.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(_BatchNorm):
    """Per-(sample, channel) normalization over the spatial dims; PyTorch's defaults
    (affine=False, track_running_stats=False) and buffers when tracking."""

    spatial = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)

    def forward(self, input):  # noqa: A002
        x = input
        unbatched = input.ndim == self.spatial + 1
        if unbatched:
            x = x.unsqueeze(0)
        if x.ndim != self.spatial + 2 or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected "
                             f"({self.num_features}, *{self.spatial} spatial dims) with an "
                             f"optional batch dim, got shape {tuple(input.shape)}")
        use_input_stats = self.training or not self.track_running_stats
        y = N.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            use_input_stats, self.momentum or 0.0, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of (N, C, L) or (C, L)."""

    spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of (N, C, H, W) or (C, H, W)."""


class InstanceNorm3d(_InstanceNorm):
    """Instance norm of (N, C, D, H, W) or (C, D, H, W)."""

    spatial = 3


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) input, statistics per channel C."""

    dims = (5,)


class LocalResponseNorm(Module):
    """``x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta``."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):  # noqa: A002
        return N.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


__all__ = ["LayerNorm", "RMSNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "BatchNorm3d", "LocalResponseNorm"]
