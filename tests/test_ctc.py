"""CTC loss against PyTorch (through log_softmax, where both gradients agree), gradcheck of the
exact gradient on raw log-probabilities, zero_infinity and argument errors."""
from __future__ import annotations

import numpy as np
import pytest
from nn_parity import RNG, compare, gradcheck

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn

LOGITS = RNG.standard_normal((12, 3, 5))
TARGETS = np.array([[1, 2, 2, 0], [3, 1, 4, 4], [2, 0, 0, 0]])
TARGET_LENGTHS = np.array([3, 4, 1])
INPUT_LENGTHS = np.array([12, 9, 7])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_ctc_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    compare(lambda x: F.ctc_loss(F.log_softmax(x, -1), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS,
                                 reduction=reduction),
            lambda x: tf.ctc_loss(tf.log_softmax(x, -1), torch.tensor(TARGETS),
                                  torch.tensor(INPUT_LENGTHS), torch.tensor(TARGET_LENGTHS),
                                  reduction=reduction), [LOGITS])


def test_ctc_concatenated_targets_other_blank_and_unbatched():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    flat, lengths = np.array([1, 2, 2, 3, 1, 0, 2]), np.array([3, 3, 1])
    compare(lambda x: F.ctc_loss(F.log_softmax(x, -1), flat, INPUT_LENGTHS, lengths, blank=4),
            lambda x: tf.ctc_loss(tf.log_softmax(x, -1), torch.tensor(flat),
                                  torch.tensor(INPUT_LENGTHS), torch.tensor(lengths), blank=4),
            [LOGITS])
    compare(lambda x: F.ctc_loss(F.log_softmax(x, -1), np.array([1, 3]), [12], [2]),
            lambda x: tf.ctc_loss(tf.log_softmax(x, -1), torch.tensor([1, 3]),
                                  torch.tensor([12]), torch.tensor([2])), [LOGITS[:, 0]])


def test_ctc_zero_infinity_matches_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    short = np.array([12, 4, 7])  # (3, 1, 4, 4) needs 5 frames: impossible in 4
    compare(lambda x: F.ctc_loss(F.log_softmax(x, -1), TARGETS, short, TARGET_LENGTHS,
                                 reduction="none", zero_infinity=True),
            lambda x: tf.ctc_loss(tf.log_softmax(x, -1), torch.tensor(TARGETS),
                                  torch.tensor(short), torch.tensor(TARGET_LENGTHS),
                                  reduction="none", zero_infinity=True), [LOGITS])
    loss = F.ctc_loss(F.log_softmax(dg.tensor(LOGITS), -1), TARGETS, short, TARGET_LENGTHS,
                      reduction="none")
    assert np.isinf(loss.numpy()[1]) and np.isfinite(loss.numpy()[[0, 2]]).all()


def test_ctc_exact_gradient_gradcheck_and_module():
    gradcheck(lambda x: F.ctc_loss(x, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS, reduction="sum"),
              [LOGITS * 0.3 - 1.0])
    layer = nn.CTCLoss(blank=0)
    x = dg.tensor(LOGITS, requires_grad=True)
    loss = layer(F.log_softmax(x, -1), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    loss.backward()
    assert loss.shape == () and np.isfinite(x.grad.numpy()).all()
    assert not x.grad.numpy()[9:, 1].any()  # frames past a sample's input length


def test_ctc_bad_arguments():
    lp = F.log_softmax(dg.tensor(LOGITS), -1)
    with pytest.raises(RuntimeError, match="blank"):
        F.ctc_loss(lp, np.array([[0, 1]] * 3), INPUT_LENGTHS, [2, 2, 2])
    with pytest.raises(RuntimeError, match="at most T"):
        F.ctc_loss(lp, TARGETS, [13, 9, 7], TARGET_LENGTHS)
    with pytest.raises(RuntimeError, match=r"\(T, N, C\)"):
        F.ctc_loss(dg.zeros(2, 3, 4, 5), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
