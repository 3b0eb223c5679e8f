"""``multi_head_attention_forward``: PyTorch's functional multi-head attention, composed of
linear projections, batched matmuls and softmax (gradients from those ops).

Layout is sequence-first, (L, N, E) (or unbatched (L, E)), as PyTorch's F. Masks: boolean True
means *masked out*; float masks are added to the scores. ``key_padding_mask`` (N, S) and
``attn_mask`` (L, S) or (N * num_heads, L, S) merge into one additive mask.
"""
from __future__ import annotations

import math

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .activation import softmax
from .attention import additive_mask
from .dropout import dropout
from .linalg import linear, matmul
from .shape import cat, expand, reshape, split, transpose


def _const(a) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _project(query, key, value, e, in_proj_weight, in_proj_bias, separate, q_w, k_w, v_w):
    if not separate:
        w_q, w_k, w_v = split(in_proj_weight, e, 0)
    else:
        w_q, w_k, w_v = q_w, k_w, v_w
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = split(in_proj_bias, e, 0)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _pad_last(xp, m, n=1):
    return None if m is None else xp.pad(m, [(0, 0)] * (m.ndim - 1) + [(0, n)])


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn: bool, dropout_p: float,
        out_proj_weight, out_proj_bias, training: bool = True, key_padding_mask=None,
        need_weights: bool = True, attn_mask=None, use_separate_proj_weight: bool = False,
        q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None,
        static_v=None, average_attn_weights: bool = True, is_causal: bool = False):
    """Multi-head attention ``concat_h(softmax(Q_h K_h^T / sqrt(d) + M) V_h) W_o^T + b_o``.

    Args:
        query: (L, N, E) or (L, E); key, value: (S, N, kdim/vdim) or (S, kdim/vdim).
        in_proj_weight: (3E, E) packed [W_q; W_k; W_v] (or the separate q/k/v weights with
            ``use_separate_proj_weight``); in_proj_bias: (3E,).
        bias_k, bias_v: (1, 1, E) extra key/value appended to the sequence, or None.
        add_zero_attn: append a zero key/value.
        key_padding_mask: (N, S), bool True = ignore that key, or float (added).
        attn_mask: (L, S) or (N * num_heads, L, S), bool True = not allowed, or float (added).
        need_weights: also return the attention weights, averaged over heads
            (``average_attn_weights``) as (N, L, S), else (N, num_heads, L, S).
    Returns:
        (output (L, N, E), weights or None).
    """
    op = "multi_head_attention_forward"
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{op}: static_k / static_v are not supported")
    if is_causal and attn_mask is None:
        raise RuntimeError(f"{op}: need attn_mask if specifying the is_causal hint")
    batched = query.ndim == 3
    if not batched:
        query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = (key_padding_mask._data if isinstance(key_padding_mask, Tensor)
                                else key_padding_mask)[None]
    tgt_len, bsz, e = query.shape
    if e != embed_dim_to_check or e % num_heads:
        raise RuntimeError(f"{op}: query embedding {e} must equal embed_dim "
                           f"{embed_dim_to_check} and be divisible by num_heads {num_heads}")
    if key.shape[:2] != value.shape[:2] or key.shape[1] != bsz:
        raise RuntimeError(f"{op}: key {tuple(key.shape)} and value {tuple(value.shape)} must "
                           f"share (S, N) with N = {bsz} from query {tuple(query.shape)}")
    xp = get_array_module(query._data)
    hd = e // num_heads
    q, k, v = _project(query, key, value, e, in_proj_weight, in_proj_bias,
                       use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight)
    mask = additive_mask(attn_mask, q, "attn_mask", op)
    if mask is not None:
        src = key.shape[0]
        if mask.ndim == 2 and mask.shape != (tgt_len, src) or mask.ndim == 3 and \
                mask.shape != (bsz * num_heads, tgt_len, src) or mask.ndim not in (2, 3):
            raise RuntimeError(f"{op}: attn_mask shape {tuple(mask.shape)} must be "
                               f"({tgt_len}, {src}) or ({bsz * num_heads}, {tgt_len}, {src})")
        mask = mask[None] if mask.ndim == 2 else mask
    kpm = additive_mask(key_padding_mask, q, "key_padding_mask", op)
    if bias_k is not None and bias_v is not None:
        k = cat([k, expand(bias_k, 1, bsz, e)])
        v = cat([v, expand(bias_v, 1, bsz, e)])
        mask, kpm = _pad_last(xp, mask), _pad_last(xp, kpm)
    q = transpose(reshape(q, tgt_len, bsz * num_heads, hd), 0, 1)
    k = transpose(reshape(k, k.shape[0], bsz * num_heads, hd), 0, 1)
    v = transpose(reshape(v, v.shape[0], bsz * num_heads, hd), 0, 1)
    if add_zero_attn:
        zeros = _const(xp.zeros((bsz * num_heads, 1, hd), q.dtype))
        k, v = cat([k, zeros], 1), cat([v, zeros], 1)
        mask, kpm = _pad_last(xp, mask), _pad_last(xp, kpm)
    src_len = k.shape[1]
    if kpm is not None:
        if kpm.shape != (bsz, src_len):
            raise RuntimeError(f"{op}: key_padding_mask shape {tuple(kpm.shape)} must be "
                               f"({bsz}, {src_len})")
        kpm = xp.broadcast_to(kpm[:, None, None, :], (bsz, num_heads, 1, src_len)) \
            .reshape(bsz * num_heads, 1, src_len)
        mask = kpm if mask is None else mask + kpm
    scores = matmul(q * (1.0 / math.sqrt(hd)), transpose(k, 1, 2))
    if mask is not None:
        scores = scores + _const(mask)
    weights = softmax(scores, -1)
    if training and dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    out = reshape(transpose(matmul(weights, v), 0, 1), tgt_len * bsz, e)
    out = reshape(linear(out, out_proj_weight, out_proj_bias), tgt_len, bsz, e)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    w = reshape(weights, bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        w = w.mean(dim=1)
    if not batched:
        w = w.squeeze(0)
    return out, w
