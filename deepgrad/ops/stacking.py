"""Stacking and splitting helpers: atleast_1d/2d/3d, hstack, vstack, dstack, column_stack,
hsplit, vsplit, dsplit, ravel, diff, block_diag (composites of cat/reshape/getitem/pad)."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ._util import as_tensor, normalize_dim, promote
from .registry import register
from .shape import cat, reshape
from .shape_more import tensor_split


def _at_least(x, n):
    x = as_tensor(x)
    if x.ndim >= n:
        return x
    shape = {0: {1: (1,), 2: (1, 1), 3: (1, 1, 1)}, 1: {2: (1, -1), 3: (1, -1, 1)},
             2: {3: tuple(x.shape) + (1,)}}[x.ndim][n]
    return reshape(x, shape)


def _seq(tensors):
    return tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) \
        else tensors


@register("shape", method=False)
def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (0-d becomes (1,))."""
    out = tuple(_at_least(t, 1) for t in _seq(tensors))
    return out[0] if len(out) == 1 else out


@register("shape", method=False)
def atleast_2d(*tensors):
    """Each tensor with at least 2 dims ((n,) becomes (1, n))."""
    out = tuple(_at_least(t, 2) for t in _seq(tensors))
    return out[0] if len(out) == 1 else out


@register("shape", method=False)
def atleast_3d(*tensors):
    """Each tensor with at least 3 dims ((n,) -> (1, n, 1), (m, n) -> (m, n, 1))."""
    out = tuple(_at_least(t, 3) for t in _seq(tensors))
    return out[0] if len(out) == 1 else out


@register("shape", method=False)
def hstack(tensors) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    ts = [_at_least(t, 1) for t in tensors]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


@register("shape", method=False, aliases=("row_stack",))
def vstack(tensors) -> Tensor:
    """Concatenate along dim 0 after making tensors at least 2-D."""
    return cat([_at_least(t, 2) for t in tensors], 0)


@register("shape", method=False)
def dstack(tensors) -> Tensor:
    """Concatenate along dim 2 after making tensors at least 3-D."""
    return cat([_at_least(t, 3) for t in tensors], 2)


@register("shape", method=False)
def column_stack(tensors) -> Tensor:
    """1-D tensors become columns, then ``hstack``."""
    ts = [as_tensor(t) for t in tensors]
    return cat([reshape(t, (-1, 1)) if t.ndim <= 1 else t for t in ts], 1)


@register("shape")
def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:  # noqa: A002
    """``n``-th forward difference along ``dim`` (``out[i] = x[i+1] - x[i]``)."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "diff")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        x = cat([as_tensor(p, x) for p in parts], d)
    head = (slice(None),) * d
    for _ in range(n):
        x = x[head + (slice(1, None),)] - x[head + (slice(None, -1),)]
    return x


@register("shape", method=False)
def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix of the given matrices (0-d/1-D as rows)."""
    from .shape import pad

    ts = [as_tensor(t) for t in tensors]
    ts = [reshape(t, (1, -1)) if t.ndim < 2 else t for t in ts]
    if len({t.dtype for t in ts}) > 1:
        ts = list(promote(*ts))
    width = sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        rows.append(pad(t, (left, width - left - t.shape[1])))
        left += t.shape[1]
    return cat(rows, 0)


@register("shape")
def ravel(input) -> Tensor:  # noqa: A002
    """The flattened 1-D tensor."""
    return reshape(as_tensor(input), (-1,))


def _split_along(op, input, sections, dim, min_ndim):
    x = as_tensor(input)
    if x.ndim < min_ndim:
        raise RuntimeError(f"{op}(): requires a tensor with at least {min_ndim} dimension(s), "
                           f"got shape {tuple(x.shape)}")
    if isinstance(sections, int) and x.shape[dim] % sections:
        raise RuntimeError(f"{op}(): dimension {dim} of size {x.shape[dim]} is not divisible "
                           f"by the split size {sections}")
    return tensor_split(x, sections, dim)


@register("shape")
def hsplit(input, indices_or_sections):  # noqa: A002
    """``tensor_split`` along dim 1 (dim 0 for 1-D); an int must divide the size."""
    x = as_tensor(input)
    return _split_along("hsplit", x, indices_or_sections, 0 if x.ndim == 1 else 1, 1)


@register("shape")
def vsplit(input, indices_or_sections):  # noqa: A002
    """``tensor_split`` along dim 0 of a tensor with at least 2 dims."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


@register("shape")
def dsplit(input, indices_or_sections):  # noqa: A002
    """``tensor_split`` along dim 2 of a tensor with at least 3 dims."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)
