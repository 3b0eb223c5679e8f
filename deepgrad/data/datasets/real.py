"""Real image sets: MNIST and Fashion-MNIST from IDX files, scikit-learn's bundled digits.

Each returns NumPy arrays ``(X, y)``: ``X`` float32 ``(N, 1, H, W)`` scaled to [0, 1] (or
``(N, H * W)`` with ``flatten=True``), ``y`` int64 ``(N,)`` — the same convention as the
procedural sets, so ``TensorDataset(*mnist(...))`` feeds a DataLoader.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

import numpy

from .idx import read_idx

# Official file names and the MD5 checksums of the published .gz files (as torchvision lists them).
_SETS = {
    "mnist": {
        "mirrors": ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/"],
        "md5": {"train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
                "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
                "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"},
    },
    "fashion_mnist": {
        "mirrors": ["https://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/"
                    "data/fashion/"],
        "md5": {"train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
                "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
                "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310"},
    },
}
_SPLITS = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
           False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def default_root() -> Path:
    """Where datasets live by default: ``$DEEPGRAD_DATA``, else ``$XDG_CACHE_HOME/deepgrad``,
    else ``~/.cache/deepgrad``."""
    if os.environ.get("DEEPGRAD_DATA"):
        return Path(os.environ["DEEPGRAD_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "deepgrad"


def file_md5(path: str | os.PathLike) -> str:
    """The MD5 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _download(name: str, filename: str, folder: Path) -> Path:
    """Fetch ``filename`` from the set's mirrors into ``folder`` and verify its MD5.

    The download goes to a temporary file that is renamed only after the checksum matched, so
    a failed or corrupt download never leaves a file that looks complete.
    """
    spec = _SETS[name]
    expected = spec["md5"][filename]
    folder.mkdir(parents=True, exist_ok=True)
    errors, mismatch = [], False
    for mirror in spec["mirrors"]:
        url = mirror + filename
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{filename}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as resp:
                for chunk in iter(lambda r=resp: r.read(1 << 20), b""):
                    out.write(chunk)
            got = file_md5(tmp)
            if got == expected:
                os.replace(tmp, folder / filename)
                return folder / filename
            mismatch = True
            errors.append(f"checksum mismatch for {filename} from {url}: MD5 {got}, expected "
                          f"{expected} (corrupt or wrong file)")
        except OSError as exc:  # URLError is an OSError: try the next mirror
            errors.append(f"{url}: {exc}")
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    # A bad checksum is a data problem (ValueError); only unreachable mirrors are I/O errors.
    raise (ValueError if mismatch else ConnectionError)(
        f"{name}: could not download {filename}: " + "; ".join(errors))


def _load_idx_set(name: str, root, train: bool, download: bool, flatten: bool):
    folder = (Path(root).expanduser() if root is not None else default_root()) / name
    paths = []
    for stem in _SPLITS[bool(train)]:
        path = _find(folder, stem)
        if path is None and download:
            path = _download(name, stem + ".gz", folder)
        if path is None:
            urls = ", ".join(m + stem + ".gz" for m in _SETS[name]["mirrors"][:1])
            raise FileNotFoundError(
                f"{name}: {stem}.gz (or {stem}) not found in {folder}. Put the four IDX files "
                f"({', '.join(_SETS[name]['md5'])}) in that folder, e.g. from {urls}, or pass "
                f"download=True to fetch them (checksums verified).")
        paths.append(path)
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{name}: {paths[0]} has shape {images.shape} and {paths[1]} shape "
                         f"{labels.shape}; expected (N, H, W) images and (N,) labels")
    X = images.astype(numpy.float32) / numpy.float32(255.0)
    X = X.reshape(X.shape[0], -1) if flatten else X[:, None]
    return X, labels.astype(numpy.int64)


def mnist(root: str | os.PathLike | None = None, train: bool = True, download: bool = False,
          flatten: bool = False) -> tuple[numpy.ndarray, numpy.ndarray]:
    """MNIST handwritten digits: 60 000 train / 10 000 test images of 28x28, 10 classes.

    Reads ``<root>/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]``.

    Args:
        root: data folder (default ``default_root()``, a per-user cache).
        train: the training split, else the test split.
        download: fetch missing files from the official mirrors, verifying their MD5.
        flatten: return X as (N, 784) instead of (N, 1, 28, 28).

    Raises:
        FileNotFoundError: files missing and ``download=False``; the message says where to
            put them.
        ValueError: a downloaded file fails its MD5 check, or a local file is not valid IDX.
        ConnectionError: no mirror could be reached.
    """
    return _load_idx_set("mnist", root, train, download, flatten)


def fashion_mnist(root: str | os.PathLike | None = None, train: bool = True,
                  download: bool = False,
                  flatten: bool = False) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Fashion-MNIST (Zalando): 28x28 clothing images, MNIST's sizes and file names.

    Reads ``<root>/fashion_mnist/...``; arguments as ``mnist``.
    """
    return _load_idx_set("fashion_mnist", root, train, download, flatten)


def digits(flatten: bool = False) -> tuple[numpy.ndarray, numpy.ndarray]:
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes; no download).

    Returns:
        X: float32 (1797, 1, 8, 8) scaled from 0..16 to [0, 1] (or (1797, 64) with
        ``flatten``), y: int64 (1797,).

    Raises:
        ImportError: scikit-learn is not installed (``pip install deepgrad[lab]``).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError("digits() needs scikit-learn, which ships the data: install the 'lab' "
                          "extra (pip install 'deepgrad[lab]') or scikit-learn itself") from exc
    bunch = load_digits()
    X = bunch.data.astype(numpy.float32) / numpy.float32(16.0)
    X = X if flatten else X.reshape(-1, 1, 8, 8)
    return X, bunch.target.astype(numpy.int64)
