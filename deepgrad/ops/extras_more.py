"""as_strided (as an index map, so always safe), put, index_reduce, renorm, vander."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, normalize_dim
from .registry import register
from .shape import getitem, reshape


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


@register("shape")
def as_strided(input, size, stride, storage_offset: int = 0) -> Tensor:  # noqa: A002
    """The elements at ``storage_offset + sum_k i_k stride_k`` of the flattened (contiguous)
    input, arranged in ``size``. Built as an index map, not a memory view: it cannot read
    outside the tensor, and overlapping windows get their gradients summed."""
    x = as_tensor(input)
    xp = get_array_module(x._data)
    flat_index = xp.full(tuple(size), storage_offset, dtype="int64")
    for k, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[k] = n
        flat_index = flat_index + xp.arange(n).reshape(shape) * s
    if flat_index.size and (flat_index.max() >= x._data.size or flat_index.min() < 0):
        raise RuntimeError(f"as_strided(): size {tuple(size)}, stride {tuple(stride)} and offset "
                           f"{storage_offset} reach outside a tensor of {x._data.size} elements")
    return getitem(reshape(x, (-1,)), flat_index)


@register("indexing")
def put(input, index, source, accumulate: bool = False) -> Tensor:  # noqa: A002
    """``input`` with its flattened elements at ``index`` set to (or increased by) ``source``."""
    from .setitem import index_put

    x = as_tensor(input)
    idx = index._data if isinstance(index, Tensor) else index
    src = as_tensor(source, x)
    flat = index_put(reshape(x, (-1,)), (idx.reshape(-1),), reshape(src, (-1,)), accumulate)
    return reshape(flat, x.shape)


@register("indexing")
def index_reduce(input, dim: int, index, source, reduce: str, *,  # noqa: A002
                 include_self: bool = True) -> Tensor:
    """Reduce the slices of ``source`` into the slices ``index`` of ``input`` along ``dim``
    with 'prod', 'mean', 'amax' or 'amin' (``scatter_reduce`` with the index broadcast)."""
    from .indexing import scatter_reduce

    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): reduce must be one of prod, mean, amax, amin, got "
                           f"{reduce!r}")
    x = as_tensor(input)
    src = as_tensor(source, x)
    d = normalize_dim(dim, x.ndim, "index_reduce")
    xp = get_array_module(x._data)
    idx = (index._data if isinstance(index, Tensor) else xp.asarray(index)).reshape(-1)
    shape = [1] * src.ndim
    shape[d] = idx.size
    full = xp.broadcast_to(idx.reshape(shape), src.shape)
    return scatter_reduce(x, d, full, src, reduce, include_self=include_self)


@register("reduction")
def renorm(input, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to it."""
    from .arithmetic import where
    from .linalg_norms import vector_norm

    x = as_tensor(input)
    d = normalize_dim(dim, x.ndim, "renorm")
    others = tuple(k for k in range(x.ndim) if k != d)
    norms = vector_norm(x, p, others, keepdim=True)
    scale = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return x * scale


@register("creation", method=False)
def vander(x, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix: columns ``x^(N-1) ... x^0`` (ascending when ``increasing``)."""
    from .arithmetic import pow as tpow

    x = as_tensor(x)
    n = x.shape[0] if N is None else N
    xp = get_array_module(x._data)
    powers = xp.arange(n) if increasing else xp.arange(n)[::-1].copy()
    return tpow(x.unsqueeze(-1), _const(powers.astype(x.dtype)))
