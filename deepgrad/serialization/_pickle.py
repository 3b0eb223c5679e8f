"""Whole objects (a Module, anything pickle can hold) and the allow-list that guards loading.

``save`` pickles an object that the safe tree format cannot hold, but takes every Tensor,
Parameter, NumPy array and NumPy scalar out of the pickle into the safetensors container (a
persistent id names it), so weights never travel inside pickle bytes. Loading is weights-only by
default, as in PyTorch >= 2.6: the unpickler resolves only globals on an allow-list (a few
builtins, ``collections.OrderedDict``, and what ``add_safe_globals``/``safe_globals`` added),
and any other class or function is refused before it could run. ``weights_only=False`` resolves
every global: it runs whatever code the file names, so use it only for files you trust.
"""
from __future__ import annotations

import collections
import contextlib
import io
import pickle
import pickletools

import numpy

from ..autograd.tensor import Tensor
from ._errors import CheckpointError, UnpicklingError

PROTOCOL = 4
DEFAULT_SAFE = {f"{o.__module__}.{o.__qualname__}": o for o in
                (collections.OrderedDict, set, frozenset, complex, slice)}
_user_safe: dict = {}


def _qualname(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals) -> None:
    """Allow these classes/functions in weights-only loads, for the rest of the process.

    Args:
        safe_globals: a list of objects (classes, functions), or of ``(object, "module.name")``
            pairs for an object pickled under another name.
    """
    for item in safe_globals:
        obj, name = item if isinstance(item, tuple) else (item, None)
        _user_safe[name or _qualname(obj)] = obj


def get_safe_globals() -> list:
    """The objects that ``add_safe_globals``/``safe_globals`` allowed (not the defaults)."""
    return list(_user_safe.values())


def clear_safe_globals() -> None:
    """Forget every global that ``add_safe_globals`` allowed."""
    _user_safe.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Allow these globals in weights-only loads inside a ``with`` block only."""
    before = dict(_user_safe)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe.clear()
        _user_safe.update(before)


def allowed(name: str):
    return _user_safe.get(name, DEFAULT_SAFE.get(name))


class Pickler(pickle.Pickler):
    """Pickles an object, moving arrays and tensors into ``tensors`` by persistent id."""

    def __init__(self, file, tensors: dict) -> None:
        super().__init__(file, protocol=PROTOCOL)
        self.tensors = tensors
        self._ids: dict = {}
        self._keep: list = []  # keeps saved objects alive so that their id() stays unique

    def persistent_id(self, obj):
        if isinstance(obj, Tensor):
            from ..nn.module import Parameter

            kind, arr, grad = ("parameter" if isinstance(obj, Parameter) else "tensor",
                               obj.cpu().numpy(), bool(obj.requires_grad))
        elif type(obj) is numpy.ndarray and obj.dtype.kind in "biuf":
            kind, arr, grad = "ndarray", obj, False
        elif isinstance(obj, numpy.generic) and obj.dtype.kind in "biuf":
            kind, arr, grad = "scalar", numpy.asarray(obj), False
        else:
            return None
        pid = self._ids.get(id(obj))
        if pid is None:  # shared objects (tied weights) stay shared after loading
            name = f"t{len(self.tensors)}"
            self.tensors[name] = arr
            pid = self._ids[id(obj)] = ("deepgrad", kind, name, grad)
            self._keep.append(obj)
        return pid


def dumps(obj, tensors: dict) -> numpy.ndarray:
    """Pickle ``obj`` (arrays go to ``tensors``); the pickle bytes as a uint8 array."""
    buf = io.BytesIO()
    Pickler(buf, tensors).dump(obj)
    return numpy.frombuffer(buf.getvalue(), dtype=numpy.uint8)


def rebuild(pid, tensors: dict, where: str, to_device=None):
    """A persistent id written by ``Pickler`` -> the Tensor, Parameter, array or scalar."""
    if not (isinstance(pid, tuple) and len(pid) == 4 and pid[0] == "deepgrad"
            and pid[1] in ("parameter", "tensor", "ndarray", "scalar")
            and isinstance(pid[2], str) and pid[2] in tensors):
        raise UnpicklingError(f"{where}: unknown persistent id {str(pid)[:100]} "
                              "(corrupted or crafted file)")
    kind, arr = pid[1], tensors[pid[2]]
    if kind == "ndarray":
        return arr
    if kind == "scalar":
        return arr[()]
    from ..nn.module import Parameter

    t = (Parameter if kind == "parameter" else Tensor)(arr, requires_grad=bool(pid[3]))
    return to_device(t) if to_device is not None else t


def unsafe_globals(data: bytes, is_safe) -> list[str]:
    """``module.name`` of every global a pickle references that ``is_safe`` refuses, read from
    its opcodes without executing anything."""
    found, values, memo = [], [], {}
    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name in ("GLOBAL", "INST"):
                found.append(arg.replace(" ", "."))
            elif op.name == "STACK_GLOBAL":
                mod, name = (values[-2:] + [None, None])[:2] if len(values) >= 2 else (None, None)
                found.append(f"{mod}.{name}" if isinstance(mod, str) and isinstance(name, str)
                             else "<unknown STACK_GLOBAL>")
            elif op.name == "MEMOIZE":
                memo[len(memo)] = values[-1] if values else None
            elif op.name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = values[-1] if values else None
            elif op.name in ("GET", "BINGET", "LONG_BINGET"):
                values.append(memo.get(arg))
            elif "UNICODE" in op.name or op.name.endswith("STRING"):
                values.append(arg)
            elif op.stack_after:
                values.append(None)
    except (ValueError, TypeError, EOFError):
        found.append("<unreadable pickle>")
    out = []
    for name in found:
        if name not in out and not is_safe(name):
            out.append(name)
    return out


def refusal(where: str, module: str, name: str, data: bytes, is_safe) -> UnpicklingError:
    """The weights-only error: what was refused, everything else the file needs, what to do."""
    others = unsafe_globals(data, is_safe)
    listing = ", ".join(others[:20]) + (" ..." if len(others) > 20 else "")
    return UnpicklingError(
        f"{where}: weights-only load refused the global {module}.{name} (loading it could run "
        f"code). The file needs these globals outside the allow-list: {listing}. A whole "
        "pickled Module or object loads only if you trust the file: either "
        "deepgrad.load(f, weights_only=False), which may run code, or allow exactly these "
        "classes with deepgrad.serialization.add_safe_globals([...]) (or the "
        "deepgrad.serialization.safe_globals([...]) context manager). Safer: save "
        "model.state_dict(), then build the model in code and call "
        "model.load_state_dict(deepgrad.load(f)).")


class SafeUnpickler(pickle.Unpickler):
    """Resolves only allow-listed globals; tensors come from the safetensors container."""

    def __init__(self, data: bytes, tensors: dict, where: str, to_device=None) -> None:
        super().__init__(io.BytesIO(data))
        self.data, self.tensors, self.where, self.to_device = data, tensors, where, to_device
        self._rebuilt: dict = {}

    def find_class(self, module: str, name: str):
        obj = allowed(f"{module}.{name}")
        if obj is None:
            raise refusal(self.where, module, name, self.data, lambda n: allowed(n) is not None)
        return obj

    def persistent_load(self, pid):
        # one object per id: a Parameter is referenced from _parameters and __dict__, and tied
        # weights from two modules; all must stay the same object
        key = pid[2] if isinstance(pid, tuple) and len(pid) == 4 else None
        if key not in self._rebuilt or key is None:
            obj = rebuild(pid, self.tensors, self.where, self.to_device)
            if key is None:
                return obj
            self._rebuilt[key] = obj
        return self._rebuilt[key]


class TrustingUnpickler(SafeUnpickler):
    """``weights_only=False``: any global resolves (the file may run code)."""

    def find_class(self, module: str, name: str):
        try:
            return pickle.Unpickler.find_class(self, module, name)
        except (AttributeError, ImportError) as e:
            raise CheckpointError(
                f"{self.where}: the file pickles {module}.{name}, which cannot be imported "
                f"here ({e}); import or define it (for a class defined in a script's "
                "__main__, define it in the loading script too) before loading") from None


def loads(data: bytes, tensors: dict, where: str, weights_only: bool, to_device=None):
    """Unpickle what ``dumps`` wrote; weights-only unless told otherwise."""
    cls = SafeUnpickler if weights_only else TrustingUnpickler
    try:
        return cls(data, tensors, where, to_device).load()
    except CheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError,
            AttributeError, RecursionError) as e:
        raise UnpicklingError(f"{where}: the pickled object cannot be rebuilt "
                              f"({type(e).__name__}: {e})") from None
