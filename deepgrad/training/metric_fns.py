"""Metrics the Trainer computes from raw model outputs (logits) and targets, looked up by name.

Each function takes NumPy arrays ``(outputs, targets)`` for a whole epoch and returns a float.
``outputs`` are what the model returns, so a classifier metric turns them into labels first:
``argmax`` over classes for (N, C > 1) outputs. One output column (N, 1) or (N,) is a binary
classifier whose column holds either a probability or a logit, and the threshold differs
(0.5 or 0): ``resolve_metrics`` reads it from the loss (``BCELoss`` / ``binary_cross_entropy``:
probabilities; ``BCEWithLogitsLoss`` / ``binary_cross_entropy_with_logits``: logits). With
any other loss a one-column output raises ValueError and asks for ``binary_accuracy``
(probabilities, threshold 0.5) or ``binary_metric(name, threshold)``: thresholding
probabilities at 0 would report the positive rate as the accuracy. ``auc`` needs no
threshold: it ranks the column as it is (a logit and its sigmoid rank alike).
"""
from __future__ import annotations

import numpy

from .. import metrics as M
from ..nn.loss import BCELoss, BCEWithLogitsLoss
from ..ops.loss_pointwise import binary_cross_entropy, binary_cross_entropy_with_logits

#: the threshold of a one-column output, by what the column holds
THRESHOLDS = {"probabilities": 0.5, "logits": 0.0}


def output_kind(loss_fn) -> str | None:
    """What a one-column output holds, judged from the loss that trains it: 'probabilities',
    'logits', or None when the loss does not say."""
    if isinstance(loss_fn, BCEWithLogitsLoss) or loss_fn is binary_cross_entropy_with_logits:
        return "logits"
    if isinstance(loss_fn, BCELoss) or loss_fn is binary_cross_entropy:
        return "probabilities"
    return None


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


def _classes(outputs, targets, who: str, threshold: float | None):
    """(true labels, predicted labels) from raw outputs: argmax of (N, C) scores, else
    ``output > threshold`` for one column (None: unknown, an error)."""
    outputs = numpy.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        pred, n_classes = outputs.argmax(axis=1), outputs.shape[1]
    else:
        if threshold is None:
            raise ValueError(
                f"metric {who!r}: the model has one output column, and the loss does not say "
                "whether it holds probabilities or logits (thresholds 0.5 and 0 differ); use "
                "'binary_accuracy' for probabilities, binary_metric(name, threshold) for "
                "others, or train with BCELoss (probabilities) or BCEWithLogitsLoss (logits)")
        pred, n_classes = (outputs.reshape(-1) > threshold).astype(numpy.int64), 1
    t = _labels_from_targets(numpy.asarray(targets), n_classes, who)
    if t.shape[0] != pred.shape[0]:
        raise ValueError(f"{who}: {pred.shape[0]} predictions but {t.shape[0]} targets")
    return t, pred


class ClassMetric:
    """A ``deepgrad.metrics`` function of (y_true, y_pred) labels applied to raw outputs.

    Args:
        metric: the label metric.
        name: its name in the logs.
        threshold: the cut for a one-column output (None: unknown until ``for_outputs``).
        **kwargs: passed to ``metric``.
    """

    def __init__(self, metric, name: str, threshold: float | None = None, **kwargs) -> None:
        self.metric, self.__name__, self.threshold, self.kwargs = metric, name, threshold, kwargs
        self.__doc__ = f"``deepgrad.metrics.{metric.__name__}`` of the labels the outputs predict."

    def for_outputs(self, kind: str | None) -> "ClassMetric":
        """This metric with the threshold of ``kind`` ('probabilities', 'logits' or None)
        for one-column outputs; one with its own threshold keeps it."""
        if self.threshold is not None or kind is None:
            return self
        return ClassMetric(self.metric, self.__name__, THRESHOLDS[kind], **self.kwargs)

    def __call__(self, outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
        t, pred = _classes(outputs, targets, self.__name__, self.threshold)
        return float(self.metric(t, pred, **self.kwargs)) if t.size else float("nan")


def check_outputs(metrics: dict, outputs) -> None:
    """Raise now (at the first batch, not after an epoch) if a class metric cannot read these
    outputs: one column without a known threshold."""
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return
    for fn in metrics.values():
        if isinstance(fn, ClassMetric) and fn.threshold is None:
            _classes(outputs[:0], numpy.zeros(0), fn.__name__, None)


def binary_metric(name: str, threshold: float) -> ClassMetric:
    """The class metric ``name`` ('accuracy', 'precision', 'recall', 'f1', ...) on one output
    column cut at ``threshold`` (0.5 for probabilities, 0 for logits)."""
    if name not in METRICS or not isinstance(METRICS[name], ClassMetric):
        names = sorted(k for k, v in METRICS.items() if isinstance(v, ClassMetric))
        raise ValueError(f"binary_metric: unknown class metric {name!r}; known: {names}")
    m = METRICS[name]
    return ClassMetric(m.metric, m.__name__, float(threshold), **m.kwargs)


def auc(outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
    """ROC AUC of a binary classifier from its raw outputs: one column as it is (logit or
    probability rank alike), or (N, 2) scores as ``s_1 - s_0`` (monotone in the softmax
    probability of class 1 for logits, and in p_1 for probabilities)."""
    outputs = numpy.asarray(outputs, dtype=numpy.float64)
    if outputs.ndim == 2 and outputs.shape[1] == 2:
        score = outputs[:, 1] - outputs[:, 0]
    elif outputs.ndim == 1 or (outputs.ndim == 2 and outputs.shape[1] == 1):
        score = outputs.reshape(-1)
    else:
        raise ValueError(f"auc: needs one output column or two class scores, got outputs of "
                         f"shape {outputs.shape}")
    t = _labels_from_targets(numpy.asarray(targets), outputs.shape[-1] if outputs.ndim == 2
                             else 1, "auc")
    return float(M.roc_auc_score(t, score)) if t.size else float("nan")


def _on_values(metric, who: str):
    """Adapt a regression metric of (y_true, y_pred) to (outputs, targets)."""

    def fn(outputs: numpy.ndarray, targets: numpy.ndarray) -> float:
        outputs = numpy.asarray(outputs, dtype=numpy.float64)
        return float(metric(numpy.asarray(targets).reshape(outputs.shape), outputs))

    fn.__name__ = who
    fn.__doc__ = f"``deepgrad.metrics.{metric.__name__}`` of outputs against targets."
    return fn


def _on_classes(metric, who: str, **kwargs) -> ClassMetric:
    return ClassMetric(metric, who, **kwargs)


#: accuracy of (N, C) scores (argmax), or of one column at the loss's threshold
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
           "mse": mse, "mae": mae, "r2": _on_values(M.r2_score, "r2"),
           "precision": _on_classes(M.precision_score, "precision"),
           "recall": _on_classes(M.recall_score, "recall"),
           "f1": _on_classes(M.f1_score, "f1"), "auc": auc}


def resolve_metrics(metrics, loss_fn=None) -> dict:
    """Turn ``metrics`` (a dict name -> fn, or a sequence of names/callables) into a dict.

    A class metric (given by name or as a ``ClassMetric``) takes the one-column threshold that
    ``loss_fn`` implies (see ``output_kind``).

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
        if isinstance(fn, ClassMetric):
            fn = fn.for_outputs(output_kind(loss_fn))
        if not callable(fn):
            raise TypeError(f"Trainer: metric {name!r} is a {type(fn).__name__}, not a callable")
        out[name] = fn
    return out
