"""Classifier metrics on one output column: the threshold comes from the loss, never the
positive rate (probabilities thresholded at 0)."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.optim import SGD
from deepgrad.training import Trainer
from deepgrad.training.metric_fns import METRICS, binary_metric, output_kind, resolve_metrics

# Probabilities where 3 of 4 targets are positive but only 2 of the predictions are right:
# the positive rate (1.0 predicted positive at threshold 0) would say 0.75, the truth is 0.5.
PROBS = np.array([[0.9], [0.3], [0.2], [0.6]], np.float32)
TARGETS = np.array([[1.0], [1.0], [1.0], [0.0]], np.float32)
LOGITS = np.log(PROBS / (1 - PROBS))
# by hand at threshold 0.5: pred = [1, 0, 0, 1]; tp 1, fp 1, fn 2, tn 0
WANT = {"accuracy": 0.25, "precision": 0.5, "recall": 1 / 3, "f1": 0.4,
        "balanced_accuracy": (1 / 3 + 0) / 2}


@pytest.mark.parametrize("loss,outputs", [(nn.BCELoss(), PROBS),
                                          (dg.functional.binary_cross_entropy, PROBS),
                                          (nn.BCEWithLogitsLoss(), LOGITS),
                                          (dg.functional.binary_cross_entropy_with_logits,
                                           LOGITS)])
@pytest.mark.parametrize("name", sorted(WANT))
def test_threshold_from_the_loss(loss, outputs, name):
    fn = resolve_metrics([name], loss)[name]
    assert fn(outputs, TARGETS) == pytest.approx(WANT[name])
    assert fn(outputs[:, 0], TARGETS[:, 0]) == pytest.approx(WANT[name])


@pytest.mark.parametrize("name", ["accuracy", "precision", "recall", "f1", "gmean"])
@pytest.mark.parametrize("loss", [nn.MSELoss(), lambda out, y: ((out - y) ** 2).mean(), None])
def test_unknown_loss_on_one_column_raises(name, loss):
    fn = resolve_metrics([name], loss)[name]
    with pytest.raises(ValueError, match="one output column.*'binary_accuracy'"):
        fn(PROBS, TARGETS)
    # several columns need no threshold: argmax
    two = np.hstack([1 - PROBS, PROBS])
    assert np.isfinite(fn(two, TARGETS[:, 0].astype(np.int64)))


def test_binary_accuracy_and_binary_metric_keep_their_threshold():
    assert resolve_metrics(["binary_accuracy"], nn.BCEWithLogitsLoss())["binary_accuracy"](
        PROBS, TARGETS) == 0.25
    assert binary_metric("recall", 0.0)(LOGITS, TARGETS) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="unknown class metric 'mse'"):
        binary_metric("mse", 0.5)


def test_output_kind():
    assert output_kind(nn.BCELoss()) == "probabilities"
    assert output_kind(nn.BCEWithLogitsLoss(pos_weight=None)) == "logits"
    assert output_kind(nn.CrossEntropyLoss()) is None


@pytest.mark.parametrize("outputs", [PROBS, LOGITS])
def test_auc_ranks_the_column_as_it_is(outputs):
    roc_auc_score = pytest.importorskip("sklearn.metrics").roc_auc_score

    want = roc_auc_score(TARGETS[:, 0], PROBS[:, 0])
    assert METRICS["auc"](outputs, TARGETS) == pytest.approx(want)
    two = np.hstack([np.zeros_like(outputs), outputs])  # (N, 2) scores: s_1 - s_0
    assert METRICS["auc"](two, TARGETS[:, 0].astype(np.int64)) == pytest.approx(want)
    with pytest.raises(ValueError, match="one output column or two class scores"):
        METRICS["auc"](np.zeros((4, 3)), TARGETS)


def _blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.7).astype(np.float32)  # 70% positives: the positive rate is 0.7
    x = rng.standard_normal((n, 2)).astype(np.float32) + 2.0 * (2 * y[:, None] - 1)
    return x, y[:, None]


def _fit(model, loss, metrics, epochs=8):
    x, y = _blobs()
    dg.manual_seed(0)
    trainer = Trainer(model, loss, SGD(model.parameters(), lr=0.3), metrics=metrics)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    return trainer, trainer.fit(loader, epochs=epochs).history


def test_sigmoid_model_with_bce_reports_accuracy_not_the_positive_rate():
    dg.manual_seed(0)
    x, y = _blobs()
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    # an untrained model near 0.5 everywhere gets ~0.5-ish accuracy, but the old threshold 0
    # would report exactly the positive rate 0.7 at every epoch
    trainer, h = _fit(model, nn.BCELoss(), ["accuracy", "precision", "recall", "f1", "auc"])
    with dg.no_grad():
        p = model(dg.from_numpy(x)).numpy()
    want = float(((p > 0.5) == (y > 0.5)).mean())
    assert trainer.evaluate(DataLoader(TensorDataset(x, y), batch_size=64))["accuracy"] == \
        pytest.approx(want)
    assert h["accuracy"][-1] > 0.95 and want > 0.95
    assert all(0 < v <= 1 for k in ("precision", "recall", "f1", "auc") for v in h[k])


def test_unknown_loss_raises_at_the_first_batch():
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    seen = []
    loss = nn.MSELoss()

    def counting(out, y):
        seen.append(1)
        return loss(out, y)

    with pytest.raises(ValueError, match="one output column"):
        _fit(model, counting, ["accuracy"])
    assert len(seen) == 1  # not after a whole epoch
