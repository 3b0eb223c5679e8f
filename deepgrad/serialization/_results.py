"""What ``load`` does to a loaded object: where its tensors go (``map_location``), and the
report of tensors it could not hold (an error) or had to widen (a warning)."""
from __future__ import annotations

import warnings

from ..autograd.tensor import Tensor
from ._errors import CheckpointError
from ._torch import Unsupported
from ._tree import MAX_DEPTH


def to_device_fn(map_location):
    """map_location -> None (keep on the CPU) or a function moving a Tensor."""
    loc = map_location
    if loc is None or callable(loc) and not isinstance(loc, type):
        return None  # a function of (storage, location): deepgrad storages live on the CPU
    if isinstance(loc, dict):
        return None
    name = str(loc)
    if name == "cpu" or name.startswith("cpu:"):
        return None
    return lambda t: t.to(name)


def _walk(obj, path: str, widened: dict, found: list, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(obj, Unsupported):
        found.append((path or "<root>", obj.dtype))
    elif isinstance(obj, Tensor) and id(obj) in widened:
        widened[id(obj)] = (path or "<root>", widened[id(obj)])
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _walk(v, f"{path}/{k}" if path else str(k), widened, found, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _walk(v, f"{path}/{i}" if path else str(i), widened, found, depth + 1)


def report(where: str, obj, widened: dict):
    found: list = []
    _walk(obj, "", widened, found)
    if found:
        name, dtype = found[0]
        raise CheckpointError(f"{where}: tensor {name!r} has dtype {dtype}, which deepgrad "
                              "cannot load (bool, integer, float16/32/64 and bfloat16 only)")
    names = [v for v in widened.values() if isinstance(v, tuple)]
    if names:
        warn_widened(where, {n: d for n, d in names})
    return obj


def warn_widened(where: str, widened: dict) -> None:
    listing = ", ".join(f"{n!r}" for n in list(widened)[:10])
    warnings.warn(f"{where}: {len(widened)} bfloat16 tensor(s) ({listing}"
                  f"{' ...' if len(widened) > 10 else ''}) loaded as float32 (NumPy has no "
                  "bfloat16; values are exact, memory doubles)", UserWarning, stacklevel=3)


def move(obj, to_device, depth: int = 0):
    if isinstance(obj, Tensor):
        return to_device(obj)
    if isinstance(obj, dict) and depth < MAX_DEPTH:
        return type(obj)((k, move(v, to_device, depth + 1)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)) and depth < MAX_DEPTH:
        return type(obj)(move(v, to_device, depth + 1) for v in obj)
    return obj
