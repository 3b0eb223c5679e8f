"""Safe save/load in the safetensors format: state dicts and whole training checkpoints, no pickle.

A file holds named tensors plus one JSON string in the header metadata (``"deepgrad"``) that
describes how to rebuild the saved object: dicts (str or int keys, order kept), lists, tuples,
numbers, strings, booleans, None, arrays and NumPy scalars. A flat ``{name: array}`` state dict
keeps its names as the tensor names, so the file loads into PyTorch with
``safetensors.torch.load_file`` and a PyTorch-written file loads here. Loading only parses JSON and
raw tensor bytes: nothing in a file can run code.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import struct
import tempfile

import numpy
from safetensors import SafetensorError
from safetensors.numpy import load as _st_load
from safetensors.numpy import save as _st_save

from .autograd.tensor import Tensor
from .backend import entry_of

META_KEY = "deepgrad"
CHECKSUM_KEY = "deepgrad_sha256"
FORMAT_VERSION = 1
# A safetensors header is JSON of modest size; a larger "length" means the file is not one.
_MAX_HEADER = 100 * 2**20


class CheckpointError(ValueError):
    """A file that cannot be read back: truncated, corrupted, or not a safetensors file."""


# ---- encoding -------------------------------------------------------------------------------
class _Encoder:
    """Walks an object, moving arrays into ``tensors`` and leaving a JSON-able skeleton."""

    def __init__(self) -> None:
        self.tensors: dict[str, numpy.ndarray] = {}

    def _name(self, path: str) -> str:
        name, n = path or "tensor", 1
        while name in self.tensors:  # keys holding "/" could collide with a nested path
            name, n = f"{path}#{n}", n + 1
        return name

    def _array(self, arr: numpy.ndarray, path: str, tag: str = "__tensor__") -> dict:
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"save: cannot store array at {path!r} of dtype {arr.dtype} "
                            "(only bool, integer and floating arrays)")
        name = self._name(path)
        self.tensors[name] = arr if arr.flags.c_contiguous else arr.copy(order="C")
        return {tag: name}

    def encode(self, obj, path: str):
        if isinstance(obj, Tensor):
            obj = obj.numpy()
        if isinstance(obj, numpy.ndarray):
            return self._array(obj, path)
        if isinstance(obj, numpy.generic):  # keep the scalar's dtype: float32 math must repeat
            return self._array(numpy.asarray(obj), path, "__scalar__")
        if obj is None or isinstance(obj, (bool, int, str)):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"__float__": repr(obj)}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if isinstance(k, (bool, numpy.bool_)) or not isinstance(k, (str, int)):
                    raise TypeError(f"save: dict key {k!r} at {path!r} must be str or int")
                items.append([k, self.encode(v, f"{path}/{k}" if path else str(k))])
            return {"__dict__": items}
        if isinstance(obj, (list, tuple)):
            enc = [self.encode(v, f"{path}/{i}" if path else str(i)) for i, v in enumerate(obj)]
            return enc if isinstance(obj, list) else {"__tuple__": enc}
        raise TypeError(f"save: cannot store object of type {type(obj).__name__} at {path!r} "
                        "(arrays, numbers, strings, None, lists, tuples and dicts only)")


def _decode(node, tensors: dict, where: str):
    if isinstance(node, list):
        return [_decode(v, tensors, where) for v in node]
    if not isinstance(node, dict):
        return node
    if "__dict__" in node:
        return {k: _decode(v, tensors, where) for k, v in node["__dict__"]}
    if "__tuple__" in node:
        return tuple(_decode(v, tensors, where) for v in node["__tuple__"])
    if "__float__" in node:
        return float(node["__float__"])
    for tag in ("__tensor__", "__scalar__"):
        if tag in node:
            name = node[tag]
            if name not in tensors:
                raise CheckpointError(f"{where}: metadata names tensor {name!r} that the file "
                                      "does not hold (corrupted file)")
            return tensors[name][()] if tag == "__scalar__" else tensors[name]
    raise CheckpointError(f"{where}: unreadable metadata entry {node!r} (corrupted file)")


def _digest(tensors: dict) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        arr = tensors[name]
        h.update(f"{name}|{arr.dtype.str}|{arr.shape}|".encode())
        h.update(arr.tobytes() if not arr.flags.c_contiguous else arr.data)
    return h.hexdigest()


# ---- public API -----------------------------------------------------------------------------
def save(obj, path: str | os.PathLike) -> None:
    """Write ``obj`` to ``path`` in the safetensors format, atomically.

    Args:
        obj: a Module (its ``state_dict()`` is saved), a ``{name: array}`` state dict, or any
            nesting of dicts, lists, tuples, arrays/Tensors, numbers, strings and None (a
            training checkpoint). Tensors come back as NumPy arrays; tensors and arrays on a
            device (GPU) are written as host copies.
        path: destination file. The bytes go to a temporary file in the same directory, are
            fsync'ed, then renamed over ``path`` (``os.replace``), so a crash mid-save leaves
            the previous file intact (a killed process may leave the hidden
            ``.<name>.*.tmp`` file behind; an error inside ``save`` removes it).

    Raises:
        TypeError: an object that the format cannot hold (named with its location).
    """
    from .nn.module import Module

    if isinstance(obj, Module):
        obj = obj.state_dict()
    obj = _to_host(obj)
    enc = _Encoder()
    flat = isinstance(obj, dict) and all(
        isinstance(k, str) and isinstance(v, (numpy.ndarray, Tensor)) for k, v in obj.items())
    if flat:  # a state dict: tensor names are its keys, exactly as PyTorch names them
        skeleton = {"__dict__": [[k, enc._array(_np(v), k)] for k, v in obj.items()]}
    else:
        skeleton = enc.encode(obj, "")
    metadata = {"format": "pt" if flat else "deepgrad",
                META_KEY: json.dumps({"version": FORMAT_VERSION, "object": skeleton},
                                     allow_nan=False),
                CHECKSUM_KEY: _digest(enc.tensors)}
    _atomic_write(os.fspath(path), _st_save(enc.tensors, metadata=metadata))


def load(path: str | os.PathLike):
    """Read what ``save`` wrote (or any safetensors file) without executing anything.

    Returns:
        The saved object rebuilt; a file written by another tool (e.g. ``safetensors.torch``)
        comes back as a dict of name -> NumPy array.

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: the file is truncated, corrupted or not a safetensors file; the
            message names the file and what is wrong.
    """
    where = os.fspath(path)
    with open(where, "rb") as f:
        raw = f.read()
    header = _check_header(raw, where)
    try:
        tensors = _st_load(raw)
    except (SafetensorError, ValueError, TypeError) as e:
        raise CheckpointError(f"{where}: not a readable safetensors file ({e})") from None
    meta = header.get("__metadata__") or {}
    if CHECKSUM_KEY in meta and _digest(tensors) != meta[CHECKSUM_KEY]:
        raise CheckpointError(f"{where}: tensor data does not match its checksum "
                              "(the file is corrupted)")
    if META_KEY not in meta:
        return {k: tensors[k] for k in _file_order(header)}
    try:
        doc = json.loads(meta[META_KEY])
        skeleton = doc["object"]
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"{where}: metadata entry {META_KEY!r} is not valid ({e})") from None
    if doc.get("version", 0) > FORMAT_VERSION:
        raise CheckpointError(f"{where}: written by a newer deepgrad (format version "
                              f"{doc['version']}, this one reads up to {FORMAT_VERSION})")
    return _decode(skeleton, tensors, where)


def load_into(module, path: str | os.PathLike, strict: bool = True):
    """Load a saved state dict into ``module``; on any mismatch raise and leave it unchanged.

    Raises:
        CheckpointError: the file is unreadable, or its tensors do not match the module's
            (missing/unexpected names, shapes); the message names the file.
    """
    state = load(path)
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict) \
            and state.get("format") == "deepgrad.checkpoint":
        state = state["model"]
    if not isinstance(state, dict):
        raise CheckpointError(f"{os.fspath(path)}: holds a {type(state).__name__}, "
                              "not a state dict")
    try:
        return module.load_state_dict(state, strict=strict)
    except (KeyError, ValueError) as e:
        msg = e.args[0] if e.args else str(e)
        raise CheckpointError(f"{os.fspath(path)}: does not match the model: {msg}") from None


# ---- helpers --------------------------------------------------------------------------------
def _to_host(obj):
    """``obj`` with every device tensor and device array copied to host memory (NumPy)."""
    if isinstance(obj, Tensor):
        return obj.cpu()
    if entry_of(obj) is not None:
        return obj.get()
    if isinstance(obj, dict):
        return {k: _to_host(v) for k, v in obj.items()}
    if type(obj) is list or type(obj) is tuple:
        return type(obj)(_to_host(v) for v in obj)
    return obj


def _np(v) -> numpy.ndarray:
    return v.numpy() if isinstance(v, Tensor) else v


def _check_header(raw: bytes, where: str) -> dict:
    """Validate the 8-byte length, the JSON header and every tensor's byte range."""
    if len(raw) < 8:
        raise CheckpointError(f"{where}: not a safetensors file ({len(raw)} bytes, too short "
                              "for the 8-byte header length)")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > _MAX_HEADER or raw[8:9] != b"{":
        raise CheckpointError(f"{where}: not a safetensors file (no JSON header at byte 8)")
    if 8 + n > len(raw):
        raise CheckpointError(f"{where}: truncated file (header of {n} bytes declared, "
                              f"{len(raw) - 8} present)")
    try:
        header = json.loads(raw[8:8 + n])
    except (UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"{where}: corrupted safetensors header ({e})") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{where}: corrupted safetensors header (not a JSON object)")
    body = len(raw) - 8 - n
    end = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            end = max(end, int(info["data_offsets"][1]))
        except (KeyError, IndexError, TypeError, ValueError):
            raise CheckpointError(f"{where}: corrupted header entry for tensor {name!r}") \
                from None
    if end > body:
        raise CheckpointError(f"{where}: truncated file (tensor data needs {end} bytes, "
                              f"{body} present)")
    return header


def _file_order(header: dict) -> list:
    names = [k for k in header if k != "__metadata__"]
    return sorted(names, key=lambda k: header[k]["data_offsets"][0])


def _atomic_write(path: str, data: bytes) -> None:
    """Write to a temp file beside ``path``, fsync it, then rename it over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=directory)
    try:
        # mkstemp makes the file 0600; keep the mode of the file being replaced, else rw-r--r--
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    # The rename itself is durable only once the directory entry is flushed (POSIX only).
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
