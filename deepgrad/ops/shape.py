"""Shape ops: reshape, transpose/permute, squeeze/unsqueeze, flatten, expand, getitem, cat, stack,
split/chunk, pad."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, as_tensor, normalize_dim


class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise OpError(f"reshape: cannot reshape a tensor of shape {x.shape} "
                             f"({x.size} elements) into shape {self.shape}") from None

    def backward(self, gy):
        return gy.reshape(self.in_shape)


class Permute(Function):
    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        inverse = [0] * len(self.axes)
        for i, a in enumerate(self.axes):
            inverse[a] = i
        return gy.transpose(inverse)


class Expand(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        try:
            return get_array_module(x).broadcast_to(x, self.shape)
        except ValueError:
            raise OpError(f"expand: cannot expand shape {x.shape} to {self.shape}") from None

    def backward(self, gy):
        return gy  # the engine's unbroadcast sums over the expanded axes


class GetItem(Function):
    """``x[index]`` for basic and integer-array indices; repeated indices accumulate."""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        try:
            return x[self.index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {x.shape})") from None

    def backward(self, gy):
        xp = get_array_module(gy)
        gx = xp.zeros(self.shape, gy.dtype)
        if _is_basic(self.index):
            gx[self.index] = gy
        else:
            xp.add.at(gx, self.index, gy)
        return gx


def _is_basic(index) -> bool:
    """True if ``index`` uses only ints, slices, None and Ellipsis (no repeated elements)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, slice)) or i is None or i is Ellipsis for i in items)


class Concat(Function):
    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        self.sizes = [x.shape[self.dim] for x in xs]
        try:
            return get_array_module(xs[0]).concatenate(xs, axis=self.dim)
        except ValueError:
            raise OpError(f"cat: shapes {[x.shape for x in xs]} differ outside dim "
                             f"{self.dim}") from None

    def backward(self, gy):
        xp = get_array_module(gy)
        bounds = list(_cumsum(self.sizes))[:-1]
        return tuple(xp.split(gy, bounds, axis=self.dim))


class Stack(Function):
    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        shapes = {x.shape for x in xs}
        if len(shapes) > 1:
            raise OpError(f"stack: all tensors must have the same shape, got "
                             f"{[x.shape for x in xs]}")
        return get_array_module(xs[0]).stack(xs, axis=self.dim)

    def backward(self, gy):
        xp = get_array_module(gy)
        return tuple(xp.moveaxis(gy, self.dim, 0))


class Split(Function):
    def __init__(self, sizes, dim):
        self.sizes, self.dim = sizes, dim
        self.n_out = len(sizes)

    def forward(self, x):
        self.shape = x.shape
        bounds = list(_cumsum(self.sizes))[:-1]
        parts = tuple(get_array_module(x).split(x, bounds, axis=self.dim))
        return parts if len(parts) > 1 else parts[0]

    def backward(self, *gys):
        return get_array_module(gys[0]).concatenate(gys, axis=self.dim)


class Pad(Function):
    """Constant padding; ``widths`` is NumPy's ((before, after), ...) per dim."""

    def __init__(self, widths, value):
        self.widths, self.value = widths, value

    def forward(self, x):
        return get_array_module(x).pad(x, self.widths, constant_values=self.value)

    def backward(self, gy):
        index = tuple(slice(b, gy.shape[i] - a) for i, (b, a) in enumerate(self.widths))
        return gy[index]


def _cumsum(sizes):
    total = 0
    for s in sizes:
        total += s
        yield total


def _shape_arg(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) \
        else tuple(shape)


# ---- wrappers --------------------------------------------------------------------------------
def reshape(x: Tensor, *shape) -> Tensor:
    """Same data, new shape (one dim may be -1)."""
    shape = _shape_arg(shape)
    if shape == x.shape:
        return x
    return Reshape(shape).apply(x)


view = reshape


def permute(x: Tensor, *dims) -> Tensor:
    """Reorder dims: ``x.permute(0, 2, 1)``."""
    dims = _shape_arg(dims)
    if sorted(normalize_dim(d, x.ndim, "permute") for d in dims) != list(range(x.ndim)):
        raise OpError(f"permute: dims {dims} are not a permutation of {x.ndim} dims")
    return Permute(tuple(normalize_dim(d, x.ndim, "permute") for d in dims)).apply(x)


def transpose(x: Tensor, dim0: int = 0, dim1: int = 1) -> Tensor:
    """Swap two dims."""
    axes = list(range(x.ndim))
    d0, d1 = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return Permute(tuple(axes)).apply(x)


def t(x: Tensor) -> Tensor:
    """Transpose of a tensor of at most 2 dims (``x.T`` reverses all dims)."""
    if x.ndim > 2:
        raise OpError(f"t: expects a tensor of at most 2 dims, got shape {x.shape}")
    return x if x.ndim < 2 else transpose(x, 0, 1)


def squeeze(x: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims (all, or those of ``dim``, an int or a tuple, that have size 1)."""
    if isinstance(dim, (tuple, list)):
        drop = {normalize_dim(d, x.ndim, "squeeze") for d in dim}
        return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in drop and s == 1)))
    if dim is None:
        return reshape(x, tuple(s for s in x.shape if s != 1))
    d = normalize_dim(dim, x.ndim, "squeeze")
    if x.shape[d] != 1:
        return x
    return reshape(x, x.shape[:d] + x.shape[d + 1:])


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim``."""
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    if x.ndim == 0:
        return reshape(x, (1,))
    s = normalize_dim(start_dim, x.ndim, "flatten")
    e = normalize_dim(end_dim, x.ndim, "flatten")
    return reshape(x, x.shape[:s] + (-1,) + x.shape[e + 1:])


def expand(x: Tensor, *shape) -> Tensor:
    """Broadcast to ``shape`` without copying; -1 keeps a dim."""
    shape = _shape_arg(shape)
    lead = len(shape) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    return Expand(shape).apply(x)


def broadcast_to(x: Tensor, shape) -> Tensor:
    return expand(x, tuple(shape))


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]``: ints, slices, None, Ellipsis, integer arrays/Tensors and boolean masks."""
    if isinstance(index, Tensor):
        index = index._data
    elif isinstance(index, tuple):
        index = tuple(i._data if isinstance(i, Tensor) else i for i in index)
    elif isinstance(index, list):
        index = get_array_module(x._data).asarray(index)
    return GetItem(index).apply(x)


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise OpError("cat: expects a non-empty sequence of tensors")
    if any(t.ndim == 0 for t in tensors):
        raise OpError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    d = normalize_dim(dim, tensors[0].ndim, "cat")
    return Concat(d).apply(*tensors)


concat = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise OpError("stack: expects a non-empty sequence of tensors")
    d = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return Stack(d).apply(*tensors)


def split(x: Tensor, split_size_or_sections, dim: int = 0):
    """Split into chunks of ``split_size`` (last may be smaller) or of the given sizes."""
    d = normalize_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise OpError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise OpError(f"split: sizes {sizes} do not sum to dim {d} of size {n}")
    out = Split(sizes, d).apply(x)
    return out if isinstance(out, tuple) else (out,)


def chunk(x: Tensor, chunks: int, dim: int = 0):
    """Split into ``chunks`` nearly equal pieces (as PyTorch: ceil-sized chunks)."""
    if chunks <= 0:
        raise OpError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    return split(x, max(-(-n // chunks), 1), dim)


def pad(x: Tensor, pad, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant. ``pad`` lists (before, after) pairs from the LAST dim backwards,
    as PyTorch's ``F.pad``: ``(left, right, top, bottom)`` pads W then H."""
    if mode != "constant":
        raise OpError(f"pad: only mode='constant' is supported, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise OpError(f"pad: pad {tuple(pad)} must have an even length of at most "
                         f"2 * ndim = {2 * x.ndim}")
    if any(p < 0 for p in pad):
        raise OpError(f"pad: negative padding {tuple(pad)} is not supported")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return Pad(tuple(widths), value).apply(x)
