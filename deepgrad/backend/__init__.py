"""The device layer: which array module (NumPy, CuPy, a registered one) holds each array.

Everything that makes an array asks this package: ``get_array_module(*arrays)`` for the module
owning existing arrays, ``empty_on(device, "zeros", shape, dtype)`` and ``to_device`` for new
ones, ``device_generator(device)`` for random draws on a device. ``cpu.py`` holds the CPU-only
speed settings (malloc tuning at import, ``long_runs``), ``cuda.py`` the only ``import cupy``.
"""
from __future__ import annotations

import numpy

from . import cuda as _cuda  # noqa: F401  (registers the lazy "cuda" loader)
from .cpu import LONG_RUN_BUFSIZE, MALLOC_TUNED, NO_MALLOC_TUNING_ENV, long_runs
from .cuda import fused_kernels
from .devices import (
    CPU,
    DeviceType,
    as_device,
    default_device,
    device,
    device_of,
    device_type,
    empty_on,
    entry_of,
    get_array_module,
    get_default_device,
    is_registered,
    module_for,
    register_device,
    resolve,
    set_default_device,
    to_device,
    unregister_device,
)
from .generators import DeviceGenerator, device_generator, seed_all_devices, seed_device

xp = numpy
float32 = numpy.float32
float64 = numpy.float64
int64 = numpy.int64

__all__ = [
    "CPU", "DeviceGenerator", "DeviceType", "LONG_RUN_BUFSIZE", "MALLOC_TUNED",
    "NO_MALLOC_TUNING_ENV", "as_device", "default_device", "device", "device_generator",
    "device_of", "device_type", "empty_on", "entry_of", "float32", "float64", "fused_kernels",
    "get_array_module", "get_default_device", "int64", "is_registered", "long_runs",
    "module_for", "numpy", "register_device", "resolve", "seed_all_devices", "seed_device",
    "set_default_device", "to_device", "unregister_device", "xp",
]
