"""Metrics the Trainer computes from raw model outputs (logits) and targets, looked up by name.

Each function takes NumPy arrays ``(outputs, targets)`` for a whole epoch and returns a float.
``outputs`` are what the model returns (logits for classifiers), so ``accuracy`` turns them
into labels first: ``argmax`` over classes for (N, C) outputs, ``logit > 0`` for one output
column (a sigmoid/BCE-with-logits classifier). For outputs that are probabilities, use
``binary_accuracy`` (threshold 0.5).
"""
from __future__ import annotations

import numpy


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


def accuracy(outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
    """Fraction of samples whose predicted class equals the target.

    Args:
        outputs: (N, C) logits/scores (prediction ``argmax``), or (N,)/(N, 1) logits of a
            binary classifier (prediction ``output > 0``).
        targets: (N,) integer labels, (N, C) one-hot rows, or 0/1 values for a binary model.
    """
    outputs = numpy.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        pred = outputs.argmax(axis=1)
        n_classes = outputs.shape[1]
    else:
        pred = (outputs.reshape(-1) > 0).astype(numpy.int64)
        n_classes = 1
    t = _labels_from_targets(numpy.asarray(targets), n_classes, "accuracy")
    if t.shape[0] != pred.shape[0]:
        raise ValueError(f"accuracy: {pred.shape[0]} predictions but {t.shape[0]} targets")
    return float(numpy.mean(pred == t)) if t.size else float("nan")


def binary_accuracy(outputs: numpy.ndarray, targets: numpy.ndarray,
                    threshold: float = 0.5) -> float:
    """Accuracy of probabilities ``outputs`` (N,) or (N, 1) thresholded at ``threshold``."""
    pred = (numpy.asarray(outputs).reshape(-1) > threshold).astype(numpy.int64)
    t = _labels_from_targets(numpy.asarray(targets), 1, "binary_accuracy")
    return float(numpy.mean(pred == t)) if t.size else float("nan")


def mse(outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
    """Mean squared error ``mean((y - t)^2)``."""
    d = numpy.asarray(outputs, dtype=numpy.float64) - numpy.asarray(targets).reshape(
        numpy.shape(outputs))
    return float(numpy.mean(d * d))


def mae(outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
    """Mean absolute error ``mean(|y - t|)``."""
    d = numpy.asarray(outputs, dtype=numpy.float64) - numpy.asarray(targets).reshape(
        numpy.shape(outputs))
    return float(numpy.mean(numpy.abs(d)))


#: metrics by name for ``Trainer(metrics=("accuracy",))``
METRICS = {"accuracy": accuracy, "acc": accuracy, "binary_accuracy": binary_accuracy,
           "mse": mse, "mae": mae}


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
