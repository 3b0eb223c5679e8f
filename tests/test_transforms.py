"""Transforms (dataset expansion) and the nn.GaussianNoise layer: shapes, labels, seeding, math."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.data import DataLoader, TensorDataset, TransformDataset
from deepgrad.data import transforms as T


def _image(shape=(1, 9, 9), seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


IMAGE_TRANSFORMS = [
    T.RandomRotation(30),
    T.RandomRotation((-10, 10), interpolation="nearest", fill=0.5),
    T.RandomAffine(degrees=15, translate=(0.1, 0.2), scale=(0.9, 1.1), shear=5),
    T.RandomZoom(0.2),
    T.RandomShift(2),
    T.RandomHorizontalFlip(0.5),
    T.Normalize(0.5, 0.25),
    T.GaussianNoise(0.1),
    T.AddNoise(10.0),
    T.Compose([T.RandomRotation(10), T.RandomShift((1, 2)), T.Normalize(0.1, 2.0)]),
]


@pytest.mark.parametrize("transform", IMAGE_TRANSFORMS, ids=repr)
@pytest.mark.parametrize("shape", [(9, 9), (3, 9, 7), (4, 2, 6, 8)])
def test_shapes_and_dtypes_are_kept(transform, shape):
    x = _image(shape)
    out = transform(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    assert np.isfinite(out).all()


@pytest.mark.parametrize("transform", IMAGE_TRANSFORMS[:5] + IMAGE_TRANSFORMS[7:9], ids=repr)
def test_seeded_from_library_generator(transform):
    x = _image((2, 1, 9, 9))
    dg.manual_seed(11)
    a = transform(x)
    dg.manual_seed(11)
    b = transform(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, transform(x))  # the next call draws anew


def test_rotation_geometry():
    img = _image((2, 7, 7))
    r90 = T.RandomRotation((90, 90))(img)
    np.testing.assert_allclose(r90, np.rot90(img, axes=(1, 2)), atol=1e-5)
    r180 = T.RandomRotation((180, 180), interpolation="nearest")(img)
    np.testing.assert_array_equal(r180, img[:, ::-1, ::-1])
    np.testing.assert_allclose(T.RandomRotation(0)(img), img, atol=1e-6)
    # a rotation keeps the centre pixel of an odd-sized image
    r = T.RandomRotation((33, 33))(img)
    np.testing.assert_allclose(r[:, 3, 3], img[:, 3, 3], atol=1e-5)


def test_zoom_and_affine_fill():
    ones = np.ones((1, 8, 8), np.float32)
    np.testing.assert_allclose(T.RandomZoom((2.0, 2.0))(ones), ones)  # enlarged content
    shrunk = T.RandomZoom((0.5, 0.5), fill=-1.0)(ones)
    assert shrunk[0, 0, 0] == -1.0 and shrunk[0, 4, 4] == 1.0
    # a translation with nearest interpolation is an exact whole-pixel shift (up to 3 = 0.5 W)
    img = _image((1, 6, 6))
    out = T.RandomAffine(translate=(0.5, 0.0), interpolation="nearest")(img)

    def shifted(k):
        ref = np.zeros_like(img)
        if k >= 0:
            ref[..., k:] = img[..., :6 - k]
        else:
            ref[..., :k] = img[..., -k:]
        return ref

    assert any(np.array_equal(out, shifted(k)) for k in range(-3, 4))


def test_bilinear_interpolates_between_pixels():
    img = np.zeros((1, 5, 5), np.float32)
    img[0, 2, 2] = 1.0
    # shift right by half a pixel: two neighbours share the mass equally
    mats = T.affine_matrices(np.zeros(1), np.ones(1), np.zeros(1), np.array([[0.5, 0.0]]), 5, 5)
    out = T.affine_sample(img[None], mats)[0, 0]
    np.testing.assert_allclose(out[2, 2:4], [0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(out.sum(), 1.0, atol=1e-6)


def test_shift_and_flip_are_exact():
    img = _image((1, 5, 6))
    shifted = T.RandomShift((0, 2), fill=9.0, generator=np.random.default_rng(3))(img)
    rng = np.random.default_rng(3)
    rng.integers(0, 1, 1)  # the (empty-range) row shift is drawn first
    dx = int(rng.integers(-2, 3, 1)[0])
    ref = np.full_like(img, 9.0)
    if dx >= 0:
        ref[..., dx:] = img[..., :6 - dx]
    else:
        ref[..., :dx] = img[..., -dx:]
    np.testing.assert_array_equal(shifted, ref)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(img), img[..., ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(0.0)(img), img)
    batch = _image((200, 1, 2, 3))
    flipped = T.RandomHorizontalFlip(0.5)(batch)
    is_flipped = np.all(flipped == batch[..., ::-1], axis=(1, 2, 3))
    assert 60 < is_flipped.sum() < 140  # per-image draws in a batch


def test_batch_draws_per_image():
    batch = np.repeat(_image((1, 1, 9, 9)), 5, axis=0)
    out = T.RandomRotation(45)(batch)
    assert len({out[i].tobytes() for i in range(5)}) == 5


def test_integer_images_stay_integer():
    img = (np.arange(49).reshape(1, 7, 7) % 256).astype(np.uint8)
    out = T.RandomRotation(20)(img)
    assert out.dtype == np.uint8 and out.shape == img.shape


def test_normalize_per_channel():
    x = _image((3, 4, 4))
    out = T.Normalize([0.1, 0.2, 0.3], [1.0, 2.0, 4.0])(x)
    for c, (m, s) in enumerate([(0.1, 1.0), (0.2, 2.0), (0.3, 4.0)]):
        np.testing.assert_allclose(out[c], (x[c] - m) / s, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="std"):
        T.Normalize(0.0, 0.0)


def test_noise_statistics():
    x = np.zeros((200, 200), np.float32)
    assert abs(T.GaussianNoise(0.3)(x).std() - 0.3) < 0.01
    t = np.linspace(0, 40 * np.pi, 40000)
    signal = np.sin(t).astype(np.float32)
    for snr in (0.0, 10.0, 20.0):
        noisy = T.AddNoise(snr)(signal)
        measured = 10 * np.log10(np.mean(signal ** 2) / np.mean((noisy - signal) ** 2))
        assert abs(measured - snr) < 0.2
    rows = np.stack([signal[:1000], 10 * signal[:1000]])
    noisy = T.AddNoise(20.0, axis=-1)(rows)
    ratio = (noisy[1] - rows[1]).std() / (noisy[0] - rows[0]).std()
    assert 8 < ratio < 12  # each row gets noise scaled to its own power


def test_synonym_replacement():
    syn = {"quick": ["fast", "rapid"], "happy": ["glad"]}
    tokens = "the quick dog is happy".split()
    all_swapped = T.SynonymReplacement(syn, p=1.0)(tokens)
    assert all_swapped[0] == "the" and all_swapped[1] in syn["quick"] and all_swapped[4] == "glad"
    assert tokens == "the quick dog is happy".split()  # input untouched
    assert T.SynonymReplacement(syn, p=0.0)(tokens) == tokens
    dg.manual_seed(0)
    draws = [T.SynonymReplacement(syn, p=0.5)(tokens)[1] for _ in range(400)]
    share = draws.count("quick") / 400
    assert 0.4 < share < 0.6 and {"fast", "rapid"} <= set(draws)


def test_transform_dataset_keeps_labels_and_shapes():
    X = _image((10, 1, 8, 8))
    y = np.arange(10)
    ds = TransformDataset(TensorDataset(X, y), T.Compose([T.RandomRotation(15),
                                                         T.RandomShift(1)]))
    xb, yb = next(iter(DataLoader(ds, batch_size=10)))
    assert xb.shape == (10, 1, 8, 8) and xb.dtype == np.float32
    np.testing.assert_array_equal(yb.numpy(), y)


@pytest.mark.parametrize("make", [
    lambda: T.RandomRotation(-5), lambda: T.RandomZoom(1.5), lambda: T.RandomShift(-1),
    lambda: T.RandomHorizontalFlip(2.0), lambda: T.GaussianNoise(-1.0),
    lambda: T.RandomAffine(interpolation="cubic"), lambda: T.SynonymReplacement({}, p=1.5),
    lambda: T.RandomAffine(translate=(2.0, 0.0)),
])
def test_bad_arguments(make):
    with pytest.raises(ValueError):
        make()


def test_image_transform_rejects_1d():
    with pytest.raises(ValueError, match=r"RandomRotation: expected.*\(5,\)"):
        T.RandomRotation(5)(np.zeros(5))


# ---- nn.GaussianNoise ------------------------------------------------------------------------
def test_gaussian_noise_layer_train_only():
    layer = dg.nn.GaussianNoise(0.5)
    x = dg.zeros(300, 300)
    y = layer(x)
    assert y.shape == x.shape and y.dtype == np.float32
    assert abs(float(y.numpy().std()) - 0.5) < 0.01
    layer.eval()
    assert layer(x) is x
    assert dg.nn.GaussianNoise(0.0)(x) is x
    with pytest.raises(ValueError, match="std"):
        dg.nn.GaussianNoise(-0.1)


def test_gaussian_noise_layer_gradient_and_seed():
    layer = dg.nn.GaussianNoise(0.2)
    x = dg.randn(4, 3, dtype=dg.float64, requires_grad=True)
    dg.manual_seed(5)
    y1 = layer(x)
    dg.manual_seed(5)
    y2 = layer(x)
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())
    assert y1.dtype == np.float64
    (y1 * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((4, 3), 3.0))
    assert "GaussianNoise(std=0.2)" in repr(dg.nn.Sequential(dg.nn.Linear(2, 2), layer))
