"""Nested containers <-> a JSON skeleton plus named arrays, keeping every type on the way back.

Tags in the skeleton: ``{"__dict__": [[key, value], ...]}`` (str or int keys, order kept),
``{"__odict__": ...}`` (OrderedDict), ``{"__tuple__": [...]}``, plain lists, ``{"__float__":
"nan"}`` for non-finite floats, ``{"__tensor__": name}`` (NumPy array), ``{"__scalar__": name}``
(NumPy scalar, its dtype kept), ``{"__dgtensor__": name, "requires_grad": b}`` (deepgrad
Tensor), ``{"__parameter__": name, "requires_grad": b}`` (Parameter), and ``{"__pickle__":
name}`` for a whole object pickled into a uint8 tensor (see ``_pickle``).
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy

from ..autograd.tensor import Tensor
from ..backend import entry_of
from ._errors import CheckpointError
from ._format import RESERVED

# Deeper nesting is refused on save (it could not be read back: JSON and Python recursion
# limits) and on load (a crafted header must not end in a RecursionError).
MAX_DEPTH = 200
_TENSOR_TAGS = ("__tensor__", "__scalar__", "__dgtensor__", "__parameter__")


class NotATreeError(TypeError):
    """``obj`` holds something the safe format cannot represent (it can still be pickled)."""


class Encoder:
    """Walks an object, moving arrays into ``tensors`` and leaving a JSON-able skeleton."""

    def __init__(self) -> None:
        self.tensors: dict[str, numpy.ndarray] = {}

    def name(self, path: str) -> str:
        name, n = path or "tensor", 1
        while name in self.tensors or name == RESERVED:  # "a/b" keys may meet nested paths
            name, n = f"{path}#{n}", n + 1
        return name

    def array(self, arr: numpy.ndarray, path: str, tag: str = "__tensor__", **extra) -> dict:
        if arr.dtype.kind not in "biuf":
            raise NotATreeError(f"save: cannot store array at {path!r} of dtype {arr.dtype} "
                           "(only bool, integer and floating arrays)")
        name = self.name(path)
        self.tensors[name] = arr
        return {tag: name, **extra}

    def tensor(self, t: Tensor, path: str) -> dict:
        from ..nn.module import Parameter

        tag = "__parameter__" if isinstance(t, Parameter) else "__dgtensor__"
        if type(t) not in (Tensor, Parameter):
            raise NotATreeError(f"save: a {type(t).__name__} (a Tensor subclass) at {path!r}")
        return self.array(t.cpu().numpy(), path, tag, requires_grad=bool(t.requires_grad))

    def encode(self, obj, path: str = "", depth: int = 0):
        if depth > MAX_DEPTH:
            raise ValueError(f"save: the object is nested deeper than {MAX_DEPTH} levels at "
                             f"{path[:200]!r} (or holds a reference cycle)")
        if isinstance(obj, Tensor):
            return self.tensor(obj, path)
        if isinstance(obj, numpy.ndarray) and type(obj) is numpy.ndarray:
            return self.array(obj, path)
        if isinstance(obj, numpy.generic):  # keep the scalar's dtype: float32 math must repeat
            return self.array(numpy.asarray(obj), path, "__scalar__")
        if entry_of(obj) is not None:  # an array on a device (GPU): written as a host copy
            return self.array(obj.get(), path)
        if obj is None or type(obj) in (bool, int, str):
            return obj
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"__float__": repr(obj)}
        if type(obj) in (dict, OrderedDict):
            items = []
            for k, v in obj.items():
                if type(k) not in (str, int):
                    raise NotATreeError(f"save: dict key {k!r} at {path!r} is not a str or int")
                items.append([k, self.encode(v, f"{path}/{k}" if path else str(k), depth + 1)])
            return {"__odict__" if type(obj) is OrderedDict else "__dict__": items}
        if type(obj) in (list, tuple):
            enc = [self.encode(v, f"{path}/{i}" if path else str(i), depth + 1)
                   for i, v in enumerate(obj)]
            return enc if type(obj) is list else {"__tuple__": enc}
        raise NotATreeError(f"save: cannot store object of type {type(obj).__name__} at {path!r} "
                       "(arrays, Tensors, numbers, strings, None, lists, tuples and dicts only)")


def _leaf(node: dict, tensors: dict, where: str):
    for tag in _TENSOR_TAGS:
        if tag in node:
            name = node[tag]
            if not isinstance(name, str) or name not in tensors:
                raise CheckpointError(f"{where}: metadata names tensor {name!r} that the file "
                                      "does not hold (corrupted file)")
            arr = tensors[name]
            if tag == "__tensor__":
                return arr
            if tag == "__scalar__":
                if arr.shape != ():
                    raise CheckpointError(f"{where}: scalar {name!r} has shape {arr.shape}")
                return arr[()]
            from ..nn.module import Parameter

            cls = Parameter if tag == "__parameter__" else Tensor
            return cls(arr, requires_grad=bool(node.get("requires_grad", False)))
    raise CheckpointError(f"{where}: unreadable metadata entry {str(node)[:200]} "
                          "(corrupted file)")


def decode(node, tensors: dict, where: str, depth: int = 0):
    """Rebuild what ``Encoder.encode`` produced; a malformed skeleton is a CheckpointError."""
    if depth > MAX_DEPTH:
        raise CheckpointError(f"{where}: metadata nested deeper than {MAX_DEPTH} levels "
                              "(corrupted or crafted file)")
    if isinstance(node, list):
        return [decode(v, tensors, where, depth + 1) for v in node]
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if not isinstance(node, dict):
        raise CheckpointError(f"{where}: unreadable metadata entry (corrupted file)")
    for tag, cls in (("__dict__", dict), ("__odict__", OrderedDict)):
        if tag in node:
            items = node[tag]
            if not isinstance(items, list) or not all(
                    isinstance(p, list) and len(p) == 2 and type(p[0]) in (str, int)
                    for p in items):
                raise CheckpointError(f"{where}: a dict entry in the metadata is malformed "
                                      "(corrupted file)")
            return cls((k, decode(v, tensors, where, depth + 1)) for k, v in items)
    if "__tuple__" in node:
        if not isinstance(node["__tuple__"], list):
            raise CheckpointError(f"{where}: a tuple entry in the metadata is malformed")
        return tuple(decode(v, tensors, where, depth + 1) for v in node["__tuple__"])
    if "__float__" in node:
        if node["__float__"] not in ("nan", "inf", "-inf"):
            raise CheckpointError(f"{where}: bad float entry {node['__float__']!r}")
        return float(node["__float__"])
    return _leaf(node, tensors, where)
