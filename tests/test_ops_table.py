"""One table row per op: forward vs NumPy, float64 gradcheck, float32 kept, no graph in no_grad."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.nn.functional as F


@dataclass(frozen=True)
class In:
    """A random float input: ``shape`` and a ``domain`` keeping the op smooth and defined."""

    shape: tuple
    domain: str = "any"

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        if self.domain == "pos":  # away from 0 for log, sqrt, division, pow bases
            return rng.uniform(0.5, 2.0, self.shape)
        if self.domain == "unit":  # probabilities away from 0 and 1
            return rng.uniform(0.1, 0.9, self.shape)
        return rng.standard_normal(self.shape)


# One-letter input makers keep the table rows on one line each.
def A(*shape):  # noqa: N802
    return In(shape)


def P(*shape):  # noqa: N802
    return In(shape, "pos")


def U(*shape):  # noqa: N802
    return In(shape, "unit")


@dataclass(frozen=True)
class Row:
    id: str
    fn: Callable  # Tensors -> Tensor or tuple of Tensors
    ref: Callable  # float64 arrays -> array or tuple of arrays
    inputs: tuple
    grad: bool = True  # False for ops without a gradient (argmax)


_RNG = np.random.default_rng(1234)
MASK = _RNG.random((3, 4)) > 0.5  # condition / boolean-index constants
TGT = np.array([0, 2, 1, 2, 3])  # class targets for (5, 4) logits
TGT_IGN = np.array([0, -100, 1, 2, -100])
TGT_ND = _RNG.integers(0, 3, (2, 4))  # targets for (2, 3, 4) logits
PROB = _RNG.dirichlet(np.ones(4), 5)  # probability targets for (5, 4) logits
W4 = np.array([0.5, 2.0, 1.0, 1.5])


def _log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _ce_ref(x, t, w=None, eps=0.0, ignore=-100, reduction="mean"):
    """PyTorch's definition written out per row: (1-eps) w_y NLL + eps/C sum_c w_c (-log p_c)."""
    logp = _log_softmax(x, 1)
    n, c = x.shape
    w = np.ones(c) if w is None else w
    valid = t != ignore
    safe = np.where(valid, t, 0)
    nll = -logp[np.arange(n), safe] * w[safe]
    smooth = -(logp * w).sum(1)
    rows = ((1 - eps) * nll + eps / c * smooth) * valid
    if reduction == "none":
        return rows
    if reduction == "sum":
        return rows.sum()
    return rows.sum() / (w[safe] * valid).sum()


def _ce_prob_ref(x, p, w=None, eps=0.0, reduction="mean"):
    c = x.shape[1]
    q = p * (1 - eps) + eps / c
    rows = -(q * _log_softmax(x, 1) * (np.ones(c) if w is None else w)).sum(1)
    return {"none": rows, "sum": rows.sum(), "mean": rows.mean()}[reduction]


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _bce_ref(p, t, w=1.0):
    return (-(t * np.log(p) + (1 - t) * np.log(1 - p)) * w).mean()


def _bce_logits_ref(x, t, w=1.0, pw=1.0):
    return (-(pw * t * np.log(_sigmoid(x)) + (1 - t) * np.log(1 - _sigmoid(x))) * w).mean()


def _reduce(v, reduction):
    return {"none": v, "sum": v.sum(), "mean": v.mean()}[reduction]


def _softplus_ref(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _np_max_dim(x, dim, keepdim=False):
    return x.max(dim, keepdims=keepdim), x.argmax(dim, keepdims=keepdim)


ROWS = [
    # ---- arithmetic, with broadcasting and 0-d operands --------------------------------------
    Row("add", lambda a, b: a + b, np.add, (A(3, 4), A(3, 4))),
    Row("add_bcast_row", dg.add, np.add, (A(3, 4), A(4))),
    Row("add_bcast_outer", dg.add, np.add, (A(3, 1), A(1, 4))),
    Row("add_0d", dg.add, np.add, (A(), A(3))),
    Row("add_scalar", lambda a: a + 2.5, lambda a: a + 2.5, (A(3),)),
    Row("radd_scalar", lambda a: 2.5 + a, lambda a: 2.5 + a, (A(3),)),
    Row("sub_bcast", lambda a, b: a - b, np.subtract, (A(2, 3), A(3))),
    Row("rsub_scalar", lambda a: 1 - a, lambda a: 1 - a, (A(3),)),
    Row("mul_bcast", lambda a, b: a * b, np.multiply, (A(2, 1, 3), A(4, 1))),
    Row("mul_0d_0d", dg.mul, np.multiply, (A(), A())),
    Row("div", lambda a, b: a / b, np.divide, (A(3, 4), P(3, 4))),
    Row("div_bcast", dg.div, np.divide, (A(3, 4), P(4))),
    Row("rdiv_scalar", lambda a: 2 / a, lambda a: 2 / a, (P(3),)),
    Row("neg", lambda a: -a, np.negative, (A(3, 4),)),
    Row("pow_tensor", lambda a, b: a ** b, np.power, (P(3, 4), A(3, 4))),
    Row("pow_tensor_bcast", dg.pow, np.power, (P(3, 4), A(4))),
    Row("pow_scalar_2", lambda a: a ** 2, lambda a: a ** 2, (A(3, 4),)),
    Row("pow_scalar_3", lambda a: a.pow(3), lambda a: a ** 3, (A(3, 4),)),
    Row("pow_scalar_half", lambda a: a ** 0.5, np.sqrt, (P(3, 4),)),
    Row("pow_scalar_neg", lambda a: a ** -1.5, lambda a: a ** -1.5, (P(3, 4),)),
    Row("rpow_scalar", lambda a: 2 ** a, lambda a: 2 ** a, (A(3),)),
    Row("exp", dg.exp, np.exp, (A(3, 4),)),
    Row("exp_0d", lambda a: a.exp(), np.exp, (A(),)),
    Row("log", dg.log, np.log, (P(3, 4),)),
    Row("sqrt", dg.sqrt, np.sqrt, (P(3, 4),)),
    Row("abs", dg.abs, np.abs, (A(3, 4),)),
    Row("abs_builtin", lambda a: abs(a), np.abs, (A(3, 4),)),
    Row("clamp_both", lambda a: a.clamp(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), (A(4, 5),)),
    Row("clamp_min", lambda a: dg.clamp(a, min=0.0), lambda a: np.maximum(a, 0), (A(4, 5),)),
    Row("clip_max", lambda a: dg.clip(a, max=0.3), lambda a: np.minimum(a, 0.3), (A(4, 5),)),
    Row("maximum", dg.maximum, np.maximum, (A(3, 4), A(3, 4))),
    Row("maximum_bcast", dg.maximum, np.maximum, (A(3, 4), A(4))),
    Row("minimum_bcast", dg.minimum, np.minimum, (A(3, 1), A(1, 4))),
    Row("where", lambda a, b: dg.where(dg.tensor(MASK), a, b),
        lambda a, b: np.where(MASK, a, b), (A(3, 4), A(3, 4))),
    Row("where_bcast", lambda a, b: dg.where(dg.tensor(MASK), a, b),
        lambda a, b: np.where(MASK, a, b), (A(3, 1), A(4))),
    Row("where_scalar", lambda a: dg.where(a > 0, a, 0.0),
        lambda a: np.where(a > 0, a, 0.0), (A(3, 4),)),
    # ---- matmul -----------------------------------------------------------------------------
    Row("matmul", lambda a, b: a @ b, np.matmul, (A(3, 4), A(4, 5))),
    Row("matmul_batched", dg.matmul, np.matmul, (A(2, 3, 4), A(2, 4, 5))),
    Row("matmul_bcast_batch", dg.matmul, np.matmul, (A(2, 1, 3, 4), A(3, 4, 2))),
    Row("matmul_mat_vec", dg.matmul, np.matmul, (A(3, 4), A(4))),
    Row("matmul_vec_mat", dg.matmul, np.matmul, (A(4), A(4, 5))),
    Row("matmul_vec_batched", dg.matmul, np.matmul, (A(4), A(2, 4, 3))),
    Row("matmul_vec_vec", dg.matmul, np.matmul, (A(4), A(4))),
    # ---- reductions -------------------------------------------------------------------------
    Row("sum_all", dg.sum, np.sum, (A(3, 4),)),
    Row("sum_dim", lambda a: a.sum(1), lambda a: a.sum(1), (A(3, 4),)),
    Row("sum_dims_keepdim", lambda a: a.sum((0, 2), keepdim=True),
        lambda a: a.sum((0, 2), keepdims=True), (A(2, 3, 4),)),
    Row("sum_neg_dim", lambda a: dg.sum(a, -1), lambda a: a.sum(-1), (A(2, 3, 4),)),
    Row("sum_0d", dg.sum, np.sum, (A(),)),
    Row("mean_all", dg.mean, np.mean, (A(3, 4),)),
    Row("mean_dim_keepdim", lambda a: a.mean(0, keepdim=True),
        lambda a: a.mean(0, keepdims=True), (A(3, 4),)),
    Row("mean_dims", lambda a: a.mean((1, 2)), lambda a: a.mean((1, 2)), (A(2, 3, 4),)),
    Row("var_all", dg.var, lambda a: a.var(ddof=1), (A(3, 4),)),
    Row("var_dim", lambda a: a.var(1), lambda a: a.var(1, ddof=1), (A(3, 4),)),
    Row("var_biased_keepdim", lambda a: a.var(0, unbiased=False, keepdim=True),
        lambda a: a.var(0, keepdims=True), (A(3, 4),)),
    Row("std_dim", lambda a: a.std(1), lambda a: a.std(1, ddof=1), (A(3, 4),)),
    Row("max_all", dg.max, np.max, (A(3, 4),)),
    Row("min_all", lambda a: a.min(), np.min, (A(3, 4),)),
    Row("max_dim", lambda a: tuple(a.max(1)), lambda a: _np_max_dim(a, 1), (A(3, 4),)),
    Row("max_dim_keepdim", lambda a: tuple(dg.max(a, 0, keepdim=True)),
        lambda a: _np_max_dim(a, 0, True), (A(3, 4),)),
    Row("min_dim", lambda a: tuple(a.min(dim=-1)),
        lambda a: (a.min(-1), a.argmin(-1)), (A(2, 3, 4),)),
    Row("max_dim_values_attr", lambda a: a.max(1).values, lambda a: a.max(1), (A(3, 4),)),
    Row("argmax_all", dg.argmax, np.argmax, (A(3, 4),), grad=False),
    Row("argmax_dim", lambda a: a.argmax(1), lambda a: a.argmax(1), (A(3, 4),), grad=False),
    Row("argmax_keepdim", lambda a: dg.argmax(a, 0, keepdim=True),
        lambda a: a.argmax(0, keepdims=True), (A(3, 4),), grad=False),
    # ---- shape ------------------------------------------------------------------------------
    Row("reshape", lambda a: a.reshape(4, 3), lambda a: a.reshape(4, 3), (A(3, 4),)),
    Row("reshape_tuple_neg1", lambda a: dg.reshape(a, (2, -1)), lambda a: a.reshape(2, -1),
        (A(3, 4),)),
    Row("view", lambda a: a.view(-1), lambda a: a.reshape(-1), (A(3, 4),)),
    Row("transpose", lambda a: a.transpose(0, 1), lambda a: a.swapaxes(0, 1), (A(3, 4),)),
    Row("transpose_3d", lambda a: dg.transpose(a, -1, 0), lambda a: a.swapaxes(-1, 0),
        (A(2, 3, 4),)),
    Row("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), (A(2, 3, 4),)),
    Row("T", lambda a: a.T, lambda a: a.T, (A(2, 3, 4),)),
    Row("t", lambda a: a.t(), lambda a: a.T, (A(3, 4),)),
    Row("squeeze_all", lambda a: a.squeeze(), np.squeeze, (A(3, 1, 4, 1),)),
    Row("squeeze_dim", lambda a: a.squeeze(1), lambda a: a.squeeze(1), (A(3, 1, 4, 1),)),
    Row("unsqueeze", lambda a: a.unsqueeze(1), lambda a: a[:, None], (A(3, 4),)),
    Row("unsqueeze_neg", lambda a: dg.unsqueeze(a, -1), lambda a: a[..., None], (A(3, 4),)),
    Row("flatten", lambda a: a.flatten(), lambda a: a.reshape(-1), (A(2, 3, 4),)),
    Row("flatten_range", lambda a: a.flatten(1, 2), lambda a: a.reshape(2, 12, 5),
        (A(2, 3, 4, 5),)),
    Row("expand", lambda a: a.expand(3, 4), lambda a: np.broadcast_to(a, (3, 4)), (A(3, 1),)),
    Row("expand_neg1_new_dim", lambda a: a.expand(2, -1, 4),
        lambda a: np.broadcast_to(a, (2, 3, 4)), (A(3, 1),)),
    Row("broadcast_to", lambda a: dg.broadcast_to(a, (2, 3, 4)),
        lambda a: np.broadcast_to(a, (2, 3, 4)), (A(4),)),
    Row("getitem_basic", lambda a: a[1:, ::2], lambda a: a[1:, ::2], (A(3, 4),)),
    Row("getitem_int_none_ellipsis", lambda a: a[0, None, ..., 1],
        lambda a: a[0, None, ..., 1], (A(2, 3, 4),)),
    Row("getitem_int_array_repeats", lambda a: a[[0, 2, 0, 0]], lambda a: a[[0, 2, 0, 0]],
        (A(3, 4),)),
    Row("getitem_tensor_index", lambda a: a[dg.tensor([3, 3, 1])], lambda a: a[[3, 3, 1]],
        (A(4, 2),)),
    Row("getitem_mixed", lambda a: a[:, [1, 1, 3]], lambda a: a[:, [1, 1, 3]], (A(3, 4),)),
    Row("getitem_pairs", lambda a: a[[0, 1, 0], [2, 2, 2]], lambda a: a[[0, 1, 0], [2, 2, 2]],
        (A(3, 4),)),
    Row("getitem_bool_mask", lambda a: a[dg.tensor(MASK)], lambda a: a[MASK], (A(3, 4),)),
    Row("cat", lambda a, b: dg.cat([a, b]), lambda a, b: np.concatenate([a, b]),
        (A(2, 3), A(4, 3))),
    Row("cat_dim1_three", lambda a, b, c: dg.cat([a, b, c], dim=1),
        lambda a, b, c: np.concatenate([a, b, c], 1), (A(2, 1), A(2, 3), A(2, 2))),
    Row("concat_neg", lambda a, b: dg.concat((a, b), -1),
        lambda a, b: np.concatenate([a, b], -1), (A(2, 3, 1), A(2, 3, 2))),
    Row("stack", lambda a, b: dg.stack([a, b]), lambda a, b: np.stack([a, b]),
        (A(2, 3), A(2, 3))),
    Row("stack_last", lambda a, b, c: dg.stack([a, b, c], -1),
        lambda a, b, c: np.stack([a, b, c], -1), (A(2, 3), A(2, 3), A(2, 3))),
    Row("split_size", lambda a: dg.split(a, 2, 1), lambda a: tuple(np.split(a, [2, 4], 1)),
        (A(3, 5),)),
    Row("split_sections", lambda a: a.split([1, 3], 0), lambda a: tuple(np.split(a, [1], 0)),
        (A(4, 2),)),
    Row("chunk", lambda a: dg.chunk(a, 3, -1), lambda a: tuple(np.split(a, [3, 6], -1)),
        (A(2, 7),)),
    Row("pad_last", lambda a: F.pad(a, (1, 2)), lambda a: np.pad(a, ((0, 0), (1, 2))),
        (A(3, 4),)),
    Row("pad_two_dims_value", lambda a: F.pad(a, (0, 1, 2, 0), value=1.5),
        lambda a: np.pad(a, ((0, 0), (2, 0), (0, 1)), constant_values=1.5), (A(2, 3, 4),)),
    # ---- functional: activations ------------------------------------------------------------
    Row("sign", F.sign, np.sign, (A(3, 4),)),
    Row("sigmoid", F.sigmoid, _sigmoid, (A(3, 4),)),
    Row("sigmoid_0d", dg.sigmoid, _sigmoid, (A(),)),
    Row("tanh", F.tanh, np.tanh, (A(3, 4),)),
    Row("softsign", F.softsign, lambda a: a / (1 + np.abs(a)), (A(3, 4),)),
    Row("relu", F.relu, lambda a: np.maximum(a, 0), (A(3, 4),)),
    Row("leaky_relu", F.leaky_relu, lambda a: np.where(a > 0, a, 0.01 * a), (A(3, 4),)),
    Row("leaky_relu_slope", lambda a: F.leaky_relu(a, 0.2),
        lambda a: np.where(a > 0, a, 0.2 * a), (A(3, 4),)),
    Row("elu", F.elu, lambda a: np.where(a > 0, a, np.expm1(a)), (A(3, 4),)),
    Row("elu_alpha", lambda a: F.elu(a, 0.5), lambda a: np.where(a > 0, a, 0.5 * np.expm1(a)),
        (A(3, 4),)),
    Row("softplus", F.softplus, _softplus_ref, (A(3, 4),)),
    Row("softplus_beta_threshold", lambda a: F.softplus(a, beta=2.0, threshold=1.0),
        lambda a: _softplus_ref(a, 2.0, 1.0), (A(4, 5),)),
    Row("softmax", lambda a: F.softmax(a, -1), lambda a: np.exp(_log_softmax(a, -1)),
        (A(3, 4),)),
    Row("softmax_dim0", lambda a: F.softmax(a, 0), lambda a: np.exp(_log_softmax(a, 0)),
        (A(3, 4),)),
    Row("log_softmax", lambda a: F.log_softmax(a, 1), lambda a: _log_softmax(a, 1),
        (A(2, 3, 4),)),
    Row("linear", F.linear, lambda x, w, b: x @ w.T + b, (A(5, 3), A(4, 3), A(4))),
    Row("linear_no_bias", F.linear, lambda x, w: x @ w.T, (A(5, 3), A(4, 3))),
    Row("linear_3d", F.linear, lambda x, w, b: x @ w.T + b, (A(2, 5, 3), A(4, 3), A(4))),
    # ---- functional: losses -----------------------------------------------------------------
    Row("quadratic_loss", F.quadratic_loss, lambda o, t: 0.5 * ((t - o) ** 2).sum(),
        (A(4, 3), A(4, 3))),
    Row("quadratic_loss_mean", lambda o, t: F.quadratic_loss(o, t, "mean"),
        lambda o, t: 0.5 * ((t - o) ** 2).sum() / 4, (A(4, 3), A(4, 3))),
    Row("quadratic_loss_none", lambda o, t: F.quadratic_loss(o, t, "none"),
        lambda o, t: 0.5 * (t - o) ** 2, (A(4, 3), A(4, 3))),
    *[Row(f"mse_{r}", lambda a, b, r=r: F.mse_loss(a, b, r),
          lambda a, b, r=r: _reduce((a - b) ** 2, r), (A(4, 3), A(4, 3)))
      for r in ("mean", "sum", "none")],
    *[Row(f"l1_{r}", lambda a, b, r=r: F.l1_loss(a, b, reduction=r),
          lambda a, b, r=r: _reduce(np.abs(a - b), r), (A(4, 3), A(4, 3)))
      for r in ("mean", "sum", "none")],
    *[Row(f"ce_int_{r}", lambda x, r=r: F.cross_entropy(x, dg.tensor(TGT), reduction=r),
          lambda x, r=r: _ce_ref(x, TGT, reduction=r), (A(5, 4),))
      for r in ("mean", "sum", "none")],
    Row("ce_weight", lambda x: F.cross_entropy(x, dg.tensor(TGT), weight=dg.tensor(W4)),
        lambda x: _ce_ref(x, TGT, W4), (A(5, 4),)),
    Row("ce_smoothing", lambda x: F.cross_entropy(x, TGT, label_smoothing=0.2),
        lambda x: _ce_ref(x, TGT, eps=0.2), (A(5, 4),)),
    Row("ce_ignore", lambda x: F.cross_entropy(x, TGT_IGN), lambda x: _ce_ref(x, TGT_IGN),
        (A(5, 4),)),
    Row("ce_ignore_a_real_class", lambda x: F.cross_entropy(x, TGT, ignore_index=2),
        lambda x: _ce_ref(x, TGT, ignore=2), (A(5, 4),)),
    Row("ce_ignore_a_real_class_none",
        lambda x: F.cross_entropy(x, TGT, ignore_index=3, reduction="none"),
        lambda x: _ce_ref(x, TGT, ignore=3, reduction="none"), (A(5, 4),)),
    *[Row(f"ce_weight_smooth_ignore_{r}",
          lambda x, r=r: F.cross_entropy(x, TGT_IGN, W4, reduction=r, label_smoothing=0.1),
          lambda x, r=r: _ce_ref(x, TGT_IGN, W4, 0.1, reduction=r), (A(5, 4),))
      for r in ("mean", "sum", "none")],
    Row("ce_nd", lambda x: F.cross_entropy(x, dg.tensor(TGT_ND)),
        lambda x: _ce_ref(x.transpose(0, 2, 1).reshape(-1, 3), TGT_ND.reshape(-1)),
        (A(2, 3, 4),)),
    Row("ce_nd_none", lambda x: F.cross_entropy(x, TGT_ND, reduction="none"),
        lambda x: _ce_ref(x.transpose(0, 2, 1).reshape(-1, 3), TGT_ND.reshape(-1),
                          reduction="none").reshape(2, 4), (A(2, 3, 4),)),
    *[Row(f"ce_prob_{r}", lambda x, r=r: F.cross_entropy(x, dg.tensor(PROB), reduction=r),
          lambda x, r=r: _ce_prob_ref(x, PROB, reduction=r), (A(5, 4),))
      for r in ("mean", "sum", "none")],
    Row("ce_prob_weight_smooth", lambda x: F.cross_entropy(x, PROB, W4, label_smoothing=0.3),
        lambda x: _ce_prob_ref(x, PROB, W4, 0.3), (A(5, 4),)),
    Row("nll", lambda x: F.nll_loss(x, dg.tensor(TGT)),
        lambda x: -x[np.arange(5), TGT].mean(), (A(5, 4),)),
    Row("nll_weight_sum", lambda x: F.nll_loss(x, TGT, weight=W4, reduction="sum"),
        lambda x: -(x[np.arange(5), TGT] * W4[TGT]).sum(), (A(5, 4),)),
    Row("nll_weight_ignore", lambda x: F.nll_loss(x, TGT_IGN, weight=W4),
        lambda x: -(x[[0, 2, 3], [0, 1, 2]] * W4[[0, 1, 2]]).sum() / W4[[0, 1, 2]].sum(),
        (A(5, 4),)),
    Row("bce", F.binary_cross_entropy, _bce_ref, (U(4, 3), U(4, 3))),
    Row("bce_weight", lambda p, t: F.binary_cross_entropy(p, t, weight=dg.tensor(W4[:3])),
        lambda p, t: _bce_ref(p, t, W4[:3]), (U(4, 3), U(4, 3))),
    Row("bce_logits", F.binary_cross_entropy_with_logits, _bce_logits_ref, (A(4, 3), U(4, 3))),
    Row("bce_logits_weight_pos_weight",
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, weight=W4[:3],
                                                        pos_weight=dg.tensor(W4[1:])),
        lambda x, t: _bce_logits_ref(x, t, W4[:3], W4[1:]), (A(4, 3), U(4, 3))),
    Row("bce_logits_sum", lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="sum"),
        lambda x, t: _bce_logits_ref(x, t) * 12, (A(4, 3), U(4, 3))),
]


def _arrays(row: Row, dtype) -> list[np.ndarray]:
    rng = np.random.default_rng(zlib.crc32(row.id.encode()))
    return [spec.sample(rng).astype(dtype) for spec in row.inputs]


def _tensors(arrays, requires_grad: bool) -> list[dg.Tensor]:
    return [dg.tensor(a, requires_grad=requires_grad) for a in arrays]


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_forward_matches_numpy(row):
    arrays = _arrays(row, np.float64)
    outs = _as_tuple(row.fn(*_tensors(arrays, row.grad)))
    refs = _as_tuple(row.ref(*[a.copy() for a in arrays]))
    assert len(outs) == len(refs)
    for out, ref in zip(outs, refs):
        ref = np.asarray(ref)
        assert isinstance(out, dg.Tensor)
        assert out.shape == ref.shape, (out.shape, ref.shape)
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("row", [r for r in ROWS if r.grad], ids=lambda r: r.id)
def test_gradcheck_float64(row):
    assert dg.autograd.gradcheck(row.fn, _tensors(_arrays(row, np.float64), True))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_float32_in_float32_out(row):
    arrays = _arrays(row, np.float32)
    ts = _tensors(arrays, row.grad)
    outs = _as_tuple(row.fn(*ts))
    refs = _as_tuple(row.ref(*[a.astype(np.float64) for a in arrays]))
    for out, ref in zip(outs, refs):
        ref = np.asarray(ref)
        if ref.dtype.kind == "f":
            assert out.dtype == np.float32, out.dtype
            np.testing.assert_allclose(out.numpy(), ref, rtol=2e-4, atol=2e-5)
        else:
            assert out.dtype.kind == "i"
    if row.grad:
        total = None
        for out in outs:
            if out.requires_grad:
                term = (out * out.detach()).sum()  # a non-constant upstream gradient
                total = term if total is None else total + term
        total.backward()
        for t in ts:
            assert t.grad is not None and t.grad.dtype == np.float32, row.id
            assert t.grad.shape == t.shape and isinstance(t.grad.numpy(), np.ndarray)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_no_graph_under_no_grad(row):
    ts = _tensors(_arrays(row, np.float64), row.grad)
    with dg.no_grad():
        outs = _as_tuple(row.fn(*ts))
    for out in outs:
        assert not out.requires_grad and out.grad_fn is None


# ---- dropout: random, so checked by its statistics rather than a row -------------------------
def test_dropout_mask_statistics_and_scaling():
    x = dg.ones(200, 500)
    y = F.dropout(x, p=0.3, training=True).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02  # inverted scaling keeps the expectation
    assert y.dtype == np.float32


def test_dropout_eval_and_p0_are_identity_p1_zeros():
    x = dg.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert np.all(F.dropout(x, 1.0).numpy() == 0)


def test_dropout_gradient_uses_the_same_mask():
    x = dg.tensor(np.random.default_rng(0).standard_normal((6, 7)), requires_grad=True)
    assert dg.autograd.gradcheck(
        lambda t: F.dropout(t, 0.4, generator_=np.random.default_rng(5)), [x])
    x.grad = None
    y = F.dropout(x, 0.4)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, y.numpy() != 0)


def test_dropout_repeats_under_manual_seed_and_rejects_bad_p():
    x = dg.ones(10, 10)
    dg.manual_seed(3)
    a = F.dropout(x, 0.5).numpy()
    dg.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).numpy())
    with pytest.raises(ValueError, match="1.5"):
        F.dropout(x, 1.5)
