"""The IDX file format of MNIST and Fashion-MNIST: read and write, gzipped or not.

Layout (big-endian): two zero bytes, a type code, the number of dimensions d, then d uint32
sizes, then the values in C order. Type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
0x0D float32, 0x0E float64.
"""
from __future__ import annotations

import gzip
import os
import struct

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


def read_idx(path: str | os.PathLike) -> numpy.ndarray:
    """Read an IDX file (gzipped or not) into an array of its shape and native-endian dtype.

    Raises:
        ValueError: naming the file, for a bad magic number, an unknown type code or a data
            length that does not match the header (a truncated download).
    """
    try:
        with _open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:  # gzip raises these for truncated or corrupt archives
        raise ValueError(f"read_idx: cannot read {os.fspath(path)!r}: {exc}") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"read_idx: {os.fspath(path)!r} is not an IDX file (bad magic number)")
    code, ndim = raw[2], raw[3]
    if code not in IDX_TYPES:
        raise ValueError(f"read_idx: {os.fspath(path)!r} has unknown IDX type code {code:#04x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {os.fspath(path)!r} is truncated inside its header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = numpy.dtype(IDX_TYPES[code])
    expected = int(numpy.prod(shape, dtype=numpy.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"read_idx: {os.fspath(path)!r} holds {len(raw) - header} data bytes "
                         f"but its header {shape} needs {expected} (truncated or corrupt file)")
    data = numpy.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
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
