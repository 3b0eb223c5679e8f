"""Parity with torch.nn.RNN/LSTM/GRU/Embedding after copying state dicts (skipped without torch)."""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn

torch = pytest.importorskip("torch")

T, B, I, H = 6, 3, 4, 5

CONFIGS = [  # (mode, kwargs, lengths)
    ("RNN", dict(), None),
    ("RNN", dict(nonlinearity="relu", num_layers=2), None),
    ("RNN", dict(bidirectional=True, batch_first=True), [6, 2, 4]),
    ("LSTM", dict(), None),
    ("LSTM", dict(num_layers=2, bidirectional=True), None),
    ("LSTM", dict(batch_first=True, bias=False), None),
    ("LSTM", dict(num_layers=2, bidirectional=True), [3, 6, 1]),
    ("GRU", dict(), None),
    ("GRU", dict(num_layers=3, batch_first=True), None),
    ("GRU", dict(bidirectional=True, bias=False), [5, 5, 2]),
]


def _pair(mode, kwargs):
    ours = getattr(nn, mode)(I, H, dtype=np.float64, **kwargs)
    theirs = getattr(torch.nn, mode)(I, H, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())  # same names, same order
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("mode,kwargs,lengths", CONFIGS,
                         ids=[f"{m}-{k}-{n}" for m, k, n in CONFIGS])
def test_outputs_final_states_and_all_gradients_match_torch(mode, kwargs, lengths):
    ours, theirs = _pair(mode, kwargs)
    rng = np.random.default_rng(0)
    batch_first = kwargs.get("batch_first", False)
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I))
    n_h = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    hx = [rng.standard_normal((n_h, B, H)) for _ in range(2 if mode == "LSTM" else 1)]

    xd = dg.tensor(x, requires_grad=True)
    hd = [dg.tensor(h, requires_grad=True) for h in hx]
    y, h_n = ours(xd, tuple(hd) if mode == "LSTM" else hd[0], lengths=lengths)
    finals = h_n if mode == "LSTM" else (h_n,)

    xt = torch.tensor(x, requires_grad=True)
    ht = [torch.tensor(h, requires_grad=True) for h in hx]
    hx_t = tuple(ht) if mode == "LSTM" else ht[0]
    if lengths is None:
        yt, h_nt = theirs(xt, hx_t)
    else:
        packed = torch.nn.utils.rnn.pack_padded_sequence(xt, torch.tensor(lengths),
                                                         batch_first=batch_first,
                                                         enforce_sorted=False)
        yt, h_nt = theirs(packed, hx_t)
        yt, _ = torch.nn.utils.rnn.pad_packed_sequence(yt, batch_first=batch_first,
                                                       total_length=T)
    finals_t = h_nt if mode == "LSTM" else (h_nt,)

    np.testing.assert_allclose(y._data, yt.detach().numpy(), atol=1e-10)
    for a, b in zip(finals, finals_t):
        np.testing.assert_allclose(a._data, b.detach().numpy(), atol=1e-10)

    w = [rng.standard_normal(y.shape)] + [rng.standard_normal(f.shape) for f in finals]
    loss = (y * dg.tensor(w[0])).sum()
    loss_t = (yt * torch.tensor(w[0])).sum()
    for f, ft, wk in zip(finals, finals_t, w[1:]):
        loss = loss + (f * dg.tensor(wk)).sum()
        loss_t = loss_t + (ft * torch.tensor(wk)).sum()
    loss.backward()
    loss_t.backward()
    np.testing.assert_allclose(xd.grad._data, xt.grad.numpy(), atol=1e-10)
    for a, b in zip(hd, ht):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), atol=1e-10)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), atol=1e-10, err_msg=name)


@pytest.mark.parametrize("mode", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(mode):
    ours = getattr(nn, mode)(I, H, dtype=np.float64)
    theirs = getattr(torch.nn, mode)(I, H).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(1)
    x, h, c = (rng.standard_normal(s) for s in [(B, I), (B, H), (B, H)])
    xd, hd, cd = (dg.tensor(a, requires_grad=True) for a in (x, h, c))
    xt, ht, ct = (torch.tensor(a, requires_grad=True) for a in (x, h, c))
    lstm = mode == "LSTMCell"
    out = ours(xd, (hd, cd) if lstm else hd)
    out_t = theirs(xt, (ht, ct) if lstm else ht)
    out, out_t = (out, out_t) if lstm else ((out,), (out_t,))
    w = [rng.standard_normal((B, H)) for _ in out]
    sum((o * dg.tensor(k)).sum() for o, k in zip(out, w)).backward()
    sum((o * torch.tensor(k)).sum() for o, k in zip(out_t, w)).backward()
    for a, b in zip(out, out_t):
        np.testing.assert_allclose(a._data, b.detach().numpy(), atol=1e-12)
    for a, b in [(xd, xt), (hd, ht)] + ([(cd, ct)] if lstm else []):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), atol=1e-12)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), atol=1e-12, err_msg=name)


def test_float32_lstm_matches_torch_to_float_precision():
    ours, theirs = _pair("LSTM", dict(num_layers=2))
    ours.float()
    theirs.float()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((T, B, I)).astype(np.float32)
    y, _ = ours(dg.tensor(x))
    yt, _ = theirs(torch.from_numpy(x))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y._data, yt.detach().numpy(), atol=2e-6)


def test_embedding_matches_torch_with_padding_idx():
    ours = nn.Embedding(7, 3, padding_idx=2, dtype=np.float64)
    theirs = torch.nn.Embedding(7, 3, padding_idx=2).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    idx = np.array([[0, 2, 5], [5, 5, 2]])
    y = ours(dg.tensor(idx))
    yt = theirs(torch.from_numpy(idx))
    w = np.random.default_rng(3).standard_normal(y.shape)
    (y * dg.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y._data, yt.detach().numpy())
    np.testing.assert_allclose(ours.weight.grad._data, theirs.weight.grad.numpy(), atol=1e-12)


def test_long_lstm_matches_torch():
    """50 steps: the chunked weight-gradient path (a worker thread) against torch."""
    ours, theirs = _pair("LSTM", dict())
    rng = np.random.default_rng(4)
    x = rng.standard_normal((50, B, I))
    xd, xt = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, _ = ours(xd)
    yt, _ = theirs(xt)
    w = rng.standard_normal(y.shape)
    (y * dg.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xd.grad._data, xt.grad.numpy(), atol=1e-10)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), atol=1e-10, err_msg=name)
