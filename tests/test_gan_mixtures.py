"""2-D Gaussian mixtures, the modes-covered / high-quality metric, and PNG writing."""
import math
import struct
import zlib

import numpy as np
import pytest

from deepgrad.data.mixtures import GaussianMixture2D, grid_mixture, ring_mixture
from deepgrad.training.gan_metrics import evaluate_mixture, mode_coverage
from deepgrad.utils.png import encode_png, image_grid, scatter_image, write_png


def test_ring_and_grid_layouts():
    ring = ring_mixture()
    assert ring.centers.shape == (8, 2) and ring.sigma == 0.01
    np.testing.assert_allclose(np.hypot(*ring.centers.T), 1.0)
    np.testing.assert_allclose(ring.centers[2], [0.0, 1.0], atol=1e-15)
    grid = grid_mixture()
    assert grid.centers.shape == (25, 2) and grid.sigma == 0.05
    assert sorted(set(grid.centers[:, 0])) == [-4.0, -2.0, 0.0, 2.0, 4.0]


def test_sample_is_seeded_and_has_the_right_spread():
    ring = ring_mixture(radius=2.0, sigma=0.02)
    a, modes = ring.sample(4000, seed=5, return_modes=True)
    np.testing.assert_array_equal(a, ring.sample(4000, seed=5))
    assert a.dtype == np.float32 and a.shape == (4000, 2)
    resid = a - ring.centers[modes]
    assert resid.std() == pytest.approx(0.02, rel=0.05)
    assert np.bincount(modes, minlength=8).min() > 400  # every mode drawn about equally


@pytest.mark.parametrize("bad,match", [
    (dict(centers=np.zeros((3, 3)), sigma=1.0), r"shape \(K, 2\)"),
    (dict(centers=np.zeros((3, 2)), sigma=0.0), "sigma must be positive, got 0.0"),
])
def test_mixture_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture2D(**bad)


def test_metric_on_hand_made_samples():
    centers = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    samples = np.array([
        [0.01, 0.0],     # near mode 0: 1 sigma -> high quality
        [0.0, -0.029],   # mode 0 at 2.9 sigma -> high quality
        [1.0, 0.031],    # mode 1 at 3.1 sigma -> not high quality
        [0.02, 1.02],    # mode 2 at 2.83 sigma -> high quality
        [0.5, 0.5],      # between all modes -> not high quality
    ])
    cov = mode_coverage(samples, centers, sigma=0.01)
    assert cov.modes_covered == 2  # modes 0 and 2; mode 1's only sample is too far
    assert cov.high_quality_fraction == pytest.approx(3 / 5)
    np.testing.assert_array_equal(cov.counts, [2, 0, 1, 0])
    assert str(cov) == "2/4 modes, 60.0% high quality"
    assert mode_coverage(samples, centers, 0.01, threshold=4.0).modes_covered == 3


def test_metric_on_the_true_distribution_and_a_collapsed_one():
    ring = ring_mixture()
    cov = mode_coverage(ring.sample(2500, seed=0), ring.centers, ring.sigma)
    # within 3 sigma in 2-D: 1 - exp(-9/2) = 98.9%
    assert cov.modes_covered == 8
    assert cov.high_quality_fraction == pytest.approx(1 - math.exp(-4.5), abs=0.01)
    collapsed = np.repeat(ring.centers[:1], 2500, axis=0)
    cov = evaluate_mixture(lambda n: collapsed[:n], ring)
    assert cov.modes_covered == 1 and cov.high_quality_fraction == 1.0


def test_metric_errors():
    with pytest.raises(ValueError, match=r"share D, got shapes \(3, 3\) and \(8, 2\)"):
        mode_coverage(np.zeros((3, 3)), ring_mixture().centers, 0.01)
    assert mode_coverage(np.zeros((0, 2)), ring_mixture().centers, 0.01).modes_covered == 0


def _decode_png(data):
    """Minimal reader for what encode_png writes (8-bit, filter 0): (H, W[, C]) uint8."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + n
    w, h, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 2: 3, 6: 4}[color]
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + w * channels)
    assert depth == 8 and not raw[:, 0].any()
    img = raw[:, 1:].reshape(h, w, channels)
    return img[:, :, 0] if channels == 1 else img


@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3), (2, 2, 4)])
def test_png_round_trip(shape, tmp_path):
    img = np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8)
    np.testing.assert_array_equal(_decode_png(encode_png(img)), img)
    write_png(str(tmp_path / "a.png"), img)
    np.testing.assert_array_equal(_decode_png((tmp_path / "a.png").read_bytes()), img)


def test_png_float_scaling_and_errors():
    out = _decode_png(encode_png(np.array([[0.0, 0.5, 1.0]])))
    np.testing.assert_array_equal(out, [[0, 128, 255]])
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\)"):
        encode_png(np.zeros((2, 2, 2)))


def test_image_grid_and_scatter():
    imgs = np.arange(5 * 2 * 2, dtype=np.float32).reshape(5, 1, 2, 2)
    grid = image_grid(imgs, nrow=3, pad=1, scale=2, pad_value=-1)
    assert grid.shape == (2 * 5 + 1, 3 * 5 + 1)
    np.testing.assert_array_equal(grid[1:5, 6:10], np.kron(imgs[1, 0], np.ones((2, 2))))
    assert grid[0].max() == -1 and grid[6:10, 11:15].max() == -1  # the empty sixth tile
    img = scatter_image([(np.array([[0.0, 0.0], [-1.0, 1.0], [5.0, 5.0]]), (255, 0, 0))],
                        extent=1.0, size=11, radius=0)
    assert img.shape == (11, 11, 3)
    assert tuple(img[5, 5]) == (255, 0, 0) and tuple(img[0, 0]) == (255, 0, 0)
    assert (img[..., 1] == 0).sum() == 2  # the point outside the extent is dropped
