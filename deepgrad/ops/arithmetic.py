"""Elementwise arithmetic: add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp, max, where."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, as_tensor, check_broadcast, float_input, pair


class _Binary(Function):
    """A broadcasting binary op; shape errors are reported with the op's name."""

    op = ""

    def apply(self, a, b):
        try:
            return Function.apply(self, a, b)
        except ValueError:
            check_broadcast(self.op, a._data, b._data)
            raise


class Add(_Binary):
    op = "add"

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Sub(_Binary):
    op = "sub"

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Mul(_Binary):
    op = "mul"

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        n = self.needs_input_grad
        return (gy * self.b if n[0] else None), (gy * self.a if n[1] else None)


class Div(_Binary):
    op = "div"

    def forward(self, a, b):
        self.b = b
        self.y = a / b
        return self.y

    def backward(self, gy):
        ga = gy / self.b
        gb = -ga * self.y if self.needs_input_grad[1] else None
        return (ga if self.needs_input_grad[0] else None), gb


class Pow(_Binary):
    """``a ** b``; d/da = b a^(b-1), d/db = a^b log a (defined where a > 0)."""

    op = "pow"

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a ** b
        return self.y

    def backward(self, gy):
        n = self.needs_input_grad
        xp = get_array_module(self.a)
        a, b = self.a, self.b
        ga = gb = None
        if n[0]:  # exponent 0 has derivative 0 everywhere, also at a = 0 (PyTorch's mask)
            zero_exp = b == 0
            ga = gy * b * a ** xp.where(zero_exp, 1, b - 1)
            if zero_exp.any():
                ga = xp.where(zero_exp, 0, ga).astype(ga.dtype, copy=False)
        if n[1]:  # y log a: 0 at a = 0 (the limit for b > 0), NaN for a < 0 as PyTorch
            gb = gy * self.y * xp.log(xp.where(a > 0, a, 1))
            if (a < 0).any():
                gb = xp.where(a < 0, xp.nan, gb).astype(gb.dtype, copy=False)
        return ga, gb


class PowScalar(Function):
    """``x ** p`` for a Python number ``p``: d/dx = p x^(p-1)."""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def backward(self, gy):
        p = self.p
        if p == 2:
            return gy * (2 * self.x)
        if p == 0:  # d/dx x^0 = 0, also at x = 0 (no 0 * inf)
            return gy * 0
        return gy * (p * self.x ** (p - 1))


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Exp(Function):
    def forward(self, x):
        self.y = get_array_module(x).exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y


class Log(Function):
    def forward(self, x):
        self.x = x
        return get_array_module(x).log(x)

    def backward(self, gy):
        return gy / self.x


class Sqrt(Function):
    def forward(self, x):
        self.y = get_array_module(x).sqrt(x)
        return self.y

    def backward(self, gy):
        return gy / (2 * self.y)


class Abs(Function):
    """``|x|``; the gradient at 0 is 0 (sign(0)), as PyTorch's."""

    def forward(self, x):
        self.x = x
        return get_array_module(x).abs(x)  # not abs(): this module's abs() wraps the op

    def backward(self, gy):
        return gy * get_array_module(self.x).sign(self.x)


class Clamp(Function):
    """``min(max(x, lo), hi)``; gradient 1 inside ``[lo, hi]``, 0 where clipped."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        self.x = x
        return get_array_module(x).clip(x, self.lo, self.hi)

    def backward(self, gy):
        mask = True
        if self.lo is not None:
            mask = self.x >= self.lo
        if self.hi is not None:
            mask = mask & (self.x <= self.hi)
        return gy * mask


class Maximum(_Binary):
    """Elementwise max; on ties the gradient is split evenly, as PyTorch's."""

    op = "maximum"

    def forward(self, a, b):
        self.a, self.b = a, b
        return get_array_module(a).maximum(a, b)

    def backward(self, gy):
        return _split_tie(gy, self.a > self.b, self.a == self.b, self.needs_input_grad)


class Minimum(_Binary):
    op = "minimum"

    def forward(self, a, b):
        self.a, self.b = a, b
        return get_array_module(a).minimum(a, b)

    def backward(self, gy):
        return _split_tie(gy, self.a < self.b, self.a == self.b, self.needs_input_grad)


def _split_tie(gy, a_wins, tie, needs):
    share = a_wins + 0.5 * tie
    ga = gy * share if needs[0] else None
    gb = gy * (1 - share) if needs[1] else None
    return ga, gb


class Where(Function):
    """``cond ? a : b`` with the condition as a constant array."""

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        return get_array_module(a).where(self.cond, a, b)

    def backward(self, gy):
        n = self.needs_input_grad
        zero = gy.dtype.type(0)
        ga = get_array_module(gy).where(self.cond, gy, zero) if n[0] else None
        gb = get_array_module(gy).where(self.cond, zero, gy) if n[1] else None
        return ga, gb


class Cast(Function):
    """Change dtype; the gradient is cast back to the input's dtype."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy.astype(self.in_dtype)


class Copy(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


# ---- wrappers (PyTorch names) --------------------------------------------------------------
def add(a, b, *, alpha=1) -> Tensor:
    """``a + alpha * b`` with broadcasting."""
    if alpha != 1:
        b = b * alpha
    return Add().apply(*pair(a, b))


def sub(a, b, *, alpha=1) -> Tensor:
    """``a - alpha * b`` with broadcasting."""
    if alpha != 1:
        b = b * alpha
    return Sub().apply(*pair(a, b))


def mul(a, b) -> Tensor:
    """``a * b`` with broadcasting."""
    return Mul().apply(*pair(a, b))


def div(a, b, *, rounding_mode: str | None = None) -> Tensor:
    """``a / b`` with broadcasting; integer operands give the default float dtype.

    ``rounding_mode='trunc'`` rounds the quotient toward zero, ``'floor'`` toward -inf (integer
    operands then stay integers, as PyTorch's); those two modes carry no gradient.
    """
    a, b = pair(a, b)
    if rounding_mode is not None:
        from .elementwise_binary import rounded_div

        return rounded_div(a, b, rounding_mode)
    if a._data.dtype.kind not in "fc":
        a, b = float_input(a), float_input(b)
    return Div().apply(a, b)


def pow(a, b) -> Tensor:  # noqa: A001 - PyTorch's name
    """``a ** b``; a Python-number exponent takes the cheaper scalar path."""
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return PowScalar(b).apply(a)
    return Pow().apply(*pair(a, b))


def neg(x) -> Tensor:
    return Neg().apply(as_tensor(x))


def exp(x) -> Tensor:
    """``e^x``."""
    if x.__class__ is not Tensor or x._data.dtype.kind not in "fc":  # ints give float32
        x = float_input(x)
    return Exp().apply(x)


def log(x) -> Tensor:
    """Natural logarithm."""
    if x.__class__ is not Tensor or x._data.dtype.kind not in "fc":  # ints give float32
        x = float_input(x)
    return Log().apply(x)


def sqrt(x) -> Tensor:
    if x.__class__ is not Tensor or x._data.dtype.kind not in "fc":  # ints give float32
        x = float_input(x)
    return Sqrt().apply(x)


def abs(x) -> Tensor:  # noqa: A001 - PyTorch's name
    return Abs().apply(as_tensor(x))


def clamp(x, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002 - PyTorch's names
    """Clip values to ``[min, max]`` (either bound may be None, a number or a tensor)."""
    if min is None and max is None:
        raise OpError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .elementwise_binary import clamp_tensor

        y = clamp_tensor(x, min, max)
    else:
        y = Clamp(min, max).apply(as_tensor(x))
    if out is None:
        return y
    from .compare import _out

    return _out(y, out)


clip = clamp


def maximum(a, b) -> Tensor:
    return Maximum().apply(*pair(a, b))


def minimum(a, b) -> Tensor:
    return Minimum().apply(*pair(a, b))


def where(condition, input=None, other=None, *, out=None) -> Tensor:  # noqa: A002
    """Pick ``input`` where ``condition`` holds, else ``other`` (tensors or numbers, broadcast
    to one shape and promoted to one dtype); ``where(condition)`` is ``nonzero(as_tuple)``."""
    if input is None and other is None:
        from .shape_diag import nonzero

        return nonzero(condition, as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else condition
    a, b = pair(input, other)
    try:
        y = Where(cond).apply(a, b)
    except ValueError:
        shape = getattr(cond, "shape", ())
        raise OpError(f"where: condition {tuple(shape)}, input {a.shape} and other "
                      f"{b.shape} cannot be broadcast together") from None
    if out is None:
        return y
    from .compare import _out

    return _out(y, out)


def clone(x: Tensor) -> Tensor:
    return Copy().apply(x)


def to_dtype(x: Tensor, dtype) -> Tensor:
    """Cast to ``dtype``; differentiable between floating types."""
    if x.requires_grad and get_array_module(x._data).dtype(dtype).kind in "fc":
        return Cast(dtype).apply(x)
    return Tensor._make(x._data.astype(dtype), False, None, 0)
