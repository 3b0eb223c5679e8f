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
from .dtypes import (
    bfloat16,
    bool_,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    is_floating_point,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from .legacy import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from .ops import _methods  # noqa: F401  (attaches Tensor operators)
from .ops import registry as _registry
from .random import Generator, generator, get_rng_state, manual_seed, set_rng_state

_OPS = _registry.namespace("dg")  # every registered op, exported as dg.<name> below

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
    hint = _NOT_HERE.get(name)
    raise AttributeError(f"module 'deepgrad' has no attribute {name!r}"
                         + (f": {hint}" if hint else ""))


# PyTorch names a program may reach for that deepgrad does not have, and what to do instead.
_NOT_HERE = {
    "compile": "deepgrad has no graph compiler; call the model directly",
    "jit": "TorchScript is not supported; dg.onnx.export writes a portable model",
    "fft": "there is no FFT module; numpy.fft works on t.numpy()",
    "sparse": "sparse tensors are not supported; use dense tensors",
    "amp": "mixed precision is not supported; deepgrad computes in float32/float64",
    "autocast": "mixed precision is not supported; deepgrad computes in float32/float64",
    "quantization": "quantization is not supported",
    "distributions": "torch.distributions has no counterpart; dg.normal, dg.bernoulli, "
                     "dg.multinomial and the nn losses cover sampling and likelihoods",
    "hub": "there is no model hub; build the model in code and load a state dict",
    "mps": "there is no Metal backend; dg.backends.mps.is_available() is False",
}


__all__ = [
    "Tensor", "detect_anomaly", "enable_grad", "gradcheck", "is_grad_enabled", "no_grad",
    "set_grad_enabled", "inference_mode", "is_inference_mode_enabled",
    "arange", "as_tensor", "empty", "eye", "from_numpy", "full", "full_like",
    "linspace", "ones", "ones_like", "rand", "rand_like", "randint", "randn", "randn_like",
    "randperm", "tensor", "zeros", "zeros_like", "generator", "Generator",
    "get_rng_state", "manual_seed", "set_rng_state", "float32", "float64", "int64", "int32",
    "bool_", "autograd", "functional", "nn",
    "cuda", "device", "get_default_device", "set_default_device", "FloatTensor", "DoubleTensor",
    "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
    "BoolTensor",
    "bfloat16", "cdouble", "cfloat", "complex64", "complex128", "double", "float16",
    "get_default_dtype", "half", "int8", "int16", "is_floating_point", "long", "promote_types",
    "result_type", "set_default_dtype", "short", "uint8",
]

# Every registered op as ``dg.<name>`` (ops/registry.py); PyTorch's dtype names that shadow
# builtins (``dg.float``, ``dg.int``, ``dg.bool``) come last so nothing above sees them.
globals().update(_OPS)
__all__ += sorted(set(_OPS) - set(__all__))
float = float32  # noqa: A001
int = int32  # noqa: A001
bool = bool_  # noqa: A001
__all__ += ["float", "int", "bool"]

# dg.linalg (the registry's "linalg.*" ops) and dg.special (torch.special's names for ops).
from . import linalg, special  # noqa: E402,F401
