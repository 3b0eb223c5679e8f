"""Recurrent layers: bad input, init and names, dropout, Embedding, BPTT tools, gradient norms."""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn
from deepgrad.nn.rnn_analysis import grad_norm_through_time, gradient_norms_rnn_vs_lstm


# ---- bad input: errors name the layer and the shapes -------------------------------------------
@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_wrong_rank_or_feature_size(cls):
    m = cls(3, 4)
    with pytest.raises(ValueError, match=rf"{cls.__name__}.*\(5, 2, 7\)"):
        m(dg.zeros(5, 2, 7))
    with pytest.raises(ValueError, match=rf"{cls.__name__}.*\(5,\)"):
        m(dg.zeros(5))
    with pytest.raises(ValueError, match=rf"{cls.__name__}.*\(1, 5, 2, 3\)"):
        m(dg.zeros(1, 5, 2, 3))


def test_wrong_hidden_state_shape():
    with pytest.raises(ValueError, match=r"GRU: expected h_0 of shape \(2, 3, 4\).*\(1, 3, 4\)"):
        nn.GRU(3, 4, bidirectional=True)(dg.zeros(5, 3, 3), dg.zeros(1, 3, 4))
    with pytest.raises(ValueError, match=r"LSTM: expected c_0 of shape \(1, 3, 4\).*\(1, 3, 5\)"):
        nn.LSTM(3, 4)(dg.zeros(5, 3, 3), (dg.zeros(1, 3, 4), dg.zeros(1, 3, 5)))
    with pytest.raises(TypeError, match="LSTM: hx must be a pair"):
        nn.LSTM(3, 4)(dg.zeros(5, 3, 3), dg.zeros(1, 3, 4))
    with pytest.raises(ValueError, match=r"LSTMCell: expected hidden state of shape \(2, 4\)"):
        nn.LSTMCell(3, 4)(dg.zeros(2, 3), (dg.zeros(2, 4), dg.zeros(3, 4)))
    with pytest.raises(ValueError, match=r"RNNCell: expected input of shape \(B, 3\)"):
        nn.RNNCell(3, 4)(dg.zeros(2, 5))


@pytest.mark.parametrize("lengths,match", [
    ([6, 2], r"LSTM: lengths must be in \[1, 5\].*\[6\]"),
    ([0, 2], r"LSTM: lengths must be in \[1, 5\].*\[0\]"),
    ([-1, 2], r"LSTM: lengths must be in \[1, 5\].*\[-1\]"),
    ([2, 2, 2], r"LSTM: lengths must have shape \(2,\)"),
])
def test_bad_lengths(lengths, match):
    with pytest.raises(ValueError, match=match):
        nn.LSTM(3, 4)(dg.zeros(5, 2, 3), lengths=lengths)


def test_op_level_errors_name_the_op():
    x, h = dg.zeros(5, 2, 3), dg.zeros(2, 4)
    with pytest.raises(ValueError, match=r"lstm: weight_ih \(16, 2\)"):
        F.lstm_layer(x, h, h, dg.zeros(16, 2), dg.zeros(16, 4))
    with pytest.raises(ValueError, match=r"gru: state must have shape \(2, 4\), got \(3, 4\)"):
        F.gru_layer(x, dg.zeros(3, 4), dg.zeros(12, 3), dg.zeros(12, 4))
    with pytest.raises(ValueError, match="rnn_layer: lengths"):
        F.rnn_layer(x, h, dg.zeros(4, 3), dg.zeros(4, 4), lengths=[9, 1])


# ---- parameters: names, shapes and PyTorch's default init -------------------------------------
def test_parameter_names_shapes_and_init():
    m = nn.GRU(3, 16, num_layers=2, bidirectional=True)
    names = [n for n, _ in m.named_parameters()]
    assert names[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                         "bias_hh_l0_reverse"]
    assert m.weight_ih_l1.shape == (48, 32) and m.weight_hh_l1_reverse.shape == (48, 16)
    values = np.concatenate([p._data.ravel() for p in m.parameters()])
    assert np.abs(values).max() <= 0.25 and values.std() == pytest.approx(0.25 / 3 ** 0.5, 0.1)
    assert all(p.dtype == np.float32 for p in m.parameters())
    assert [n for n, _ in nn.LSTM(3, 4, bias=False).named_parameters()] == ["weight_ih_l0",
                                                                           "weight_hh_l0"]


def test_float32_in_float32_out_and_no_graph_under_no_grad():
    m = nn.LSTM(3, 4)
    with dg.no_grad():
        y, (h, c) = m(dg.randn(5, 2, 3))
    assert y.dtype == np.float32 and h.dtype == np.float32 and y.grad_fn is None


def test_dropout_between_layers_only_in_training():
    m = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = dg.randn(5, 2, 3)
    dg.manual_seed(1)
    a = m(x)[0]._data
    dg.manual_seed(2)
    b = m(x)[0]._data
    assert not np.allclose(a, b)
    m.eval()
    np.testing.assert_array_equal(m(x)[0]._data, m(x)[0]._data)
    m1 = nn.LSTM(3, 8, num_layers=1, dropout=0.5)  # no layer after the last: nothing dropped
    np.testing.assert_array_equal(m1(x)[0]._data, m1(x)[0]._data)


def test_batch_first_and_unbatched_agree_with_time_major():
    m = nn.GRU(3, 4, dtype=np.float64)
    bf = nn.GRU(3, 4, batch_first=True, dtype=np.float64)
    bf.load_state_dict(m.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    y, h = m(dg.tensor(x))
    yb, hb = bf(dg.tensor(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(yb._data, y._data.transpose(1, 0, 2), atol=1e-12)
    np.testing.assert_allclose(hb._data, h._data, atol=1e-12)
    yu, hu = m(dg.tensor(x[:, 0]))
    assert yu.shape == (5, 4) and hu.shape == (1, 4)
    np.testing.assert_allclose(yu._data, y._data[:, 0], atol=1e-12)


# ---- truncated BPTT ---------------------------------------------------------------------------
def test_detached_state_stops_the_gradient_at_the_chunk_boundary():
    m = nn.LSTM(2, 3, dtype=np.float64)
    x1 = dg.tensor(np.random.default_rng(0).standard_normal((4, 1, 2)), requires_grad=True)
    x2 = dg.tensor(np.random.default_rng(1).standard_normal((4, 1, 2)))
    _, state = m(x1)
    y2, _ = m(x2, tuple(s.detach() for s in state))
    y2.sum().backward()
    assert x1.grad is None and m.weight_hh_l0.grad is not None
    _, state = m(x1)
    y2, _ = m(x2, state)
    y2.sum().backward()
    assert x1.grad is not None and np.abs(x1.grad._data).sum() > 0


# ---- Embedding --------------------------------------------------------------------------------
def test_embedding_lookup_padding_and_repeated_index_gradient():
    emb = nn.Embedding(5, 3, padding_idx=-1, dtype=np.float64)
    assert emb.padding_idx == 4 and (emb.weight._data[4] == 0).all()
    idx = np.array([[1, 4, 1], [0, 1, 4]])
    y = emb(dg.tensor(idx))
    np.testing.assert_array_equal(y._data, emb.weight._data[idx])
    y.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad._data[:, 0], [1, 3, 0, 0, 0])
    dg.gradcheck(lambda w: F.embedding(idx, w), [dg.tensor(np.random.rand(5, 3),
                                                           requires_grad=True)])


def test_embedding_bad_index_and_arguments():
    emb = nn.Embedding(5, 3)
    with pytest.raises(IndexError, match="index 5 is out of range for a table of 5 rows"):
        emb(dg.tensor(np.array([0, 5])))
    with pytest.raises(TypeError, match="integers"):
        emb(dg.tensor(np.array([0.5])))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(5, 3, padding_idx=5)


# ---- gradient norm through time ----------------------------------------------------------------
def test_gradient_norms_vanish_for_rnn_not_for_gated_cells():
    d = gradient_norms_rnn_vs_lstm(seq_len=30, hidden_size=16, batch=4)
    assert d["t"] == list(range(30)) and d["rnn"][-1] == 1.0
    assert d["rnn"][0] < 1e-5
    assert d["lstm"][0] > 1e-3 and d["gru"][0] > 1e-3


def test_grad_norm_through_time_matches_a_direct_gradient():
    cell = nn.RNNCell(2, 3, dtype=np.float64)
    x = dg.tensor(np.random.default_rng(0).standard_normal((3, 1, 2)))
    norms = grad_norm_through_time(cell, x)  # loss = sum(h_2)
    h0 = cell(x[0])._data
    h1 = cell(x[1], dg.tensor(h0))._data
    h2 = cell(x[2], dg.tensor(h1))._data
    g1 = (1 - h2 ** 2) @ cell.weight_hh._data  # dL/dh_1 = (dL/dh_2 * tanh') W
    g0 = (g1 * (1 - h1 ** 2)) @ cell.weight_hh._data
    np.testing.assert_allclose(norms, [np.linalg.norm(g0), np.linalg.norm(g1), np.sqrt(3)],
                               rtol=1e-10)


def test_gru_learns_short_first_token_memory():
    dg.manual_seed(0)
    from deepgrad.data.datasets import first_token_memory

    rnn, head = nn.GRU(2, 16, batch_first=True), nn.Linear(16, 2)
    opt = dg.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-2)
    x, y = first_token_memory(8, 64 * 60, seed=0)
    for s in range(60):
        sl = slice(64 * s, 64 * (s + 1))
        loss = F.cross_entropy(head(rnn(dg.from_numpy(x[sl]))[1][-1]), dg.from_numpy(y[sl]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    xt, yt = first_token_memory(8, 500, seed=1)
    with dg.no_grad():
        acc = (head(rnn(dg.from_numpy(xt))[1][-1])._data.argmax(1) == yt).mean()
    assert acc > 0.95
