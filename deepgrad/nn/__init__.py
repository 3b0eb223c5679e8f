"""Layers and models: Module, Parameter, containers, Linear, activations, losses, Perceptron."""
from . import functional, init, utils
from .activation import (
    ELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Sign,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
)
from .batchnorm import BatchNorm1d, BatchNorm2d
from .containers import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .embedding import Embedding
from .linear import Dropout, Flatten, Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    QuadraticLoss,
)
from .module import Module, Parameter
from .noise import GaussianNoise
from .perceptron import Perceptron
from .pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cells import ElmanRNN, GRUCell, LSTMCell, RNNCell
from .sync_batchnorm import SyncBatchNorm

__all__ = [
    "functional", "init", "utils", "ELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Sign",
    "Softmax",
    "Softplus", "Softsign", "Tanh", "ModuleDict", "ModuleList", "Sequential", "Dropout", "Flatten",
    "Identity", "Linear", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss",
    "NLLLoss", "QuadraticLoss", "Module", "Parameter", "Perceptron", "GaussianNoise",
    "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "AdaptiveAvgPool2d", "AvgPool1d",
    "AvgPool2d", "MaxPool1d", "MaxPool2d",
    "Embedding", "GRU", "LSTM", "RNN", "RNNBase", "ElmanRNN", "GRUCell", "LSTMCell", "RNNCell",
    "SyncBatchNorm", "parallel",
]

# nn layers family (issue 16): more activations, convolutions, poolings, padding, resampling.
from .activation_ext import (  # noqa: E402
    CELU,
    GELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    RReLU,
    SiLU,
    Softmax2d,
    Softmin,
    Softshrink,
    Tanhshrink,
    Threshold,
)
from .conv_ext import Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d  # noqa: E402
from .padding import (  # noqa: E402
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    Fold,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    Unfold,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from .pooling import (  # noqa: E402
    AdaptiveAvgPool1d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool3d,
    LPPool1d,
    LPPool2d,
    MaxPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
)
from .upsampling import (  # noqa: E402
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

__all__ += [
    "CELU", "GELU", "GLU", "SELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh",
    "LogSigmoid", "Mish", "PReLU", "ReLU6", "RReLU", "SiLU", "Softmax2d", "Softmin",
    "Softshrink", "Tanhshrink", "Threshold", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
    "ConvTranspose3d", "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d",
    "ConstantPad2d", "ConstantPad3d", "Fold", "ReflectionPad1d", "ReflectionPad2d",
    "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "Unfold",
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "AdaptiveAvgPool1d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "AvgPool3d", "LPPool1d", "LPPool2d", "MaxPool3d", "MaxUnpool1d",
    "MaxUnpool2d", "MaxUnpool3d", "PixelShuffle", "PixelUnshuffle", "Upsample",
    "UpsamplingBilinear2d", "UpsamplingNearest2d",
]
# nn.parallel.DistributedDataParallel, as in PyTorch (MPI itself loads only when one is made)
from . import parallel  # noqa: E402

# nn layers family (issue 16): normalizations, dropout kinds, more losses, distances.
from .dropout import (  # noqa: E402
    AlphaDropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    FeatureAlphaDropout,
)
from .loss_ext import (  # noqa: E402
    CosineEmbeddingLoss,
    CosineSimilarity,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    MarginRankingLoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    PairwiseDistance,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from .normalization import (  # noqa: E402
    BatchNorm3d,
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LayerNorm,
    LocalResponseNorm,
    RMSNorm,
)

__all__ += [
    "AlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout",
    "CosineEmbeddingLoss", "CosineSimilarity", "GaussianNLLLoss", "HingeEmbeddingLoss",
    "HuberLoss", "KLDivLoss", "MarginRankingLoss", "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "PairwiseDistance", "PoissonNLLLoss",
    "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss", "BatchNorm3d", "GroupNorm",
    "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "LocalResponseNorm",
    "RMSNorm",
]

# nn layers family (issue 16): attention and transformers.
from .attention import MultiheadAttention  # noqa: E402
from .transformer import (  # noqa: E402
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ += ["MultiheadAttention", "Transformer", "TransformerDecoder",
            "TransformerDecoderLayer", "TransformerEncoder", "TransformerEncoderLayer"]

# nn layers family (issue 16): parameter containers, Unflatten, Bilinear, EmbeddingBag.
from .bilinear_bag import Bilinear, EmbeddingBag  # noqa: E402
from .containers_ext import ParameterDict, ParameterList, Unflatten  # noqa: E402

__all__ += ["Bilinear", "EmbeddingBag", "ParameterDict", "ParameterList", "Unflatten"]

# nn layers family (issue 16): CTC.
from .loss_ext import CTCLoss  # noqa: E402

__all__ += ["CTCLoss"]

# nn layers family (issue 16): 3-D adaptive and power pooling, ChannelShuffle, triplet loss
# with a custom distance.
from .loss_ext import TripletMarginWithDistanceLoss  # noqa: E402
from .pooling_3d import (  # noqa: E402
    AdaptiveAvgPool3d,
    AdaptiveMaxPool3d,
    ChannelShuffle,
    LPPool3d,
)

__all__ += ["TripletMarginWithDistanceLoss", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d",
            "ChannelShuffle", "LPPool3d"]

# nn layers family (issue 16): PyTorch's nn.modules.* paths (aliases of the classes above).
from . import modules  # noqa: E402

__all__ += ["modules"]
