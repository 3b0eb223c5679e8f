"""A strict stand-in for CuPy in tests: NumPy underneath, CuPy's rules (and a few more) on top.

Arrays are ``ndarray`` wrappers (not NumPy subclasses) that remember their fake device ordinal.
What CuPy refuses is refused here, so a host array leaking into device code fails a test:

* ``numpy.asarray(x)`` (any implicit conversion to NumPy) raises TypeError; ``x.get()`` copies.
* A ``numpy.ndarray`` (even 0-d) mixed into an operator, ufunc or module function raises
  TypeError; Python and NumPy scalars are accepted, as CuPy does. Only ``asarray``/``array``
  take host arrays (the explicit host-to-device copy).
* Arrays of two fake devices mixed in one call raise ValueError.
* Reductions and scalar indexing return 0-d device arrays; there is no ``setbufsize``,
  ``errstate`` or ``seterr``, and no ``.data`` buffer or ``__array_interface__``.
* Stricter than CuPy: ``numpy.<function>(x)`` on a device array raises (deepgrad must ask
  ``get_array_module`` for the module instead of calling NumPy).

``SYNCS`` counts device-to-host reads (``get``, ``item``, ``tolist``, ``float``/``int``/``bool``)
so that tests can assert a training loop does not synchronise on every step.
"""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager

import numpy
from fake_device_array import _CURRENT, DEVICE_COUNT, SYNCS, Device, _call, _Ufunc, _unwrap, ndarray

__all__ = ["DEVICE_COUNT", "SYNCS", "Device", "fake_cupy", "installed", "make_module", "ndarray"]

_HOST_OK = {"asarray", "array", "asanyarray"}
_MISSING = {"setbufsize", "getbufsize", "errstate", "seterr", "geterr", "seterrcall",
            "frombuffer", "fromfile", "genfromtxt", "loadtxt", "savetxt", "memmap"}
_PASS = {"dtype", "iinfo", "finfo", "result_type", "promote_types", "can_cast", "issubdtype",
         "newaxis", "pi", "e", "inf", "nan", "integer", "floating", "number", "bool_", "generic",
         "broadcast_shapes"}


class _Namespace(types.ModuleType):
    """A module whose callables are NumPy's (from ``source``) under the device rules."""

    def __init__(self, name: str, source) -> None:
        super().__init__(name)
        self._source = source

    def __getattr__(self, name):
        if name.startswith("__") or name in _MISSING:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        attr = getattr(self._source, name)
        if name in _PASS or isinstance(attr, (type, types.ModuleType)) or not callable(attr):
            if isinstance(attr, types.ModuleType):
                raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
            return attr
        if isinstance(attr, numpy.ufunc):
            return _Ufunc(attr)
        if name in _HOST_OK:
            return _creator(attr, name)
        return lambda *a, **k: _call(attr, name, a, k)


def _creator(fn, name: str):
    """``asarray``/``array``: the one door for host data; the result is on the current device."""

    def create(a, *args, **kwargs):
        devs: set = set()
        if isinstance(a, numpy.ndarray):
            inner = a.copy()  # an explicit host-to-device copy never aliases host memory
        else:
            inner = _unwrap(a, name, devs)
        out = numpy.asarray(fn(inner, *args, **kwargs))
        if devs and devs != {_CURRENT[0]} and numpy.shares_memory(out, inner):
            out = out.copy()  # from another device: a copy lands on the current one
        return ndarray(out, _CURRENT[0])

    return create


class RandomState:
    """``cupy.random.RandomState`` over NumPy's legacy generator; samples land on the device."""

    def __init__(self, seed=None) -> None:
        self._rs = numpy.random.RandomState(seed)

    def _out(self, a, dtype=None):
        a = numpy.asarray(a)
        return ndarray(a if dtype is None else a.astype(dtype), _CURRENT[0])

    def random_sample(self, size=None, dtype=float):
        return self._out(self._rs.random_sample(size), dtype)

    def standard_normal(self, size=None, dtype=float):
        return self._out(self._rs.standard_normal(size), dtype)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=float):
        return self._out(self._rs.uniform(low, high, size), dtype)

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=float):
        return self._out(self._rs.normal(loc, scale, size), dtype)

    def randint(self, low, high=None, size=None, dtype=int):
        return self._out(self._rs.randint(low, high, size), dtype)

    def permutation(self, n):
        return self._out(self._rs.permutation(n))


def make_module():
    """A fresh ``fake_cupy``: ``ndarray``, NumPy's functions, ``random``, ``cuda``, ``lib``."""
    mod = _Namespace("fake_cupy", numpy)
    mod.ndarray = ndarray
    mod.random = types.SimpleNamespace(RandomState=RandomState)
    runtime = types.SimpleNamespace(getDeviceCount=lambda: DEVICE_COUNT)
    mod.cuda = types.SimpleNamespace(Device=Device, runtime=runtime)
    mod.linalg = _Namespace("fake_cupy.linalg", numpy.linalg)
    stride_tricks = _Namespace("fake_cupy.lib.stride_tricks", numpy.lib.stride_tricks)
    mod.lib = types.SimpleNamespace(stride_tricks=stride_tricks)
    mod.get_array_module = lambda *a: mod
    return mod


fake_cupy = sys.modules.setdefault("fake_cupy", make_module())


@contextmanager
def installed(seed: int = 0):
    """Register ``fake_cupy`` as deepgrad's ``"cuda"`` for the block (restoring what was there)."""
    from deepgrad import backend

    previous = backend.devices._REGISTRY.get("cuda")
    backend.register_device("cuda", fake_cupy)
    backend.seed_device(backend.device_type("cuda"), seed)
    _CURRENT[0] = 0
    try:
        yield fake_cupy
    finally:
        backend.set_default_device(None)
        if previous is None:
            backend.unregister_device("cuda")
        else:
            backend.devices._REGISTRY["cuda"] = previous
            backend.devices._refresh()
