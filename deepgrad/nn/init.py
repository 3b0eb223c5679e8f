"""Weight initializers (``nn.init``), in place, with PyTorch's names, fans and gains."""
from __future__ import annotations

import math

import numpy

from ..autograd.tensor import Tensor
from ..autograd.version import bump
from ..backend import get_array_module
from ..random import generator as _rng
from ..random import generator_like

_GAINS = {"linear": 1.0, "identity": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0,
          "conv_transpose1d": 1.0, "conv_transpose2d": 1.0, "conv_transpose3d": 1.0,
          "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for an activation: 1 (linear, sigmoid), 5/3 (tanh), sqrt 2 (relu),
    sqrt(2 / (1 + slope^2)) (leaky_relu, slope default 0.01)."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in _GAINS:
        raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; one of "
                         f"{sorted(_GAINS) + ['leaky_relu']}")
    return _GAINS[nonlinearity]


def _calculate_fan_in_and_fan_out(t: Tensor) -> tuple[int, int]:
    """fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field."""
    if t.ndim < 2:
        raise ValueError(f"init: fan in/out need at least 2 dims, got shape {t.shape}")
    receptive = math.prod(t.shape[2:]) if t.ndim > 2 else 1
    return t.shape[1] * receptive, t.shape[0] * receptive


def _fill(t: Tensor, values) -> Tensor:
    """The one place where an initializer writes into a tensor (in place, no graph); a bare
    array (e.g. ``p._data`` handed over as PyTorch code does) is written directly."""
    if isinstance(t, Tensor):
        xp = get_array_module(t._data)
        if xp is not numpy and isinstance(values, numpy.ndarray):  # drawn on the host
            values = xp.asarray(values)
        t._data[...] = values
        bump(t._vc)  # an in-place change: a graph that saved t refuses backward
    else:
        t[...] = values
    return t


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with U(a, b)."""
    return _fill(t, generator_like(t._data).uniform(a, b, t.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std^2)."""
    return _fill(t, generator_like(t._data).normal(mean, std, t.shape))


def constant_(t: Tensor, val: float) -> Tensor:
    return _fill(t, val)


def zeros_(t: Tensor) -> Tensor:
    return _fill(t, 0)


def ones_(t: Tensor) -> Tensor:
    return _fill(t, 1)


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -a, a)


def xavier_normal_(t: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(t, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """He: U(-b, b) with b = gain sqrt(3 / fan)."""
    bound = math.sqrt(3.0) * _kaiming_std(t, a, mode, nonlinearity)
    return uniform_(t, -bound, bound)


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """He: N(0, std^2) with std = gain / sqrt(fan)."""
    return normal_(t, 0.0, _kaiming_std(t, a, mode, nonlinearity))


def orthogonal_(t: Tensor, gain: float = 1.0) -> Tensor:
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix."""
    rows = t.shape[0]
    cols = t._data.size // rows
    xp = get_array_module(t._data)
    flat = generator_like(t._data).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q *= xp.sign(xp.diag(r))
    if rows < cols:
        q = q.T
    return _fill(t, gain * q.reshape(t.shape))


def trunc_normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with N(mean, std^2) truncated to [a, b] (absolute bounds, as PyTorch): draws
    outside are redrawn, which samples the truncated normal exactly."""
    if not a < b:
        raise ValueError(f"trunc_normal_: need a < b, got a={a}, b={b}")
    rng = generator or _rng()
    accept = 0.5 * (math.erf((b - mean) / (std * math.sqrt(2)))
                    - math.erf((a - mean) / (std * math.sqrt(2))))
    if accept < 1e-6:
        raise ValueError(f"trunc_normal_: [a, b] = [{a}, {b}] holds only {accept:.1e} of "
                         f"N({mean}, {std}^2); move mean closer to the interval")
    values = rng.normal(mean, std, t.shape)
    bad = (values < a) | (values > b)
    while bad.any():
        values[bad] = rng.normal(mean, std, int(bad.sum()))
        bad = (values < a) | (values > b)
    return _fill(t, values)


def eye_(t: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the main diagonal)."""
    if t.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tuple(t.shape)}")
    return _fill(t, numpy.eye(*t.shape))


def dirac_(t: Tensor, groups: int = 1) -> Tensor:
    """Fill a (out, in, *kernel) conv weight (3-5 dims) with the Dirac delta: each of the
    first min(out/groups, in) channels of every group passes through unchanged."""
    if t.ndim not in (3, 4, 5) or t.shape[0] % groups:
        raise ValueError(f"dirac_: needs a 3-, 4- or 5-D tensor with out channels divisible by "
                         f"groups={groups}, got shape {tuple(t.shape)}")
    out_per_group = t.shape[0] // groups
    values = numpy.zeros(t.shape)
    centre = tuple(k // 2 for k in t.shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, t.shape[1])):
            values[(g * out_per_group + d, d) + centre] = 1
    return _fill(t, values)


def sparse_(t: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """2-D: N(0, std^2) with ``ceil(sparsity * rows)`` zeros at random rows of each column."""
    if t.ndim != 2:
        raise ValueError(f"sparse_: only 2-D tensors are supported, got shape "
                         f"{tuple(t.shape)}")
    rng = generator or _rng()
    rows, cols = t.shape
    values = rng.normal(0.0, std, t.shape)
    zeros = int(math.ceil(sparsity * rows))
    for c in range(cols):
        values[rng.permutation(rows)[:zeros], c] = 0
    return _fill(t, values)
