"""More pointwise activations: GELU, SiLU, Mish, SELU, CELU, Hardtanh/ReLU6, Hardsigmoid,
Hardswish, LogSigmoid, Softshrink/Hardshrink and Threshold (PyTorch's F names); PReLU, RReLU,
GLU, Softmin and Tanhshrink are in ``activation_param.py``.

Each pointwise op saves its input and gives ``gx = gy * f'(x)``; the formulas are in the class
docstrings. ``inplace=True`` is accepted wherever PyTorch accepts it and computes out of place
(the same values and gradients; use the returned tensor).
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .erf_array import erf

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _sigmoid(xp, x):
    return 0.5 * (1.0 + xp.tanh(0.5 * x))


class _Pointwise(Function):
    """``y = f(x)``, ``gx = gy * df(x)``; subclasses define ``f`` and ``df`` on arrays."""

    def forward(self, x):
        self.x = x
        return self.f(get_array_module(x), x).astype(x.dtype, copy=False)

    def backward(self, gy):
        return (gy * self.df(get_array_module(gy), self.x)).astype(gy.dtype, copy=False)


class GELU(_Pointwise):
    """``x Phi(x)`` with ``Phi(x) = (1 + erf(x / sqrt 2)) / 2``; d = Phi(x) + x phi(x).

    ``approximate='tanh'``: ``x/2 (1 + tanh(u))``, ``u = sqrt(2/pi) (x + 0.044715 x^3)``.
    """

    def __init__(self, approximate):
        self.approximate = approximate

    def f(self, xp, x):
        if self.approximate == "tanh":
            return 0.5 * x * (1.0 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
        return 0.5 * x * (1.0 + erf(x * (1 / math.sqrt(2.0))))

    def df(self, xp, x):
        if self.approximate == "tanh":
            th = xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
            du = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
            return 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * du
        cdf = 0.5 * (1.0 + erf(x * (1 / math.sqrt(2.0))))
        return cdf + x * xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


class SiLU(_Pointwise):
    """``x sigmoid(x)``; d = s (1 + x (1 - s))."""

    def f(self, xp, x):
        return x * _sigmoid(xp, x)

    def df(self, xp, x):
        s = _sigmoid(xp, x)
        return s * (1.0 + x * (1.0 - s))


class Mish(_Pointwise):
    """``x tanh(softplus(x))``; d = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)."""

    def f(self, xp, x):
        return x * xp.tanh(xp.logaddexp(x, 0.0))

    def df(self, xp, x):
        t = xp.tanh(xp.logaddexp(x, 0.0))
        return t + x * _sigmoid(xp, x) * (1.0 - t * t)


class CELU(_Pointwise):
    """``scale (max(0, x) + min(0, alpha (e^(x/inner) - 1)))``: CELU has inner = alpha and
    scale = 1, SELU inner = 1 and fixed alpha, scale; d = scale where x > 0, else
    ``scale alpha / inner e^(x/inner)``."""

    def __init__(self, alpha, inner, scale=1.0):
        self.alpha, self.inner, self.scale = alpha, inner, scale

    def f(self, xp, x):
        neg = self.alpha * xp.expm1(xp.minimum(x, 0.0) / self.inner)
        return self.scale * xp.where(x > 0, x, neg)

    def df(self, xp, x):
        slope = self.alpha / self.inner * xp.exp(xp.minimum(x, 0.0) / self.inner)
        return self.scale * xp.where(x > 0, 1.0, slope)


class Hardtanh(_Pointwise):
    """``clamp(x, min_val, max_val)``; d = 1 strictly inside, 0 on and outside the bounds."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def f(self, xp, x):
        return xp.clip(x, self.lo, self.hi)

    def df(self, xp, x):
        return ((x > self.lo) & (x < self.hi)).astype(x.dtype)


class Hardsigmoid(_Pointwise):
    """``relu6(x + 3) / 6``; d = 1/6 for -3 < x < 3."""

    def f(self, xp, x):
        return xp.clip(x + 3.0, 0.0, 6.0) / 6.0

    def df(self, xp, x):
        return ((x > -3.0) & (x < 3.0)).astype(x.dtype) / 6.0


class Hardswish(_Pointwise):
    """``x relu6(x + 3) / 6``; d = 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on
    (PyTorch's choice at the two kinks)."""

    def f(self, xp, x):
        return x * xp.clip(x + 3.0, 0.0, 6.0) / 6.0

    def df(self, xp, x):
        return xp.where(x <= -3.0, 0.0, xp.where(x < 3.0, x / 3.0 + 0.5, 1.0))


class LogSigmoid(_Pointwise):
    """``log sigmoid(x) = min(x, 0) - log1p(e^-|x|)``; d = sigmoid(-x)."""

    def f(self, xp, x):
        return xp.minimum(x, 0.0) - xp.log1p(xp.exp(-abs(x)))

    def df(self, xp, x):
        return _sigmoid(xp, -x)


class Shrink(_Pointwise):
    """Softshrink ``x - lambd sign(x)`` for ``|x| > lambd`` (hard: ``x``), else 0; d = 1 there."""

    def __init__(self, lambd, soft):
        self.lambd, self.soft = lambd, soft

    def f(self, xp, x):
        out = x - self.lambd * xp.sign(x) if self.soft else x
        return xp.where(abs(x) > self.lambd, out, 0.0)

    def df(self, xp, x):
        return (abs(x) > self.lambd).astype(x.dtype)


class Threshold(_Pointwise):
    """``x`` where ``x > threshold``, else ``value``; d = 1 where x > threshold."""

    def __init__(self, threshold, value):
        self.threshold, self.value = threshold, value

    def f(self, xp, x):
        return xp.where(x > self.threshold, x, self.value)

    def df(self, xp, x):
        return (x > self.threshold).astype(x.dtype)


# ---- wrappers --------------------------------------------------------------------------------
def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """Gaussian error linear unit ``x Phi(x)`` (``approximate='tanh'`` for the tanh form)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU(approximate).apply(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """Sigmoid linear unit (swish) ``x sigmoid(x)``."""
    return SiLU().apply(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x tanh(softplus(x))``."""
    return Mish().apply(input)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``scale (max(0, x) + min(0, alpha (e^x - 1)))``, alpha ~ 1.6733, scale ~ 1.0507."""
    return CELU(SELU_ALPHA, 1.0, SELU_SCALE).apply(input)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(0, x) + min(0, alpha (e^(x/alpha) - 1))``."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    return CELU(alpha, alpha).apply(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    """``clamp(x, min_val, max_val)``."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} must not exceed max_val {max_val}")
    return Hardtanh(min_val, max_val).apply(input)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``min(max(x, 0), 6)``."""
    return Hardtanh(0.0, 6.0).apply(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``relu6(x + 3) / 6``."""
    return Hardsigmoid().apply(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x relu6(x + 3) / 6``."""
    return Hardswish().apply(input)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``log(1 / (1 + e^-x))``, stable for large |x|."""
    return LogSigmoid().apply(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be non-negative, got {lambd}")
    return Shrink(lambd, True).apply(input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    return Shrink(lambd, False).apply(input)


def threshold(input: Tensor, threshold: float, value: float,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return Threshold(threshold, value).apply(input)
