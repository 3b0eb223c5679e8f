"""Index assignment (``x[index] = value``, ``index_put``) and PyTorch's dimension order for
advanced indexing.

NumPy and PyTorch differ in one case: an integer next to an index array, separated by a slice
(``x[0, :, [0, 1]]``). NumPy counts the integer as an advanced index, so the broadcast index
dims move to the front (shape (2, n)); PyTorch applies the integer first as a plain selection,
giving (n, 2). ``torch_order`` rewrites such indices so that results follow PyTorch.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor
from ..autograd.version import bump
from ..backend import get_array_module
from ._util import as_tensor
from .inplace import in_place
from .registry import operator, register
from .shape import getitem as numpy_order


def _is_array(i) -> bool:
    return hasattr(i, "ndim") and not isinstance(i, (int, bool)) and i.ndim >= 0 \
        and not isinstance(i, slice)


def split_ints(index):
    """``(first, rest)``: when ints and index arrays are separated by a slice, apply the ints
    first (``x[first][rest]``) as PyTorch does; otherwise ``(None, index)``."""
    if not isinstance(index, tuple):
        return None, index
    kinds = []
    for i in index:
        if isinstance(i, (int,)) and not isinstance(i, bool):
            kinds.append("int")
        elif i is None or i is Ellipsis or isinstance(i, slice):
            kinds.append("basic")
        else:
            kinds.append("array")
    if "int" not in kinds or "array" not in kinds:
        return None, index
    adv = [k for k, kind in enumerate(kinds) if kind in ("int", "array")]
    if adv == list(range(adv[0], adv[-1] + 1)):  # adjacent: NumPy and PyTorch agree
        return None, index
    first = tuple(i if kind == "int" else (i if i is None or i is Ellipsis else slice(None))
                  for i, kind in zip(index, kinds))
    rest = tuple(i for i, kind in zip(index, kinds) if kind != "int")
    return first, rest


class SetItem(Function):
    """``y = x`` with ``y[index] = v``; gx = gy with the written places zeroed, gv = gy[index]."""

    def __init__(self, index):
        self.index = index

    def forward(self, x, v):
        y = x.copy()
        y[self.index] = v
        return y

    def backward(self, gy):
        n = self.needs_input_grad
        gx = gv = None
        if n[0]:
            gx = gy.copy()
            gx[self.index] = 0
        if n[1]:
            gv = gy[self.index]
        return gx, gv


def _unwrap(index, xp):
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else
                     (xp.asarray(i) if isinstance(i, list) else i) for i in index)
    if isinstance(index, list):
        return xp.asarray(index)
    return index


def _flat_index(shape, index, xp):
    """An index into the flattened array equivalent to ``index`` (PyTorch's dim order)."""
    positions = xp.arange(int(xp.prod(xp.asarray(shape))) if shape else 1).reshape(shape)
    first, rest = split_ints(index)
    if first is not None:
        positions = positions[first]
    return positions[rest]


@register("indexing")
def index_put(input, indices, values, accumulate: bool = False) -> Tensor:  # noqa: A002
    """``input`` with ``input[indices] = values`` (``+=`` with ``accumulate``, repeats adding
    up), out of place and differentiable in both."""
    x = as_tensor(input)
    xp = get_array_module(x._data)
    idx = _unwrap(tuple(indices) if isinstance(indices, list) else indices, xp)
    v = as_tensor(values, x)
    if v.dtype != x.dtype:
        v = v.to(x.dtype)
    flat = _flat_index(x.shape, idx, xp)
    if accumulate:
        from .indexing import index_add

        return index_add(x.reshape(-1), 0, flat.reshape(-1),
                         v.expand(flat.shape).reshape(-1)).reshape(x.shape)
    return SetItem(idx).apply(x, v) if split_ints(idx)[0] is None else \
        SetItem(flat).apply(x.reshape(-1), v).reshape(x.shape)


def setitem(self: Tensor, index, value) -> None:
    """``x[index] = value``, in ``x``'s own memory (views see it) with a version bump. While
    recording, ``x`` becomes the output of a SetItem node whose input is its earlier value; a
    leaf that requires grad is an error, as in PyTorch (``ops/inplace.py``)."""
    xp = get_array_module(self._data)
    idx = _unwrap(index, xp)
    recording = STATE.enabled and (self.requires_grad or (isinstance(value, Tensor) and
                                                          value.requires_grad))
    if not recording:
        v = value._data if isinstance(value, Tensor) else value
        first, rest = split_ints(idx)
        target = self._data if first is None else self._data[first]  # a view: writes go through
        try:
            target[rest] = v
        except IndexError as e:
            raise IndexError(f"setitem: {e} (tensor shape {tuple(self.shape)})") from None
        except ValueError as e:
            raise RuntimeError(f"setitem: {e} (tensor shape {tuple(self.shape)})") from None
        bump(self._vc)
        return
    in_place(self, "__setitem__", lambda old: index_put(old, idx, value), value)


_BASIC = (int, slice, type(None), type(Ellipsis))


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]`` with PyTorch's dimension order for ints mixed with index arrays."""
    if index.__class__ is tuple:
        for i in index:
            if i.__class__ not in _BASIC:  # only an index array can change the order
                first, rest = split_ints(_unwrap(index, get_array_module(x._data)))
                if first is not None:
                    return numpy_order(numpy_order(x, first), rest)
                break
    return numpy_order(x, index)


operator("__setitem__", setitem)
operator("__getitem__", getitem)


def _in_place_of(name: str, fn):
    """``x.<name>(...)``: ``x`` takes ``fn(x, ...)``'s values in its own memory, with a version
    bump and, while recording, a graph node (``ops/inplace.py``: PyTorch's in-place rules)."""
    def method(self, *args, **kwargs):
        others = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        return in_place(self, name, lambda old: fn(old, *args, **kwargs), *others)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: ``self`` takes the result (returns self)."
    register("indexing", function=False)(method)
    return method


def _install_in_place() -> None:
    from . import indexing as ix
    from . import masked

    for fn in (masked.masked_fill, masked.masked_scatter, ix.index_fill, ix.index_add,
               ix.index_copy, ix.scatter, ix.scatter_add, ix.scatter_reduce, index_put):
        _in_place_of(fn.__name__ + "_", fn)


_install_in_place()


# In-place forms of the unary elementwise ops (``x.exp_()``, ``x.sqrt_()``...); the arithmetic
# family (``add_``, ``mul_``, ``clamp_``...) lives with the autograd core.
UNARY_IN_PLACE = ("abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh",
                  "erf", "erfc", "erfinv", "exp", "exp2", "expm1", "floor", "frac", "log",
                  "log10", "log1p", "log2", "neg", "reciprocal", "relu", "round", "rsqrt",
                  "sigmoid", "sign", "sgn", "sin", "sinh", "sqrt", "square", "tan", "tanh",
                  "trunc")


def _install_unary_in_place() -> None:
    from .registry import OPS

    for name in UNARY_IN_PLACE:
        _in_place_of(name + "_", OPS[name].fn)


_install_unary_in_place()


# In-place forms of binary and structural ops (``x.pow_(2)``, ``m.lerp_(p, 0.1)``...).
OTHER_IN_PLACE = ("pow", "fmod", "remainder", "lerp", "clamp_min", "clamp_max", "addcmul",
                  "addcdiv", "tril", "triu", "atan2", "hypot", "copysign", "xlogy",
                  "floor_divide", "logit", "nan_to_num")


def _install_other_in_place() -> None:
    from .registry import OPS

    for name in OTHER_IN_PLACE:
        _in_place_of(name + "_", OPS[name].fn)


_install_other_in_place()
