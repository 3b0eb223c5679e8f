"""Embedding: a learnable lookup table from integer tokens to vectors."""
from __future__ import annotations

import numpy

from ..autograd.tensor import DEFAULT_DTYPE, Tensor
from ..ops.embedding import embedding
from . import init
from .module import Module, Parameter


class Embedding(Module):
    """``y = weight[input]``: input (*) integer indices -> (*, embedding_dim).

    ``weight`` (num_embeddings, embedding_dim) ~ N(0, 1) as PyTorch's. With ``padding_idx`` that
    row starts at zero and receives no gradient, so padded tokens map to a constant zero vector.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype=None) -> None:
        super().__init__()
        if num_embeddings <= 0 or embedding_dim <= 0:
            raise ValueError(f"Embedding: num_embeddings and embedding_dim must be positive, "
                             f"got {num_embeddings} and {embedding_dim}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be in [-{num_embeddings}, "
                                 f"{num_embeddings}), got {padding_idx}")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        dtype = numpy.dtype(dtype or DEFAULT_DTYPE)
        self.weight = Parameter(numpy.empty((num_embeddings, embedding_dim), dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s + ("" if self.padding_idx is None else f", padding_idx={self.padding_idx}")
