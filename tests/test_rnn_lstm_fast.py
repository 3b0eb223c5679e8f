"""Paths of the fused LSTM op that the generic RNN tests do not reach on their own.

The backward pass of ``LSTMSequence`` has a fast path for a loss on the final states only
(zero output gradient before the last step), and runs BPTT in blocks of ``_BLOCK`` steps
(derivative factors computed per block, pre-activation gradients copied per block into the
layout the weight GEMMs read). Each test pins one of these against gradcheck or the block-free
result.
"""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.ops.rnn_lstm as lstm_ops
from deepgrad import nn

F64 = np.float64
B, I, H = 2, 3, 4


def _lstm_inputs(T, seed, bias=True, num_layers=1, bidirectional=False):
    m = nn.LSTM(I, H, num_layers=num_layers, bias=bias, bidirectional=bidirectional, dtype=F64)
    rng = np.random.default_rng(seed)
    x = dg.tensor(rng.standard_normal((T, B, I)), requires_grad=True)
    n_h = m.num_layers * m.num_directions
    h0 = dg.tensor(rng.standard_normal((n_h, B, H)) * 0.5, requires_grad=True)
    c0 = dg.tensor(rng.standard_normal((n_h, B, H)) * 0.5, requires_grad=True)
    return m, x, h0, c0


# T around the block size (16): one partial block, a full one, a full and a partial one.
@pytest.mark.parametrize("T", [1, 2, 16, 17])
@pytest.mark.parametrize("bias", [True, False])
def test_final_state_only_loss_gradcheck(T, bias):
    """Only h_n / c_n carry gradient: the sparse output-gradient path, checked by gradcheck."""
    m, x, h0, c0 = _lstm_inputs(T, seed=T, bias=bias)

    def fn(x, h0, c0, *params):
        _, (h_n, c_n) = m(x, (h0, c0))
        return h_n, c_n

    dg.gradcheck(fn, [x, h0, c0, *m.parameters()], n_directions=4)


@pytest.mark.parametrize("cfg", [dict(), dict(bidirectional=True, lengths=[19, 4]),
                                 dict(num_layers=2)], ids=["plain", "bidir-lengths", "2-layer"])
def test_long_sequence_gradcheck(cfg):
    """T = 19 spans a full and a partial block, with a dense output gradient."""
    cfg = dict(cfg)
    lengths = cfg.pop("lengths", None)
    m, x, h0, c0 = _lstm_inputs(19, seed=5, **cfg)

    def fn(x, h0, c0, *params):
        y, (h_n, c_n) = m(x, (h0, c0), lengths=lengths)
        return y, h_n, c_n

    dg.gradcheck(fn, [x, h0, c0, *m.parameters()], n_directions=4)


@pytest.mark.parametrize("block", [1, 3, 64])
def test_factor_block_size_does_not_change_gradients(monkeypatch, block):
    """Blocked derivative factors give the same gradients as one block over the sequence."""
    m, x, h0, c0 = _lstm_inputs(13, seed=9, num_layers=2)
    w = dg.tensor(np.random.default_rng(1).standard_normal((13, B, H)))
    results = []
    for b in (block, 10_000):
        monkeypatch.setattr(lstm_ops, "_BLOCK", b)
        for t in (x, h0, c0, *m.parameters()):
            t.grad = None
        y, (h_n, c_n) = m(x, (h0, c0))
        ((y * w).sum() + (h_n * c_n).sum()).backward()
        results.append([t.grad._data for t in (x, h0, c0, *m.parameters())])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32():
    """No silent upcast: outputs, states and every gradient keep the float32 dtype."""
    m = nn.LSTM(I, H, num_layers=2)
    x = dg.tensor(np.random.default_rng(0).standard_normal((10, B, I)).astype(np.float32),
                  requires_grad=True)
    y, (h_n, c_n) = m(x)
    assert y.dtype == h_n.dtype == c_n.dtype == np.float32
    (y.sum() + h_n.sum() + c_n.sum()).backward()
    assert x.grad.dtype == np.float32
    for p in m.parameters():
        assert p.grad.dtype == np.float32 and p.grad.shape == p.shape


def test_mixed_dtypes_promote_like_numpy():
    """float64 weights on float32 input compute in float64 (as the op did before fusing the
    input projection into the per-step GEMM), and match an all-float64 run."""
    m = nn.LSTM(I, H, dtype=F64)
    xa = np.random.default_rng(4).standard_normal((6, B, I)).astype(np.float32)
    y32, (_, c32) = m(dg.tensor(xa))
    y64, (_, c64) = m(dg.tensor(xa.astype(F64)))
    assert y32.dtype == c32.dtype == F64
    np.testing.assert_allclose(y32._data, y64._data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c32._data, c64._data, rtol=1e-12, atol=1e-12)


def test_overlapped_weight_gradients_over_three_blocks(monkeypatch):
    """The worker-thread path (one task a block) sums to the same gradients, input included."""
    m, x, h0, c0 = _lstm_inputs(2 * lstm_ops._BLOCK + 5, seed=11)
    w = dg.tensor(np.random.default_rng(2).standard_normal((x.shape[0], B, H)))
    results = []
    for overlap in (True, False):
        monkeypatch.setattr(lstm_ops, "OVERLAP_WEIGHT_GRADS", overlap)
        for t in (x, h0, c0, *m.parameters()):
            t.grad = None
        y, (h_n, c_n) = m(x, (h0, c0))
        ((y * w).sum() + (c_n * c_n).sum()).backward()
        results.append([t.grad._data for t in (x, h0, c0, *m.parameters())])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
