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
from .ops.pool import adaptive_avg_pool2d
from .ops.rnn import rnn_cell, rnn_layer
from .ops.rnn_gru import gru_cell, gru_layer
from .ops.rnn_lstm import lstm_cell, lstm_layer

__all__ = [
    "elu", "leaky_relu", "log_softmax", "relu", "sigmoid", "sign", "softmax", "softplus",
    "softsign", "tanh", "dropout", "linear", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "l1_loss", "mse_loss",
    "quadratic_loss", "pad", "batch_norm", "conv1d", "conv2d", "adaptive_avg_pool2d",
    "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d",
    "embedding", "rnn_cell", "rnn_layer", "gru_cell", "gru_layer", "lstm_cell", "lstm_layer",
]

# nn layers family (issue 16): PyTorch's F names for activations, convolutions, poolings,
# padding and resampling.
from .ops.activation_ext import (  # noqa: E402
                             celu,
                             gelu,
                             glu,
                             hardshrink,
                             hardsigmoid,
                             hardswish,
                             hardtanh,
                             logsigmoid,
                             mish,
                             prelu,
                             relu6,
                             rrelu,
                             selu,
                             silu,
                             softmin,
                             softshrink,
                             tanhshrink,
                             threshold,
)
from .ops.conv_ext import conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa
from .ops.interpolate import interpolate, pixel_shuffle, pixel_unshuffle, upsample  # noqa: E402
from .ops.padding import pad  # noqa: E402
from .ops.pooling_f import (  # noqa: E402
                             adaptive_avg_pool1d,
                             adaptive_max_pool1d,
                             adaptive_max_pool2d,
                             avg_pool1d,
                             avg_pool2d,
                             avg_pool3d,
                             lp_pool1d,
                             lp_pool2d,
                             max_pool1d,
                             max_pool2d,
                             max_pool3d,
                             max_unpool1d,
                             max_unpool2d,
                             max_unpool3d,
)
from .ops.unfold import fold, unfold  # noqa: E402

__all__ += [
    "celu", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid",
    "mish", "prelu", "relu6", "rrelu", "selu", "silu", "softmin", "softshrink", "tanhshrink",
    "threshold", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "interpolate", "pixel_shuffle", "pixel_unshuffle", "upsample", "adaptive_avg_pool1d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "avg_pool3d", "lp_pool1d", "lp_pool2d",
    "max_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d", "fold", "unfold",
]
