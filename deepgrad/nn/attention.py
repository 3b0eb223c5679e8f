"""MultiheadAttention with PyTorch's arguments and parameter names (``in_proj_weight``,
``in_proj_bias``, ``out_proj.weight``/``.bias``, or ``q/k/v_proj_weight`` when kdim/vdim differ,
``bias_k``/``bias_v``), so state dicts move between the two."""
from __future__ import annotations

import numpy

from ..autograd.tensor import DEFAULT_DTYPE
from ..ops.mha import multi_head_attention_forward
from ..ops.shape import transpose
from . import init
from .linear import Linear
from .module import Module, Parameter


class MultiheadAttention(Module):
    """Multi-head attention: ``concat_h(softmax(Q_h K_h^T / sqrt(d) + M) V_h) W_o^T + b_o``.

    Shapes: query (L, N, E), key/value (S, N, kdim/vdim) (``batch_first``: (N, L, E)), or
    unbatched (L, E). ``forward`` returns ``(output, weights)``, weights (N, L, S) averaged
    over heads (``average_attn_weights``), (N, num_heads, L, S) otherwise, or None without
    ``need_weights``. Boolean masks are True where attention is not allowed.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim=None, vdim=None,
                 batch_first: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by "
                             f"num_heads {num_heads} (both positive)")
        dt = numpy.dtype(dtype or DEFAULT_DTYPE)
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim, self.batch_first = embed_dim // num_heads, batch_first
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(numpy.empty((3 * embed_dim, embed_dim), dt))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(numpy.empty((embed_dim, embed_dim), dt))
            self.k_proj_weight = Parameter(numpy.empty((embed_dim, self.kdim), dt))
            self.v_proj_weight = Parameter(numpy.empty((embed_dim, self.vdim), dt))
        if bias:
            self.in_proj_bias = Parameter(numpy.empty(3 * embed_dim, dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dt)
        if add_bias_kv:
            self.bias_k = Parameter(numpy.empty((1, 1, embed_dim), dt))
            self.bias_v = Parameter(numpy.empty((1, 1, embed_dim), dt))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v (PyTorch's)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        if self.batch_first and query.ndim == 3:
            query, key, value = (transpose(t, 0, 1) for t in (query, key, value))
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        if self.batch_first and query.ndim == 3:
            out = transpose(out, 0, 1)
        return out, weights

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
