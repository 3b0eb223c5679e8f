"""The error function on arrays (no autograd): NumPy has none. Used by the exact GELU and dg.erf.

NumPy has no ``erf``; this one is accurate to a few ulps in float64 everywhere:
- ``|x| < 3``: ``erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1))``
  (Abramowitz & Stegun 7.1.6): every term has the sign of x, so no cancellation.
- ``|x| >= 3``: ``erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))``,
  the continued fraction (A&S 7.1.14) evaluated bottom-up, which converges fast there.
"""
from __future__ import annotations

import math

from ..backend import get_array_module

_SERIES_MAX = 3.0
_CF_TERMS = 60
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _erf_series(xp, x):
    x2 = x * x
    term = x.copy()
    total = x.copy()
    for n in range(1, 200):
        term *= (2.0 / (2 * n + 1)) * x2
        total += term
        if not bool(xp.any(abs(term) > 1e-17 * abs(total))):
            break
    return _TWO_OVER_SQRT_PI * xp.exp(-x2) * total


def _erfc_continued_fraction(xp, x):
    """erfc(x) for x >= 3."""
    f = x.copy()
    for k in range(_CF_TERMS, 0, -1):
        f = x + (0.5 * k) / f
    return xp.exp(-x * x) / (math.sqrt(math.pi) * f)


def erf(x):
    """Error function ``2/sqrt(pi) int_0^x e^(-t^2) dt`` of a float array (same dtype)."""
    xp = get_array_module(x)
    work = x.astype(xp.float64)
    out = xp.empty_like(work)
    ax = abs(work)
    small = ax < _SERIES_MAX
    if bool(small.any()):
        out[small] = _erf_series(xp, work[small])
    if not bool(small.all()):
        big = ~small
        out[big] = xp.sign(work[big]) * (1.0 - _erfc_continued_fraction(xp, ax[big]))
    return out.astype(x.dtype, copy=False)
