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
                             hardshrink,
                             hardsigmoid,
                             hardswish,
                             hardtanh,
                             logsigmoid,
                             mish,
                             relu6,
                             selu,
                             silu,
                             softshrink,
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

# nn layers family (issue 16): normalizations, channel/alpha dropout, more losses, distances.
from .ops.dropout_ext import (  # noqa: E402
                             alpha_dropout,
                             dropout1d,
                             dropout2d,
                             dropout3d,
                             feature_alpha_dropout,
)
from .ops.loss_ext import (  # noqa: E402
                             gaussian_nll_loss,
                             huber_loss,
                             kl_div,
                             l1_loss,
                             mse_loss,
                             poisson_nll_loss,
                             smooth_l1_loss,
                             soft_margin_loss,
)
from .ops.loss_margin import (  # noqa: E402
                             cosine_embedding_loss,
                             cosine_similarity,
                             hinge_embedding_loss,
                             margin_ranking_loss,
                             multi_margin_loss,
                             multilabel_margin_loss,
                             multilabel_soft_margin_loss,
                             pairwise_distance,
                             triplet_margin_loss,
)
from .ops.normalization import (  # noqa: E402
                             group_norm,
                             instance_norm,
                             layer_norm,
                             local_response_norm,
                             rms_norm,
)

__all__ += [
    "alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout",
    "gaussian_nll_loss", "huber_loss", "kl_div", "poisson_nll_loss", "smooth_l1_loss",
    "soft_margin_loss", "cosine_embedding_loss", "cosine_similarity", "hinge_embedding_loss",
    "margin_ranking_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "pairwise_distance", "triplet_margin_loss", "group_norm",
    "instance_norm", "layer_norm", "local_response_norm", "rms_norm",
]

# nn layers family (issue 16): attention.
from .ops.attention import scaled_dot_product_attention  # noqa: E402
from .ops.mha import multi_head_attention_forward  # noqa: E402

__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward"]

# nn layers family (issue 16): bilinear, embedding bags.
from .ops.bilinear_bag import bilinear, embedding_bag  # noqa: E402

__all__ += ["bilinear", "embedding_bag"]

# nn layers family (issue 16): CTC.
from .ops.ctc import ctc_loss  # noqa: E402

__all__ += ["ctc_loss"]

# nn layers family (issue 16): activations with a weight, a random slope or a split input.
from .ops.activation_param import glu, prelu, rrelu, softmin, tanhshrink  # noqa: E402
from .ops.loss_margin import normalize  # noqa: E402

__all__ += ["normalize"]

# nn layers family (issue 16): 3-D adaptive and power pooling, channel shuffle, deprecated
# upsample aliases, triplet loss with a custom distance.
from .ops.loss_margin import triplet_margin_with_distance_loss  # noqa: E402
from .ops.pool3d_misc import (  # noqa: E402
                             adaptive_avg_pool3d,
                             adaptive_max_pool3d,
                             channel_shuffle,
                             lp_pool3d,
                             upsample_bilinear,
                             upsample_nearest,
)

__all__ += ["triplet_margin_with_distance_loss", "adaptive_avg_pool3d", "adaptive_max_pool3d",
            "channel_shuffle", "lp_pool3d", "upsample_bilinear", "upsample_nearest"]

# Ops whose registry row says torch.nn.functional has them (ops/registry.py).
from .ops.registry import namespace as _namespace  # noqa: E402

globals().update(_namespace("F"))
__all__ += sorted(set(_namespace("F")) - set(__all__))
