"""nn.utils.rnn (pack/pad), PackedSequence through RNNs, LSTM proj_size, parameter vectors."""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.autograd import gradcheck
from deepgrad.nn.utils import parameters_to_vector, vector_to_parameters
from deepgrad.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)


def test_pack_then_pad_round_trips_and_is_differentiable():
    rng = np.random.default_rng(0)
    x = dg.tensor(rng.standard_normal((5, 3, 2)), requires_grad=True)
    packed = pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
    assert packed.batch_sizes._data.tolist() == [3, 3, 2, 1, 1]
    assert packed.sorted_indices._data.tolist() == [1, 2, 0]
    assert packed.unsorted_indices._data.tolist() == [2, 0, 1]
    padded, lengths = pad_packed_sequence(packed)
    assert lengths._data.tolist() == [2, 5, 3]
    mask = np.arange(5)[:, None] < np.array([2, 5, 3])[None, :]
    np.testing.assert_array_equal(padded._data, np.where(mask[..., None], x._data, 0))
    assert gradcheck(lambda a: pad_packed_sequence(
        pack_padded_sequence(a, [2, 5, 3], enforce_sorted=False), batch_first=True,
        padding_value=-1.0)[0], (x,))


def test_errors_name_the_problem():
    x = dg.zeros((4, 2, 1))
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(x, [2, 4])
    with pytest.raises(RuntimeError, match="greater than 0"):
        pack_padded_sequence(x, [4, 0])
    with pytest.raises(RuntimeError, match="expected 2 lengths"):
        pack_padded_sequence(x, [4, 3, 1])
    with pytest.raises(ValueError, match="total_length"):
        pad_packed_sequence(pack_padded_sequence(x, [4, 2]), total_length=3)
    with pytest.raises(RuntimeError, match="sequence 1 has shape"):
        pad_sequence([dg.zeros((2, 3)), dg.zeros((2, 4))])


def test_pad_sequence_sides_and_unpad():
    a, b = dg.tensor([1.0, 2.0, 3.0]), dg.tensor([4.0])
    np.testing.assert_array_equal(pad_sequence([a, b], batch_first=True, padding_value=9)._data,
                                  [[1, 2, 3], [4, 9, 9]])
    np.testing.assert_array_equal(pad_sequence([a, b], padding_side="left")._data,
                                  [[1, 0], [2, 0], [3, 4]])
    parts = unpad_sequence(pad_sequence([a, b]), [3, 1])
    assert [p._data.tolist() for p in parts] == [[1, 2, 3], [4]]
    parts = unpack_sequence(pack_sequence([b, a], enforce_sorted=False))
    assert [p._data.tolist() for p in parts] == [[4], [1, 2, 3]]


def test_parameters_vector_round_trip():
    model = nn.Linear(3, 2)
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (8,)
    np.testing.assert_array_equal(vec._data[:6], model.weight._data.reshape(-1))
    vector_to_parameters(dg.arange(8).float(), model.parameters())
    np.testing.assert_array_equal(model.bias._data, [6, 7])
    with pytest.raises(ValueError, match="8 elements"):
        vector_to_parameters(dg.zeros(7), model.parameters())


torch = pytest.importorskip("torch")


def test_pack_functions_match_torch():
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 5, 1, 4)]
    ours = pack_sequence([dg.tensor(s) for s in seqs], enforce_sorted=False)
    theirs = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs],
                                              enforce_sorted=False)
    np.testing.assert_array_equal(ours.data._data, theirs.data.numpy())
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_array_equal(a._data, b.numpy())
    for bf in (False, True):
        np.testing.assert_array_equal(
            pad_sequence([dg.tensor(s) for s in seqs], batch_first=bf, padding_value=2).data,
            torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=bf,
                                            padding_value=2).numpy())
    x = rng.standard_normal((4, 5, 2))
    ours = pack_padded_sequence(dg.tensor(x), [5, 4, 2, 2], batch_first=True)
    theirs = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [5, 4, 2, 2],
                                                     batch_first=True)
    np.testing.assert_array_equal(ours.data._data, theirs.data.numpy())
    assert ours.sorted_indices is None and theirs.sorted_indices is None


def _copy(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})


@pytest.mark.parametrize("mode,kwargs", [
    ("LSTM", dict(num_layers=2, bidirectional=True)), ("GRU", dict()),
    ("RNN", dict(bidirectional=True)), ("LSTM", dict(proj_size=3, bidirectional=True)),
    ("LSTM", dict(proj_size=2, num_layers=2)),
])
def test_packed_sequence_through_rnns_matches_torch(mode, kwargs):
    rng = np.random.default_rng(2)
    ours = getattr(nn, mode)(4, 5, dtype=np.float64, **kwargs)
    theirs = getattr(torch.nn, mode)(4, 5, **kwargs).double()
    _copy(ours, theirs)
    lengths = [3, 6, 1, 4]
    x = rng.standard_normal((6, 4, 4))
    xd, xt = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    n_h = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h0 = rng.standard_normal((n_h, 4, kwargs.get("proj_size") or 5))
    c0 = rng.standard_normal((n_h, 4, 5))
    hx_d = (dg.tensor(h0), dg.tensor(c0)) if mode == "LSTM" else dg.tensor(h0)
    hx_t = (torch.tensor(h0), torch.tensor(c0)) if mode == "LSTM" else torch.tensor(h0)
    yd, hd = ours(pack_padded_sequence(xd, lengths, enforce_sorted=False), hx_d)
    yt, ht = theirs(torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, enforce_sorted=False),
                    hx_t)
    assert isinstance(yd, PackedSequence)
    np.testing.assert_allclose(yd.data._data, yt.data.detach().numpy(), atol=1e-10)
    for a, b in zip(hd if mode == "LSTM" else (hd,), ht if mode == "LSTM" else (ht,)):
        np.testing.assert_allclose(a._data, b.detach().numpy(), atol=1e-10)
    w = rng.standard_normal(yd.data.shape)
    (yd.data * dg.tensor(w)).sum().backward()
    (yt.data * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xd.grad._data, xt.grad.numpy(), atol=1e-10)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), atol=1e-10, err_msg=name)


def test_proj_size_padded_batch_first_matches_torch():
    rng = np.random.default_rng(3)
    ours = nn.LSTM(3, 6, batch_first=True, proj_size=2, dtype=np.float64)
    theirs = torch.nn.LSTM(3, 6, batch_first=True, proj_size=2).double()
    _copy(ours, theirs)
    x = rng.standard_normal((2, 5, 3))
    yd, (hd, cd) = ours(dg.tensor(x))
    yt, (ht, ct) = theirs(torch.tensor(x))
    assert yd.shape == (2, 5, 2) and cd.shape == (1, 2, 6)
    for a, b in ((yd, yt), (hd, ht), (cd, ct)):
        np.testing.assert_allclose(a._data, b.detach().numpy(), atol=1e-10)
    with pytest.raises(ValueError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=4)


def test_total_norm_and_clip_with_norm_match_torch():
    from deepgrad.nn.utils import clip_grads_with_norm_, get_total_norm
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in ((3, 2), (4,))]
    ps = [dg.tensor(a, requires_grad=True) for a in arrays]
    tps = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, tp, a in zip(ps, tps, arrays):
        p.grad, tp.grad = dg.tensor(a * 3), torch.tensor(a * 3)
    for norm_type in (2.0, 1.0, float("inf")):
        ours = get_total_norm([p.grad for p in ps], norm_type)
        theirs = torch.nn.utils.get_total_norm([tp.grad for tp in tps], norm_type)
        np.testing.assert_allclose(ours._data, theirs.numpy(), rtol=1e-12)
    total = get_total_norm([p.grad for p in ps])
    clip_grads_with_norm_(ps, 1.0, total)
    torch.nn.utils.clip_grads_with_norm_(tps, 1.0, torch.nn.utils.get_total_norm(
        [tp.grad for tp in tps]))
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad._data, tp.grad.numpy(), rtol=1e-12)
