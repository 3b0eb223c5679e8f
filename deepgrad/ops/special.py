"""Gamma-family functions: lgamma, digamma (psi), polygamma, mvlgamma, with gradients.

lgamma uses ``math.lgamma`` (exact to double precision); the polygamma functions
``psi^(n)(x)`` shift x upward with the recurrence ``psi^(n)(x) = psi^(n)(x + 1) -
(-1)^n n! / x^(n+1)`` until x >= 12, then sum the asymptotic series with Bernoulli numbers
(error below 1e-15 there). Negative non-integer x uses the reflection formula for digamma.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import float_input
from .compare import _out
from .registry import register

# B_2k for k = 1..8: the asymptotic series' coefficients.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_SHIFT = 12.0


def _polygamma(xp, n: int, x):
    """psi^(n)(x) for x > 0 (n >= 0), elementwise, in x's dtype."""
    x = x.astype("float64")
    acc = xp.zeros_like(x)
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    fact = math.factorial(n)
    # Recurrence: psi^(n)(x) = psi^(n)(x + 1) + (-1)^(n+1) n! / x^(n+1).
    while True:
        small = x < _SHIFT
        if not small.any():
            break
        acc = acc + xp.where(small, sign * fact / xp.where(small, x, 1) ** (n + 1), 0)
        x = xp.where(small, x + 1, x)
    if n == 0:
        series = xp.log(x) - 0.5 / x
        for k, b in enumerate(_BERNOULLI, 1):
            series = series - b / (2 * k * x ** (2 * k))
    else:
        series = math.factorial(n - 1) / x ** n + fact / (2 * x ** (n + 1))
        for k, b in enumerate(_BERNOULLI, 1):
            series = series + b * math.factorial(2 * k + n - 1) / (
                math.factorial(2 * k) * x ** (2 * k + n))
        series = sign * series
    return acc + series


def _psi(xp, n: int, x):
    """psi^(n) on the whole line: reflection for x <= 0 when n is 0 or 1 (digamma and its
    derivative), -inf at digamma(0) and NaN at the other poles, as PyTorch."""
    pos = x > 0
    out = _polygamma(xp, n, xp.where(pos, x, 1.0))
    if pos.all():
        return out.astype(x.dtype)
    pole = (~pos) & (x == xp.floor(x))
    if n in (0, 1):
        neg = xp.where(pos | pole, 0.5, x)
        if n == 0:  # psi(x) = psi(1 - x) - pi / tan(pi x)
            refl = _polygamma(xp, 0, 1 - neg) - math.pi / xp.tan(math.pi * neg)
        else:  # psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x)
            refl = math.pi ** 2 / xp.sin(math.pi * neg) ** 2 - _polygamma(xp, 1, 1 - neg)
        at_pole = -xp.inf if n == 0 else xp.nan
        out = xp.where(pos, out, xp.where(pole, xp.where(x == 0, at_pole, xp.nan), refl))
    else:
        out = xp.where(pos, out, xp.nan)
    return out.astype(x.dtype)


class Polygamma(Function):
    """``psi^(n)(x)``; d/dx = psi^(n+1)(x)."""

    def __init__(self, n):
        self.n = n

    def forward(self, x):
        self.x = x
        return _psi(get_array_module(x), self.n, x)

    def backward(self, gy):
        return gy * _psi(get_array_module(gy), self.n + 1, self.x)


class LGamma(Function):
    """``log |Gamma(x)|``; d/dx = digamma(x)."""

    def forward(self, x):
        self.x = x
        xp = get_array_module(x)
        return xp.vectorize(_lgamma, otypes=[x.dtype])(x) if x.size else x.copy()

    def backward(self, gy):
        return gy * _psi(get_array_module(gy), 0, self.x)


def _lgamma(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:  # a pole (0, -1, -2, ...): PyTorch gives +inf
        return math.inf


@register("elementwise")
def lgamma(input, *, out=None) -> Tensor:  # noqa: A002
    """``log |Gamma(x)|`` (inf at the poles 0, -1, ...)."""
    return _out(LGamma().apply(float_input(input)), out)


@register("elementwise")
def digamma(input, *, out=None) -> Tensor:  # noqa: A002
    """``psi(x) = d/dx log Gamma(x)`` (NaN at the poles)."""
    return _out(Polygamma(0).apply(float_input(input)), out)


def _polygamma_method(self, n: int) -> Tensor:
    """``Tensor.polygamma(n)``: ``polygamma(n, self)``."""
    return polygamma(n, self)


@register("elementwise", method=_polygamma_method)
def polygamma(n: int, input, *, out=None) -> Tensor:  # noqa: A002
    """The ``n``-th derivative of digamma, ``psi^(n)(x)``, for x > 0 (n >= 1: NaN for x <= 0)."""
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got {n}")
    return _out(Polygamma(n).apply(float_input(input)), out)


@register("elementwise")
def mvlgamma(input, p: int) -> Tensor:  # noqa: A002
    """Multivariate log-gamma ``p(p-1)/4 log(pi) + sum_{i<p} lgamma(x - i/2)`` (x > (p-1)/2)."""
    x = float_input(input)
    if (x._data <= (p - 1) / 2).any():
        raise RuntimeError(f"mvlgamma(): all elements must be greater than (p-1)/2 = "
                           f"{(p - 1) / 2}")
    total = lgamma(x)
    for i in range(1, p):
        total = total + lgamma(x - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)
