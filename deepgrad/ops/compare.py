"""Comparisons, logical and bitwise ops, and the tests isnan/isinf/isfinite/isclose/allclose/equal.

None of these is differentiable: the results are bool (or integer) tensors, as in PyTorch.
Operands are promoted to one dtype by PyTorch's rules before comparing.
"""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, as_tensor, pair
from .registry import register


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


def _binary(op: str, ufunc_name: str, a, b) -> Tensor:
    a, b = pair(a, b)
    xp = get_array_module(a._data, b._data)
    try:
        return _const(xp.asarray(getattr(xp, ufunc_name)(a._data, b._data)))
    except ValueError:
        raise OpError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                      f"broadcast together") from None


def _comparison(name: str, ufunc_name: str, operator: str, aliases=()):
    def fn(input, other, *, out=None):  # noqa: A002 - PyTorch's argument name
        if other is None and operator in ("==", "!="):  # ``t == None`` is False, as PyTorch
            return operator == "!="
        return _out(_binary(name, ufunc_name, input, other), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise ``input {operator} other`` as a bool tensor (broadcasting).\n\n"
                  f"    Also ``Tensor.{name}`` and the ``{operator}`` operator.\n    ")
    dunder = {"==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__",
              ">=": "__ge__"}[operator]
    return register("comparison", differentiable=False, aliases=aliases,
                    operators=(dunder,))(fn)


def _out(result: Tensor, out):
    """Write ``result`` into ``out`` (PyTorch's ``out=``): resized if needed, dtype kept."""
    if out is None:
        return result
    if out.shape == result.shape:
        out._data[...] = result._data
    else:
        out._data = result._data.astype(out.dtype)
    return out


eq = _comparison("eq", "equal", "==")
ne = _comparison("ne", "not_equal", "!=", ("not_equal",))
lt = _comparison("lt", "less", "<", ("less",))
le = _comparison("le", "less_equal", "<=", ("less_equal",))
gt = _comparison("gt", "greater", ">", ("greater",))
ge = _comparison("ge", "greater_equal", ">=", ("greater_equal",))


def _logical(name: str, ufunc_name: str):
    def fn(input, other, *, out=None):  # noqa: A002
        a, b = as_tensor(input), as_tensor(other)
        return _out(_binary(name, ufunc_name, a._data != 0, b._data != 0), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{ufunc_name}`` of the truth values (nonzero = True); bool out."
    return register("comparison", differentiable=False)(fn)


logical_and = _logical("logical_and", "logical_and")
logical_or = _logical("logical_or", "logical_or")
logical_xor = _logical("logical_xor", "logical_xor")


@register("comparison", differentiable=False)
def logical_not(input, *, out=None):  # noqa: A002
    """Elementwise ``not``: True where ``input`` is zero."""
    x = as_tensor(input)
    return _out(_const(x._data == 0), out)


def _check_integral(op: str, *xs) -> None:
    for x in xs:
        if isinstance(x, Tensor) and x._data.dtype.kind not in "biu":
            raise RuntimeError(f"{op}: needs integer or bool tensors, got {x.dtype}")
        if isinstance(x, float):
            raise RuntimeError(f"{op}: needs integer or bool operands, got the float {x}")


def _bitwise(name: str, ufunc_name: str, operators: tuple):
    def fn(input, other, *, out=None):  # noqa: A002
        _check_integral(name, input, other)
        return _out(_binary(name, ufunc_name, input, other), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise ``{ufunc_name}`` of integer or bool tensors (Python operators "
                  f"{', '.join(operators)}).")
    return register("comparison", differentiable=False, operators=operators)(fn)


bitwise_and = _bitwise("bitwise_and", "bitwise_and", ("__and__", "__rand__"))
bitwise_or = _bitwise("bitwise_or", "bitwise_or", ("__or__", "__ror__"))
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", ("__xor__", "__rxor__"))
bitwise_left_shift = _bitwise("bitwise_left_shift", "left_shift",
                              ("__lshift__", "__rlshift__"))
bitwise_right_shift = _bitwise("bitwise_right_shift", "right_shift",
                               ("__rshift__", "__rrshift__"))


@register("comparison", differentiable=False, operators=("__invert__",))
def bitwise_not(input, *, out=None):  # noqa: A002
    """Elementwise bit inversion (``~x``); logical not for bool tensors."""
    _check_integral("bitwise_not", input)
    x = as_tensor(input)
    return _out(_const(get_array_module(x._data).invert(x._data)), out)


def _test(name: str, doc: str):
    def fn(input) -> Tensor:  # noqa: A002
        x = as_tensor(input)
        return _const(getattr(get_array_module(x._data), name)(x._data))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return register("comparison", differentiable=False)(fn)


isnan = _test("isnan", "True where ``input`` is NaN.")
isinf = _test("isinf", "True where ``input`` is +inf or -inf.")
isposinf = _test("isposinf", "True where ``input`` is +inf.")
isneginf = _test("isneginf", "True where ``input`` is -inf.")
isfinite = _test("isfinite", "True where ``input`` is neither NaN nor infinite.")


@register("comparison", differentiable=False)
def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (bool)."""
    a, b = pair(input, other)
    xp = get_array_module(a._data, b._data)
    try:
        return _const(xp.asarray(xp.isclose(a._data, b._data, rtol, atol, equal_nan)))
    except ValueError:
        raise OpError(f"isclose: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                      f"broadcast together") from None


@register("comparison", differentiable=False)
def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """True if ``isclose`` holds everywhere (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@register("comparison", differentiable=False)
def equal(input, other) -> bool:  # noqa: A002
    """True if both tensors have the same shape and the same elements (a Python bool)."""
    a, b = as_tensor(input), as_tensor(other)
    return a.shape == b.shape and bool((a._data == b._data).all())
