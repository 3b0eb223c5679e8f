"""``bilinear`` (``y_k = x1^T W_k x2 + b_k``) and ``embedding_bag`` (sums, means or maxima of
bags of embeddings), PyTorch's F signatures; composites of matmul, gather and reductions."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import reduce as R
from .embedding import embedding
from .linalg import matmul
from .shape import getitem, permute, reshape, stack


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y[..., k] = sum_ij x1[..., i] W[k, i, j] x2[..., j] + b[k]``.

    Shapes: input1 (*, in1), input2 (*, in2), weight (out, in1, in2), bias (out,) -> (*, out).
    """
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] \
            or input2.shape[-1] != weight.shape[2] or input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear: input1 {tuple(input1.shape)}, input2 "
                           f"{tuple(input2.shape)} and weight {tuple(weight.shape)} must be "
                           f"(*, in1), (*, in2) and (out, in1, in2)")
    out, in1, in2 = weight.shape
    lead = tuple(input1.shape[:-1])
    # One 2-D GEMM: x1 (M, in1) @ W as (in1, out * in2), then the in2 contraction.
    w2 = reshape(permute(weight, 1, 0, 2), in1, out * in2)
    left = reshape(matmul(reshape(input1, -1, in1), w2), *lead, out, in2)
    y = (left * input2.unsqueeze(-2)).sum(dim=-1)
    return y if bias is None else y + bias


MODES = ("sum", "mean", "max")


def _bags(xp, input, offsets, include_last_offset):  # noqa: A002
    """(flat indices, bag start offsets, number of bags)."""
    idx = input._data if isinstance(input, Tensor) else xp.asarray(input)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: offsets must be None for 2-D input")
        n, length = idx.shape
        return idx.reshape(-1), xp.arange(0, n * length, length), n
    if idx.ndim != 1 or offsets is None:
        raise ValueError(f"embedding_bag: input must be 2-D (B, N), or 1-D with offsets; got "
                         f"shape {tuple(idx.shape)}")
    off = offsets._data if isinstance(offsets, Tensor) else xp.asarray(offsets)
    if include_last_offset:
        off = off[:-1]
    if off.size and (off[0] != 0 or (xp.diff(off) < 0).any() or off[-1] > idx.size):
        raise ValueError(f"embedding_bag: offsets must start at 0 and not decrease beyond the "
                         f"input size {idx.size}, got {off.tolist()}")
    return idx, off, off.size


def embedding_bag(input, weight: Tensor, offsets=None, max_norm=None,  # noqa: A002
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights=None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """Reduce bags of embeddings: input (B, N) (each row a bag) or 1-D with ``offsets`` (bag
    starts) -> (B, D). ``mode`` 'sum' (optionally times ``per_sample_weights``), 'mean' or
    'max'; entries equal to ``padding_idx`` are left out (a mean divides by the rest); an
    empty bag gives zeros."""
    if mode not in MODES:
        raise ValueError(f"embedding_bag: mode must be one of {MODES}, got {mode!r}")
    if max_norm is not None or scale_grad_by_freq:
        raise NotImplementedError("embedding_bag: max_norm and scale_grad_by_freq are not "
                                  "supported")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights only with mode='sum'")
    xp = get_array_module(weight._data)
    idx, starts, n_bags = _bags(xp, input, offsets, include_last_offset)
    ends = xp.concatenate([starts[1:], xp.asarray([idx.size])]).astype(xp.int64)
    keep = xp.ones(idx.size, bool) if padding_idx is None else idx != padding_idx % weight.shape[0]
    rows = embedding(idx, weight)  # (total, D)
    if mode == "max":
        d = weight.shape[1]
        out = []
        for s, e in zip(starts.tolist(), ends.tolist()):
            members = xp.nonzero(keep[s:e])[0] + s
            out.append(R.amax(getitem(rows, members), dim=0) if members.size
                       else Tensor._make(xp.zeros(d, weight.dtype), False, None, 0))
        return stack(out) if out else Tensor._make(xp.zeros((0, d), weight.dtype), False, None, 0)
    bag_of = xp.searchsorted(starts, xp.arange(idx.size), side="right") - 1
    coef = xp.zeros((n_bags, idx.size), weight.dtype)
    coef[bag_of[keep], xp.nonzero(keep)[0]] = 1.0
    if mode == "mean":
        coef /= xp.maximum(coef.sum(axis=1, keepdims=True), 1)
    if per_sample_weights is not None:
        psw = per_sample_weights if isinstance(per_sample_weights, Tensor) \
            else Tensor._make(xp.asarray(per_sample_weights, weight.dtype), False, None, 0)
        rows = rows * psw.reshape(-1).unsqueeze(-1)
    return matmul(Tensor._make(coef, False, None, 0), rows)
