"""The fake device's arrays: ``ndarray`` wrappers over NumPy with CuPy's rules (see fake_device)."""
from __future__ import annotations

import numpy

DEVICE_COUNT = 2
SYNCS = [0]
_CURRENT = [0]


class Device:
    """``cupy.cuda.Device``: an ordinal and a context that makes it the current device."""

    def __init__(self, device=None) -> None:
        self.id = _CURRENT[0] if device is None else int(device)
        if not 0 <= self.id < DEVICE_COUNT:
            raise ValueError(f"fake cuda: invalid device ordinal {self.id}")
        self._saved = []

    def use(self) -> None:
        _CURRENT[0] = self.id

    def __enter__(self):
        self._saved.append(_CURRENT[0])
        _CURRENT[0] = self.id
        return self

    def __exit__(self, *exc):
        _CURRENT[0] = self._saved.pop()

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"<FakeCUDA Device {self.id}>"


def _unwrap(v, where: str, devs: set):
    t = type(v)
    if t is ndarray:
        devs.add(v._dev)
        return v._a
    if isinstance(v, numpy.ndarray):
        raise TypeError(f"fake cuda: a host numpy.ndarray (shape {v.shape}, {v.dtype}) was "
                        f"mixed into device code ({where}); move it with xp.asarray first")
    if t is list or t is tuple:
        return t(_unwrap(x, where, devs) for x in v)
    if t is dict:
        return {k: _unwrap(x, where, devs) for k, x in v.items()}
    if t is slice:
        return slice(*(_unwrap(x, where, devs) for x in (v.start, v.stop, v.step)))
    return v


def _wrap(r, dev: int):
    if isinstance(r, numpy.ndarray):
        return ndarray(r, dev)
    if isinstance(r, numpy.generic):  # CuPy returns 0-d device arrays, not host scalars
        return ndarray(numpy.asarray(r), dev)
    if isinstance(r, list):
        return [_wrap(x, dev) for x in r]
    if isinstance(r, tuple):  # NumPy's named results (QRResult...) become plain tuples
        return tuple(_wrap(x, dev) for x in r)
    return r


def _call(fn, where: str, args, kwargs):
    devs: set = set()
    a = _unwrap(args, where, devs)
    k = _unwrap(kwargs, where, devs)
    if len(devs) > 1:
        raise ValueError(f"fake cuda: arrays on devices {sorted(devs)} mixed in {where}")
    dev = devs.pop() if devs else _CURRENT[0]
    return _wrap(fn(*a, **k), dev)


class _Ufunc:
    """A NumPy ufunc under the device rules (``__call__``, ``at``, ``reduce``, ``outer``...)."""

    def __init__(self, uf) -> None:
        self.uf, self.__name__ = uf, uf.__name__

    def __call__(self, *args, **kwargs):
        return _call(self.uf, self.__name__, args, kwargs)

    def __getattr__(self, name):
        method = getattr(self.uf, name)
        if not callable(method):
            return method
        return lambda *a, **k: _call(method, f"{self.__name__}.{name}", a, k)


def _sync():
    SYNCS[0] += 1


class ndarray:  # noqa: N801  (cupy.ndarray's name)
    """A device array: a NumPy array (``_a``) on fake device ``_dev``."""

    __slots__ = ("_a", "_dev")
    __hash__ = None

    def __init__(self, a, dev: int = 0) -> None:
        self._a, self._dev = a, dev

    # ---- CuPy's boundary ------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        return _call(fn, ufunc.__name__, inputs, kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        raise TypeError(f"fake cuda: numpy.{func.__name__} called on a device array; use the "
                        f"array module from get_array_module")

    def get(self, stream=None, order="C", out=None):
        _sync()
        return self._a.copy()

    @property
    def device(self) -> Device:
        return Device(self._dev)

    def item(self):
        _sync()
        return self._a.item()

    def tolist(self):
        _sync()
        return self._a.tolist()

    def __float__(self):
        _sync()
        return float(self._a)

    def __int__(self):
        _sync()
        return int(self._a)

    def __bool__(self):
        _sync()
        return bool(self._a)

    def __index__(self):
        _sync()
        return self._a.__index__()

    def __repr__(self) -> str:
        return f"fake_cuda_array({self._a!r}, device={self._dev})"

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self):
        for i in range(len(self._a)):
            yield ndarray(self._a[i], self._dev)

    def __getitem__(self, key):
        return _call(self._a.__getitem__, "indexing", (key,), {})

    def __setitem__(self, key, value):
        _call(self._a.__setitem__, "item assignment", (key, value), {})

    def __getattr__(self, name):
        if name.startswith("_") or name in ("data", "ctypes", "tofile", "dump", "dumps",
                                            "setflags", "base"):
            raise AttributeError(f"fake cuda ndarray has no attribute {name!r}")
        attr = getattr(self._a, name)
        if callable(attr):
            return lambda *a, **k: _call(attr, f"ndarray.{name}", a, k)
        return _wrap(attr, self._dev)


def _binary(uf, reflected=False, inplace=False):
    u = _Ufunc(uf)
    if inplace:
        def method(self, other):
            u(self, other, out=self)
            return self
    elif reflected:
        def method(self, other):
            return u(other, self)
    else:
        def method(self, other):
            return u(self, other)
    return method


for _name, _uf in {"add": numpy.add, "sub": numpy.subtract, "mul": numpy.multiply,
                   "truediv": numpy.true_divide, "floordiv": numpy.floor_divide,
                   "mod": numpy.remainder, "pow": numpy.power, "matmul": numpy.matmul,
                   "and": numpy.bitwise_and, "or": numpy.bitwise_or,
                   "xor": numpy.bitwise_xor}.items():
    setattr(ndarray, f"__{_name}__", _binary(_uf))
    setattr(ndarray, f"__r{_name}__", _binary(_uf, reflected=True))
    setattr(ndarray, f"__i{_name}__", _binary(_uf, inplace=True))
for _name, _uf in {"lt": numpy.less, "le": numpy.less_equal, "gt": numpy.greater,
                   "ge": numpy.greater_equal, "eq": numpy.equal, "ne": numpy.not_equal}.items():
    setattr(ndarray, f"__{_name}__", _binary(_uf))
for _name, _uf in {"neg": numpy.negative, "pos": numpy.positive, "abs": numpy.absolute,
                   "invert": numpy.invert}.items():
    setattr(ndarray, f"__{_name}__", (lambda u: lambda self: u(self))(_Ufunc(_uf)))
