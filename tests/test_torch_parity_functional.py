"""Forward values and gradients of the functional ops and losses against PyTorch (float64)."""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(2024)
X = RNG.standard_normal((6, 5)) * 3
X3 = RNG.standard_normal((2, 4, 3, 2))  # (N, C, d1, d2)
T_INT = np.array([0, 4, 2, -100, 1, 4])
T_INT3 = RNG.integers(0, 4, (2, 3, 2))
T_PROB = RNG.dirichlet(np.ones(5), 6)
T_BIN = RNG.random((6, 5))
P = RNG.uniform(0.05, 0.95, (6, 5))
W = RNG.uniform(0.5, 2.0, 5)
LIN_W = RNG.standard_normal((3, 5))
LIN_B = RNG.standard_normal(3)


def _t(a):
    return torch.tensor(a)


# Each case: (deepgrad fn, torch fn, differentiable inputs, constant kwargs-free closures).
CASES = {
    "sign": (F.sign, torch.sign, [X]),
    "sigmoid": (F.sigmoid, torch.sigmoid, [X]),
    "tanh": (F.tanh, torch.tanh, [X]),
    "softsign": (F.softsign, TF.softsign, [X]),
    "relu": (F.relu, TF.relu, [X]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda x: TF.leaky_relu(x, 0.1), [X]),
    "elu": (lambda x: F.elu(x, 0.8), lambda x: TF.elu(x, 0.8), [X]),
    "softplus": (F.softplus, TF.softplus, [X]),
    "softplus_beta": (lambda x: F.softplus(x, 2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0),
                      [X]),
    "softmax": (lambda x: F.softmax(x, 1), lambda x: TF.softmax(x, 1), [X]),
    "softmax_dim0": (lambda x: F.softmax(x, 0), lambda x: TF.softmax(x, 0), [X]),
    "log_softmax": (lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1), [X]),
    "linear": (F.linear, TF.linear, [X, LIN_W, LIN_B]),
    "linear_no_bias": (F.linear, TF.linear, [X, LIN_W]),
    "dropout_eval": (lambda x: F.dropout(x, 0.3, training=False),
                     lambda x: TF.dropout(x, 0.3, training=False), [X]),
    "mse": (F.mse_loss, TF.mse_loss, [X, T_BIN]),
    "mse_none": (lambda a, b: F.mse_loss(a, b, "none"),
                 lambda a, b: TF.mse_loss(a, b, reduction="none"), [X, T_BIN]),
    "l1_sum": (lambda a, b: F.l1_loss(a, b, "sum"),
               lambda a, b: TF.l1_loss(a, b, reduction="sum"), [X, T_BIN]),
    "quadratic": (F.quadratic_loss, lambda o, t: 0.5 * TF.mse_loss(o, t, reduction="sum"),
                  [X, T_BIN]),
    "ce": (lambda x: F.cross_entropy(x, T_INT), lambda x: TF.cross_entropy(x, _t(T_INT)), [X]),
    "ce_weight_smooth_ignore": (
        lambda x: F.cross_entropy(x, T_INT, weight=W, label_smoothing=0.15, ignore_index=-100),
        lambda x: TF.cross_entropy(x, _t(T_INT), weight=_t(W), label_smoothing=0.15,
                                   ignore_index=-100), [X]),
    "ce_weight_smooth_sum": (
        lambda x: F.cross_entropy(x, T_INT, weight=W, label_smoothing=0.3, reduction="sum"),
        lambda x: TF.cross_entropy(x, _t(T_INT), weight=_t(W), label_smoothing=0.3,
                                   reduction="sum"), [X]),
    "ce_ignore_class_4_none": (
        lambda x: F.cross_entropy(x, np.where(T_INT < 0, 0, T_INT), ignore_index=4,
                                  reduction="none"),
        lambda x: TF.cross_entropy(x, _t(np.where(T_INT < 0, 0, T_INT)), ignore_index=4,
                                   reduction="none"), [X]),
    "ce_prob_weight_smooth": (
        lambda x: F.cross_entropy(x, T_PROB, weight=W, label_smoothing=0.2),
        lambda x: TF.cross_entropy(x, _t(T_PROB), weight=_t(W), label_smoothing=0.2), [X]),
    "ce_nd": (lambda x: F.cross_entropy(x, T_INT3, label_smoothing=0.1),
              lambda x: TF.cross_entropy(x, _t(T_INT3), label_smoothing=0.1), [X3]),
    "ce_nd_none": (lambda x: F.cross_entropy(x, T_INT3, reduction="none"),
                   lambda x: TF.cross_entropy(x, _t(T_INT3), reduction="none"), [X3]),
    "nll_weight": (lambda x: F.nll_loss(F.log_softmax(x, 1), T_INT, weight=W),
                   lambda x: TF.nll_loss(TF.log_softmax(x, 1), _t(T_INT), weight=_t(W)), [X]),
    "bce": (F.binary_cross_entropy, TF.binary_cross_entropy, [P, T_BIN]),
    "bce_weight_sum": (
        lambda p, t: F.binary_cross_entropy(p, t, weight=W, reduction="sum"),
        lambda p, t: TF.binary_cross_entropy(p, t, weight=_t(W), reduction="sum"), [P, T_BIN]),
    "bce_logits": (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                   [X, T_BIN]),
    "bce_logits_pos_weight": (
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, weight=W[::-1].copy(),
                                                        pos_weight=W),
        lambda x, t: TF.binary_cross_entropy_with_logits(x, t, weight=_t(W[::-1].copy()),
                                                         pos_weight=_t(W)), [X, T_BIN]),
    "bce_logits_pos_weight_none": (
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none", pos_weight=W),
        lambda x, t: TF.binary_cross_entropy_with_logits(x, t, reduction="none",
                                                         pos_weight=_t(W)), [X, T_BIN]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_forward_and_gradients_match_torch(name):
    ours, theirs, arrays = CASES[name]
    ts = [dg.tensor(a.copy(), requires_grad=True) for a in arrays]
    tts = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    y, ty = ours(*ts), theirs(*tts)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = RNG.standard_normal(y.shape)
    y.backward(dg.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    for t, tt in zip(ts, tts):
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_dropout_training_statistics_match_torch():
    x = np.ones((400, 400))
    ours = F.dropout(dg.tensor(x), 0.25).numpy()
    theirs = TF.dropout(torch.tensor(x), 0.25).numpy()
    for out in (ours, theirs):
        assert abs((out == 0).mean() - 0.25) < 0.01
        assert set(np.unique(out)) == {0.0, 1 / 0.75}


def test_mlp_with_a_copied_state_dict_matches_torch_nn():
    ours = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(),
                         nn.Linear(6, 3)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 6),
                                 torch.nn.ReLU(), torch.nn.Linear(6, 3)).double()
    sd = ours.state_dict()
    assert list(sd) == list(theirs.state_dict())  # same names for the same architecture
    theirs.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    x, target = X[:, :5], np.array([0, 2, 1, 1, 0, 2])
    loss = F.cross_entropy(ours(dg.tensor(x)), target, label_smoothing=0.1)
    tloss = TF.cross_entropy(theirs(torch.tensor(x)), torch.tensor(target), label_smoothing=0.1)
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
    loss.backward()
    tloss.backward()
    tgrads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tgrads[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-14)
    # And the other way: a torch state dict loads into deepgrad as arrays.
    ours.load_state_dict({k: v.detach().numpy() * 2 for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours[0].weight.numpy(), 2 * theirs[0].weight.detach().numpy())


def test_linear_default_init_distribution_matches_torch():
    torch.manual_seed(0)
    tw = torch.nn.Linear(256, 128).weight.detach().numpy()
    w = nn.Linear(256, 128).weight.numpy()
    assert abs(np.abs(w).max() - np.abs(tw).max()) < 1e-3
    np.testing.assert_allclose(w.std(), tw.std(), rtol=0.03)
