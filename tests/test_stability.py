"""Extreme logits (+-1e4): finite values, finite gradients, no NumPy warnings, correct limits."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.nn.functional as F

BIG = 1e4
LOGITS = np.array([[BIG, -BIG, 0.0], [-BIG, -BIG, BIG], [BIG, BIG, -BIG], [0.0, 1.0, -1.0]])
TARGETS = np.array([1, 0, 2, 0])  # includes targets whose logit is -1e4 below the max
BINARY_T = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 0.5, 0.0]])

CASES = {
    "softmax": lambda x: F.softmax(x, -1),
    "softmax_dim0": lambda x: F.softmax(x, 0),
    "log_softmax": lambda x: F.log_softmax(x, -1),
    "cross_entropy": lambda x: F.cross_entropy(x, dg.tensor(TARGETS)),
    "cross_entropy_none": lambda x: F.cross_entropy(x, TARGETS, reduction="none"),
    "cross_entropy_weight_smooth": lambda x: F.cross_entropy(
        x, TARGETS, weight=np.array([1.0, 2.0, 0.5]), label_smoothing=0.1),
    "cross_entropy_probs": lambda x: F.cross_entropy(x, dg.tensor(np.full((4, 3), 1 / 3))),
    "sigmoid": F.sigmoid,
    "softplus": F.softplus,
    "softplus_beta": lambda x: F.softplus(x, beta=0.5, threshold=1e6),
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, dg.tensor(BINARY_T)),
    "bce_with_logits_pos_weight": lambda x: F.binary_cross_entropy_with_logits(
        x, BINARY_T, pos_weight=np.array([3.0, 0.5, 1.0])),
    "tanh": F.tanh,
    "elu": F.elu,
    "softsign": F.softsign,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(CASES))
def test_finite_values_and_gradients(name, dtype):
    x = dg.tensor(LOGITS.astype(dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow/invalid warning fails the test
        y = CASES[name](x)
        (y * dg.tensor(np.ones(y.shape, dtype) * 0.5)).sum().backward()
    assert y.dtype == dtype
    assert np.all(np.isfinite(y.numpy())), y
    assert np.all(np.isfinite(x.grad.numpy())), x.grad


def test_limits_are_right():
    x = dg.tensor(np.array([BIG, -BIG, 0.0]), requires_grad=True)
    np.testing.assert_allclose(F.sigmoid(x).numpy(), [1.0, 0.0, 0.5])
    np.testing.assert_allclose(F.softplus(x).numpy(), [BIG, 0.0, np.log(2)])
    np.testing.assert_allclose(F.tanh(x).numpy(), [1.0, -1.0, 0.0])
    np.testing.assert_allclose(F.elu(x).numpy(), [BIG, -1.0, 0.0])
    np.testing.assert_allclose(F.softsign(x).numpy(), [BIG / (1 + BIG), -BIG / (1 + BIG), 0.0])
    np.testing.assert_allclose(F.log_softmax(x, 0).numpy(), [0.0, -2 * BIG, -BIG])
    np.testing.assert_allclose(F.softmax(x, 0).numpy(), [1.0, 0.0, 0.0])


def test_cross_entropy_of_confidently_wrong_logits_is_the_logit_gap():
    logits = dg.tensor(np.array([[BIG, -BIG]]), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([1]))
    np.testing.assert_allclose(loss.item(), 2 * BIG)
    loss.backward()
    np.testing.assert_allclose(logits.grad.numpy(), [[1.0, -1.0]])


def test_bce_with_logits_of_confidently_wrong_logits():
    x = dg.tensor(np.array([-BIG, BIG]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [BIG, BIG])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, 1.0])


def test_bce_on_saturated_probabilities_is_clamped_and_finite():
    p = dg.tensor(np.array([0.0, 1.0, 1.0, 0.0]), requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([0.0, 1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 100.0, 100.0])  # PyTorch's log floor
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))
