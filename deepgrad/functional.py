"""The ``F`` namespace (``deepgrad.nn.functional``): every op as a plain function."""
from __future__ import annotations

from .ops.activation import (
                             elu,
                             leaky_relu,
                             log_softmax,
                             relu,
                             sigmoid,
                             sign,
                             softmax,
                             softplus,
                             softsign,
                             tanh,
)
from .ops.batchnorm import batch_norm
from .ops.conv import conv1d, conv2d
from .ops.dropout import dropout
from .ops.embedding import embedding
from .ops.linalg import linear
from .ops.loss import cross_entropy, nll_loss
from .ops.loss_pointwise import (
                             binary_cross_entropy,
                             binary_cross_entropy_with_logits,
                             l1_loss,
                             mse_loss,
                             quadratic_loss,
)
from .ops.pool import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .ops.rnn import rnn_cell, rnn_layer
from .ops.rnn_gru import gru_cell, gru_layer
from .ops.rnn_lstm import lstm_cell, lstm_layer
from .ops.shape import pad

__all__ = [
    "elu", "leaky_relu", "log_softmax", "relu", "sigmoid", "sign", "softmax", "softplus",
    "softsign", "tanh", "dropout", "linear", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "l1_loss", "mse_loss",
    "quadratic_loss", "pad", "batch_norm", "conv1d", "conv2d", "adaptive_avg_pool2d",
    "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d",
    "embedding", "rnn_cell", "rnn_layer", "gru_cell", "gru_layer", "lstm_cell", "lstm_layer",
]

# Ops whose registry row says torch.nn.functional has them (ops/registry.py).
from .ops.registry import namespace as _namespace  # noqa: E402

globals().update(_namespace("F"))
__all__ += sorted(set(_namespace("F")) - set(__all__))
