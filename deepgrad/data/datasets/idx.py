"""The IDX file format of MNIST and Fashion-MNIST: read and write, gzipped or not.

Layout (big-endian): two zero bytes, a type code, the number of dimensions d, then d uint32
sizes, then the values in C order. Type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
0x0D float32, 0x0E float64.
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {numpy.dtype(v).newbyteorder("=").str.lstrip("<>|="): k for k, v in IDX_TYPES.items()}


def _open(path: str | os.PathLike, mode: str):
    """Open ``path`` through gzip when it ends in .gz or starts with gzip's magic bytes."""
    path = os.fspath(path)
    if "r" in mode:
        with open(path, "rb") as f:
            magic = f.read(2)
        if magic == b"\x1f\x8b":
            return gzip.open(path, mode)
        return open(path, mode)
    return gzip.open(path, mode) if path.endswith(".gz") else open(path, mode)


# Deflate cannot expand data by more than about 1032:1, so a gzip file of c bytes holds at most
# this many times c bytes: a header that declares more is a lie, refused before any allocation.
_MAX_DEFLATE_RATIO = 1040


def _read_exact(f, n: int) -> bytearray:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = f.readinto(view[got:got + (1 << 24)])
        if not k:
            break
        got += k
    return buf[:got] if got < n else buf


def read_idx(path: str | os.PathLike) -> numpy.ndarray:
    """Read an IDX file (gzipped or not) into an array of its shape and native-endian dtype.

    The header is checked before the data is read: a declared size larger than the file (or
    than a gzip file of its size could hold) is refused at once, and a gzip stream is never
    decompressed past the declared size, so junk files and gzip bombs fail fast.

    Raises:
        ValueError: naming the file, for a bad magic number, an unknown type code, a declared
            size the file cannot hold, or a data length that does not match the header (a
            truncated download).
    """
    where = os.fspath(path)
    try:
        file_size = os.path.getsize(where)
        with _open(where, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0:
                raise ValueError(f"read_idx: {where!r} is not an IDX file (bad magic number)")
            code, ndim = head[2], head[3]
            if code not in IDX_TYPES:
                raise ValueError(f"read_idx: {where!r} has unknown IDX type code {code:#04x}")
            dims = f.read(4 * ndim)
            if len(dims) < 4 * ndim:
                raise ValueError(f"read_idx: {where!r} is truncated inside its header")
            shape = struct.unpack(f">{ndim}I", dims)
            dtype = numpy.dtype(IDX_TYPES[code])
            expected = int(numpy.prod(shape, dtype=object)) * dtype.itemsize
            gz = isinstance(f, gzip.GzipFile)
            room = file_size * _MAX_DEFLATE_RATIO if gz else file_size - 4 - 4 * ndim
            if expected > room:
                holds = (f"a gzip file of {file_size} bytes can hold at most {room}" if gz
                         else f"the file holds {room}")
                raise ValueError(f"read_idx: {where!r} declares shape {shape}, {expected} data "
                                 f"bytes, but {holds} (truncated or corrupt file)")
            raw = _read_exact(f, expected)
            extra = len(f.read(1))
    except (OSError, EOFError, zlib.error) as exc:  # gzip: truncated or corrupt archives
        raise ValueError(f"read_idx: cannot read {where!r}: {exc}") from exc
    if len(raw) != expected or extra:
        got = f"{len(raw)}" if not extra else f"more than {expected}"
        raise ValueError(f"read_idx: {where!r} holds {got} data bytes but its header {shape} "
                         f"needs {expected} (truncated or corrupt file)")
    data = numpy.frombuffer(raw, dtype=dtype).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array) -> None:
    """Write ``array`` as an IDX file, gzipped when ``path`` ends in ``.gz``.

    Args:
        array: an array of dtype uint8, int8, int16, int32, float32 or float64.
    """
    array = numpy.ascontiguousarray(array)
    key = array.dtype.newbyteorder("=").str.lstrip("<>|=")
    if key not in _CODES:
        raise ValueError(f"write_idx: dtype {array.dtype} has no IDX type code; use one of "
                         f"uint8, int8, int16, int32, float32, float64")
    code = _CODES[key]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with _open(path, "wb") as f:
        f.write(header + array.astype(IDX_TYPES[code]).tobytes())
