"""Basic layers: Linear, Identity, Flatten, Dropout."""
from __future__ import annotations

import math

import numpy

from ..autograd.tensor import DEFAULT_DTYPE
from ..ops.dropout import dropout
from ..ops.linalg import Linear as LinearFn
from ..ops.shape import flatten
from . import init
from .module import Module, Parameter


def add_weight_and_bias(module: Module, weight_shape: tuple, bias: bool, dtype,
                        weight_regularizer=None, bias_regularizer=None) -> None:
    """Register uninitialized ``weight`` of ``weight_shape`` and ``bias`` of
    ``(weight_shape[0],)`` (or an absent bias) on ``module``, with their regularizers; the
    layer's ``reset_parameters`` fills them."""
    dtype = numpy.dtype(dtype or DEFAULT_DTYPE)
    module.weight = Parameter(numpy.empty(weight_shape, dtype))
    if bias:
        module.bias = Parameter(numpy.empty(weight_shape[0], dtype))
    else:
        module.register_parameter("bias", None)
    module.add_regularizer("weight", weight_regularizer)
    module.add_regularizer("bias", bias_regularizer)


class Linear(Module):
    """Fully connected layer ``y = x W^T + b``.

    Shapes: x (..., in_features) -> y (..., out_features); weight (out, in), bias (out,).
    Init as PyTorch's: W ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with a = sqrt 5), the
    bias likewise. ``weight_regularizer``/``bias_regularizer`` add penalties to
    ``Module.regularization_loss()``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None,
                 weight_regularizer=None, bias_regularizer=None) -> None:
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise ValueError(f"Linear: in_features and out_features must be positive, got "
                             f"{in_features} and {out_features}")
        self.in_features, self.out_features = in_features, out_features
        add_weight_and_bias(self, (out_features, in_features), bias, dtype, weight_regularizer,
                            bias_regularizer)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Linear({self.in_features}, {self.out_features}): input shape "
                             f"{tuple(x.shape)} does not end in in_features={self.in_features}")
        if self.bias is None:
            return LinearFn().apply(x, self.weight)
        return LinearFn().apply(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, x):
        return x


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` (default: all but the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout with probability ``p`` in training mode; identity in eval mode
    (``inplace=True`` computes out of place)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
