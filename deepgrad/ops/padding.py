"""``F.pad`` with PyTorch's four modes and negative (cropping) pads.

Every non-constant mode is one gather per padded dim: output position ``i`` in
``[-before, n + after)`` reads input index ``replicate: clip(i, 0, n-1)``, ``reflect: the
mirror without repeating the edge (period 2n - 2)``, ``circular: i mod n``, so the gradient
(scatter-add through ``getitem``) comes free, and a negative pad simply starts or stops inside.
"""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .shape import Pad, getitem

MODES = ("constant", "reflect", "replicate", "circular")


def _source(xp, n, before, after, mode):
    i = xp.arange(-before, n + after)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    if n == 1:
        return xp.zeros_like(i)
    m = i % (2 * n - 2)
    return xp.where(m < n, m, 2 * n - 2 - m)


def _check(x, pad, mode):
    k = len(pad) // 2
    if mode == "constant":
        if k > x.ndim:
            raise ValueError(f"pad: padding length {len(pad)} is too large for a "
                             f"{x.ndim}-D input (at most {2 * x.ndim})")
        return
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: mode {mode!r} pads the last 1, 2 or 3 dims of a (batched or unbatched) "
            f"input; got pad {tuple(pad)} for input shape {tuple(x.shape)}")
    for i in range(k):
        n, (b, a) = x.shape[x.ndim - 1 - i], pad[2 * i:2 * i + 2]
        if mode == "reflect" and (b >= n or a >= n):
            raise RuntimeError(f"pad: reflect padding {(b, a)} must be smaller than the input "
                               f"dim {x.ndim - 1 - i} of size {n} (input {tuple(x.shape)})")
        if mode == "circular" and (b > n or a > n):
            raise RuntimeError(f"pad: circular padding {(b, a)} must be at most the input dim "
                               f"{x.ndim - 1 - i} of size {n} (input {tuple(x.shape)})")
        if n + a + b <= 0:
            raise RuntimeError(f"pad: padding {(b, a)} leaves dim {x.ndim - 1 - i} of size {n} "
                               f"empty")


def pad(input: Tensor, pad, mode: str = "constant",  # noqa: A002
        value: float | None = None) -> Tensor:
    """Pad (or, with negative values, crop) the last ``len(pad) // 2`` dims.

    ``pad`` lists (before, after) pairs from the LAST dim backwards, as PyTorch's ``F.pad``:
    ``(left, right, top, bottom)`` pads W then H. Modes: 'constant' (``value``, default 0;
    any number of dims), 'reflect' (mirror without the edge), 'replicate' (repeat the edge),
    'circular' (wrap around what is left after negative pads crop); the last three pad the
    last 1-3 dims of (N, C, ...) or (C, ...).
    """
    pad = tuple(int(p) for p in pad)
    if mode not in MODES:
        raise NotImplementedError(f"pad: mode must be one of {MODES}, got {mode!r}")
    if len(pad) % 2:
        raise ValueError(f"pad: padding length must be even, got {pad}")
    if mode != "constant" and value:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
    _check(input, pad, mode)
    xp = get_array_module(input._data)
    dims = [(input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
    x = input
    if mode == "constant":
        if any(p < 0 for p in pad):  # crop first, then pad the positive sides
            index = [slice(None)] * x.ndim
            for d, b, a in dims:
                n = x.shape[d]
                if n + min(b, 0) + min(a, 0) < 0:
                    raise RuntimeError(f"pad: negative padding {(b, a)} is larger than dim {d} "
                                       f"of size {n}")
                index[d] = slice(-min(b, 0), n + min(a, 0))
            x = getitem(x, tuple(index))
        widths = [(0, 0)] * x.ndim
        for d, b, a in dims:
            widths[d] = (max(b, 0), max(a, 0))
        if any(w != (0, 0) for w in widths):
            x = Pad(tuple(widths), 0.0 if value is None else value).apply(x)
        return x
    for d, b, a in dims:
        if mode == "circular" and min(b, a) < 0:  # PyTorch crops first, then wraps the rest
            x = getitem(x, (slice(None),) * d + (slice(-min(b, 0), x.shape[d] + min(a, 0)),))
            b, a = max(b, 0), max(a, 0)
        index = (slice(None),) * d + (_source(xp, x.shape[d], b, a, mode),)
        x = getitem(x, index)
    return x
