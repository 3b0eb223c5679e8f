"""More reductions: prod, amax/amin (ties share the gradient), aminmax, all, any, logsumexp,
nansum, nanmean, count_nonzero, var_mean, std_mean, and the p-norm ``norm``."""
from __future__ import annotations

from collections import namedtuple

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input
from .reduce import _axes, _expand_back
from .registry import register

MinMax = namedtuple("aminmax", ["min", "max"])


def _dims(dim, axis):
    """PyTorch accepts ``axis`` as an alias of ``dim``."""
    return axis if dim is None else dim


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


class Prod(Function):
    """Product over ``axes``; d/dx_i = prod of the others, exact also with zeros (it multiplies
    exclusive prefix and suffix products instead of dividing by x_i)."""

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.x = x
        return get_array_module(x).asarray(x.prod(axis=self.axes, keepdims=self.keepdim))

    def backward(self, gy):
        xp = get_array_module(gy)
        x = self.x
        axes = tuple(range(x.ndim)) if self.axes is None else self.axes
        rest = [a for a in range(x.ndim) if a not in axes]
        moved = x.transpose(rest + list(axes))
        flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
        ones = xp.ones(flat.shape[:-1] + (1,), x.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], -1), -1)
        after = xp.flip(xp.cumprod(xp.flip(xp.concatenate([flat[..., 1:], ones], -1), -1), -1),
                        -1)
        others = (before * after).reshape(moved.shape)
        inverse = [0] * x.ndim
        for i, a in enumerate(rest + list(axes)):
            inverse[a] = i
        return _expand_back(gy, x.shape, self.axes, self.keepdim) * others.transpose(inverse)


@register("reduction")
def prod(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None) -> Tensor:  # noqa: A002
    """Product of the elements over ``dim`` (all when None); bool/int inputs give int64."""
    x = _with_dtype(as_tensor(input), dtype)
    return Prod(_axes(_dims(dim, axis), x.ndim, "prod"), keepdim).apply(x)


def _with_dtype(x: Tensor, dtype) -> Tensor:
    if dtype is not None:
        return x.to(dtype)
    if x._data.dtype.kind in "biu" and x._data.dtype != "int64":  # PyTorch: integer sums are int64
        return _const(x._data.astype("int64"))
    return x


class Extreme(Function):
    """amax/amin over ``axes``; ties share the gradient evenly (PyTorch's amax/amin)."""

    def __init__(self, axes, keepdim, largest):
        self.axes, self.keepdim, self.largest = axes, keepdim, largest

    def forward(self, x):
        self.x = x
        f = x.max if self.largest else x.min
        self.y = get_array_module(x).asarray(f(axis=self.axes, keepdims=True))
        y = self.y
        if not self.keepdim:
            y = y.reshape([n for i, n in enumerate(y.shape)
                           if self.axes is not None and i not in self.axes])
        return y

    def backward(self, gy):
        mask = self.x == self.y
        share = mask / mask.sum(axis=self.axes, keepdims=True).astype(gy.dtype)
        return _expand_back(gy, self.x.shape, self.axes, self.keepdim) * share


def _extreme(op, input, dim, keepdim, largest, axis=None):
    x = as_tensor(input)
    axes = _axes(_dims(dim, axis), x.ndim, op)
    if x._data.size == 0 and (axes is None or any(x.shape[a] == 0 for a in axes)):
        raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0 "
                         f"(shape {tuple(x.shape)})")
    return Extreme(axes, keepdim, largest).apply(x)


@register("reduction")
def amax(input, dim=(), keepdim: bool = False, *, axis=None) -> Tensor:  # noqa: A002
    """Largest value over ``dim`` (int or tuple; all when empty); ties share the gradient."""
    return _extreme("amax", input, None if dim == () else dim, keepdim, True, axis)


@register("reduction")
def amin(input, dim=(), keepdim: bool = False, *, axis=None) -> Tensor:  # noqa: A002
    """Smallest value over ``dim``; ties share the gradient."""
    return _extreme("amin", input, None if dim == () else dim, keepdim, False, axis)


@register("reduction")
def aminmax(input, *, dim=None, keepdim: bool = False):  # noqa: A002
    """``(min, max)`` over ``dim`` (all when None) as a named tuple."""
    return MinMax(amin(input, dim=() if dim is None else dim, keepdim=keepdim),
                  amax(input, dim=() if dim is None else dim, keepdim=keepdim))


def _boolean(op, input, dim, keepdim, axis):
    x = as_tensor(input)
    axes = _axes(_dims(dim, axis), x.ndim, op)
    xp = get_array_module(x._data)
    f = xp.all if op == "all" else xp.any
    out = xp.asarray(f(x._data != 0, axis=axes, keepdims=keepdim))
    return _const(out.astype(x.dtype) if x.dtype.kind == "u" else out)


@register("reduction", differentiable=False)
def all(input, dim=None, keepdim: bool = False, *, axis=None) -> Tensor:  # noqa: A001,A002
    """True where every element over ``dim`` is nonzero (bool; uint8 stays uint8)."""
    return _boolean("all", input, dim, keepdim, axis)


@register("reduction", differentiable=False)
def any(input, dim=None, keepdim: bool = False, *, axis=None) -> Tensor:  # noqa: A001,A002
    """True where some element over ``dim`` is nonzero."""
    return _boolean("any", input, dim, keepdim, axis)


class LogSumExp(Function):
    """``m + log sum e^(x - m)`` with ``m`` the max; d/dx = softmax over ``axes``."""

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        xp = get_array_module(x)
        m = x.max(axis=self.axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or inf) rows: no inf - inf
        self.y = xp.log(xp.exp(x - m).sum(axis=self.axes, keepdims=True)) + m
        self.x = x
        y = self.y
        return y if self.keepdim else _drop(y, self.axes)

    def backward(self, gy):
        xp = get_array_module(gy)
        return _expand_back(gy, self.x.shape, self.axes, self.keepdim) * xp.exp(self.x - self.y)


def _drop(y, axes):
    return y.reshape([n for i, n in enumerate(y.shape) if axes is not None and i not in axes])


@register("reduction")
def logsumexp(input, dim, keepdim: bool = False, *, axis=None) -> Tensor:  # noqa: A002
    """``log(sum(exp(input), dim))`` computed stably; integer inputs give float32."""
    x = float_input(input)
    return LogSumExp(_axes(_dims(dim, axis), x.ndim, "logsumexp"), keepdim).apply(x)


@register("reduction")
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """Sum treating NaN as zero (NaN places get zero gradient)."""
    from .arithmetic import where
    from .reduce import sum

    x = as_tensor(input)
    return sum(where(isnan_array(x), 0.0, x), dim, keepdim, dtype=dtype)


def isnan_array(x: Tensor) -> Tensor:
    return _const(get_array_module(x._data).isnan(x._data))


@register("reduction")
def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """Mean over the non-NaN elements."""
    x = as_tensor(input)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected a floating point input, got {x.dtype}")
    keep = _const(~get_array_module(x._data).isnan(x._data))
    from .reduce import sum

    return nansum(x, dim, keepdim, dtype=dtype) / sum(keep, dim, keepdim)


@register("reduction", differentiable=False)
def count_nonzero(input, dim=None) -> Tensor:  # noqa: A002
    """Number of nonzero elements over ``dim`` (int64)."""
    x = as_tensor(input)
    xp = get_array_module(x._data)
    axes = _axes(dim, x.ndim, "count_nonzero")
    return _const(xp.asarray((x._data != 0).sum(axis=axes)).astype("int64"))


@register("reduction")
def var_mean(input, dim=None, *, correction=None, keepdim: bool = False,  # noqa: A002
             unbiased=None):
    """``(var, mean)`` over ``dim`` (``correction`` defaults to 1, Bessel's)."""
    from .reduce import mean, var

    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


@register("reduction")
def std_mean(input, dim=None, *, correction=None, keepdim: bool = False,  # noqa: A002
             unbiased=None):
    """``(std, mean)`` over ``dim``."""
    from .reduce import mean, std

    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


@register("reduction")
def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:  # noqa: A002
    """The p-norm over ``dim`` (all elements when None): ``p`` a number, inf, -inf, 'fro'
    (2-norm of the entries) or 'nuc' (nuclear norm of a matrix)."""
    from .linalg_norms import matrix_norm, vector_norm

    x = as_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    if p == "nuc":
        return matrix_norm(x, "nuc", (-2, -1) if dim is None else dim, keepdim)
    return vector_norm(x, 2 if p == "fro" else p, dim, keepdim)
