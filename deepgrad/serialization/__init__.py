"""Safe save/load: PyTorch's ``save``/``load`` contract on the safetensors format, no code run.

``save(obj, f)`` writes one safetensors file (to a path, atomically, or to a binary file
object). A nesting of dicts (str or int keys, order kept; OrderedDicts stay OrderedDicts),
lists, tuples, Tensors, Parameters, NumPy arrays and scalars, numbers, strings, booleans and
None is stored as named tensors plus a JSON description in the header metadata, and every type
comes back as it went in; a flat ``{name: array}`` state dict keeps its names as the tensor
names, so the file loads into PyTorch with ``safetensors.torch.load_file``. Anything else (a
whole Module, an object of your class) is pickled, with its tensors moved out of the pickle
into the container. A SHA-256 over the metadata and all tensor bytes detects any changed byte.

``load(f, map_location=None, weights_only=True)`` reads those files, any safetensors file, and
files that ``torch.save`` wrote (zip format) holding tensors and containers. Weights-only (the
default) never runs code from the file: a pickled object loads only if every class it needs is
on the allow-list (``add_safe_globals``, ``safe_globals``); ``weights_only=False`` is the
explicit opt-in to unpickle anything, which can run code: only for files you trust.
"""
from __future__ import annotations

import io
import json
import os
from collections import OrderedDict

import numpy

from ..autograd.tensor import Tensor
from ._errors import CheckpointError, UnpicklingError
from ._files import describe, is_path, remove_stale_temps, write_to
from ._format import CHECKSUM_KEY, MAX_HEADER, RESERVED, check_digest, encode_file, read_file
from ._pickle import (
    add_safe_globals,
    clear_safe_globals,
    dumps,
    get_safe_globals,
    loads,
    safe_globals,
    unsafe_globals,
)
from ._results import move, report, to_device_fn, warn_widened
from ._torch import load_torch_zip
from ._tree import MAX_DEPTH, Encoder, NotATreeError, decode

META_KEY = "deepgrad"
FORMAT_VERSION = 2
_ZIP_MAGIC = b"PK\x03\x04"

__all__ = ["save", "load", "load_into", "CheckpointError", "UnpicklingError",
           "add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals",
           "get_unsafe_globals_in_checkpoint", "remove_stale_temps", "META_KEY",
           "CHECKSUM_KEY", "FORMAT_VERSION", "MAX_DEPTH"]


def _is_state_dict(obj) -> bool:
    return type(obj) in (dict, OrderedDict) and len(obj) > 0 and all(
        type(k) is str and (isinstance(v, Tensor) or type(v) is numpy.ndarray)
        for k, v in obj.items())


def _encode(obj, allow_pickle: bool):
    """-> (tensors, skeleton, "pt" for a flat state dict | "deepgrad")."""
    if _is_state_dict(obj) and RESERVED in obj:
        raise ValueError(f"save: the name {RESERVED!r} is reserved by the safetensors format "
                         "(it holds the header metadata); rename that entry")
    enc = Encoder()
    try:
        if _is_state_dict(obj):  # tensor names are the keys, exactly as PyTorch names them
            items = [[k, enc.tensor(v, k) if isinstance(v, Tensor) else enc.array(v, k)]
                     for k, v in obj.items()]
            tag = "__odict__" if type(obj) is OrderedDict else "__dict__"
            return enc.tensors, {tag: items}, "pt"
        enc = Encoder()
        return enc.tensors, enc.encode(obj), "deepgrad"
    except NotATreeError:
        if not allow_pickle:
            raise
    enc = Encoder()
    enc.tensors["pickle"] = dumps(obj, enc.tensors)
    return enc.tensors, {"__pickle__": "pickle"}, "deepgrad"


def save(obj, f, *, allow_pickle: bool = True) -> None:
    """Write ``obj`` to ``f`` in the safetensors format.

    Args:
        obj: a state dict, any nesting of containers, Tensors, arrays, numbers and strings (a
            training checkpoint), or any picklable object such as a whole Module (pickled,
            with its tensors stored outside the pickle; loading it needs the allow-list or
            ``weights_only=False``).
        f: a path (written to a temporary file beside it, fsync'ed and renamed over it, so a
            crash leaves the previous file whole; temp files of earlier killed saves to the
            same path are removed) or a writable binary file object.
        allow_pickle: False refuses objects that need pickling (TypeError) instead: what a
            checkpoint writer wants when every reader must be able to load it weights-only.

    Raises:
        TypeError: an object the format cannot hold (with ``allow_pickle=False``), named with
            its location; ValueError: a reserved name (``__metadata__``) or nesting deeper
            than ``MAX_DEPTH``. Nothing is written then.
    """
    tensors, skeleton, kind = _encode(obj, allow_pickle)
    meta = {"format": "pt" if kind == "pt" else "deepgrad",
            META_KEY: json.dumps({"version": FORMAT_VERSION, "object": skeleton},
                                 allow_nan=False)}
    write_to(f, encode_file(tensors, meta))


def _open(f):
    if is_path(f):
        return open(f, "rb"), True
    if not hasattr(f, "read"):
        raise TypeError(f"load: f must be a path or a readable binary file object, got "
                        f"{type(f).__name__}")
    return f, False


def load(f, map_location=None, weights_only: bool | None = True, **kwargs):
    """Read what ``save`` wrote, any safetensors file, or a ``torch.save`` zip file.

    Args:
        f: a path or a readable binary file object (read from its current position).
        map_location: where tensors go: None or ``"cpu"`` (deepgrad keeps loaded tensors on
            the CPU, whatever device the file names), a device name for ``Tensor.to``, a
            dict or a function (accepted for PyTorch code; storages load on the CPU).
        weights_only: True (default; None means True): never run code from the file; a
            pickled object needs every class it uses on the allow-list. False: unpickle
            anything, which can run arbitrary code; only for files you trust.

    Returns:
        The saved object, types kept (Tensors, Parameters, arrays, NumPy scalars, dict,
        OrderedDict, list, tuple...); a safetensors file written by another tool gives
        ``{name: array}``; a torch file gives Tensors/Parameters in its containers. bfloat16
        tensors come back as float32 (a UserWarning names them).

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: truncated, corrupted, of unknown format, or holding a dtype deepgrad
            cannot load; the message names the file (and the tensor).
        UnpicklingError: a weights-only load met a global outside the allow-list (names it
            and what to do); a subclass of CheckpointError and ``pickle.UnpicklingError``.
    """
    unknown = set(kwargs) - {"mmap", "pickle_module", "encoding"}
    if unknown:
        raise TypeError(f"load() got unexpected keyword arguments {sorted(unknown)}")
    weights_only = True if weights_only is None else bool(weights_only)
    where = describe(f)
    to_device = to_device_fn(map_location)
    stream, owned = _open(f)
    try:
        first = stream.read(8)
        if not isinstance(first, (bytes, bytearray)):
            raise TypeError(f"load: {where} must be opened in binary mode ('rb'), got "
                            f"{type(first).__name__} from read()")
        if first[:4] == _ZIP_MAGIC:
            whole = stream if owned or _seekable(stream) else io.BytesIO(first + stream.read())
            if whole is stream:
                stream.seek(stream.tell() - len(first))
            obj, widened = load_torch_zip(whole, where, weights_only, to_device)
            return report(where, obj, widened)
        # a pickle opens with PROTO (0x80, version); a safetensors header length may too,
        # but then the 8 bytes read as a plausible length
        if first[:1] == b"\x80" and first[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05") \
                and int.from_bytes(first, "little") > MAX_HEADER:
            raise CheckpointError(
                f"{where}: a pickle file (PyTorch's legacy format, or pickle.dump): not "
                "loaded, since unpickling it could run code. Re-save it with torch.save's "
                "default zip format or with safetensors")
        return _load_safetensors(stream, first, owned, where, weights_only, to_device)
    finally:
        if owned:
            stream.close()


def _seekable(stream) -> bool:
    try:
        return stream.seekable()
    except (AttributeError, OSError, ValueError):
        return False


def _load_safetensors(stream, first, whole, where, weights_only, to_device):
    if len(first) < 8:
        raise CheckpointError(f"{where}: not a safetensors file ({len(first)} bytes, too "
                              "short for the 8-byte header length)")
    meta, tensors, widened, parts = read_file(stream, where, first, whole=whole)
    ours = META_KEY in meta or meta.get("format") == "deepgrad"
    doc = None
    if ours:
        try:
            doc = json.loads(meta[META_KEY])
            skeleton, version = doc["object"], int(doc.get("version", 0))
        except (KeyError, ValueError, TypeError, RecursionError) as e:
            raise CheckpointError(f"{where}: metadata entry {META_KEY!r} is not valid "
                                  f"({type(e).__name__})") from None
        if version > FORMAT_VERSION:
            raise CheckpointError(f"{where}: written by a newer deepgrad (format version "
                                  f"{version}, this one reads up to {FORMAT_VERSION})")
    check_digest(meta, parts, version if ours else FORMAT_VERSION, where, required=ours)
    if widened:
        warn_widened(where, widened)
    if not ours:
        return dict(tensors)
    if isinstance(skeleton, dict) and "__pickle__" in skeleton:
        name = skeleton["__pickle__"]
        if name not in tensors:
            raise CheckpointError(f"{where}: the pickled object is missing (corrupted file)")
        data = tensors.pop(name).tobytes()
        return loads(data, tensors, where, weights_only, to_device)
    obj = decode(skeleton, tensors, where)
    return move(obj, to_device) if to_device is not None else obj


def get_unsafe_globals_in_checkpoint(f) -> list[str]:
    """``module.name`` of every global a file's pickle needs outside the allow-list, read
    without executing anything (empty for a file with no pickle)."""
    from ._pickle import allowed

    where = describe(f)
    stream, owned = _open(f)
    try:
        first = stream.read(8)
        if first[:4] == _ZIP_MAGIC:
            import zipfile

            from ._torch import Archive, TorchUnpickler

            data = stream.read() if not owned else None
            zf = zipfile.ZipFile(io.BytesIO(first + data) if data is not None else stream)
            with zf:
                archive = Archive(zf, where)
                up = TorchUnpickler(archive.pickle(), archive, where, True, None)
                return unsafe_globals(up.data, up._is_safe)
        meta, tensors, _, _ = read_file(stream, where, first, whole=owned)
    finally:
        if owned:
            stream.close()
    doc = json.loads(meta.get(META_KEY, "{}")) if META_KEY in meta else {}
    obj = doc.get("object") if isinstance(doc, dict) else None
    if isinstance(obj, dict) and obj.get("__pickle__") in tensors:
        return unsafe_globals(tensors[obj["__pickle__"]].tobytes(),
                              lambda n: allowed(n) is not None)
    return []


def load_into(module, f, strict: bool = True):
    """Load a saved state dict (or a training checkpoint's model) into ``module``; on any
    mismatch raise and leave it unchanged.

    Raises:
        CheckpointError: the file is unreadable, or its tensors do not match the module's
            (missing/unexpected names, shapes); the message names the file.
    """
    where = describe(f)
    state = load(f)
    if isinstance(state, dict) and isinstance(state.get("model"), dict) \
            and state.get("format") == "deepgrad.checkpoint":
        state = state["model"]
    if not isinstance(state, dict):
        raise CheckpointError(f"{where}: holds a {type(state).__name__}, not a state dict")
    try:
        return module.load_state_dict(state, strict=strict)
    except (KeyError, ValueError) as e:
        msg = e.args[0] if e.args else str(e)
        raise CheckpointError(f"{where}: does not match the model: {msg}") from None


_ = os  # tests patch os through this module (S.os.fsync): keep the name bound
