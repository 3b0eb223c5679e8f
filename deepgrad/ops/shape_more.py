"""More shape ops: flip, roll, rot90, repeat, repeat_interleave, tile, narrow, select, unfold,
tensor_split, unbind, movedim, unflatten, expand_as/view_as/reshape_as, broadcast_tensors.

All are composites of getitem/reshape/permute/expand/cat, so their gradients come from those.
"""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, as_tensor, normalize_dim
from .registry import register
from .shape import _shape_arg, cat, expand, getitem, permute, reshape


def _dims_arg(dims):
    return tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims


@register("shape")
def flip(input, *dims, **kwargs) -> Tensor:  # noqa: A002
    """Reverse the order of elements along ``dims`` (positional, a sequence, or ``dims=``)."""
    if "dims" in kwargs:
        dims = (kwargs.pop("dims"),)
    if kwargs:
        raise TypeError(f"flip() got unexpected keyword arguments {sorted(kwargs)}")
    x = as_tensor(input)
    key = [slice(None)] * x.ndim
    for d in _dims_arg(dims):
        key[normalize_dim(d, x.ndim, "flip")] = slice(None, None, -1)
    return getitem(x, tuple(key))


@register("shape")
def fliplr(input) -> Tensor:  # noqa: A002
    """Reverse dim 1 (left/right) of a tensor of at least 2 dims."""
    if as_tensor(input).ndim < 2:
        raise RuntimeError("fliplr(): input must be at least 2-D")
    return flip(input, 1)


@register("shape")
def flipud(input) -> Tensor:  # noqa: A002
    """Reverse dim 0 (up/down)."""
    if as_tensor(input).ndim < 1:
        raise RuntimeError("flipud(): input must be at least 1-D")
    return flip(input, 0)


@register("shape")
def roll(input, shifts, dims=None) -> Tensor:  # noqa: A002
    """Shift elements cyclically by ``shifts`` along ``dims`` (flattened when dims is None)."""
    x = as_tensor(input)
    if dims is None:
        return reshape(roll(reshape(x, (-1,)), shifts, 0), x.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll(): shifts {shifts} and dims {dims} must align")
    for s, d in zip(shifts, dims):
        d = normalize_dim(d, x.ndim, "roll")
        n = x.shape[d]
        if n == 0:
            continue
        s %= n
        if s:
            head = (slice(None),) * d
            x = cat([getitem(x, head + (slice(n - s, None),)),
                     getitem(x, head + (slice(0, n - s),))], d)
    return x


@register("shape")
def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:  # noqa: A002
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from dims[0] toward dims[1])."""
    x = as_tensor(input)
    d0, d1 = (normalize_dim(d, x.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90(): dims must differ, got {tuple(dims)}")
    k %= 4
    if k == 1:
        return flip(x, d1).transpose(d0, d1)
    if k == 2:
        return flip(x, d0, d1)
    if k == 3:
        return flip(x, d0).transpose(d0, d1)
    return x


@register("shape")
def repeat(input, *sizes) -> Tensor:  # noqa: A002
    """Tile ``input`` ``sizes[i]`` times along each dim (``sizes`` may add leading dims)."""
    x = as_tensor(input)
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"repeat(): number of repeat dims {len(sizes)} can not be smaller "
                           f"than number of tensor dims {x.ndim}")
    x = reshape(x, (1,) * (len(sizes) - x.ndim) + tuple(x.shape))
    # (n0, n1) -> (1, n0, 1, n1) -> (r0, n0, r1, n1) -> (r0 n0, r1 n1)
    inter = tuple(v for n in x.shape for v in (1, n))
    big = tuple(v for r, n in zip(sizes, x.shape) for v in (r, n))
    return reshape(expand(reshape(x, inter), big), tuple(r * n for r, n in zip(sizes, x.shape)))


@register("shape")
def tile(input, dims) -> Tensor:  # noqa: A002
    """``repeat`` with ``dims`` padded by leading ones to the tensor's rank."""
    x = as_tensor(input)
    dims = tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


@register("shape")
def repeat_interleave(input, repeats, dim: int | None = None, *,  # noqa: A002
                      output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times (an int or one count per element) along ``dim``
    (the flattened tensor when dim is None)."""
    x = as_tensor(input)
    if dim is None:
        x, dim = reshape(x, (-1,)), 0
    d = normalize_dim(dim, x.ndim, "repeat_interleave")
    xp = get_array_module(x._data)
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    counts = xp.broadcast_to(xp.asarray(reps), (x.shape[d],))
    idx = xp.repeat(xp.arange(x.shape[d]), counts)
    return getitem(x, (slice(None),) * d + (idx,))


@register("shape")
def narrow(input, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """The slice ``start:start+length`` along ``dim`` (a view in PyTorch)."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "narrow")
    start = int(start)
    if start < 0:
        start += x.shape[d]
    if start < 0 or length < 0 or start + length > x.shape[d]:
        raise IndexError(f"narrow(): start {start} + length {length} exceeds dimension {d} of "
                         f"size {x.shape[d]}")
    return getitem(x, (slice(None),) * d + (slice(start, start + length),))


@register("shape")
def select(input, dim: int, index: int) -> Tensor:  # noqa: A002
    """The slice at ``index`` along ``dim``, with that dim removed."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "select")
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select(): index {index} out of range for dimension {d} of size "
                         f"{x.shape[d]}")
    return getitem(x, (slice(None),) * d + (index,))


@register("shape", function=False)
def unfold(input, dimension: int, size: int, step: int) -> Tensor:  # noqa: A002
    """``Tensor.unfold``: windows of ``size`` every ``step`` along ``dimension``; the windows
    index that dim and the window's elements become a new last dim."""
    x = as_tensor(input)
    d = normalize_dim(dimension, x.ndim, "unfold") if x.ndim else 0
    n = x.shape[d] if x.ndim else 1
    if size > n or step <= 0:
        raise RuntimeError(f"unfold(): size {size} exceeds dimension {d} of size {n}, or step "
                           f"{step} is not positive")
    xp = get_array_module(x._data)
    starts = xp.arange(0, n - size + 1, step)
    idx = starts[:, None] + xp.arange(size)  # (windows, size)
    y = getitem(x, (slice(None),) * d + (idx,))  # (..., windows, size, ...)
    order = list(range(y.ndim))
    order.append(order.pop(d + 1))
    return permute(y, order)


@register("shape")
def tensor_split(input, indices_or_sections, dim: int = 0):  # noqa: A002
    """Split into ``n`` nearly equal parts (the first ones one longer) or at the indices."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "tensor_split")
    n = x.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"tensor_split(): number of sections must be larger than 0, "
                               f"got {k}")
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        bounds, total = [], 0
        for s in sizes[:-1]:
            total += s
            bounds.append(total)
    else:
        bounds = list(indices_or_sections)
    edges = [0] + bounds + [n]
    head = (slice(None),) * d
    return tuple(getitem(x, head + (slice(a, max(a, b)),)) for a, b in zip(edges, edges[1:]))


@register("shape")
def unbind(input, dim: int = 0):  # noqa: A002
    """All slices along ``dim``, that dim removed."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "unbind")
    return tuple(getitem(x, (slice(None),) * d + (i,)) for i in range(x.shape[d]))


@register("shape", aliases=("moveaxis",))
def movedim(input, source, destination) -> Tensor:  # noqa: A002
    """Move dims ``source`` to positions ``destination`` (ints or sequences)."""
    x = as_tensor(input)
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim(): source {src} and destination {dst} differ in length")
    src = [normalize_dim(s, x.ndim, "movedim") for s in src]
    dst = [normalize_dim(s, x.ndim, "movedim") for s in dst]
    order = [d for d in range(x.ndim) if d not in src]
    for s, t in sorted(zip(dst, src)):
        order.insert(s, t)
    return permute(x, tuple(order))


@register("shape")
def unflatten(input, dim: int, sizes) -> Tensor:  # noqa: A002
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "unflatten")
    return reshape(x, tuple(x.shape[:d]) + tuple(sizes) + tuple(x.shape[d + 1:]))


@register("shape", function=False)
def expand_as(input, other) -> Tensor:  # noqa: A002
    """``expand(other.shape)``."""
    return expand(as_tensor(input), tuple(other.shape))


@register("shape", function=False)
def view_as(input, other) -> Tensor:  # noqa: A002
    """``view(other.shape)``."""
    return reshape(as_tensor(input), tuple(other.shape))


@register("shape", function=False)
def reshape_as(input, other) -> Tensor:  # noqa: A002
    """``reshape(other.shape)``."""
    return reshape(as_tensor(input), tuple(other.shape))


@register("shape", function=False, differentiable=False)
def is_contiguous(input, memory_format=None) -> bool:  # noqa: A002
    """True: ``contiguous()`` hands back every tensor as it is usable."""
    return True


@register("shape", function=False)
def contiguous(input, memory_format=None) -> Tensor:  # noqa: A002
    """The tensor itself: arrays here are always usable as they are."""
    return input


@register("shape")
def broadcast_tensors(*tensors):
    """Expand all tensors to their common broadcast shape."""
    ts = [as_tensor(t) for t in _dims_arg(tensors)]
    xp = get_array_module(*[t._data for t in ts])
    try:
        shape = xp.broadcast_shapes(*[tuple(t.shape) for t in ts])
    except ValueError:
        raise OpError(f"broadcast_tensors(): shapes {[tuple(t.shape) for t in ts]} cannot be "
                      f"broadcast together") from None
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in ts)
