"""Norms: ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm``; and the top-level
and method spellings of the linear-algebra functions (``inverse``, ``det``, ``logdet``...)."""
from __future__ import annotations

from collections import namedtuple

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import linalg_decomp as D
from . import linalg_power as P
from ._util import float_input, normalize_dim
from .reduce import _axes, _expand_back
from .registry import register


class VectorNorm(Function):
    """``(sum |x|^p)^(1/p)`` over ``axes`` for finite p > 0; d/dx = x |x|^(p-2) / y^(p-1),
    taken as 0 where y = 0 (PyTorch's subgradient at the zero vector)."""

    def __init__(self, p, axes, keepdim):
        self.p, self.axes, self.keepdim = p, axes, keepdim

    def forward(self, x):
        xp = get_array_module(x)
        self.x = x
        a = xp.abs(x)
        if self.p == 2:
            y = xp.sqrt((x * x).sum(axis=self.axes, keepdims=True))
        elif self.p == 1:
            y = a.sum(axis=self.axes, keepdims=True)
        else:
            y = (a ** self.p).sum(axis=self.axes, keepdims=True) ** (1 / self.p)
        self.y = xp.asarray(y)
        return self.y if self.keepdim else _drop(self.y, self.axes)

    def backward(self, gy):
        xp = get_array_module(gy)
        x, y, p = self.x, self.y, self.p
        g = _expand_back(gy, x.shape, self.axes, self.keepdim)
        if p == 1:
            return g * xp.sign(x)
        safe = xp.where(y == 0, 1, y)
        if p == 2:
            d = x / safe
        else:
            d = xp.sign(x) * xp.abs(x) ** (p - 1) / safe ** (p - 1)
        return g * xp.where(y == 0, 0, d)


def _drop(y, axes):
    return y.reshape([n for i, n in enumerate(y.shape) if axes is not None and i not in axes])


@register("linalg", name="linalg.vector_norm", function=False, method=False)
def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """The ``ord``-norm of the entries over ``dim`` (all when None): p > 0, inf (max |x|),
    -inf (min |x|) or 0 (count of nonzeros)."""
    from .arithmetic import abs as tabs
    from .reduce_more import amax, amin, count_nonzero

    x = float_input(x)
    if dtype is not None:
        x = x.to(dtype)
    axes = _axes(dim, x.ndim, "linalg.vector_norm")
    if ord == float("inf"):
        return amax(tabs(x), () if axes is None else axes, keepdim)
    if ord == -float("inf"):
        return amin(tabs(x), () if axes is None else axes, keepdim)
    if ord == 0:
        n = count_nonzero(x, axes).to(x.dtype)
        return n if not keepdim else n.reshape(_kept_shape(x.shape, axes))
    if ord < 0:
        a = tabs(x) ** ord
        s = a.sum(axes, keepdim) if axes is not None else a.sum()
        return s ** (1.0 / ord)
    return VectorNorm(ord, axes, keepdim).apply(x)


def _kept_shape(shape, axes):
    return tuple(1 if axes is None or i in axes else n for i, n in enumerate(shape))


@register("linalg", name="linalg.matrix_norm", function=False, method=False)
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', 2 / -2 (largest / smallest
    singular value), 1 / -1 (max / min column abs sum), inf / -inf (row abs sums)."""
    from .arithmetic import abs as tabs
    from .reduce_more import amax, amin

    x = float_input(A)
    if dtype is not None:
        x = x.to(dtype)
    d0, d1 = (normalize_dim(d, x.ndim, "linalg.matrix_norm") for d in dim)
    if ord == "fro":
        return vector_norm(x, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        from .shape_more import movedim

        m = movedim(x, (d0, d1), (-2, -1))
        s = D.svdvals(m)
        out = s.sum(-1) if ord == "nuc" else (amax(s, -1) if ord == 2 else amin(s, -1))
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    inf = float("inf")
    if ord not in (1, -1, inf, -inf):
        raise RuntimeError(f"linalg.matrix_norm: order {ord!r} is not supported")
    sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
    sums = tabs(x).sum(sum_dim, keepdim=True)
    out = (amax if ord in (1, inf) else amin)(sums, red_dim, keepdim=True)
    return out if keepdim else out.squeeze(max(d0, d1)).squeeze(min(d0, d1))


@register("linalg", name="linalg.norm", function=False, method=False)
def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm (``dim`` an int, or 1-D input) or a matrix norm (``dim`` a pair, or 2-D
    input with ``ord`` given); ``ord=None`` is the 2-norm / Frobenius norm."""
    x = float_input(A)
    if isinstance(dim, int) or (dim is None and (ord is None or x.ndim == 1)) or \
            (dim is not None and len(dim) == 1):
        return vector_norm(x, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None:
        if x.ndim != 2:
            raise RuntimeError(f"linalg.norm: input must be 1-D or 2-D when ord is given and "
                               f"dim is None, got shape {tuple(x.shape)}")
        dim = (-2, -1)
    return matrix_norm(x, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)


# ---- top-level and method spellings (torch.inverse, Tensor.det, ...) --------------------------
@register("linalg")
def inverse(input) -> Tensor:  # noqa: A002
    """``linalg.inv``."""
    return D.inv(input)


@register("linalg")
def det(input) -> Tensor:  # noqa: A002
    """``linalg.det``."""
    return D.det(input)


@register("linalg")
def logdet(input) -> Tensor:  # noqa: A002
    """``log(det(input))``: NaN for a negative determinant, as PyTorch."""
    sign, logabs = D.slogdet(input)
    xp = get_array_module(sign._data)
    return logabs + Tensor._make(xp.where(sign._data < 0, xp.nan, 0).astype(logabs.dtype),
                                 False, None, 0)


@register("linalg")
def slogdet(input):  # noqa: A002
    """``linalg.slogdet``."""
    return D.slogdet(input)


@register("linalg")
def pinverse(input, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """``linalg.pinv`` with ``rcond`` as the relative cutoff."""
    return P.pinv(input, rtol=rcond)


@register("linalg")
def matrix_power(input, n: int) -> Tensor:  # noqa: A002
    """``linalg.matrix_power``."""
    return P.matrix_power(input, n)


@register("linalg")
def cholesky(input, upper: bool = False) -> Tensor:  # noqa: A002
    """``linalg.cholesky`` (the older top-level spelling)."""
    return D.cholesky(input, upper=upper)


@register("linalg")
def qr(input, some: bool = True):  # noqa: A002
    """``linalg.qr`` (``some=False`` is mode 'complete')."""
    return D.qr(input, "reduced" if some else "complete")


SVDV = namedtuple("svd", ["U", "S", "V"])


@register("linalg")
def svd(input, some: bool = True, compute_uv: bool = True):  # noqa: A002
    """The older ``torch.svd``: ``(U, S, V)`` with V (not Vh) and reduced factors by default."""
    U, S, Vh = D.svd(input, full_matrices=not some)
    return SVDV(U, S, Vh.mT)
