"""Binary elementwise math: atan2, fmod, remainder, floor_divide, copysign, hypot, logaddexp,
xlogy, fmin/fmax, lerp, and clamp with tensor bounds.

Operands are promoted by PyTorch's rules; float functions of integer operands give the default
float dtype. Gradients are PyTorch's, including at the edges (``xlogy(0, y)`` has zero gradient
in ``x``; ``fmax`` gives a tie to its first argument).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import arithmetic
from ._util import as_tensor, check_broadcast, float_input, pair
from .compare import _out
from .registry import register


class _Binary(arithmetic._Binary):
    """``y = f(a, b)``; ``grads(xp, a, b, y, gy)`` returns (ga, gb) (None where not needed)."""

    f = grads = None

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = self.f(get_array_module(a), a, b)
        return self.y

    def backward(self, gy):
        ga, gb = self.grads(get_array_module(gy), self.a, self.b, self.y, gy)
        n = self.needs_input_grad
        return (ga if n[0] else None), (gb if n[1] else None)


def _binary(name: str, f, grads, doc: str, floats_only: bool = True, operators=()):
    cls = type(name.title().replace("_", ""), (_Binary,),
               {"f": staticmethod(f), "grads": staticmethod(grads), "op": name})

    def fn(input, other, *, out=None):  # noqa: A002 - PyTorch's argument name
        a, b = pair(input, other)
        if floats_only and a._data.dtype.kind not in "fc":
            a, b = float_input(a), float_input(b)
        return _out(cls().apply(a, b), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{doc}\n\n    Broadcasts ``input`` and ``other`` (tensors or numbers).\n    "
    return register("elementwise", operators=operators)(fn)


def _where_nonzero(xp, cond, value):
    return xp.where(cond, value, 0).astype(value.dtype, copy=False)


atan2 = _binary(
    "atan2", lambda xp, a, b: xp.arctan2(a, b),
    lambda xp, a, b, y, gy: (gy * b / (a * a + b * b), -gy * a / (a * a + b * b)),
    "Angle of the point (other, input): atan(input / other) in the right quadrant.")
fmod = _binary(
    "fmod", lambda xp, a, b: xp.fmod(a, b),
    lambda xp, a, b, y, gy: (gy, -gy * xp.trunc(a / b)),
    "C's remainder: the result takes the dividend's sign; d/db = -trunc(a / b).",
    floats_only=False)
remainder = _binary(
    "remainder", lambda xp, a, b: xp.remainder(a, b),
    lambda xp, a, b, y, gy: (gy, -gy * xp.floor(a / b)),
    "Python's modulus ``a % b``: the result takes the divisor's sign; d/db = -floor(a / b).",
    floats_only=False, operators=("__mod__", "__rmod__"))
copysign = _binary(
    "copysign", lambda xp, a, b: xp.copysign(a, b),
    lambda xp, a, b, y, gy: (gy * _where_nonzero(xp, a != 0, y / xp.where(a != 0, a, 1)),
                             xp.zeros_like(gy)),
    "``|input|`` with the sign of ``other``; gradient 0 in ``other`` and at ``input == 0``.")
hypot = _binary(
    "hypot", lambda xp, a, b: xp.hypot(a, b),
    lambda xp, a, b, y, gy: (gy * a / y, gy * b / y), "sqrt(a^2 + b^2) without overflow.")
logaddexp = _binary(
    "logaddexp", lambda xp, a, b: xp.logaddexp(a, b),
    lambda xp, a, b, y, gy: (gy * xp.exp(a - y), gy * xp.exp(b - y)),
    "log(e^a + e^b) computed stably.")
logaddexp2 = _binary(
    "logaddexp2", lambda xp, a, b: xp.logaddexp2(a, b),
    lambda xp, a, b, y, gy: (gy * xp.exp2(a - y), gy * xp.exp2(b - y)),
    "log2(2^a + 2^b) computed stably.")


def _xlogy(xp, a, b):
    safe = xp.where(a == 0, 1, b)
    return xp.where((a == 0) & ~xp.isnan(b), 0, a * xp.log(safe)).astype(a.dtype, copy=False)


xlogy = _binary(
    "xlogy", _xlogy,
    lambda xp, a, b, y, gy: (gy * xp.log(b), gy * a / b),
    "``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN); d/dinput is\n"
    "    log(other) also at input = 0, as PyTorch's.")


def _pick(xp, a_wins, gy):
    return gy * a_wins, gy * ~a_wins


fmax = _binary(
    "fmax", lambda xp, a, b: xp.fmax(a, b),
    lambda xp, a, b, y, gy: _pick(xp, (a >= b) | xp.isnan(b), gy),
    "Elementwise maximum ignoring NaN; on a tie the gradient goes to ``input`` (PyTorch).",
    floats_only=False)
fmin = _binary(
    "fmin", lambda xp, a, b: xp.fmin(a, b),
    lambda xp, a, b, y, gy: _pick(xp, (a <= b) | xp.isnan(b), gy),
    "Elementwise minimum ignoring NaN; on a tie the gradient goes to ``input`` (PyTorch).",
    floats_only=False)


@register("elementwise", differentiable=False, operators=("__floordiv__", "__rfloordiv__"))
def floor_divide(input, other, *, out=None) -> Tensor:  # noqa: A002
    """``input // other`` rounded toward -inf (Python's ``//``); no gradient."""
    return _out(rounded_div(*pair(input, other), "floor"), out)


def rounded_div(a: Tensor, b: Tensor, rounding_mode: str) -> Tensor:
    """``div`` with ``rounding_mode`` 'trunc' or 'floor' (integers stay integers)."""
    xp = get_array_module(a._data, b._data)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found {rounding_mode!r}")
    try:
        if a._data.dtype.kind in "fc":
            q = a._data / b._data
            q = xp.trunc(q) if rounding_mode == "trunc" else xp.floor(q)
        else:
            if (b._data == 0).any():
                raise RuntimeError("ZeroDivisionError: integer division by zero")
            q = xp.floor_divide(a._data, b._data)
            if rounding_mode == "trunc":  # floor differs from trunc when the signs differ
                q = q + ((q < 0) & (q * b._data != a._data))
    except ValueError:
        check_broadcast("div", a._data, b._data)
        raise
    return Tensor._make(xp.asarray(q), False, None, 0)


@register("elementwise")
def lerp(input, end, weight, *, out=None) -> Tensor:  # noqa: A002
    """``input + weight * (end - input)``; differentiable in all three."""
    start = as_tensor(input)
    return _out(start + weight * (end - start), out)


class _ClampTensor(Function):
    """``min(max(x, lo), hi)`` with tensor bounds: each element's gradient goes to ``x`` inside
    ``[lo, hi]`` (inclusive), else to the bound that was applied."""

    def forward(self, x, lo, hi):
        xp = get_array_module(x)
        self.below, self.above = x < lo, x > hi
        return xp.minimum(xp.maximum(x, lo), hi)

    def backward(self, gy):
        zero = gy.dtype.type(0)
        xp = get_array_module(gy)
        above = self.above
        below = self.below & ~above
        inside = ~(below | above)
        n = self.needs_input_grad
        return (xp.where(inside, gy, zero) if n[0] else None,
                xp.where(below, gy, zero) if n[1] else None,
                xp.where(above, gy, zero) if n[2] else None)


def clamp_tensor(x, lo, hi) -> Tensor:
    """``clamp`` where a bound is a tensor (a missing bound is +-inf)."""
    x = as_tensor(x)
    inf = float("inf")
    lo = as_tensor(-inf if lo is None else lo, x)
    hi = as_tensor(inf if hi is None else hi, x)
    return _ClampTensor().apply(x, lo, hi)


@register("elementwise")
def clamp_min(input, min) -> Tensor:  # noqa: A002
    """``max(input, min)``: ``clamp(input, min=min)``."""
    from .arithmetic import clamp

    return clamp(input, min=min)


@register("elementwise")
def clamp_max(input, max) -> Tensor:  # noqa: A002
    """``min(input, max)``: ``clamp(input, max=max)``."""
    from .arithmetic import clamp

    return clamp(input, max=max)
