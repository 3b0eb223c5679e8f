"""Embedding lookup: rows of a weight matrix gathered by integer index, scatter-added back."""
from __future__ import annotations

import numpy

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module


class Embedding(Function):
    """``y[...] = weight[idx[...]]``; the gradient of a row sums over every place it was used.

    The padding row (``padding_idx``) gets no gradient, so it stays as initialized (zero).
    """

    def __init__(self, idx, padding_idx=None):
        self.idx, self.padding_idx = idx, padding_idx

    def forward(self, weight):
        self.shape = weight.shape
        return weight[self.idx]

    def backward(self, gy):
        xp = get_array_module(gy)
        gw = xp.zeros(self.shape, gy.dtype)
        # add.at accumulates repeated indices (a plain fancy assignment would keep only one).
        xp.add.at(gw, self.idx.reshape(-1), gy.reshape(-1, self.shape[1]))
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, D) at integer ``input`` (any shape) -> (..., D).

    Raises IndexError naming the bad index and the table size when an index is out of range
    (checked on the CPU; on a GPU, indices are not read back to the host to be checked).
    """
    idx = input._data if isinstance(input, Tensor) else input
    xp = get_array_module(weight._data)
    idx = xp.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    n = weight.shape[0]
    # On the CPU only: on a device the check would read the indices back every step.
    if xp is numpy and idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise IndexError(f"embedding: index {bad} is out of range for a table of {n} rows "
                         f"(input shape {tuple(idx.shape)})")
    return Embedding(idx, padding_idx).apply(weight)
