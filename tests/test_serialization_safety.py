"""Files: any changed byte is caught, junk fails fast, crafted metadata gives CheckpointError,
save refuses what it could not read back, and killed saves leave no temp files for long."""
import io
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import serialization as S
from deepgrad.serialization import CheckpointError


def _small_checkpoint() -> bytes:
    buf = io.BytesIO()
    dg.save({"epoch": 3, "opt": {"lr": 0.1, "betas": (0.9, 0.99)}, "name": "run",
             "w": np.arange(3, dtype=np.float32), "step": np.int64(7)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("change", [lambda b: b ^ 0xFF, lambda b: (b + 1) % 256,
                                    lambda b: (b - 1) % 256])
def test_every_changed_byte_is_a_checkpoint_error(change):
    data = _small_checkpoint()
    (n,) = struct.unpack("<Q", data[:8])
    assert b'epoch' in data[8:8 + n]  # the metadata (epoch, optimizer...) is in the header
    for pos in range(len(data)):
        bad = data[:pos] + bytes([change(data[pos])]) + data[pos + 1:]
        with pytest.raises(CheckpointError):
            dg.load(io.BytesIO(bad))


def test_metadata_change_with_intact_tensors_is_caught(tmp_path):
    data = _small_checkpoint()
    bad = data.replace(b"\\\"epoch\\\", 3", b"\\\"epoch\\\", 4")
    assert bad != data and len(bad) == len(data)
    with pytest.raises(CheckpointError, match="does not match its checksum"):
        dg.load(io.BytesIO(bad))


def test_version_1_files_still_load():
    # format version 1 (deepgrad before this change): the checksum covered the tensors only
    w = np.arange(3, dtype=np.float32)
    parts = [("w", "F32", (3,), w.tobytes())]
    meta = {"format": "deepgrad", S.META_KEY: json.dumps(
        {"version": 1, "object": {"__dict__": [["w", {"__tensor__": "w"}], ["e", 2]]}}),
        S.CHECKSUM_KEY: S._format.digest({}, parts, with_meta=False)}
    header = json.dumps({"__metadata__": meta, "w": {"dtype": "F32", "shape": [3],
                                                    "data_offsets": [0, 12]}}).encode()
    back = dg.load(io.BytesIO(struct.pack("<Q", len(header)) + header + w.tobytes()))
    assert back["e"] == 2 and back["w"].tolist() == [0.0, 1.0, 2.0]


def _crafted(skeleton) -> io.BytesIO:
    """A file whose checksum is right but whose metadata is what an attacker chose."""
    meta = {"format": "deepgrad",
            S.META_KEY: skeleton if isinstance(skeleton, str) else json.dumps(skeleton)}
    return io.BytesIO(b"".join(bytes(c) for c in S._format.encode_file(
        {"w": np.ones(2, np.float32)}, meta)))


@pytest.mark.parametrize("skeleton, match", [
    ("[" * 100000 + "]" * 100000, "not valid"),  # JSON nesting past the recursion limit
    ({"version": 2, "object": json.loads("[" * 500 + "]" * 500)}, "deeper than"),
    ({"version": 2, "object": {"__dict__": [["a"]]}}, "dict entry .* malformed"),
    ({"version": 2, "object": {"__dict__": [[[1], 2]]}}, "dict entry .* malformed"),
    ({"version": 2, "object": {"__tensor__": "missing"}}, "does not hold"),
    ({"version": 2, "object": {"__scalar__": "w"}}, "scalar 'w' has shape"),
    ({"version": 2, "object": {"__float__": "1e999999"}}, "bad float"),
    ({"version": 2, "object": {"__tuple__": 5}}, "tuple entry"),
    ({"version": 2, "object": {"what": 1}}, "unreadable metadata"),
    ({"version": "x", "object": 1}, "not valid"),
    ({"object": {"__pickle__": "nope"}}, "pickled object is missing"),
    ({"version": 2, "object": {"__dgtensor__": "w", "requires_grad": True, "x": 1},
      "junk": [1] * 3}, None),
])
def test_crafted_metadata_gives_checkpoint_errors_only(skeleton, match):
    if match is None:  # extra keys are ignored; a valid leaf still loads
        assert dg.load(_crafted(skeleton)).requires_grad
        return
    with pytest.raises(CheckpointError, match=match):
        dg.load(_crafted(skeleton))


def test_save_refuses_reserved_names_and_unreadable_objects(tmp_path):
    path = tmp_path / "ck.safetensors"
    dg.save({"w": np.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="'__metadata__' is reserved"):
        dg.save({"__metadata__": np.zeros(2), "w": np.zeros(2)}, path)
    deep = []
    for _ in range(S.MAX_DEPTH + 5):
        deep = [deep]
    cyclic: list = []
    cyclic.append(cyclic)
    for obj in (deep, cyclic):
        with pytest.raises(ValueError, match="nested deeper than"):
            dg.save(obj, path, allow_pickle=False)
    with pytest.raises(TypeError, match="float128|longdouble"):
        dg.save({"x": np.ones(2, np.longdouble)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ck.safetensors"]
    # nested, the reserved word is only a key: it round-trips
    dg.save({"a": {"__metadata__": np.ones(1)}, "b": np.arange(2)[::-1]}, path)
    back = dg.load(path)
    assert back["a"]["__metadata__"].tolist() == [1.0] and back["b"].tolist() == [1, 0]
    dg.save({"be": np.arange(3, dtype=">i4")}, path)  # big-endian: the values, not the bytes
    assert dg.load(path)["be"].tolist() == [0, 1, 2]


def test_junk_and_oversized_files_fail_fast(tmp_path):
    junk = tmp_path / "junk.bin"
    with open(junk, "wb") as f:  # a sparse 3 GiB file: no disk used, never read whole
        f.write(os.urandom(64))
        f.truncate(3 * 2**30)
    t0 = time.perf_counter()
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        dg.load(junk)
    header = json.dumps({"w": {"dtype": "F32", "shape": [2**29],
                               "data_offsets": [0, 2**31]}}).encode()
    big = tmp_path / "claims.safetensors"
    big.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    with pytest.raises(CheckpointError, match="truncated file .*2147483648 bytes, 16 present"):
        dg.load(big)
    big.write_bytes(struct.pack("<Q", 2**20) + b"{" + b" " * 100)
    with pytest.raises(CheckpointError, match="header of 1048576 bytes declared"):
        dg.load(big)
    assert time.perf_counter() - t0 < 2.0
    good = _small_checkpoint()
    (tmp_path / "tail.safetensors").write_bytes(good + b"extra")
    with pytest.raises(CheckpointError, match="5 unexpected bytes"):
        dg.load(tmp_path / "tail.safetensors")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_files_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "ck.safetensors"
    dead = _dead_pid()
    stale = [f".ck.safetensors.{dead}.abcd1234.tmp", ".ck.safetensors.k2j4h5g6.tmp"]
    kept = [f".ck.safetensors.{os.getpid()}.zzzzzzzz.tmp",  # a live writer
            f".other.safetensors.{dead}.abcd1234.tmp",  # another target
            "ck.safetensors.tmp", ".ck.safetensors.notmine.tmp"]  # not our pattern
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"partial")
    dg.save({"w": np.ones(1)}, target)
    assert sorted(os.listdir(tmp_path)) == sorted(kept + ["ck.safetensors"])
