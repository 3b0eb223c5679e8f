"""More factories: logspace, tril_indices, triu_indices, bernoulli, multinomial, normal,
empty_like, randint_like; and the ``Tensor.new_*`` methods."""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor
from ..dtypes import canonical, default_float
from ..random import generator
from ._util import as_tensor
from .registry import register


def _const(data, requires_grad=False) -> Tensor:
    t = Tensor._make(data, False, None, 0)
    return t.requires_grad_(True) if requires_grad else t


def _dtype(dtype, fallback):
    return fallback if dtype is None else canonical(dtype)


@register("creation", method=False, differentiable=False)
def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    values = numpy.logspace(start, end, steps, base=base)
    return _const(values.astype(_dtype(dtype, default_float())), requires_grad)


def _tri_indices(row, col, offset, lower, dtype):
    rows, cols = (numpy.tril_indices if lower else numpy.triu_indices)(row, offset, col)
    return _const(numpy.stack([rows, cols]).astype(_dtype(dtype, numpy.dtype("int64"))))


@register("creation", method=False, differentiable=False)
def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None) -> Tensor:
    """(2, N) row and column indices of the lower triangle of a row x col matrix."""
    return _tri_indices(row, col, offset, True, dtype)


@register("creation", method=False, differentiable=False)
def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None) -> Tensor:
    """(2, N) row and column indices of the upper triangle of a row x col matrix."""
    return _tri_indices(row, col, offset, False, dtype)


@register("creation", differentiable=False)
def bernoulli(input, p=None, *, generator_=None) -> Tensor:  # noqa: A002
    """0/1 samples with probability ``input`` (or the number ``p``), in ``input``'s dtype."""
    x = as_tensor(input)
    prob = x._data if p is None else p
    rng = generator_ or generator()
    return _const((rng.random(x.shape) < prob).astype(x.dtype))


@register("creation", differentiable=False)
def multinomial(input, num_samples: int, replacement: bool = False) -> Tensor:  # noqa: A002
    """Indices drawn from the categorical distributions in the rows of ``input`` (weights,
    not necessarily normalized); without replacement each index appears at most once."""
    x = as_tensor(input)
    if x.ndim not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim, got {x.ndim}")
    w = x._data.reshape(-1, x.shape[-1]).astype(numpy.float64)
    if (w < 0).any() or not numpy.isfinite(w).all() or (w.sum(1) <= 0).any():
        raise RuntimeError("multinomial(): probability tensor contains either inf, nan or "
                           "element < 0, or a row sums to zero")
    if not replacement and num_samples > w.shape[1]:
        raise RuntimeError(f"multinomial(): cannot sample n_sample={num_samples} > "
                           f"prob_dist.size(-1)={w.shape[1]} samples without replacement")
    rng = generator()
    rows = [rng.choice(w.shape[1], num_samples, replace=replacement, p=r / r.sum()) for r in w]
    out = numpy.stack(rows).astype(numpy.int64)
    return _const(out.reshape(x.shape[:-1] + (num_samples,)))


@register("creation", method=False, differentiable=False)
def normal(mean=0.0, std=1.0, size=None, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """Normal samples: ``mean`` and ``std`` numbers (then ``size`` is needed) or tensors
    (broadcast together)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is None:
        shape = numpy.broadcast_shapes(numpy.shape(m), numpy.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        fallback = ref.dtype if isinstance(ref, Tensor) else default_float()
    else:
        shape, fallback = tuple(size), default_float()
    if isinstance(s, (int, float)) and s < 0 or (numpy.asarray(s) < 0).any():
        raise RuntimeError(f"normal(): std must be >= 0, got {s}")
    values = m + s * generator().standard_normal(shape)
    return _const(numpy.asarray(values).astype(_dtype(dtype, fallback)), requires_grad)


@register("creation", method=False, differentiable=False)
def empty_like(input, *, dtype=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """An uninitialized tensor of ``input``'s shape and dtype."""
    x = as_tensor(input)
    return _const(numpy.empty(x.shape, _dtype(dtype, x.dtype)), requires_grad)


@register("creation", method=False, differentiable=False)
def randint_like(input, low: int = 0, high=None, *, dtype=None) -> Tensor:  # noqa: A002
    """Integers uniform in [low, high) of ``input``'s shape (``randint_like(x, high)``)."""
    x = as_tensor(input)
    if high is None:
        low, high = 0, low
    values = generator().integers(low, high, x.shape)
    return _const(values.astype(_dtype(dtype, x.dtype)))


def _shape(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) \
        else tuple(size)


def _new(self, fill, size, dtype, requires_grad):
    d = _dtype(dtype, self.dtype)
    shape = _shape(size)
    data = numpy.empty(shape, d) if fill is None else numpy.full(shape, fill, d)
    return _const(data, requires_grad)


@register("creation", function=False, differentiable=False)
def new_zeros(self, *size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``size`` in this tensor's dtype (unless ``dtype``)."""
    return _new(self, 0, size, dtype, requires_grad)


@register("creation", function=False, differentiable=False)
def new_ones(self, *size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones of ``size`` in this tensor's dtype."""
    return _new(self, 1, size, dtype, requires_grad)


@register("creation", function=False, differentiable=False)
def new_empty(self, *size, dtype=None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor of ``size`` in this tensor's dtype."""
    return _new(self, None, size, dtype, requires_grad)


@register("creation", function=False, differentiable=False)
def new_full(self, size, fill_value, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """``size`` filled with ``fill_value`` in this tensor's dtype."""
    return _new(self, fill_value, (size,), dtype, requires_grad)


@register("creation", function=False, differentiable=False)
def new_tensor(self, data, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """A copy of ``data`` in this tensor's dtype (unless ``dtype``)."""
    src = data._data if isinstance(data, Tensor) else data
    return _const(numpy.array(src, dtype=_dtype(dtype, self.dtype)), requires_grad)
