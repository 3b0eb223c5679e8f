"""Recurrent layers and cells: gradcheck, step-by-step NumPy references, lengths, bad input."""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn

F64 = np.float64
T, B, I, H = 4, 2, 3, 3


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


# ---- step-by-step NumPy references (PyTorch's equations, the chapter's GRU) ------------------
def ref_rnn(x, h, wi, wh, bi, bh, relu=False):
    a = x @ wi.T + bi + h @ wh.T + bh
    return np.maximum(a, 0) if relu else np.tanh(a)


def ref_lstm(x, h, c, wi, wh, bi, bh):
    i, f, g, o = np.split(x @ wi.T + bi + h @ wh.T + bh, 4, axis=-1)
    c2 = _sig(f) * c + _sig(i) * np.tanh(g)
    return _sig(o) * np.tanh(c2), c2


def ref_gru(x, h, wi, wh, bi, bh):
    xr, xz, xn = np.split(x @ wi.T + bi, 3, axis=-1)
    hr, hz, hn = np.split(h @ wh.T + bh, 3, axis=-1)
    r, z = _sig(xr + hr), _sig(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def ref_gru_chapter(x, h, wi, wh, bi, bh):
    """z = s(W_z [h, x]), r = s(W_r [h, x]), h~ = tanh(W [r h, x]), h' = (1 - z) h + z h~."""
    xr, xz, xn = np.split(x @ wi.T + bi, 3, axis=-1)
    whr, whz, whn = np.split(wh, 3, axis=0)
    bhr, bhz, bhn = np.split(bh, 3)
    r, z = _sig(xr + h @ whr.T + bhr), _sig(xz + h @ whz.T + bhz)
    cand = np.tanh(xn + (r * h) @ whn.T + bhn)
    return (1 - z) * h + z * cand


def _np_params(m, sfx=""):
    return [getattr(m, n + sfx)._data for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _unroll(step, x, states, params, reverse=False):
    ys = [None] * len(x)
    order = range(len(x) - 1, -1, -1) if reverse else range(len(x))
    for t in order:
        out = step(x[t], *states, *params)
        states = out if isinstance(out, tuple) else (out,)
        ys[t] = states[0]
    return np.stack(ys), states


LAYERS = [  # (name, constructor, reference step, number of states)
    ("rnn_tanh", lambda **k: nn.RNN(I, H, **k), ref_rnn, 1),
    ("rnn_relu", lambda **k: nn.RNN(I, H, nonlinearity="relu", **k),
     lambda *a: ref_rnn(*a, relu=True), 1),
    ("lstm", lambda **k: nn.LSTM(I, H, **k), ref_lstm, 2),
    ("gru", lambda **k: nn.GRU(I, H, **k), ref_gru, 1),
    ("gru_chapter", lambda **k: nn.GRU(I, H, reset_after=False, **k), ref_gru_chapter, 1),
]


@pytest.mark.parametrize("name,make,ref,ns", LAYERS, ids=[r[0] for r in LAYERS])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_layer_matches_step_by_step_reference(name, make, ref, ns, bidirectional):
    m = make(bidirectional=bidirectional, dtype=F64)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((T, B, I))
    hx = [rng.standard_normal((1 + bidirectional, B, H)) for _ in range(ns)]
    hx_t = tuple(dg.tensor(h) for h in hx)
    y, h_n = m(dg.tensor(x), hx_t if ns == 2 else hx_t[0])
    h_n = h_n if ns == 2 else (h_n,)
    for d, sfx in enumerate(["_l0", "_l0_reverse"][:1 + bidirectional]):
        ys, finals = _unroll(ref, x, [h[d] for h in hx], _np_params(m, sfx), reverse=bool(d))
        np.testing.assert_allclose(y._data[..., d * H:(d + 1) * H], ys, atol=1e-12)
        for got, want in zip(h_n, finals):
            np.testing.assert_allclose(got._data[d], want, atol=1e-12)


CELLS = [
    ("rnn_cell", lambda: nn.RNNCell(I, H, dtype=F64), ref_rnn, 1),
    ("rnn_cell_relu", lambda: nn.RNNCell(I, H, nonlinearity="relu", dtype=F64),
     lambda *a: ref_rnn(*a, relu=True), 1),
    ("lstm_cell", lambda: nn.LSTMCell(I, H, dtype=F64), ref_lstm, 2),
    ("gru_cell", lambda: nn.GRUCell(I, H, dtype=F64), ref_gru, 1),
    ("gru_cell_chapter", lambda: nn.GRUCell(I, H, reset_after=False, dtype=F64),
     ref_gru_chapter, 1),
]


@pytest.mark.parametrize("name,make,ref,ns", CELLS, ids=[c[0] for c in CELLS])
def test_cell_matches_reference_and_gradcheck(name, make, ref, ns):
    cell = make()
    rng = np.random.default_rng(2)
    x = dg.tensor(rng.standard_normal((B, I)), requires_grad=True)
    hs = [dg.tensor(rng.standard_normal((B, H)), requires_grad=True) for _ in range(ns)]
    out = cell(x, tuple(hs) if ns == 2 else hs[0])
    out = out if ns == 2 else (out,)
    want = ref(x._data, *[h._data for h in hs], *_np_params(cell))
    want = want if ns == 2 else (want,)
    for o, w in zip(out, want):
        np.testing.assert_allclose(o._data, w, atol=1e-12)
    assert out[0].grad_fn is not None and len(out) == ns  # one node for the whole step
    params = list(cell.parameters())
    dg.gradcheck(lambda x, *hs_p: cell(x, tuple(hs_p[:ns]) if ns == 2 else hs_p[0]),
                 [x, *hs, *params], mode="full")


def test_cell_unbatched_input_and_default_state():
    cell = nn.LSTMCell(I, H, dtype=F64)
    x = dg.tensor(np.random.default_rng(0).standard_normal(I))
    h, c = cell(x)
    hb, cb = cell(dg.tensor(x._data[None]))
    assert h.shape == (H,)
    np.testing.assert_allclose(h._data, hb._data[0])
    np.testing.assert_allclose(c._data, cb._data[0])


# ---- gradcheck of whole layers: inputs, initial states, every parameter -----------------------
CONFIGS = [
    dict(),
    dict(bidirectional=True),
    dict(num_layers=2),
    dict(lengths=[4, 2]),
    dict(bidirectional=True, lengths=[1, 3]),
    dict(num_layers=2, bidirectional=True, batch_first=True, lengths=[3, 4]),
]


def _cfg_id(c):
    return "-".join(f"{k}={v}" for k, v in c.items()) or "plain"


@pytest.mark.parametrize("name,make,ref,ns", LAYERS, ids=[r[0] for r in LAYERS])
@pytest.mark.parametrize("cfg", CONFIGS, ids=_cfg_id)
def test_layer_gradcheck(name, make, ref, ns, cfg):
    cfg = dict(cfg)
    lengths = cfg.pop("lengths", None)
    m = make(dtype=F64, **cfg)
    rng = np.random.default_rng(3)
    shape = (B, T, I) if cfg.get("batch_first") else (T, B, I)
    x = dg.tensor(rng.standard_normal(shape), requires_grad=True)
    n_h = m.num_layers * m.num_directions
    hs = [dg.tensor(rng.standard_normal((n_h, B, H)) * 0.5, requires_grad=True)
          for _ in range(ns)]

    def fn(x, *args):
        y, h_n = m(x, tuple(args[:ns]) if ns == 2 else args[0], lengths=lengths)
        return (y, *h_n) if ns == 2 else (y, h_n)

    dg.gradcheck(fn, [x, *hs, *m.parameters()], n_directions=6)


@pytest.mark.parametrize("name,make,ref,ns", LAYERS, ids=[r[0] for r in LAYERS])
def test_lengths_equal_separate_truncated_runs(name, make, ref, ns):
    """Padding neither changes outputs nor receives gradient; final states come from each length."""
    m = make(bidirectional=True, dtype=F64)
    rng = np.random.default_rng(4)
    x = dg.tensor(rng.standard_normal((T, B, I)), requires_grad=True)
    lengths = [2, 4]
    y, h_n = m(x, lengths=lengths)
    h_n = h_n[0] if ns == 2 else h_n
    w = rng.standard_normal(y.shape)
    (y * dg.tensor(w)).sum().backward()
    for b, L in enumerate(lengths):
        xb = dg.tensor(x._data[:L, b:b + 1], requires_grad=True)
        yb, hb = m(xb)
        hb = hb[0] if ns == 2 else hb
        np.testing.assert_allclose(y._data[:L, b:b + 1], yb._data, atol=1e-12)
        np.testing.assert_allclose(h_n._data[:, b], hb._data[:, 0], atol=1e-12)
        (yb * dg.tensor(w[:L, b:b + 1])).sum().backward()
        np.testing.assert_allclose(x.grad._data[:L, b:b + 1], xb.grad._data, atol=1e-12)
        assert (y._data[L:, b] == 0).all() and (x.grad._data[L:, b] == 0).all()


def test_chapter_gru_relates_to_pytorch_form_by_negated_update_gate():
    """With W_hn = 0 and b_hn = 0 both candidates are tanh(W_in x + b_in); negating the z rows
    then turns PyTorch's GRU into the chapter's (z_chapter = 1 - z_torch)."""
    torch_form = nn.GRU(I, H, dtype=F64)
    chapter = nn.GRU(I, H, reset_after=False, dtype=F64)
    sd = torch_form.state_dict()
    sd["weight_hh_l0"][2 * H:] = 0
    sd["bias_hh_l0"][2 * H:] = 0
    torch_form.load_state_dict(sd)
    for k in sd:
        sd[k][H:2 * H] *= -1
    chapter.load_state_dict(sd)
    x = dg.tensor(np.random.default_rng(5).standard_normal((T, B, I)))
    np.testing.assert_allclose(torch_form(x)[0]._data, chapter(x)[0]._data, atol=1e-12)


def test_elman_rnn_output_map():
    m = nn.ElmanRNN(I, H, 2, dtype=F64)
    x = np.random.default_rng(6).standard_normal((T, B, I))
    O, S, h_n = m(dg.tensor(x))
    U, W, V = m.rnn.weight_ih_l0._data, m.rnn.weight_hh_l0._data, m.output.weight._data
    s = np.zeros((B, H))
    for t in range(T):
        s = np.tanh(x[t] @ U.T + s @ W.T)
        np.testing.assert_allclose(S._data[t], s, atol=1e-12)
        np.testing.assert_allclose(O._data[t], np.tanh(s @ V.T), atol=1e-12)
    np.testing.assert_allclose(h_n._data, s, atol=1e-12)
    assert [n for n, _ in m.named_parameters()] == ["rnn.weight_ih_l0", "rnn.weight_hh_l0",
                                                    "output.weight"]


def test_engine_finishes_a_node_before_its_producers():
    """Core fix found by the 2-layer gradcheck: ``a`` feeds ``add`` directly and through ``c``;
    the old seen-at-push DFS ran a's backward before c's and lost c's contribution (2, not 8)."""
    x = dg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    a = x * 2.0
    c = a * 3.0
    (a + c).sum().backward()
    np.testing.assert_allclose(x.grad._data, [8.0, 8.0])


def test_long_lstm_weight_gradients_in_chunks_match_one_pass(monkeypatch):
    """T >= 16 takes the chunked path (weight gradients summed in a worker thread during BPTT);
    it must agree with the single-pass path, for the input gradient of layer 2 too."""
    import deepgrad.ops.rnn_lstm as lstm_ops

    m = nn.LSTM(I, H, num_layers=2, dtype=F64)
    rng = np.random.default_rng(7)
    x = dg.tensor(rng.standard_normal((21, B, I)), requires_grad=True)
    w = dg.tensor(rng.standard_normal((21, B, H)))
    results = []
    for overlap in (True, False):
        monkeypatch.setattr(lstm_ops, "OVERLAP_WEIGHT_GRADS", overlap)
        x.grad = None
        m.zero_grad()
        y, (h_n, c_n) = m(x)
        ((y * w).sum() + (c_n * c_n).sum()).backward()
        results.append([x.grad._data] + [p.grad._data for p in m.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
