"""Frequently used composites: stacking helpers (hstack, vstack, dstack, column_stack,
atleast_nd), diff, cross, cdist, addcmul/addcdiv, logit, sinc, deg2rad/rad2deg, float_power,
heaviside, gcd/lcm, signbit, isin, searchsorted/bucketize, block_diag, cov/corrcoef, quantile,
nanmedian, trapezoid. Each is written with differentiable ops where PyTorch differentiates it."""
from __future__ import annotations

import math

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input, normalize_dim, pair, promote
from .registry import register
from .shape import reshape, stack


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


@register("linalg", aliases=())
def cross(input, other, dim: int | None = None) -> Tensor:  # noqa: A002
    """Cross product of 3-vectors along ``dim`` (the first dim of size 3 when None)."""
    a, b = pair(input, other)
    if dim is None:
        dim = next(i for i, n in enumerate(a.shape) if n == 3)
    return _cross(a, b, dim)


def _cross(a, b, dim):
    d = normalize_dim(dim, a.ndim, "cross")
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3, got "
                           f"{tuple(a.shape)} and {tuple(b.shape)}")
    head = (slice(None),) * d
    ax, ay, az = (a[head + (i,)] for i in range(3))
    bx, by, bz = (b[head + (i,)] for i in range(3))
    return stack([ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx], d)


@register("linalg", name="linalg.cross", function=False, method=False)
def linalg_cross(input, other, *, dim: int = -1) -> Tensor:  # noqa: A002
    """Cross product of 3-vectors along ``dim`` (default the last)."""
    return _cross(*pair(input, other), dim)


@register("linalg", method=False)
def cdist(x1, x2, p: float = 2.0) -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M)."""
    from .linalg_norms import vector_norm

    a, b = pair(x1, x2)
    return vector_norm(a.unsqueeze(-2) - b.unsqueeze(-3), p, -1)


@register("arithmetic")
def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 * tensor2``."""
    return input + value * (tensor1 * tensor2)


@register("arithmetic")
def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 / tensor2``."""
    return input + value * (tensor1 / tensor2)


@register("elementwise")
def logit(input, eps: float | None = None) -> Tensor:  # noqa: A002
    """``log(p / (1 - p))``, ``p`` clamped to [eps, 1 - eps] when eps is given."""
    from .arithmetic import clamp, log
    from .elementwise import log1p

    p = float_input(input)
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return log(p) - log1p(-p)


@register("elementwise")
def sinc(input) -> Tensor:  # noqa: A002
    """``sin(pi x) / (pi x)``, 1 at x = 0 (normalized sinc)."""
    from .arithmetic import where
    from .elementwise import sin

    x = float_input(input)
    zero = _const(x._data == 0)
    safe = where(zero, 1.0, x) * math.pi
    return where(zero, 1.0, sin(safe) / safe)


@register("elementwise")
def deg2rad(input) -> Tensor:  # noqa: A002
    """Degrees to radians."""
    return float_input(input) * (math.pi / 180)


@register("elementwise")
def rad2deg(input) -> Tensor:  # noqa: A002
    """Radians to degrees."""
    return float_input(input) * (180 / math.pi)


@register("elementwise")
def float_power(input, exponent) -> Tensor:  # noqa: A002
    """``input ** exponent`` computed in float64 (PyTorch's float_power)."""
    from ..dtypes import float64
    from .arithmetic import pow as tpow

    x = as_tensor(input).to(float64)
    e = exponent.to(float64) if isinstance(exponent, Tensor) else exponent
    return tpow(x, e)


@register("elementwise", differentiable=False)
def heaviside(input, values) -> Tensor:  # noqa: A002
    """0 for x < 0, 1 for x > 0, ``values`` at x == 0."""
    a, b = pair(input, values)
    return _const(get_array_module(a._data).heaviside(a._data, b._data))


def _int_pair(op, a, b):
    a, b = promote(a, b)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expects integer tensors, got {a.dtype}")
    return a, b


@register("elementwise", differentiable=False)
def gcd(input, other) -> Tensor:  # noqa: A002
    """Greatest common divisor, elementwise."""
    a, b = _int_pair("gcd", input, other)
    return _const(get_array_module(a._data).gcd(a._data, b._data))


@register("elementwise", differentiable=False)
def lcm(input, other) -> Tensor:  # noqa: A002
    """Least common multiple, elementwise."""
    a, b = _int_pair("lcm", input, other)
    return _const(get_array_module(a._data).lcm(a._data, b._data))


@register("comparison", differentiable=False)
def signbit(input) -> Tensor:  # noqa: A002
    """True where the sign bit is set (also for -0.0)."""
    x = as_tensor(input)
    return _const(get_array_module(x._data).signbit(x._data))


@register("comparison", differentiable=False, method=False)
def isin(elements, test_elements, *, invert: bool = False) -> Tensor:
    """True where an element of ``elements`` occurs in ``test_elements``."""
    e, t = as_tensor(elements), as_tensor(test_elements)
    return _const(get_array_module(e._data).isin(e._data, t._data, invert=invert))


@register("sorting", differentiable=False, method=False)
def searchsorted(sorted_sequence, values, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None) -> Tensor:
    """Insertion indices of ``values`` into the last dim of ``sorted_sequence`` (left side
    unless ``right``/``side='right'``); batched when both have matching leading dims."""
    s, v = as_tensor(sorted_sequence), as_tensor(values)
    xp = get_array_module(s._data)
    side = side or ("right" if right else "left")
    if s.ndim == 1:
        out = xp.searchsorted(s._data, v._data, side=side)
    else:
        rows = [xp.searchsorted(r, q, side=side)
                for r, q in zip(s._data.reshape(-1, s.shape[-1]), v._data.reshape(-1, v.shape[-1]))]
        out = xp.stack(rows).reshape(v.shape)
    return _const(out.astype("int32" if out_int32 else "int64"))


@register("sorting", differentiable=False, method=False)
def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):  # noqa: A002
    """Index of the bucket of each value given 1-D sorted ``boundaries``."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


@register("reduction")
def cov(input, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:  # noqa: A002
    """Covariance of the rows (variables) over the columns (observations) of a 2-D input."""
    x = float_input(input)
    if x.ndim < 2:
        x = reshape(x, (1, -1))
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov(): fweights and aweights are not supported")
    centered = x - x.mean(1, keepdim=True)
    c = (centered @ centered.mT) / (x.shape[1] - correction)
    return c.reshape(()) if as_tensor(input).ndim < 2 else c


@register("reduction")
def corrcoef(input) -> Tensor:  # noqa: A002
    """Pearson correlation coefficients of the rows of a 2-D input."""
    from .arithmetic import sqrt

    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = sqrt(c.diagonal())
    return c / d.unsqueeze(1) / d.unsqueeze(0)


@register("sorting")
def quantile(input, q, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The ``q``-quantiles (a number or a 1-D tensor in [0, 1]) over ``dim`` (all when
    None), interpolating between order statistics ('linear', 'lower', 'higher', 'nearest',
    'midpoint')."""
    from .sorting import sort

    x = float_input(input)
    if dim is None:
        x, dim, flat = reshape(x, (-1,)), 0, True
    else:
        flat = False
    d = normalize_dim(dim, x.ndim, "quantile")
    qs = q._data if isinstance(q, Tensor) else q
    xp = get_array_module(x._data)
    qa = xp.atleast_1d(xp.asarray(qs, dtype="float64"))
    if (qa < 0).any() or (qa > 1).any():
        raise RuntimeError("quantile(): q values must be in the range [0, 1]")
    s = sort(x, d).values
    n = x.shape[d]
    pos = qa * (n - 1)
    lo, hi = xp.floor(pos).astype("int64"), xp.ceil(pos).astype("int64")
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = xp.round(pos).astype("int64")
    elif interpolation not in ("linear", "midpoint"):
        raise RuntimeError(f"quantile(): interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, got {interpolation!r}")
    frac = pos - lo if interpolation == "linear" else xp.full(pos.shape, 0.5)
    head = (slice(None),) * d
    outs = []
    for i in range(qa.size):
        a, b = s[head + (int(lo[i]),)], s[head + (int(hi[i]),)]
        outs.append(a + (b - a) * float(frac[i]) if lo[i] != hi[i] else a)
    out = stack(outs, 0)
    if keepdim:
        out = out.unsqueeze(d + 1) if not flat else reshape(out, (qa.size,) + (1,) * as_tensor(
            input).ndim)
    return out[0] if xp.ndim(xp.asarray(qs)) == 0 else out


@register("sorting")
def nanmedian(input, dim: int | None = None, keepdim: bool = False):  # noqa: A002
    """``median`` ignoring NaN (the lower median of the non-NaN values)."""
    from .sorting import ValuesIndices, median

    x = as_tensor(input)
    xp = get_array_module(x._data)
    if not xp.isnan(x._data).any():
        return median(x, dim, keepdim)
    if dim is None:
        keep = ~xp.isnan(x._data)
        return median(x[_const(keep)])
    d = normalize_dim(dim, x.ndim, "nanmedian")
    xm = xp.moveaxis(x._data, d, -1)
    count = (~xp.isnan(xm)).sum(-1, keepdims=True)
    order = xp.argsort(xm, axis=-1, kind="stable")  # NaN sorts last
    pick = xp.take_along_axis(order, xp.maximum((count - 1) // 2, 0), -1)
    idx = xp.moveaxis(pick, -1, d).astype("int64")
    from .indexing import gather

    values = gather(x, d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return ValuesIndices(values, _const(idx))


@register("reduction", method=False, aliases=("trapz",))
def trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Trapezoidal rule along ``dim``: sample points ``x`` or spacing ``dx`` (default 1)."""
    y = float_input(y)
    d = normalize_dim(dim, y.ndim, "trapezoid")
    head = (slice(None),) * d
    mid = (y[head + (slice(1, None),)] + y[head + (slice(None, -1),)]) * 0.5
    if x is None:
        return mid.sum(d) * (1.0 if dx is None else dx)
    from .stacking import diff

    return (mid * diff(as_tensor(x), dim=-1 if as_tensor(x).ndim == 1 else d)).sum(d)
