"""Bilinear and EmbeddingBag layers (PyTorch's arguments, parameter names and init)."""
from __future__ import annotations

import math

import numpy

from ..autograd.tensor import DEFAULT_DTYPE
from ..ops.bilinear_bag import MODES, bilinear, embedding_bag
from . import init
from .module import Module, Parameter


class Bilinear(Module):
    """``y_k = x1^T W_k x2 + b_k``: (*, in1), (*, in2) -> (*, out); weight (out, in1, in2) and
    bias (out,) ~ U(-1/sqrt(in1), 1/sqrt(in1))."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        dt = numpy.dtype(dtype or DEFAULT_DTYPE)
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = Parameter(numpy.empty((out_features, in1_features, in2_features), dt))
        if bias:
            self.bias = Parameter(numpy.empty(out_features, dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embeddings without building the (B, N, D) tensor:
    ``forward(input, offsets=None, per_sample_weights=None)``; weight ~ N(0, 1)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight=None, include_last_offset: bool = False,
                 padding_idx: int | None = None, device=None, dtype=None) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"EmbeddingBag: mode must be one of {MODES}, got {mode!r}")
        self.num_embeddings, self.embedding_dim, self.mode = num_embeddings, embedding_dim, mode
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        self.include_last_offset = include_last_offset
        if padding_idx is not None:
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        dt = numpy.dtype(dtype or DEFAULT_DTYPE)
        if _weight is None:
            self.weight = Parameter(numpy.empty((num_embeddings, embedding_dim), dt))
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input, offsets=None, per_sample_weights=None):  # noqa: A002
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse,
                             per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, mode={self.mode!r}"
