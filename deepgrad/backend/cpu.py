"""CPU-only speed settings: glibc malloc thresholds and NumPy's ufunc buffer (``long_runs``).

Nothing here runs for a GPU: ``long_runs`` is a no-op for any array module but NumPy, and the
malloc tuning only changes the host heap. ``DEEPGRAD_NO_MALLOC_TUNING=1`` in the environment
before ``import deepgrad`` leaves glibc's defaults alone.
"""
from __future__ import annotations

import ctypes
import os
import sys
from contextlib import contextmanager

import numpy

#: environment variable that turns the malloc tuning off ("1", "true" or "yes")
NO_MALLOC_TUNING_ENV = "DEEPGRAD_NO_MALLOC_TUNING"


def malloc_tuning_disabled() -> bool:
    """Whether the user asked, through the environment, to keep glibc's malloc defaults."""
    return os.environ.get(NO_MALLOC_TUNING_ENV, "").strip().lower() in ("1", "true", "yes")


def tune_malloc() -> bool:
    """Keep large temporaries in the heap instead of returning them to the OS after each op.

    glibc's default hands every freed block over 128 KiB back with munmap, so each op of a
    training step page-faults its output in again. Raising the thresholds once made CNN steps
    ~1.7x faster (measured on this project's CNN benchmarks) without raising peak RSS. Runs
    once, at ``import deepgrad``, on Linux with glibc, unless ``DEEPGRAD_NO_MALLOC_TUNING=1``.

    Returns:
        True when the thresholds were changed.
    """
    if malloc_tuning_disabled() or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
        # glibc refuses thresholds above 32 MiB on some builds; fall back to that cap.
        if not libc.mallopt(m_mmap_threshold, 1 << 30):
            libc.mallopt(m_mmap_threshold, 32 << 20)
        libc.mallopt(m_trim_threshold, 2**31 - 1)
        libc.mallopt(m_top_pad, 256 << 20)
    except (OSError, AttributeError):  # musl or another libc: keep its defaults
        return False
    return True


MALLOC_TUNED = tune_malloc()


# NumPy's ufunc buffer (elements) inside ``long_runs``. With the default of 8192, NumPy 2.4 copies
# strided operands whose contiguous runs are shorter than the buffer through it, so an add over
# runs of 448-2048 values ran 2-2.7x slower than with a 1024-value buffer; runs of 64 or fewer
# values are within 10% either way (measured on this project's machine, float32).
LONG_RUN_BUFSIZE = 1024


@contextmanager
def long_runs(xp):
    """Within this block, ufuncs over strided views of long contiguous runs skip the buffer copy.

    Scoped, not global: ``numpy.setbufsize`` is context-local, and other code keeps its setting.
    A no-op for array modules without a ufunc buffer (CuPy, any registered device).
    """
    if xp is not numpy:
        yield
        return
    old = numpy.setbufsize(LONG_RUN_BUFSIZE)
    try:
        yield
    finally:
        numpy.setbufsize(old)
