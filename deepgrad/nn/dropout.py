"""Dropout layers beyond ``Dropout``: Dropout1d/2d/3d (whole channels), AlphaDropout and
FeatureAlphaDropout (for SELU networks). Identity in eval mode; ``inplace=True`` computes
out of place."""
from __future__ import annotations

from ..ops import dropout_ext as D
from .linear import Dropout


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) with probability p in training, scale by 1/(1-p)."""

    def forward(self, input):  # noqa: A002
        return D.dropout1d(input, self.p, self.training)


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) with probability p in training, scale by 1/(1-p)."""

    def forward(self, input):  # noqa: A002
        return D.dropout2d(input, self.p, self.training)


class Dropout3d(Dropout):
    """Zero whole channels of (N, C, D, H, W) with probability p in training."""

    def forward(self, input):  # noqa: A002
        return D.dropout3d(input, self.p, self.training)


class AlphaDropout(Dropout):
    """Alpha dropout: keeps the mean and variance of SELU-normalized activations."""

    def forward(self, input):  # noqa: A002
        return D.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(Dropout):
    """Alpha dropout of whole channels."""

    def forward(self, input):  # noqa: A002
        return D.feature_alpha_dropout(input, self.p, self.training)
