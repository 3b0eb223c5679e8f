"""The device registry: device type -> array module (and its random generators), device objects.

``"cpu"`` is NumPy and always present. Any NumPy-compatible module whose arrays know their
device the way CuPy's do (``a.device.id``; ``module.cuda.Device(i)`` as the allocation context;
``module.cuda.runtime.getDeviceCount()``; ``module.random.RandomState``) can be registered under a
type name with ``register_device``; ``"cuda"`` registers itself from CuPy on first use
(``cuda.py``), and the test suite registers a strict NumPy-backed stand-in the same way.
"""
from __future__ import annotations

from contextlib import nullcontext

import numpy

_HOST_TYPES = (numpy.ndarray, numpy.generic)


class device:  # noqa: N801  (PyTorch's name: dg.device("cuda:1"))
    """Where a tensor's array lives: ``device("cpu")``, ``device("cuda")``, ``device("cuda:1")``,
    ``device("cuda", 1)``.

    Attributes:
        type: the device type ("cpu", "cuda", or a registered name).
        index: the device ordinal, or None (the current device of that type).

    Two devices are equal when type and index are. A string compares through its parsed form,
    except that a string without an index ("cuda") equals every index of its type, so
    ``t.device == "cuda"`` reads as it sounds.
    """

    __slots__ = ("type", "index")

    def __init__(self, type: "str | device", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index cannot follow a device object")
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device, got {type!r}")
        name, sep, idx = type.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(f"device(): type (string) must not include an index because "
                                   f"index was passed explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(idx)
        if name not in known_types():
            raise RuntimeError(f"Expected one of {', '.join(known_types())} device type at start "
                               f"of device string: {type}")
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                raise RuntimeError(f"Device index must not be negative, got {index!r}")
            if name == "cpu" and index != 0:
                raise RuntimeError(f"CPU device index must be -1 or zero, got {index}")
        self.type, self.index = name, index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{extra})"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            try:
                other_dev = device(other)
            except RuntimeError:
                return False
            if other_dev.index is None:
                return self.type == other_dev.type
            other = other_dev
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


class DeviceType:
    """One registered device type: its array module, array class and random generators."""

    def __init__(self, name: str, module) -> None:
        self.name, self.module = name, module
        self.array_type = module.ndarray
        self.generators: dict = {}
        self.seeds: dict = {}  # index -> seed set by manual_seed (None key: all indices)

    def count(self) -> int:
        cuda = getattr(self.module, "cuda", None)
        return cuda.runtime.getDeviceCount() if cuda is not None else 1

    def current_index(self) -> int:
        cuda = getattr(self.module, "cuda", None)
        return cuda.Device().id if cuda is not None else 0

    def index_of(self, array) -> int:
        dev = getattr(array, "device", None)
        return getattr(dev, "id", 0)

    def context(self, index: int | None):
        """The allocation context for device ``index`` (arrays made inside live there)."""
        cuda = getattr(self.module, "cuda", None)
        return nullcontext() if cuda is None or index is None else cuda.Device(index)


_REGISTRY: dict[str, DeviceType] = {}
_LOADERS: dict = {}  # type name -> callable registering it on first use (e.g. CuPy for "cuda")
# Array classes of the registered non-CPU types; empty on a CPU-only run, which keeps
# get_array_module at a single global lookup there.
_DEVICE_ARRAY_TYPES: tuple = ()
_MODULE_OF: dict = {}


def known_types() -> list:
    return ["cpu"] + sorted(set(_REGISTRY) | set(_LOADERS))


def _refresh() -> None:
    global _DEVICE_ARRAY_TYPES
    _DEVICE_ARRAY_TYPES = tuple(e.array_type for e in _REGISTRY.values())
    _MODULE_OF.clear()
    _MODULE_OF.update({e.array_type: e.module for e in _REGISTRY.values()})


def register_device(type_name: str, array_module) -> None:
    """Register ``array_module`` (NumPy-compatible, CuPy-shaped) as device type ``type_name``.

    Tensors whose arrays are ``array_module.ndarray`` then report that device, ``.to(type_name)``
    copies onto it, and every op runs on it through ``get_array_module``. Re-registering a name
    replaces the module (its generators restart from the last seed).
    """
    if type_name == "cpu":
        raise ValueError("register_device: 'cpu' is NumPy and cannot be replaced")
    _REGISTRY[type_name] = DeviceType(type_name, array_module)
    _refresh()


def unregister_device(type_name: str) -> None:
    """Remove a registered device type (a no-op when it is not registered)."""
    _REGISTRY.pop(type_name, None)
    _refresh()


def add_loader(type_name: str, loader) -> None:
    """Register ``type_name`` lazily: ``loader()`` runs (once) the first time it is needed."""
    _LOADERS[type_name] = loader


def device_type(type_name: str) -> DeviceType:
    """The registered entry of ``type_name``, loading it on first use; RuntimeError if absent."""
    entry = _REGISTRY.get(type_name)
    if entry is None and type_name in _LOADERS:
        reason = _LOADERS[type_name]()  # registers itself, or returns why it could not
        entry = _REGISTRY.get(type_name)
        if entry is None:
            raise RuntimeError(f"device {type_name!r} is not available: {reason}")
    if entry is None:
        raise RuntimeError(f"device {type_name!r} is not available: no array module is "
                           f"registered for it (deepgrad.backend.register_device)")
    return entry


def is_registered(type_name: str) -> bool:
    return type_name in _REGISTRY


def get_array_module(*arrays):
    """The array module (``numpy``, ``cupy``, or a registered one) that owns the given arrays."""
    if _DEVICE_ARRAY_TYPES:
        for a in arrays:
            if isinstance(a, _DEVICE_ARRAY_TYPES):
                return _MODULE_OF.get(type(a)) or _module_by_isinstance(a)
    return numpy


def _module_by_isinstance(a):
    for entry in _REGISTRY.values():
        if isinstance(a, entry.array_type):
            return entry.module
    return numpy  # pragma: no cover - only reached for a type removed meanwhile


def entry_of(array) -> DeviceType | None:
    """The registered type owning ``array``, or None for a host (NumPy) array or a scalar."""
    if isinstance(array, _HOST_TYPES) or not _DEVICE_ARRAY_TYPES:
        return None
    for entry in _REGISTRY.values():
        if isinstance(array, entry.array_type):
            return entry
    return None


def device_of(array) -> device:
    """The device an array lives on (``device('cpu')`` for NumPy arrays and host scalars)."""
    entry = entry_of(array)
    if entry is None:
        return CPU
    return device(entry.name, entry.index_of(array))


_DEFAULT: list = [None]  # the factories' device when none is given (None: the CPU)


def set_default_device(dev) -> None:
    """Make factories (``dg.zeros``, ``dg.tensor``...) create on ``dev`` by default (None: CPU)."""
    _DEFAULT[0] = None if dev is None or as_device(dev) == CPU else as_device(dev)


def get_default_device() -> device:
    """The device factories use when given none (PyTorch's ``get_default_device``)."""
    return _DEFAULT[0] or CPU


def default_device():
    """The default device, or None for the CPU (the factories' fast path)."""
    return _DEFAULT[0]


def as_device(dev) -> device:
    """A device object from a device, a string ("cuda:1") or an int (a CUDA ordinal, as torch)."""
    if isinstance(dev, device):
        return dev
    if isinstance(dev, int) and not isinstance(dev, bool):
        return device("cuda", dev)
    return device(dev)


def resolve(dev) -> tuple:
    """``(device with its index filled in, DeviceType or None for the CPU)``; checks the index."""
    dev = as_device(dev)
    if dev.type == "cpu":
        return CPU, None
    entry = device_type(dev.type)
    index = entry.current_index() if dev.index is None else dev.index
    n = entry.count()
    if index >= n:
        raise RuntimeError(f"device {dev.type}:{index} is out of range: {n} {dev.type} "
                           f"device(s) available")
    return device(dev.type, index), entry


def module_for(dev):
    """The array module of a device (``numpy`` for the CPU)."""
    _, entry = resolve(dev)
    return numpy if entry is None else entry.module


def empty_on(dev, fn_name: str, *args, **kwargs):
    """``xp.<fn_name>(*args, **kwargs)`` on device ``dev`` (e.g. ``"zeros"``, shape, dtype)."""
    dev, entry = resolve(dev)
    if entry is None:
        return getattr(numpy, fn_name)(*args, **kwargs)
    with entry.context(dev.index):
        return getattr(entry.module, fn_name)(*args, **kwargs)


def to_device(array, dev):
    """``array`` on device ``dev``: the same object when it is already there, else a copy."""
    dev, entry = resolve(dev)
    src = entry_of(array)
    if entry is None:
        return array if src is None else array.get()
    if src is entry and src.index_of(array) == dev.index:
        return array
    if src is not None and src is not entry:
        array = array.get()  # between two device types: through the host
    with entry.context(dev.index):
        return entry.module.array(array, copy=True)


#: the host device (NumPy)
CPU = device("cpu")
