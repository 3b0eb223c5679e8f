"""Evaluation metrics with scikit-learn's argument order ``(y_true, y_pred)``; arrays or Tensors.

Classifier metrics take integer (or bool/string) class labels; ``y_pred`` may also be a
(N, C) score matrix, reduced by argmax. Float labels are refused with an error (pass
``y.astype(int)`` or scores). Scalars come back as Python floats, per-class values as arrays.
``METRICS`` maps names to functions for lookup by name.
"""
from __future__ import annotations

import numpy

from .autograd.tensor import _as_array

AVERAGES = (None, "binary", "micro", "macro", "weighted")


def _array(y) -> numpy.ndarray:
    return numpy.asarray(_as_array(y))


def _labels(y, fn: str, arg: str, allow_scores: bool = False) -> numpy.ndarray:
    """Class labels as a 1-D array; (N, C>1) scores become argmax labels when allowed."""
    y = _array(y)
    if allow_scores and y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{fn}: {arg} must be 1-D class labels"
                         f"{' or (N, C) scores' if allow_scores else ''}, got shape {y.shape}")
    if y.dtype.kind in "fc":
        raise TypeError(f"{fn}: {arg} holds floats ({y.dtype}); a classifier metric needs class "
                        f"labels: pass integers (e.g. y.astype(int), or (p > 0.5) for "
                        f"probabilities) or (N, C) scores as y_pred")
    return y


def _pair(y_true, y_pred, fn: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    t = _labels(y_true, fn, "y_true")
    p = _labels(y_pred, fn, "y_pred", allow_scores=True)
    if t.shape[0] != p.shape[0]:
        raise ValueError(f"{fn}: y_true has {t.shape[0]} samples but y_pred has {p.shape[0]}")
    return t, p


def accuracy(y_true, y_pred, normalize: bool = True) -> float:
    """Fraction (or with ``normalize=False`` the count) of exactly right predictions."""
    t, p = _pair(y_true, y_pred, "accuracy")
    hits = numpy.count_nonzero(t == p)
    return float(hits / t.shape[0]) if normalize else float(hits)


def top_k_accuracy(y_true, y_score, k: int = 5) -> float:
    """Fraction of samples whose true class is among the ``k`` highest scores.

    Args:
        y_true: (N,) integer labels in [0, C).
        y_score: (N, C) scores or probabilities.
    """
    t = _labels(y_true, "top_k_accuracy", "y_true")
    s = _array(y_score)
    if s.ndim != 2 or s.shape[0] != t.shape[0]:
        raise ValueError(f"top_k_accuracy: y_score must be (N, C) with N = {t.shape[0]}, got "
                         f"shape {s.shape}")
    if k < 1:
        raise ValueError(f"top_k_accuracy: k must be >= 1, got {k}")
    if t.min() < 0 or t.max() >= s.shape[1]:
        raise ValueError(f"top_k_accuracy: labels must lie in [0, {s.shape[1]}), got range "
                         f"[{t.min()}, {t.max()}]")
    # A class is in the top k when fewer than k classes score strictly higher than it.
    true_score = s[numpy.arange(t.shape[0]), t][:, None]
    return float(numpy.mean(numpy.sum(s > true_score, axis=1) < k))


def confusion_matrix(y_true, y_pred, labels=None, normalize: str | None = None) -> numpy.ndarray:
    """``C[i, j]`` = number of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    Args:
        labels: class order (default: sorted union of both label sets).
        normalize: None (counts), 'true' (rows sum to 1), 'pred' (columns) or 'all'.
    """
    t, p = _pair(y_true, y_pred, "confusion_matrix")
    labels = numpy.unique(numpy.concatenate([t, p])) if labels is None else numpy.asarray(labels)
    n = labels.shape[0]
    order = numpy.argsort(labels, kind="stable")
    lut = labels[order]

    def index(y):
        pos = numpy.clip(numpy.searchsorted(lut, y), 0, n - 1)
        return numpy.where(lut[pos] == y, order[pos], -1)

    ti, pi = index(t), index(p)
    keep = (ti >= 0) & (pi >= 0)  # samples outside ``labels`` are ignored, as in scikit-learn
    cm = numpy.bincount(ti[keep] * n + pi[keep], minlength=n * n).reshape(n, n)
    if normalize is None:
        return cm
    axis = {"true": 1, "pred": 0, "all": None}
    if normalize not in axis:
        raise ValueError(f"confusion_matrix: normalize must be None, 'true', 'pred' or 'all', "
                         f"got {normalize!r}")
    total = cm.sum(axis=axis[normalize], keepdims=True)
    return numpy.divide(cm, total, out=numpy.zeros(cm.shape), where=total != 0)


def _divide(num, den, zero_division: float) -> numpy.ndarray:
    num, den = numpy.asarray(num, dtype=numpy.float64), numpy.asarray(den, dtype=numpy.float64)
    return numpy.divide(num, den, out=numpy.full(num.shape, float(zero_division)), where=den != 0)


def _prf(y_true, y_pred, fn, average, labels, pos_label, beta, zero_division):
    """Precision, recall, F-beta and support per class, then averaged as asked."""
    if average not in AVERAGES:
        raise ValueError(f"{fn}: average must be one of {AVERAGES}, got {average!r}")
    t, p = _pair(y_true, y_pred, fn)
    present = numpy.unique(numpy.concatenate([t, p]))
    if average == "binary":
        if present.shape[0] > 2:
            raise ValueError(f"{fn}: the target is multiclass ({present.shape[0]} labels) but "
                             f"average='binary'; choose one of None, 'micro', 'macro', "
                             f"'weighted'")
        labels = [pos_label]
    labels = present if labels is None else numpy.asarray(labels)
    tp = numpy.array([numpy.count_nonzero((t == c) & (p == c)) for c in labels], numpy.float64)
    pred_pos = numpy.array([numpy.count_nonzero(p == c) for c in labels], numpy.float64)
    support = numpy.array([numpy.count_nonzero(t == c) for c in labels], numpy.float64)
    if average == "micro":
        tp, pred_pos, support = tp.sum(keepdims=True), pred_pos.sum(keepdims=True), \
            support.sum(keepdims=True)
    b2 = beta * beta
    precision = _divide(tp, pred_pos, zero_division)
    recall = _divide(tp, support, zero_division)
    # F from counts: (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp), as scikit-learn computes it.
    fbeta = _divide((1 + b2) * tp, (1 + b2) * tp + b2 * (support - tp) + (pred_pos - tp),
                    zero_division)
    if average is None:
        return precision, recall, fbeta, support
    if average == "weighted":
        weights = support if support.sum() > 0 else None
        if weights is None:
            return (float(zero_division),) * 3 + (None,)
        return tuple(float(numpy.average(v, weights=weights)) for v in
                     (precision, recall, fbeta)) + (None,)
    return tuple(float(numpy.mean(v)) for v in (precision, recall, fbeta)) + (None,)


def precision_score(y_true, y_pred, labels=None, pos_label=1, average: str | None = "binary",
                    zero_division: float = 0.0):
    """Precision ``tp / (tp + fp)``: per class (``average=None``), for ``pos_label``
    ('binary'), or averaged: 'micro' (global counts), 'macro' (plain mean over classes),
    'weighted' (mean weighted by support). 0/0 gives ``zero_division``."""
    return _prf(y_true, y_pred, "precision_score", average, labels, pos_label, 1.0,
                zero_division)[0]


def recall_score(y_true, y_pred, labels=None, pos_label=1, average: str | None = "binary",
                 zero_division: float = 0.0):
    """Recall (sensitivity) ``tp / (tp + fn)``; ``average`` as in ``precision_score``."""
    return _prf(y_true, y_pred, "recall_score", average, labels, pos_label, 1.0,
                zero_division)[1]


def f1_score(y_true, y_pred, labels=None, pos_label=1, average: str | None = "binary",
             zero_division: float = 0.0):
    """F1 ``2 tp / (2 tp + fp + fn)`` (harmonic mean of precision and recall); ``average`` as
    in ``precision_score`` (macro F1 is the mean of per-class F1)."""
    return _prf(y_true, y_pred, "f1_score", average, labels, pos_label, 1.0, zero_division)[2]


def _recalls(y_true, y_pred, fn: str) -> numpy.ndarray:
    """Per-class recall over the sorted union of labels (NaN for a class never true)."""
    cm = confusion_matrix(*_pair(y_true, y_pred, fn))
    true_counts = cm.sum(axis=1)
    return _divide(numpy.diag(cm), true_counts, numpy.nan), true_counts


def balanced_accuracy(y_true, y_pred, adjusted: bool = False) -> float:
    """Mean per-class recall over the classes present in ``y_true``; robust to imbalance.

    With ``adjusted``, rescaled so that chance is 0: ``(s - 1/C) / (1 - 1/C)``.
    """
    recalls, true_counts = _recalls(y_true, y_pred, "balanced_accuracy")
    recalls = recalls[true_counts > 0]
    score = float(numpy.mean(recalls))
    if adjusted:
        chance = 1.0 / recalls.shape[0]
        score = (score - chance) / (1.0 - chance)
    return score


def geometric_mean_score(y_true, y_pred, correction: float = 0.0) -> float:
    """G-mean: the geometric mean of the per-class recalls, ``(prod_c recall_c) ** (1 / C)``.

    For two classes this is ``sqrt(sensitivity * specificity)``. One class never found makes
    it 0; ``correction`` replaces zero recalls (imbalanced-learn's ``correction``). Classes are
    the union of both label sets, as in imbalanced-learn's 'multiclass' average.
    """
    recalls, _ = _recalls(y_true, y_pred, "geometric_mean_score")
    recalls = numpy.nan_to_num(recalls, nan=0.0)
    recalls[recalls == 0] = correction
    if numpy.any(recalls == 0):
        return 0.0
    return float(numpy.exp(numpy.mean(numpy.log(recalls))))


def roc_auc_score(y_true, y_score) -> float:
    """Area under the ROC curve for binary labels: the probability that a random positive
    scores above a random negative (ties count 1/2), via the Mann-Whitney rank sum.

    Args:
        y_true: (N,) two classes; the larger label is the positive one.
        y_score: (N,) scores of the positive class, or (N, 2) with the positive in column 1.
    """
    t = _labels(y_true, "roc_auc_score", "y_true")
    s = _array(y_score).astype(numpy.float64)
    if s.ndim == 2 and s.shape[1] == 2:
        s = s[:, 1]
    s = s.reshape(-1)
    if s.shape[0] != t.shape[0]:
        raise ValueError(f"roc_auc_score: y_true has {t.shape[0]} samples but y_score has "
                         f"{s.shape[0]}")
    classes = numpy.unique(t)
    if classes.shape[0] != 2:
        raise ValueError(f"roc_auc_score: needs exactly two classes in y_true, got "
                         f"{classes.tolist()} (ROC AUC is not defined with one class)")
    pos = t == classes[1]
    order = numpy.argsort(s, kind="mergesort")
    sorted_s = s[order]
    ranks = numpy.empty(s.shape[0])
    # Average rank for tied scores: every member of a tie group gets the group's mean rank.
    _, start, counts = numpy.unique(sorted_s, return_index=True, return_counts=True)
    mean_rank = start + (counts + 1) / 2.0
    ranks[order] = numpy.repeat(mean_rank, counts)
    n_pos, n_neg = numpy.count_nonzero(pos), numpy.count_nonzero(~pos)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _regression_pair(y_true, y_pred, fn: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    t, p = _array(y_true).astype(numpy.float64), _array(y_pred).astype(numpy.float64)
    t = t.reshape(t.shape[0], -1) if t.ndim else t.reshape(1, 1)
    p = p.reshape(p.shape[0], -1) if p.ndim else p.reshape(1, 1)
    if t.shape != p.shape:
        raise ValueError(f"{fn}: y_true shape {_array(y_true).shape} and y_pred shape "
                         f"{_array(y_pred).shape} do not match")
    return t, p


def mean_squared_error(y_true, y_pred) -> float:
    """``mean((y - y_hat)^2)`` over samples and outputs."""
    t, p = _regression_pair(y_true, y_pred, "mean_squared_error")
    return float(numpy.mean((t - p) ** 2))


def mean_absolute_error(y_true, y_pred) -> float:
    """``mean(|y - y_hat|)`` over samples and outputs."""
    t, p = _regression_pair(y_true, y_pred, "mean_absolute_error")
    return float(numpy.mean(numpy.abs(t - p)))


def r2_score(y_true, y_pred, multioutput: str = "uniform_average"):
    """Coefficient of determination ``1 - sum (y - y_hat)^2 / sum (y - mean y)^2`` per output.

    A constant ``y_true`` gives 1.0 for a perfect prediction, else 0.0 (scikit-learn's
    ``force_finite``). ``multioutput``: 'uniform_average' (mean over outputs) or 'raw_values'.
    """
    t, p = _regression_pair(y_true, y_pred, "r2_score")
    ss_res = numpy.sum((t - p) ** 2, axis=0)
    ss_tot = numpy.sum((t - t.mean(axis=0)) ** 2, axis=0)
    perfect = numpy.where(ss_res == 0, 1.0, 0.0)
    scores = numpy.where(ss_tot != 0, 1.0 - _divide(ss_res, ss_tot, 0.0), perfect)
    if multioutput == "raw_values":
        return scores
    if multioutput != "uniform_average":
        raise ValueError(f"r2_score: multioutput must be 'uniform_average' or 'raw_values', got "
                         f"{multioutput!r}")
    return float(numpy.mean(scores))


# Short names, as the issue and Keras spell them, and scikit-learn's for drop-in use.
precision, recall, f1 = precision_score, recall_score, f1_score
accuracy_score, top_k_accuracy_score = accuracy, top_k_accuracy
balanced_accuracy_score = balanced_accuracy
mse, mae = mean_squared_error, mean_absolute_error

METRICS = {
    "accuracy": accuracy, "top_k_accuracy": top_k_accuracy, "precision": precision_score,
    "recall": recall_score, "f1": f1_score, "balanced_accuracy": balanced_accuracy,
    "geometric_mean": geometric_mean_score, "g_mean": geometric_mean_score,
    "roc_auc": roc_auc_score, "mse": mean_squared_error, "mae": mean_absolute_error,
    "r2": r2_score,
}
