"""The array module behind every op: NumPy now, CuPy later (the only file that may import cupy)."""
from __future__ import annotations

import ctypes
import sys
from contextlib import contextmanager

import numpy

try:  # CuPy is optional; nothing else in the package imports it.
    import cupy  # type: ignore
except Exception:  # pragma: no cover - no GPU on the test machines
    cupy = None

xp = numpy
float32 = numpy.float32
float64 = numpy.float64
int64 = numpy.int64


def get_array_module(*arrays):
    """Return ``numpy`` or ``cupy``: the module that owns the given arrays (NumPy by default)."""
    if cupy is not None:
        for a in arrays:
            if isinstance(a, cupy.ndarray):
                return cupy
    return numpy


def _tune_malloc() -> None:
    """Keep large temporaries in the heap instead of returning them to the OS after each op.

    glibc's default hands every freed block over 128 KiB back with munmap, so each op of a
    training step page-faults its output in again. Raising the thresholds once made CNN steps
    ~1.7x faster (BENCHMARKS.md) without raising peak RSS.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
        # glibc refuses thresholds above 32 MiB on some builds; fall back to that cap.
        if not libc.mallopt(m_mmap_threshold, 1 << 30):
            libc.mallopt(m_mmap_threshold, 32 << 20)
        libc.mallopt(m_trim_threshold, 2**31 - 1)
        libc.mallopt(m_top_pad, 256 << 20)
    except (OSError, AttributeError):  # musl or another libc: keep its defaults
        pass


_tune_malloc()


# NumPy's ufunc buffer (elements) inside ``long_runs``. With the default of 8192, NumPy 2.4 copies
# strided operands whose contiguous runs are shorter than the buffer through it, so an add over
# runs of 448-2048 values ran 2-2.7x slower than with a 1024-value buffer; runs of 64 or fewer
# values are within 10% either way (measured on this project's machine, float32).
LONG_RUN_BUFSIZE = 1024


@contextmanager
def long_runs(xp):
    """Within this block, ufuncs over strided views of long contiguous runs skip the buffer copy.

    Scoped, not global: ``numpy.setbufsize`` is context-local, and other code keeps its setting.
    A no-op for array modules without a ufunc buffer (CuPy).
    """
    if xp is not numpy:
        yield
        return
    old = numpy.setbufsize(LONG_RUN_BUFSIZE)
    try:
        yield
    finally:
        numpy.setbufsize(old)
