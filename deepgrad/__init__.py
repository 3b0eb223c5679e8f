"""deepgrad: a deep-learning framework on NumPy with a PyTorch-shaped API."""
from . import backend  # noqa: F401  (tunes malloc once at import)
from .autograd import Tensor, detect_anomaly, enable_grad, gradcheck, is_grad_enabled, no_grad
from .autograd.grad_mode import inference_mode, is_inference_mode_enabled, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .ops import _methods  # noqa: F401  (attaches Tensor operators)
from .ops.activation import log_softmax, relu, sigmoid, sign, softmax, tanh
from .ops.arithmetic import (
    abs,
    add,
    clamp,
    clip,
    div,
    exp,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    sqrt,
    sub,
    where,
)
from .ops.linalg import matmul
from .ops.reduce import amax, argmax, argmin, max, mean, min, std, sum, var
from .ops.shape import (
    broadcast_to,
    cat,
    chunk,
    concat,
    expand,
    flatten,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    t,
    transpose,
    unsqueeze,
)
from .random import Generator, generator, get_rng_state, manual_seed, set_rng_state

float32 = backend.numpy.float32
float64 = backend.numpy.float64
int64 = backend.numpy.int64
int32 = backend.numpy.int32
bool_ = backend.numpy.bool_

from . import (  # noqa: E402
    autograd,
    cuda,  # noqa: E402  (dg.cuda.is_available(); CuPy itself loads on first use)
    functional,
    nn,  # noqa: E402
)
from .backend import device, get_default_device, set_default_device  # noqa: E402

__version__ = "0.1.0"

# Heavier subpackages load on first use (``dg.optim``, ``dg.data``...), keeping import fast.
_LAZY_MODULES = {"optim", "data", "training", "metrics", "regularizers", "models", "lab", "cli",
                 "utils", "serialization", "onnx", "accelerator", "backends", "distributed"}
_LAZY_NAMES = {"save": "serialization", "load": "serialization"}


def __getattr__(name):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'deepgrad' has no attribute {name!r}")


__all__ = [
    "Tensor", "detect_anomaly", "enable_grad", "gradcheck", "is_grad_enabled", "no_grad",
    "set_grad_enabled", "inference_mode", "is_inference_mode_enabled",
    "arange", "as_tensor", "empty", "eye", "from_numpy", "full", "full_like",
    "linspace", "ones", "ones_like", "rand", "rand_like", "randint", "randn", "randn_like",
    "randperm", "tensor", "zeros", "zeros_like", "relu", "sigmoid", "softmax", "tanh", "abs",
    "log_softmax", "sign", "t",
    "add", "clamp", "clip", "div", "exp", "log", "maximum", "minimum", "mul", "neg", "pow",
    "sqrt", "sub", "where", "matmul", "amax", "argmax", "argmin", "max", "mean", "min", "std",
    "sum", "var", "broadcast_to", "cat", "chunk", "concat", "expand", "flatten", "permute",
    "reshape", "split", "squeeze", "stack", "transpose", "unsqueeze", "generator",
    "get_rng_state", "manual_seed", "Generator", "set_rng_state", "float32", "float64", "int64",
    "int32",
    "bool_", "autograd", "functional", "nn",
    "cuda", "device", "get_default_device", "set_default_device",
]
