"""The safetensors container: write it, and read it back with every length checked first.

Layout: an 8-byte little-endian header length ``n``, ``n`` bytes of JSON (``{name: {"dtype",
"shape", "data_offsets"}, "__metadata__": {str: str}}``), then the raw little-endian tensor
bytes. Reading checks the header against the file size before the data is read, so a junk or
truncated file fails fast, never with a MemoryError.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct

import numpy

from ._errors import CheckpointError

CHECKSUM_KEY = "deepgrad_sha256"
RESERVED = "__metadata__"
# A safetensors header is JSON of modest size; a larger "length" means the file is not one.
MAX_HEADER = 100 * 2**20
# safetensors dtype name -> NumPy dtype (little-endian). BF16 has no NumPy dtype: widened.
DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "I16": "<i2", "U16": "<u2", "F16": "<f2",
          "I32": "<i4", "U32": "<u4", "F32": "<f4", "I64": "<i8", "U64": "<u8", "F64": "<f8"}
_CODES = {numpy.dtype(v).str: k for k, v in DTYPES.items()}
WIDENED = {"BF16": "bfloat16"}


def bf16_to_f32(raw: numpy.ndarray) -> numpy.ndarray:
    """bfloat16 bit patterns (uint16) -> float32: bfloat16 is the top half of a float32."""
    return (raw.astype(numpy.uint32) << 16).view(numpy.float32)


def _token(dtype: str) -> str:
    return numpy.dtype(DTYPES[dtype]).str if dtype in DTYPES else dtype


def digest(meta: dict, entries, with_meta: bool = True) -> str:
    """SHA-256 over the metadata (all keys but the checksum) and every tensor's name, dtype,
    shape and bytes, in name order. ``entries``: (name, safetensors dtype, shape, buffer)."""
    h = hashlib.sha256()
    if with_meta:  # format version 1 covered the tensors only
        doc = {k: v for k, v in meta.items() if k != CHECKSUM_KEY}
        h.update(json.dumps(doc, sort_keys=True).encode() + b"|")
    for name, dtype, shape, buf in sorted(entries, key=lambda e: e[0]):
        h.update(f"{name}|{_token(dtype)}|{tuple(shape)}|".encode())
        h.update(buf)
    return h.hexdigest()


def encode_file(tensors: dict, metadata: dict) -> list:
    """The file as a list of byte chunks (tensors are not copied), with the checksum added."""
    entries, header, offset = [], {}, 0
    for name, arr in tensors.items():
        arr = arr if arr.flags.c_contiguous else arr.copy(order="C")  # keeps 0-d arrays 0-d
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        code = _CODES.get(arr.dtype.str)
        if code is None:
            raise TypeError(f"save: tensor {name!r} has dtype {arr.dtype}, which the "
                            "safetensors format cannot hold")
        buf = memoryview(arr.reshape(-1)).cast("B") if arr.size else b""
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(buf)]}
        entries.append((name, code, arr.shape, buf))
        offset += len(buf)
    meta = dict(metadata)
    meta[CHECKSUM_KEY] = digest(meta, entries)
    text = json.dumps({RESERVED: meta, **header}, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # pad so the data starts 8-byte aligned
    return [struct.pack("<Q", len(text)), text, *(e[3] for e in entries)]


def _read_exact(f, n: int, where: str, what: str) -> bytearray:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = f.readinto(view[got:]) if hasattr(f, "readinto") else None
        if k is None:  # a stream without readinto
            chunk = f.read(n - got)
            k = len(chunk)
            view[got:got + k] = chunk
        if not k:
            raise CheckpointError(f"{where}: truncated file ({what}: {n} bytes needed, "
                                  f"{got} present)")
        got += k
    return buf


def _remaining(f) -> int | None:
    """Bytes left in a seekable file, else None."""
    try:
        pos = f.tell()
        end = f.seek(0, os.SEEK_END)
        f.seek(pos)
        return end - pos
    except (AttributeError, OSError, ValueError):
        return None


def _entry(name, info, body: int, where: str):
    try:
        dtype, shape = info["dtype"], [int(s) for s in info["shape"]]
        start, stop = (int(v) for v in info["data_offsets"])
    except (KeyError, TypeError, ValueError):
        raise CheckpointError(f"{where}: corrupted header entry for tensor {name!r}") from None
    if dtype not in DTYPES and dtype not in WIDENED:
        raise CheckpointError(f"{where}: tensor {name!r} has dtype {dtype}, which deepgrad "
                              f"cannot load (supported: {sorted(DTYPES)} and BF16)")
    itemsize = 2 if dtype in WIDENED else numpy.dtype(DTYPES[dtype]).itemsize
    count = 1
    for s in shape:
        if s < 0:
            raise CheckpointError(f"{where}: tensor {name!r} has a negative size in {shape}")
        count *= s
    if not 0 <= start <= stop <= body or stop - start != count * itemsize:
        raise CheckpointError(f"{where}: tensor {name!r} ({dtype} {shape}) has data offsets "
                              f"[{start}, {stop}] that do not fit its size or the file "
                              "(corrupted or truncated file)")
    return dtype, shape, start, stop


def read_file(f, where: str, first: bytes = b"", whole: bool = False):
    """Parse a safetensors stream whose first bytes (already read) are ``first``.

    Returns:
        ``(metadata, tensors, widened)``: the ``__metadata__`` dict, ``{name: array}`` in file
        order, ``{name: original dtype}`` for tensors widened on load (bf16 -> float32), and
        the raw ``(name, dtype, shape, bytes)`` entries the checksum covers. ``whole``: ``f`` is
        a whole file, so bytes after the tensor data are an error.
    """
    head = bytes(first) + bytes(_read_exact(f, 8 - len(first), where, "header length")) \
        if len(first) < 8 else bytes(first)
    (n,) = struct.unpack("<Q", head[:8])
    if n > MAX_HEADER or n < 2:
        raise CheckpointError(f"{where}: not a safetensors file (header length {n} at byte 0 "
                              "is not plausible)")
    left = _remaining(f)
    if left is not None and n > left:
        raise CheckpointError(f"{where}: truncated file (header of {n} bytes declared, "
                              f"{left} present)")
    raw = _read_exact(f, n, where, "header")
    if raw[:1] != b"{":
        raise CheckpointError(f"{where}: not a safetensors file (no JSON header at byte 8)")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CheckpointError(f"{where}: corrupted safetensors header ({e})") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{where}: corrupted safetensors header (not a JSON object)")
    meta = header.pop(RESERVED, None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise CheckpointError(f"{where}: corrupted safetensors header ({RESERVED} must map "
                              "strings to strings)")
    body = max((int(i["data_offsets"][1]) for i in header.values()
                if isinstance(i, dict) and _ok_offsets(i)), default=0)
    entries = {k: _entry(k, v, body, where) for k, v in header.items()}
    left = _remaining(f)
    if left is not None and left < body:
        raise CheckpointError(f"{where}: truncated file (tensor data needs {body} bytes, "
                              f"{left} present)")
    if left is not None and left > body and whole:
        raise CheckpointError(f"{where}: {left - body} unexpected bytes after the tensor data "
                              "(corrupted file)")
    data = memoryview(_read_exact(f, body, where, "tensor data"))
    tensors, widened, parts = {}, {}, []
    for name, (dtype, shape, start, stop) in sorted(entries.items(), key=lambda e: e[1][2]):
        parts.append((name, dtype, shape, data[start:stop]))
        if dtype in WIDENED:
            raw16 = numpy.frombuffer(data, numpy.uint16, (stop - start) // 2, start)
            tensors[name] = bf16_to_f32(raw16).reshape(shape)
            widened[name] = WIDENED[dtype]
        else:
            dt = numpy.dtype(DTYPES[dtype])
            arr = numpy.frombuffer(data, dt, (stop - start) // dt.itemsize, start)
            tensors[name] = arr.reshape(shape).astype(dt.newbyteorder("="), copy=False)
    return meta, tensors, widened, parts


def _ok_offsets(info: dict) -> bool:
    try:
        return int(info["data_offsets"][1]) >= 0
    except (KeyError, IndexError, TypeError, ValueError):
        return False


def check_digest(meta: dict, parts, version: int, where: str, required: bool) -> None:
    """Compare the stored checksum with the file's content; a file deepgrad wrote must have
    one."""
    stored = meta.get(CHECKSUM_KEY)
    if stored is None:
        if required:
            raise CheckpointError(f"{where}: the checksum entry {CHECKSUM_KEY!r} is missing "
                                  "(corrupted file)")
        return
    if digest(meta, parts) == stored:
        return
    if version <= 1 and digest(meta, parts, with_meta=False) == stored:
        return  # written by format version 1, whose checksum covered the tensors only
    raise CheckpointError(f"{where}: the content does not match its checksum (the file is "
                          "corrupted)")
