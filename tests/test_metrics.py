"""Metrics against hand-computed values and scikit-learn / imbalanced-learn (when installed)."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import metrics as M


def _multiclass(n=300, c=4, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, c, n)
    p = np.where(rng.random(n) < 0.6, t, rng.integers(0, c, n))
    return t, p


def test_hand_computed_values():
    t = np.array([0, 0, 0, 1, 1, 2])
    p = np.array([0, 1, 0, 1, 2, 2])
    assert M.accuracy(t, p) == pytest.approx(4 / 6)
    assert M.accuracy(t, p, normalize=False) == 4.0
    np.testing.assert_array_equal(M.confusion_matrix(t, p), [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_allclose(M.recall_score(t, p, average=None), [2 / 3, 1 / 2, 1])
    np.testing.assert_allclose(M.precision_score(t, p, average=None), [1, 1 / 2, 1 / 2])
    assert M.balanced_accuracy(t, p) == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert M.geometric_mean_score(t, p) == pytest.approx((2 / 3 * 1 / 2 * 1) ** (1 / 3))
    # binary: G-mean = sqrt(sensitivity * specificity)
    tb, pb = np.array([1, 1, 1, 1, 0, 0, 0, 0]), np.array([1, 1, 1, 0, 0, 0, 1, 1])
    assert M.geometric_mean_score(tb, pb) == pytest.approx(np.sqrt(0.75 * 0.5))
    assert M.f1_score(tb, pb) == pytest.approx(2 * 3 / (2 * 3 + 2 + 1))
    assert M.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert M.roc_auc_score([0, 1], [0.5, 0.5]) == pytest.approx(0.5)  # ties count one half
    assert M.mean_squared_error([1.0, 2.0], [2.0, 4.0]) == pytest.approx(2.5)
    assert M.mean_absolute_error([1.0, 2.0], [2.0, 4.0]) == pytest.approx(1.5)
    assert M.r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert M.r2_score([2.0, 2.0], [2.0, 2.0]) == 1.0 and M.r2_score([2.0, 2.0], [1.0, 2.0]) == 0.0


def test_top_k_accuracy():
    scores = np.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1], [0.2, 0.3, 0.5]])
    t = np.array([2, 1, 0])
    assert M.top_k_accuracy(t, scores, k=1) == 0.0
    assert M.top_k_accuracy(t, scores, k=2) == pytest.approx(2 / 3)
    assert M.top_k_accuracy(t, scores, k=3) == 1.0


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score"])
def test_prf_match_sklearn(name, average):
    skm = pytest.importorskip("sklearn.metrics")
    t, p = _multiclass()
    np.testing.assert_allclose(getattr(M, name)(t, p, average=average),
                               getattr(skm, name)(t, p, average=average), rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_other_metrics_match_sklearn(seed):
    skm = pytest.importorskip("sklearn.metrics")
    t, p = _multiclass(seed=seed)
    assert M.accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p))
    assert M.balanced_accuracy(t, p) == pytest.approx(skm.balanced_accuracy_score(t, p))
    assert M.balanced_accuracy(t, p, adjusted=True) == \
        pytest.approx(skm.balanced_accuracy_score(t, p, adjusted=True))
    np.testing.assert_array_equal(M.confusion_matrix(t, p), skm.confusion_matrix(t, p))
    for norm in ("true", "pred", "all"):
        np.testing.assert_allclose(M.confusion_matrix(t, p, normalize=norm),
                                   skm.confusion_matrix(t, p, normalize=norm))
    np.testing.assert_array_equal(M.confusion_matrix(t, p, labels=[3, 1]),
                                  skm.confusion_matrix(t, p, labels=[3, 1]))
    rng = np.random.default_rng(seed)
    scores = rng.random((t.size, 4))
    for k in (1, 2, 3):
        assert M.top_k_accuracy(t, scores, k=k) == pytest.approx(
            skm.top_k_accuracy_score(t, scores, k=k))
    s = np.round(rng.random(200), 1)  # coarse scores: many ties
    tb = (s + rng.normal(0, 0.3, 200) > 0.5).astype(int)
    assert M.roc_auc_score(tb, s) == pytest.approx(skm.roc_auc_score(tb, s))
    y = rng.normal(size=(50, 3))
    yp = y + rng.normal(size=(50, 3)) * 0.5
    assert M.r2_score(y, yp) == pytest.approx(skm.r2_score(y, yp))
    np.testing.assert_allclose(M.r2_score(y, yp, multioutput="raw_values"),
                               skm.r2_score(y, yp, multioutput="raw_values"))
    assert M.mean_squared_error(y, yp) == pytest.approx(skm.mean_squared_error(y, yp))
    assert M.mean_absolute_error(y, yp) == pytest.approx(skm.mean_absolute_error(y, yp))


def test_binary_and_zero_division_match_sklearn():
    skm = pytest.importorskip("sklearn.metrics")
    tb, pb = np.array([0, 0, 1, 1, 0]), np.array([0, 1, 1, 0, 0])
    for name in ("precision_score", "recall_score", "f1_score"):
        assert getattr(M, name)(tb, pb) == pytest.approx(getattr(skm, name)(tb, pb))
        assert getattr(M, name)(tb, pb, pos_label=0) == \
            pytest.approx(getattr(skm, name)(tb, pb, pos_label=0))
    t, p = np.array([0, 1, 2, 2]), np.array([0, 1, 1, 1])  # class 2 never predicted
    np.testing.assert_allclose(M.precision_score(t, p, average=None),
                               skm.precision_score(t, p, average=None, zero_division=0))
    assert M.precision_score(t, p, average="macro", zero_division=1.0) == pytest.approx(
        skm.precision_score(t, p, average="macro", zero_division=1.0))


def test_geometric_mean_matches_imblearn():
    imb = pytest.importorskip("imblearn.metrics")
    for seed in range(3):
        t, p = _multiclass(seed=seed)
        assert M.geometric_mean_score(t, p) == pytest.approx(imb.geometric_mean_score(t, p))
    t, p = np.array([0, 0, 1, 1, 2]), np.array([0, 0, 1, 1, 1])  # class 2 recall 0
    assert M.geometric_mean_score(t, p) == 0.0 == imb.geometric_mean_score(t, p)
    assert M.geometric_mean_score(t, p, correction=0.001) == pytest.approx(
        imb.geometric_mean_score(t, p, correction=0.001))


def test_accepts_tensors_scores_and_bools():
    t, p = _multiclass(50)
    scores = np.eye(4)[p] + 0.01
    assert M.accuracy(dg.tensor(t), dg.tensor(scores)) == M.accuracy(t, p)
    assert M.f1_score(t, dg.tensor(scores), average="macro") == \
        pytest.approx(M.f1_score(t, p, average="macro"))
    probs = np.array([0.2, 0.9, 0.6])
    assert M.accuracy(np.array([0, 1, 0]), probs > 0.5) == pytest.approx(2 / 3)
    assert M.accuracy(t[:, None], p[:, None]) == M.accuracy(t, p)  # (N, 1) labels
    assert M.METRICS["f1"] is M.f1_score and M.METRICS["accuracy"] is M.accuracy


def test_float_labels_are_refused_clearly():
    with pytest.raises(TypeError, match="accuracy: y_true holds floats.*class labels"):
        M.accuracy(np.array([0.0, 1.0]), np.array([0, 1]))
    with pytest.raises(TypeError, match="f1_score: y_pred holds floats"):
        M.f1_score(np.array([0, 1]), np.array([0.2, 0.9]))
    with pytest.raises(TypeError, match="floats"):
        M.confusion_matrix(dg.tensor([0.0, 1.0]), np.array([0, 1]))


@pytest.mark.parametrize("call, match", [
    (lambda: M.accuracy([0, 1, 1], [0, 1]), "3 samples.*2"),
    (lambda: M.f1_score([0, 1, 2], [0, 1, 2]), "multiclass.*average='binary'"),
    (lambda: M.f1_score([0, 1], [0, 1], average="median"), "average"),
    (lambda: M.roc_auc_score([1, 1], [0.2, 0.3]), "two classes"),
    (lambda: M.top_k_accuracy([0, 1], np.zeros(2)), r"\(N, C\)"),
    (lambda: M.r2_score(np.zeros(3), np.zeros(4)), "do not match"),
    (lambda: M.confusion_matrix([0, 1], [0, 1], normalize="rows"), "normalize"),
])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
