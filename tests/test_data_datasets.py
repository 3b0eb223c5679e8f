"""Procedural datasets and digits: shapes, classes, dtypes, determinism, task structure."""
import sys

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.data import datasets as D

# builder, kwargs, X shape, y shape, number of classes (None: regression target)
CASES = [
    (D.xor, {"n_repeats": 3}, (12, 2), (12,), 2),
    (D.and_, {}, (4, 2), (4,), 2),
    (D.or_, {"noise": 0.1}, (4, 2), (4,), 2),
    (D.spirals, {"n_samples": 301, "n_classes": 3}, (301, 2), (301,), 3),
    (D.moons, {"n_samples": 51, "noise": 0.1}, (51, 2), (51,), 2),
    (D.circles, {"n_samples": 60, "noise": 0.05}, (60, 2), (60,), 2),
    (D.blobs, {"n_samples": 90, "centers": 4, "n_features": 5}, (90, 5), (90,), 4),
    (D.regression, {"n_samples": 40, "n_features": 3}, (40, 3), (40, 1), None),
    (D.first_token_memory, {"seq_len": 7, "n_samples": 30, "n_classes": 3},
     (30, 7, 3), (30,), 3),
    (D.adding_problem, {"n_samples": 20, "seq_len": 9}, (20, 9, 2), (20, 1), None),
    (D.noisy_sine, {"n_samples": 15, "seq_len": 12}, (15, 12, 1), (15, 1), None),
]


@pytest.mark.parametrize("fn, kwargs, x_shape, y_shape, n_classes", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_shapes_classes_dtypes_and_determinism(fn, kwargs, x_shape, y_shape, n_classes):
    X, y = fn(**kwargs, seed=7)
    assert X.shape == x_shape and y.shape == y_shape
    assert X.dtype == np.float32 and np.isfinite(X).all()
    if n_classes is None:
        assert y.dtype == np.float32
    else:
        assert y.dtype == np.int64
        assert sorted(np.unique(y).tolist()) == list(range(n_classes))
        counts = np.bincount(y)
        if fn not in (D.and_, D.or_):
            assert counts.max() - counts.min() <= 1  # balanced up to one sample
    X2, y2 = fn(**kwargs, seed=7)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    # seed=None draws from the library generator: manual_seed repeats it
    dg.manual_seed(3)
    Xa, _ = fn(**kwargs)
    dg.manual_seed(3)
    Xb, _ = fn(**kwargs)
    np.testing.assert_array_equal(Xa, Xb)
    if fn not in (D.xor, D.and_):  # exact truth tables have no randomness
        assert not np.array_equal(fn(**kwargs, seed=8)[0], X)


def test_truth_tables_exact():
    for fn, expected in [(D.xor, [0, 1, 1, 0]), (D.and_, [0, 0, 0, 1]), (D.or_, [0, 1, 1, 1])]:
        X, y = fn()
        np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
        assert y.tolist() == expected
    X, y = D.xor(n_repeats=2)
    np.testing.assert_array_equal(y, [0, 1, 1, 0] * 2)
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


def test_geometry_of_moons_circles_blobs_spirals():
    X, y = D.circles(200, factor=0.5, seed=0)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.5, atol=1e-6)
    X, y = D.moons(100, seed=0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0, atol=1e-6)
    X, y = D.blobs(300, centers=np.array([[0.0, 0.0], [20.0, 20.0]]), cluster_std=0.5, seed=0)
    np.testing.assert_allclose(X[y == 1].mean(0), [20, 20], atol=0.2)
    X, y = D.spirals(200, noise=0.0, seed=0)
    assert np.abs(X).max() <= 1.0 + 1e-6


def test_sequence_task_structure():
    X, y = D.first_token_memory(20, n_samples=40, n_classes=4, seed=0)
    np.testing.assert_array_equal(X[:, 0].argmax(1), y)
    np.testing.assert_array_equal(X[:, 0].sum(1), 1.0)
    assert abs(X[:, 1:].std() - 1.0) < 0.05  # the rest is unit noise
    X, y = D.adding_problem(50, 10, seed=0)
    marks = X[:, :, 1]
    np.testing.assert_array_equal(marks.sum(1), 2.0)
    assert (marks[:, :5].sum(1) == 1).all() and (marks[:, 5:].sum(1) == 1).all()
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * marks).sum(1), rtol=1e-6)
    X, y = D.noisy_sine(10, 30, noise=0.0, seed=0)
    # a clean sine obeys s_{t+1} = 2 cos(omega) s_t - s_{t-1}; the target continues it
    s = X[:, :, 0].astype(np.float64)
    two_cos = (s[:, 2] + s[:, 0]) / s[:, 1]
    np.testing.assert_allclose(y[:, 0], two_cos * s[:, -1] - s[:, -2], atol=1e-4)


@pytest.mark.parametrize("fn, kwargs, match", [
    (D.spirals, {"n_samples": 0}, "n_samples"),
    (D.moons, {"noise": -1}, "noise"),
    (D.circles, {"factor": 1.5}, "factor"),
    (D.first_token_memory, {"seq_len": 0}, "seq_len"),
    (D.adding_problem, {"seq_len": 1}, "seq_len"),
    (D.noisy_sine, {"omega_range": (0.5, 0.1)}, "omega_range"),
    (D.xor, {"n_repeats": 0}, "n_repeats"),
])
def test_bad_arguments_name_the_argument(fn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(**kwargs)


def test_digits_shapes():
    pytest.importorskip("sklearn")
    X, y = D.digits()
    assert X.shape == (1797, 1, 8, 8) and y.shape == (1797,)
    assert X.dtype == np.float32 and 0.0 <= X.min() and X.max() == 1.0
    assert sorted(np.unique(y).tolist()) == list(range(10))
    assert D.digits(flatten=True)[0].shape == (1797, 64)


def test_digits_without_sklearn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="'lab' extra"):
        D.digits()


def test_datasets_feed_a_loader():
    X, y = D.moons(64, noise=0.1, seed=0)
    loader = dg.data.DataLoader(dg.data.TensorDataset(X, y), batch_size=16, shuffle=True)
    assert len(loader) == 4
    xb, yb = next(iter(loader))
    assert xb.shape == (16, 2) and yb.dtype == np.int64
