"""The ``F`` namespace (``deepgrad.nn.functional``): every op as a plain function."""
from __future__ import annotations

from .ops.activation import (elu, leaky_relu, log_softmax, relu, sigmoid, sign, softmax,
                             softplus, softsign, tanh)
from .ops.dropout import dropout
from .ops.linalg import linear
from .ops.loss import cross_entropy, nll_loss
from .ops.loss_pointwise import (binary_cross_entropy, binary_cross_entropy_with_logits,
                                 l1_loss, mse_loss, quadratic_loss)
from .ops.shape import pad

__all__ = [
    "elu", "leaky_relu", "log_softmax", "relu", "sigmoid", "sign", "softmax", "softplus",
    "softsign", "tanh", "dropout", "linear", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "l1_loss", "mse_loss",
    "quadratic_loss", "pad",
]
