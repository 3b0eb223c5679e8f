"""Metrics the Trainer computes from raw model outputs (logits) and targets, looked up by name.

Each function takes NumPy arrays ``(outputs, targets)`` for a whole epoch and returns a float.
``outputs`` are what the model returns (logits for classifiers), so ``accuracy`` turns them
into labels first: ``argmax`` over classes for (N, C) outputs, ``logit > 0`` for one output
column (a sigmoid/BCE-with-logits classifier). For outputs that are probabilities, use
``binary_accuracy`` (threshold 0.5).
"""
from __future__ import annotations

import numpy

from .. import metrics as M


def _labels_from_targets(targets: numpy.ndarray, n_classes: int, who: str) -> numpy.ndarray:
    if targets.ndim == 2 and targets.shape[1] == n_classes and n_classes > 1:
        return targets.argmax(axis=1)  # one-hot or soft targets
    t = targets.reshape(-1)
    if t.dtype.kind == "f":
        if not numpy.all(t == numpy.round(t)):
            raise ValueError(f"{who}: targets are floats with fractional values; a classifier "
                             "metric needs integer class labels (or one-hot rows)")
        t = t.astype(numpy.int64)
    return t


def _classes(outputs, targets, who: str, threshold: float = 0.0):
    """(true labels, predicted labels) from raw outputs: argmax of (N, C) scores, else
    ``output > threshold`` for one column (logits: 0, probabilities: 0.5)."""
    outputs = numpy.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        pred, n_classes = outputs.argmax(axis=1), outputs.shape[1]
    else:
        pred, n_classes = (outputs.reshape(-1) > threshold).astype(numpy.int64), 1
    t = _labels_from_targets(numpy.asarray(targets), n_classes, who)
    if t.shape[0] != pred.shape[0]:
        raise ValueError(f"{who}: {pred.shape[0]} predictions but {t.shape[0]} targets")
    return t, pred


def _on_classes(metric, who: str, threshold: float = 0.0, **kwargs):
    """Adapt a ``deepgrad.metrics`` function of (y_true, y_pred) labels to raw outputs."""

    def fn(outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
        t, pred = _classes(outputs, targets, who, threshold)
        return float(metric(t, pred, **kwargs)) if t.size else float("nan")

    fn.__name__ = who
    fn.__doc__ = f"``deepgrad.metrics.{metric.__name__}`` of the labels the outputs predict."
    return fn


def _on_values(metric, who: str):
    """Adapt a regression metric of (y_true, y_pred) to (outputs, targets)."""

    def fn(outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
        outputs = numpy.asarray(outputs, dtype=numpy.float64)
        return float(metric(numpy.asarray(targets).reshape(outputs.shape), outputs))

    fn.__name__ = who
    fn.__doc__ = f"``deepgrad.metrics.{metric.__name__}`` of outputs against targets."
    return fn


#: accuracy of (N, C) scores (argmax) or of one logit column (``logit > 0``)
accuracy = _on_classes(M.accuracy, "accuracy")
#: accuracy of probabilities (N,) / (N, 1) thresholded at 0.5
binary_accuracy = _on_classes(M.accuracy, "binary_accuracy", threshold=0.5)
mse = _on_values(M.mean_squared_error, "mse")
mae = _on_values(M.mean_absolute_error, "mae")

#: metrics by name for ``Trainer(metrics=("accuracy",))``
METRICS = {"accuracy": accuracy, "acc": accuracy, "binary_accuracy": binary_accuracy,
           "balanced_accuracy": _on_classes(M.balanced_accuracy, "balanced_accuracy"),
           "f1_macro": _on_classes(M.f1_score, "f1_macro", average="macro"),
           "gmean": _on_classes(M.geometric_mean_score, "gmean"),
           "mse": mse, "mae": mae, "r2": _on_values(M.r2_score, "r2")}


def resolve_metrics(metrics) -> dict:
    """Turn ``metrics`` (a dict name -> fn, or a sequence of names/callables) into a dict.

    Raises:
        ValueError: an unknown metric name (the known ones are listed).
        TypeError: an entry that is neither a name nor a callable.
    """
    if isinstance(metrics, dict):
        items = list(metrics.items())
    else:
        items = []
        for m in ([metrics] if isinstance(metrics, str) or callable(metrics) else metrics):
            items.append((m if isinstance(m, str) else getattr(m, "__name__", type(m).__name__),
                          m))
    out = {}
    for name, fn in items:
        if isinstance(fn, str):
            if fn not in METRICS:
                raise ValueError(f"Trainer: unknown metric {fn!r}; known: {sorted(METRICS)}")
            name = "accuracy" if fn == "acc" else name
            fn = METRICS[fn]
        if not callable(fn):
            raise TypeError(f"Trainer: metric {name!r} is a {type(fn).__name__}, not a callable")
        out[name] = fn
    return out
