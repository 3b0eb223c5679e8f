"""Loss modules wrapping the functional losses (PyTorch's names and arguments)."""
from __future__ import annotations

from ..ops import loss as L
from ..ops import loss_pointwise as P
from .loss_ext import _Loss
from .module import Module


class MSELoss(_Loss):
    """Mean squared error (PyTorch's ``size_average``/``reduce``/``reduction`` arguments; a
    string first argument is taken as the reduction)."""

    def forward(self, input, target):  # noqa: A002
        return P.mse_loss(input, target, self.reduction)


class L1Loss(MSELoss):
    """Mean absolute error."""

    def forward(self, input, target):  # noqa: A002
        return P.l1_loss(input, target, self.reduction)


class QuadraticLoss(Module):
    """The chapter's quadratic cost E = 1/2 sum (t - o)^2 (``reduction='sum'``)."""

    def __init__(self, reduction: str = "sum") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, output, target):
        return P.quadratic_loss(output, target, self.reduction)


class CrossEntropyLoss(Module):
    """Softmax cross-entropy from logits, with class weights and label smoothing."""

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__()
        self.weight, self.ignore_index = weight, ignore_index
        self.reduction, self.label_smoothing = reduction, label_smoothing

    def forward(self, input, target):  # noqa: A002
        return L.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                               self.label_smoothing)


class NLLLoss(Module):
    """Negative log-likelihood of log-probabilities."""

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__()
        self.weight, self.ignore_index, self.reduction = weight, ignore_index, reduction

    def forward(self, input, target):  # noqa: A002
        return L.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(Module):
    """Binary cross-entropy of probabilities."""

    def __init__(self, weight=None, reduction: str = "mean") -> None:
        super().__init__()
        self.weight, self.reduction = weight, reduction

    def forward(self, input, target):  # noqa: A002
        return P.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(Module):
    """Sigmoid and binary cross-entropy in one stable op."""

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__()
        self.weight, self.reduction, self.pos_weight = weight, reduction, pos_weight

    def forward(self, input, target):  # noqa: A002
        return P.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)
