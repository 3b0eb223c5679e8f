"""MNIST digits for the PyTorch example programs: IDX files when given, else a synthetic stand-in.

Shared by ``mnist_cnn.py``, ``mnist_lstm.py`` and ``vae.py``. Only ``torch`` and the standard
library are used, so the programs run anywhere (no torchvision, no download).

* ``load_digits(data_dir, n_train, n_test)`` reads ``train-images-idx3-ubyte`` /
  ``train-labels-idx1-ubyte`` and ``t10k-*`` (plain or ``.gz``) from ``data_dir``. With only the
  t10k files present, the test set is split: the first part trains, the last ``n_test`` images test.
* Without ``data_dir``: ten fixed blocky 28x28 "digit" prototypes (7x7 random masks upsampled 4x),
  each image its class prototype plus Gaussian noise, clipped to [0, 1].

Images come back as float32 ``(N, 1, 28, 28)`` in [0, 1], labels as int64 ``(N,)``.
"""
import gzip
import os
import struct

import torch


def _open(path):
    if os.path.exists(path):
        return open(path, "rb")
    return gzip.open(path + ".gz", "rb")


def _exists(data_dir, name):
    base = os.path.join(data_dir, name)
    return os.path.exists(base) or os.path.exists(base + ".gz")


def read_idx(path):
    """One IDX file (MNIST's format: magic, big-endian dims, unsigned bytes) as a uint8 tensor."""
    with _open(path) as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    flat = torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8)
    return flat.view(*dims)


def _split(prefix, data_dir):
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"))
    return images.unsqueeze(1).float() / 255.0, labels.long()


def synthetic_digits(n, seed=0, sample_seed=1, noise=0.35):
    """``n`` noisy images of ten blocky prototypes (from ``seed``; noise from ``sample_seed``)."""
    g = torch.Generator().manual_seed(seed)
    protos = (torch.rand(10, 1, 7, 7, generator=g) > 0.5).float()
    protos = protos.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3)
    g_samples = torch.Generator().manual_seed(sample_seed)
    labels = torch.randint(0, 10, (n,), generator=g_samples)
    images = protos[labels] + noise * torch.randn(n, 1, 28, 28, generator=g_samples)
    return images.clamp(0.0, 1.0), labels


def load_digits(data_dir=None, n_train=60000, n_test=10000, seed=0):
    """``((train_x, train_y), (test_x, test_y))``; see the module docstring for the sources."""
    if data_dir is None:
        # same prototypes, independent noise for the two sets
        return synthetic_digits(n_train, seed, seed + 1), synthetic_digits(n_test, seed, seed + 2)
    if _exists(data_dir, "train-images-idx3-ubyte"):
        tx, ty = _split("train", data_dir)
        vx, vy = _split("t10k", data_dir)
        return (tx[:n_train], ty[:n_train]), (vx[:n_test], vy[:n_test])
    x, y = _split("t10k", data_dir)
    n_test = min(n_test, len(y) // 5)
    n_train = min(n_train, len(y) - n_test)
    return (x[:n_train], y[:n_train]), (x[len(y) - n_test:], y[len(y) - n_test:])
