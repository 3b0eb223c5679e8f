"""Unary elementwise math: trigonometric, hyperbolic, exponential and logarithmic functions, erf,
rounding, and their gradients.

Each op is one row: ``_unary(name, forward, derivative)``. Integer and bool inputs of a float
function become the default float dtype first (PyTorch: ``sin(int tensor)`` is float32); the
rounding functions keep integer dtypes.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input
from .compare import _out
from .erf_array import erf as erf_array
from .registry import register


class _Unary(Function):
    """``y = f(x)`` with ``gx = gy * df(x, y)``; subclasses set ``f`` and ``df``."""

    f = df = None

    def forward(self, x):
        self.x = x
        self.y = self.f(get_array_module(x), x)
        return self.y

    def backward(self, gy):
        return gy * self.df(get_array_module(gy), self.x, self.y)


def _unary(name: str, f, df, doc: str, floats_only: bool = True, aliases=()):
    """Define, register and return the wrapper of a unary elementwise op."""
    cls = type(name.title().replace("_", ""), (_Unary,),
               {"f": staticmethod(f), "df": staticmethod(df), "__doc__": doc})
    prepare = float_input if floats_only else as_tensor

    def fn(input, *, out=None):  # noqa: A002 - PyTorch's argument name
        return _out(cls().apply(prepare(input)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{doc}\n\n    Args:\n        input: a tensor of any shape.\n    "
    return register("elementwise", aliases=aliases)(fn)


def _c(like, value):
    """A Python constant in ``like``'s dtype (keeps float32 float32)."""
    return like.dtype.type(value)


def _erf(xp, x):
    # NumPy has no erf: a vectorized series / continued fraction, a few ulps in float64.
    return erf_array(x) if x.size else x.copy()


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _erfinv(xp, x):
    """Inverse of erf: Winitzki's closed-form start, then Newton steps on math.erf."""
    a = 0.147
    inside = xp.abs(x) < 1
    xs = xp.where(inside, x, 0)  # |x| >= 1 handled below, without log(0) warnings
    w = xp.log1p(-xs * xs)
    t = 2 / (math.pi * a) + w / 2
    y = xp.sign(xs) * xp.sqrt(xp.sqrt(t * t - w / a) - t)
    for _ in range(4):  # Newton converges quadratically from ~2e-3 relative error
        y = y - (_erf(xp, y) - xs) / (_TWO_OVER_SQRT_PI * xp.exp(-y * y))
    y = xp.where(inside, y, xp.copysign(xp.inf, x))
    return xp.where(xp.abs(x) > 1, xp.nan, y).astype(x.dtype, copy=False)


sin = _unary("sin", lambda xp, x: xp.sin(x), lambda xp, x, y: xp.cos(x), "Sine.")
cos = _unary("cos", lambda xp, x: xp.cos(x), lambda xp, x, y: -xp.sin(x), "Cosine.")
tan = _unary("tan", lambda xp, x: xp.tan(x), lambda xp, x, y: 1 + y * y,
             "Tangent; d/dx = 1 + tan^2 x.")
asin = _unary("asin", lambda xp, x: xp.arcsin(x), lambda xp, x, y: 1 / xp.sqrt(1 - x * x),
              "Arcsine on [-1, 1]; d/dx = 1 / sqrt(1 - x^2).", aliases=("arcsin",))
acos = _unary("acos", lambda xp, x: xp.arccos(x), lambda xp, x, y: -1 / xp.sqrt(1 - x * x),
              "Arccosine on [-1, 1]; d/dx = -1 / sqrt(1 - x^2).", aliases=("arccos",))
atan = _unary("atan", lambda xp, x: xp.arctan(x), lambda xp, x, y: 1 / (1 + x * x),
              "Arctangent; d/dx = 1 / (1 + x^2).", aliases=("arctan",))
sinh = _unary("sinh", lambda xp, x: xp.sinh(x), lambda xp, x, y: xp.cosh(x),
              "Hyperbolic sine.")
cosh = _unary("cosh", lambda xp, x: xp.cosh(x), lambda xp, x, y: xp.sinh(x),
              "Hyperbolic cosine.")
asinh = _unary("asinh", lambda xp, x: xp.arcsinh(x), lambda xp, x, y: 1 / xp.sqrt(x * x + 1),
               "Inverse hyperbolic sine; d/dx = 1 / sqrt(x^2 + 1).", aliases=("arcsinh",))
acosh = _unary("acosh", lambda xp, x: xp.arccosh(x), lambda xp, x, y: 1 / xp.sqrt(x * x - 1),
               "Inverse hyperbolic cosine (x >= 1); d/dx = 1 / sqrt(x^2 - 1).",
               aliases=("arccosh",))
atanh = _unary("atanh", lambda xp, x: xp.arctanh(x), lambda xp, x, y: 1 / (1 - x * x),
               "Inverse hyperbolic tangent on (-1, 1); d/dx = 1 / (1 - x^2).",
               aliases=("arctanh",))
erf = _unary("erf", _erf, lambda xp, x, y: _TWO_OVER_SQRT_PI * xp.exp(-x * x),
             "Error function erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt.")
erfc = _unary("erfc", lambda xp, x: 1 - _erf(xp, x),
              lambda xp, x, y: -_TWO_OVER_SQRT_PI * xp.exp(-x * x),
              "Complementary error function 1 - erf(x).")
erfinv = _unary("erfinv", _erfinv, lambda xp, x, y: math.sqrt(math.pi) / 2 * xp.exp(y * y),
                "Inverse error function on (-1, 1); d/dx = sqrt(pi)/2 e^(y^2).")
exp2 = _unary("exp2", lambda xp, x: xp.exp2(x), lambda xp, x, y: y * _c(y, math.log(2)),
              "2^x; d/dx = 2^x ln 2.")
expm1 = _unary("expm1", lambda xp, x: xp.expm1(x), lambda xp, x, y: y + 1,
               "e^x - 1, accurate near 0.")
log2 = _unary("log2", lambda xp, x: xp.log2(x), lambda xp, x, y: 1 / (x * _c(x, math.log(2))),
              "Base-2 logarithm.")
log10 = _unary("log10", lambda xp, x: xp.log10(x),
               lambda xp, x, y: 1 / (x * _c(x, math.log(10))), "Base-10 logarithm.")
log1p = _unary("log1p", lambda xp, x: xp.log1p(x), lambda xp, x, y: 1 / (1 + x),
               "log(1 + x), accurate near 0.")
rsqrt = _unary("rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda xp, x, y: _c(y, -0.5) * y * y * y,
               "1 / sqrt(x); d/dx = -y^3 / 2.")
reciprocal = _unary("reciprocal", lambda xp, x: 1 / x, lambda xp, x, y: -y * y,
                    "1 / x; d/dx = -1 / x^2.")
sgn = _unary("sgn", lambda xp, x: xp.sign(x), lambda xp, x, y: xp.zeros_like(x),
             "Sign in {-1, 0, 1} (for real tensors the same as ``sign``); gradient 0.",
             floats_only=False)
trunc = _unary("trunc", lambda xp, x: xp.trunc(x), lambda xp, x, y: xp.zeros_like(x),
               "Round toward zero; gradient 0.", floats_only=False, aliases=("fix",))
floor = _unary("floor", lambda xp, x: xp.floor(x), lambda xp, x, y: xp.zeros_like(x),
               "Round toward -inf; gradient 0.", floats_only=False)
ceil = _unary("ceil", lambda xp, x: xp.ceil(x), lambda xp, x, y: xp.zeros_like(x),
              "Round toward +inf; gradient 0.", floats_only=False)
frac = _unary("frac", lambda xp, x: x - xp.trunc(x), lambda xp, x, y: xp.ones_like(x),
              "Fractional part x - trunc(x); gradient 1.")


class _Round(Function):
    def __init__(self, decimals):
        self.decimals = decimals

    def forward(self, x):
        self.shape = x.shape
        return get_array_module(x).round(x, self.decimals)

    def backward(self, gy):
        return get_array_module(gy).zeros(self.shape, gy.dtype)


@register("elementwise")
def round(input, *, decimals: int = 0, out=None) -> Tensor:  # noqa: A001,A002
    """Round half to even, to ``decimals`` decimal places (PyTorch's rule); gradient 0."""
    return _out(_Round(decimals).apply(as_tensor(input)), out)


@register("elementwise")
def square(input, *, out=None) -> Tensor:  # noqa: A002
    """``x * x``; integer tensors stay integer (PyTorch's ``square``)."""
    x = as_tensor(input)
    return _out(x * x, out)


class _NanToNum(Function):
    def __init__(self, nan, posinf, neginf):
        self.nan, self.posinf, self.neginf = nan, posinf, neginf

    def forward(self, x):
        xp = get_array_module(x)
        self.finite = xp.isfinite(x)
        return xp.nan_to_num(x, nan=self.nan, posinf=self.posinf, neginf=self.neginf)

    def backward(self, gy):
        return gy * self.finite


@register("elementwise")
def nan_to_num(input, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None, *, out=None) -> Tensor:
    """Replace NaN by ``nan`` and +-inf by ``posinf``/``neginf`` (default: the dtype's largest
    and smallest finite values); gradient 1 at finite elements, 0 at the replaced ones."""
    return _out(_NanToNum(nan, posinf, neginf).apply(as_tensor(input)), out)
