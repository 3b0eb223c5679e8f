"""Faster NumPy formulations of hot elementwise ops (same values as the plain expressions).

NumPy 2.4 runs ``maximum(x, 0)`` with a scalar operand about 2x slower than ``maximum`` of two
contiguous arrays (its SIMD loop wants two arrays), and ``gy * mask`` with a bool mask 1.1-1.3x
slower than a float mask. Measured on float32 activations of LeNet and cnn2 (this project's
2-core machine): ReLU forward 112 -> 53 us at 301k values, 595 -> 308 us at 1.6M.
"""
from __future__ import annotations

from ..backend import get_array_module

# Values per maximum() call: a zero block of this size stays in L1/L2 and is reused.
CHUNK = 1 << 15
_ZEROS: dict = {}


def _flat_in_memory_order(a):
    """A 1-D view of ``a`` in memory order, or None when ``a`` is not dense (has gaps)."""
    if a.flags.c_contiguous:
        return a.reshape(-1)
    order = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))
    t = a.transpose(order)
    return t.reshape(-1) if t.flags.c_contiguous else None


def relu(x):
    """``maximum(x, 0)`` (NaN stays NaN), in chunks against a cached zero block."""
    xp = get_array_module(x)
    if xp.__name__ != "numpy" or x.dtype.kind != "f" or x.size < 2 * CHUNK:
        return xp.maximum(x, 0)
    flat = _flat_in_memory_order(x)
    if flat is None:
        return xp.maximum(x, 0)
    out = xp.empty_like(x)  # same memory layout as x, so the same flat view works
    out_flat = _flat_in_memory_order(out)
    zeros = _ZEROS.get(x.dtype)
    if zeros is None:
        zeros = _ZEROS[x.dtype] = xp.zeros(CHUNK, x.dtype)
    for a in range(0, flat.size, CHUNK):
        b = min(a + CHUNK, flat.size)
        xp.maximum(flat[a:b], zeros[:b - a], out=out_flat[a:b])
    return out


def relu_backward(gy, y):
    """``gy * (y > 0)`` with the mask cast to gy's float type first (a float-float multiply)."""
    return gy * (y > 0).astype(gy.dtype)
