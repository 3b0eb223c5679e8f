"""IDX reading/writing and the MNIST-family loaders on small files the tests write (no network)."""
import gzip
import hashlib
import os
import struct

import numpy as np
import pytest

from deepgrad.data import datasets as D
from deepgrad.data.datasets import real

FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    a = (rng.normal(size=(3, 4, 5)) * 50).astype(dtype)
    path = tmp_path / f"a.idx{suffix}"
    D.write_idx(path, a)
    with open(path, "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == (suffix == ".gz")
    b = D.read_idx(path)
    assert b.dtype == dtype and b.shape == a.shape
    np.testing.assert_array_equal(a, b)


def test_idx_header_is_big_endian(tmp_path):
    D.write_idx(tmp_path / "x", np.array([1, 256], dtype=np.int32))
    raw = (tmp_path / "x").read_bytes()
    assert raw[:4] == b"\x00\x00\x0c\x01" and raw[4:8] == b"\x00\x00\x00\x02"
    assert raw[8:] == b"\x00\x00\x00\x01\x00\x00\x01\x00"


def test_idx_errors_name_the_file(tmp_path):
    good = tmp_path / "good"
    D.write_idx(good, np.zeros((4, 3), np.uint8))
    truncated = tmp_path / "truncated"
    truncated.write_bytes(good.read_bytes()[:-2])
    with pytest.raises(ValueError, match="truncated.*truncated or corrupt"):
        D.read_idx(truncated)
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="bad.*magic"):
        D.read_idx(bad)
    broken_gz = tmp_path / "broken.gz"
    broken_gz.write_bytes(gzip.compress(good.read_bytes())[:-10])
    with pytest.raises(ValueError, match="broken.gz"):
        D.read_idx(broken_gz)
    with pytest.raises(ValueError, match="dtype"):
        D.write_idx(tmp_path / "c", np.zeros(2, np.int64))


def _write_set(folder, train, n, gz, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    D.write_idx(folder / (FILES[train][0] + suffix), images)
    D.write_idx(folder / (FILES[train][1] + suffix), labels)
    return images, labels


@pytest.mark.parametrize("loader, name", [(D.mnist, "mnist"), (D.fashion_mnist, "fashion_mnist")])
@pytest.mark.parametrize("train, gz", [(True, True), (False, False)])
def test_mnist_family_reads_local_files(tmp_path, loader, name, train, gz):
    images, labels = _write_set(tmp_path / name, train, 7, gz)
    X, y = loader(tmp_path, train=train)
    assert X.shape == (7, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X[:, 0] * 255, images, atol=1e-4)
    np.testing.assert_array_equal(y, labels)
    Xf, _ = loader(tmp_path, train=train, flatten=True)
    assert Xf.shape == (7, 784)


def test_missing_files_error_says_where_to_put_them(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        D.mnist(tmp_path / "nowhere")
    msg = str(err.value)
    assert str(tmp_path / "nowhere" / "mnist") in msg
    assert "train-images-idx3-ubyte.gz" in msg and "download=True" in msg


def test_mismatched_image_and_label_counts(tmp_path):
    _write_set(tmp_path / "mnist", True, 5, True)
    D.write_idx(tmp_path / "mnist" / "train-labels-idx1-ubyte.gz", np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match=r"\(5, 28, 28\).*\(4,\)"):
        D.mnist(tmp_path)


def _fake_mirror(tmp_path, monkeypatch, corrupt=None):
    """A file:// mirror holding the test split, with the checksums patched to match it."""
    mirror = tmp_path / "mirror"
    _write_set(mirror, False, 6, True, seed=1)
    md5 = {}
    for stem in FILES[False]:
        data = (mirror / (stem + ".gz")).read_bytes()
        md5[stem + ".gz"] = hashlib.md5(data).hexdigest()
    if corrupt:
        md5[corrupt] = "0" * 32
    monkeypatch.setitem(real._SETS, "mnist", {"mirrors": [mirror.as_uri() + "/"], "md5": md5})
    return mirror


def test_download_verifies_checksum_and_places_files(tmp_path, monkeypatch):
    mirror = _fake_mirror(tmp_path, monkeypatch)
    root = tmp_path / "root"
    X, y = D.mnist(root, train=False, download=True)
    assert X.shape == (6, 1, 28, 28)
    for stem in FILES[False]:
        assert (root / "mnist" / (stem + ".gz")).read_bytes() == \
            (mirror / (stem + ".gz")).read_bytes()
    assert not [p for p in os.listdir(root / "mnist") if p.endswith(".part")]


def test_download_with_bad_checksum_leaves_no_file(tmp_path, monkeypatch):
    _fake_mirror(tmp_path, monkeypatch, corrupt="t10k-images-idx3-ubyte.gz")
    root = tmp_path / "root"
    with pytest.raises(ValueError, match="checksum mismatch for t10k-images-idx3-ubyte.gz"):
        D.mnist(root, train=False, download=True)
    assert os.listdir(root / "mnist") == []


def test_default_root_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPGRAD_DATA", str(tmp_path))
    assert D.default_root() == tmp_path
    monkeypatch.delenv("DEEPGRAD_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert D.default_root() == tmp_path / "cache" / "deepgrad"
    _write_set(tmp_path / "cache" / "deepgrad" / "mnist", True, 3, False)
    assert D.mnist()[0].shape == (3, 1, 28, 28)


def test_known_checksums_are_the_published_ones():
    # torchvision's resource lists; a typo here would reject every genuine download
    assert real._SETS["mnist"]["md5"]["train-images-idx3-ubyte.gz"] == \
        "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert real._SETS["fashion_mnist"]["md5"]["t10k-labels-idx1-ubyte.gz"] == \
        "bb300cfdad3c16e7a12a480ee83cd310"
    assert all(len(v) == 32 for s in real._SETS.values() for v in s["md5"].values())


def test_declared_size_is_checked_before_reading(tmp_path):
    import time

    junk = tmp_path / "junk-idx"
    with open(junk, "wb") as f:  # sparse 3 GiB: valid magic, a header that claims far more
        f.write(b"\x00\x00\x08\x03" + struct.pack(">3I", 100000, 1000, 1000))
        f.truncate(3 * 2**30)
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"declares shape \(100000, 1000, 1000\), "
                                         r"100000000000 data bytes, but the file holds"):
        D.read_idx(junk)
    claims = tmp_path / "claims.gz"  # a tiny gzip that says it holds 4 GB
    claims.write_bytes(gzip.compress(b"\x00\x00\x08\x02" + struct.pack(">2I", 2**16, 2**16)))
    with pytest.raises(ValueError, match="a gzip file of .* can hold at most"):
        D.read_idx(claims)
    junk_text = tmp_path / "text"
    junk_text.write_bytes(os.urandom(16) + b"x" * 100)
    junk_text.write_bytes(b"\x01" + junk_text.read_bytes()[1:])
    with pytest.raises(ValueError, match="bad magic"):
        D.read_idx(junk_text)
    assert time.perf_counter() - t0 < 2.0


def test_gzip_bomb_is_not_decompressed_past_the_header(tmp_path):
    import zlib

    # header: 10 bytes of data, followed by 200 MB of zeros (a 200 KB file)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [comp.compress(b"\x00\x00\x08\x01" + struct.pack(">I", 10) + bytes(10))]
    block = bytes(2**20)
    for _ in range(200):
        parts.append(comp.compress(block))
    parts.append(comp.flush())
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(b"".join(parts))
    with pytest.raises(ValueError, match="holds more than 10 data bytes"):
        D.read_idx(bomb)
