"""Scaled dot-product attention (PyTorch's ``F.scaled_dot_product_attention``) and the mask
helpers that multi-head attention shares with it.

``softmax(q k^T * scale + mask) v``, a composite of batched matmuls and the fused softmax, so
the gradients come from those ops. Masks follow PyTorch: in SDPA a boolean ``attn_mask`` is True
where attention is *allowed*; in MultiheadAttention boolean masks are True where it is *not*
(``merge_masks`` converts those to additive -inf masks).
"""
from __future__ import annotations

import math

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import arithmetic as M
from .activation import softmax
from .dropout import dropout
from .linalg import matmul
from .shape import getitem, transpose


def _const(a) -> Tensor:
    return Tensor._make(a, False, None, 0)


def causal_mask(xp, n_query: int, n_key: int):
    """Boolean (L, S): True on and below the diagonal (query i sees keys 0..i)."""
    return xp.tril(xp.ones((n_query, n_key), dtype=bool))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(Q K^T scale + M) V`` over the last two dims.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev); leading dims broadcast.
        attn_mask: broadcastable to (..., L, S): bool (True = may attend) or float (added).
        dropout_p: dropout on the attention weights (always applied when > 0, as PyTorch's F).
        is_causal: mask keys after each query (upper-left aligned); not with ``attn_mask``.
        scale: defaults to ``1 / sqrt(E)``.
        enable_gqa: let query have a multiple of key/value's heads (dim -3), grouped.
    Returns:
        (..., L, Ev).
    """
    op = "scaled_dot_product_attention"
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(f"{op}: query, key and value need at least 2 dims, got shapes "
                           f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{op}: query {tuple(query.shape)} and key {tuple(key.shape)} must "
                           f"share the embedding dim, key and value {tuple(value.shape)} the "
                           f"sequence dim")
    if is_causal and attn_mask is not None:
        raise RuntimeError(f"{op}: pass either attn_mask or is_causal=True, not both")
    xp = get_array_module(query._data)
    if enable_gqa and key.ndim >= 3 and query.shape[-3] != key.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq % hk:
            raise RuntimeError(f"{op}: query heads {hq} must be a multiple of key heads {hk}")
        group = xp.arange(hq) // (hq // hk)
        lead = (Ellipsis, group, slice(None), slice(None))
        key, value = getitem(key, lead), getitem(value, lead)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = matmul(query, transpose(key, -2, -1)) * scale
    if is_causal:
        attn_mask = causal_mask(xp, query.shape[-2], key.shape[-2])
    if attn_mask is not None:
        m = attn_mask._data if isinstance(attn_mask, Tensor) else xp.asarray(attn_mask)
        if m.dtype == bool:
            scores = M.where(m, scores, -math.inf)
        else:
            scores = scores + (attn_mask if isinstance(attn_mask, Tensor) else _const(m))
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return matmul(weights, value)


def additive_mask(mask, like: Tensor, name: str, op: str):
    """A MultiheadAttention mask as a float array to add: bool True -> -inf, float as given."""
    if mask is None:
        return None
    xp = get_array_module(like._data)
    m = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype == bool:
        return xp.where(m, -math.inf, 0.0).astype(like.dtype)
    if m.dtype.kind != "f":
        raise TypeError(f"{op}: only bool and floating types of {name} are supported, got "
                        f"{m.dtype}")
    return m.astype(like.dtype, copy=False)
