"""Class-imbalance samplers against imbalanced-learn's counts, and SMOTE's geometry."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.data.sampling import (
    SMOTE,
    RandomOverSampler,
    RandomUnderSampler,
    nearest_neighbors,
)


def _imbalanced(seed=0, counts=(12, 30, 90), n_features=3):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(3.0 * c, 1.0, (n, n_features)) for c, n in enumerate(counts)])
    y = np.repeat(np.arange(len(counts)), counts)
    perm = rng.permutation(y.size)
    return X[perm], y[perm]


def _user_guide_data():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    return sklearn_datasets.make_classification(
        n_samples=5000, n_features=2, n_informative=2, n_redundant=0, n_repeated=0,
        n_classes=3, n_clusters_per_class=1, weights=[0.01, 0.05, 0.94], class_sep=0.8,
        random_state=0)


def test_user_guide_counts():
    # REFERENCE.md 4.7 / imbalanced-learn user guide
    X, y = _user_guide_data()
    assert np.bincount(y).tolist() == [64, 262, 4674]
    for sampler, expected in [(RandomOverSampler(random_state=0), [4674] * 3),
                              (SMOTE(), [4674] * 3),
                              (RandomUnderSampler(random_state=0), [64] * 3)]:
        X_res, y_res = sampler.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == expected
        assert X_res.shape == (sum(expected), 2)


def test_smote_docstring_example():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, y = sklearn_datasets.make_classification(
        n_classes=2, class_sep=2, weights=[0.1, 0.9], n_informative=3, n_redundant=1, flip_y=0,
        n_features=20, n_clusters_per_class=1, n_samples=1000, random_state=10)
    assert np.bincount(y).tolist() == [100, 900]
    _, y_res = SMOTE(random_state=42).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [900, 900]


STRATEGIES = ["auto", "all", "minority", "not minority", "not majority", "majority",
              {0: 20, 1: 40, 2: 90}, {0: 5, 2: 50}]


@pytest.mark.parametrize("strategy", STRATEGIES, ids=str)
@pytest.mark.parametrize("ours, theirs", [
    (SMOTE, "imblearn.over_sampling.SMOTE"),
    (RandomOverSampler, "imblearn.over_sampling.RandomOverSampler"),
    (RandomUnderSampler, "imblearn.under_sampling.RandomUnderSampler"),
])
def test_class_counts_match_imblearn(ours, theirs, strategy):
    module, name = theirs.rsplit(".", 1)
    ref_cls = getattr(pytest.importorskip(module), name)
    X, y = _imbalanced()
    try:
        _, y_ref = ref_cls(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
    except ValueError:
        with pytest.raises(ValueError):
            ours(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
        return
    X_res, y_res = ours(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_ref).tolist()
    assert X_res.shape == (y_res.size, X.shape[1])


@pytest.mark.parametrize("ratio", [0.5, 0.8, 1.0])
def test_float_strategy_binary_matches_imblearn(ratio):
    imblearn = pytest.importorskip("imblearn")
    X, y = _imbalanced(counts=(20, 100))
    for ours, ref in [(SMOTE, imblearn.over_sampling.SMOTE),
                      (RandomOverSampler, imblearn.over_sampling.RandomOverSampler),
                      (RandomUnderSampler, imblearn.under_sampling.RandomUnderSampler)]:
        _, y_res = ours(sampling_strategy=ratio, random_state=0).fit_resample(X, y)
        _, y_ref = ref(sampling_strategy=ratio, random_state=0).fit_resample(X, y)
        assert np.bincount(y_res).tolist() == np.bincount(y_ref).tolist()
    with pytest.raises(ValueError, match="binary"):
        SMOTE(sampling_strategy=0.5).fit_resample(*_imbalanced())


def test_smote_samples_lie_on_segments_to_k_nearest_neighbours():
    k = 3
    X, y = _imbalanced(seed=1, counts=(15, 60), n_features=4)
    X_res, y_res = SMOTE(k_neighbors=k, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[:y.size], X)  # originals come first, unchanged
    new = X_res[y.size:]
    assert (y_res[y.size:] == 0).all() and new.shape[0] == 45
    minority = X[y == 0]
    # brute-force neighbour lists, independent of the implementation
    d = np.linalg.norm(minority[:, None] - minority[None], axis=2)
    np.fill_diagonal(d, np.inf)
    knn = np.argsort(d, axis=1)[:, :k]
    for p in new:
        found = False
        for i, a in enumerate(minority):
            for j in knn[i]:
                seg = minority[j] - a
                lam = np.dot(p - a, seg) / np.dot(seg, seg)
                if -1e-9 <= lam <= 1 + 1e-9 and np.allclose(a + lam * seg, p, atol=1e-9):
                    found = True
        assert found, f"synthetic sample {p} is on no segment to a {k}-nearest neighbour"


def test_smote_error_with_too_few_samples_reads_like_imblearn():
    X, y = _imbalanced(counts=(5, 40))
    with pytest.raises(ValueError) as err:
        SMOTE().fit_resample(X, y)
    msg = str(err.value)
    assert "Expected n_neighbors <= n_samples_fit, but n_neighbors = 6, n_samples_fit = 5" in msg
    assert "k_neighbors" in msg
    imblearn = pytest.importorskip("imblearn")
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit, but "
                                         "n_neighbors = 6, n_samples_fit = 5"):
        imblearn.over_sampling.SMOTE().fit_resample(X, y)
    X_res, y_res = SMOTE(k_neighbors=4).fit_resample(X, y)  # 5 samples suffice for k = 4
    assert np.bincount(y_res).tolist() == [40, 40]


def test_random_state_and_library_seed_reproduce():
    X, y = _imbalanced()
    for cls in (SMOTE, RandomOverSampler, RandomUnderSampler):
        a = cls(random_state=3).fit_resample(X, y)[0]
        b = cls(random_state=3).fit_resample(X, y)[0]
        np.testing.assert_array_equal(a, b)
        dg.manual_seed(9)
        c = cls().fit_resample(X, y)[0]
        dg.manual_seed(9)
        np.testing.assert_array_equal(c, cls().fit_resample(X, y)[0])


def test_over_and_under_sampling_draw_from_the_right_rows():
    X, y = _imbalanced()
    ros = RandomOverSampler(random_state=0)
    X_res, y_res = ros.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[ros.sample_indices_])
    np.testing.assert_array_equal(y_res, y[ros.sample_indices_])
    rus = RandomUnderSampler(random_state=0)
    X_res, y_res = rus.fit_resample(X, y)
    assert len(set(rus.sample_indices_.tolist())) == rus.sample_indices_.size  # no repeats
    np.testing.assert_array_equal(X_res, X[rus.sample_indices_])


def test_shrinkage_smoothed_bootstrap():
    X, y = _imbalanced()
    zero = RandomOverSampler(random_state=0, shrinkage=0.0)
    np.testing.assert_allclose(zero.fit_resample(X, y)[0], X[zero.sample_indices_])
    ros = RandomOverSampler(random_state=0, shrinkage=1.0)
    smooth, _ = ros.fit_resample(X, y)
    new = smooth[y.size:]
    assert not np.isin(new, X).all(axis=1).any()  # jittered, not copies
    noise = new - X[ros.sample_indices_[y.size:]]
    n, f = X.shape
    h = (4 / ((f + 2) * n)) ** (1 / (f + 4))
    expected = h * X[y == 0].std(axis=0)
    cls0 = y[ros.sample_indices_[y.size:]] == 0
    np.testing.assert_allclose(noise[cls0].std(axis=0), expected, rtol=0.35)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage={0: 1.0}).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"must be a float in the range \[0.0, inf\)"):
        RandomOverSampler(shrinkage=-1.0).fit_resample(X, y)


@pytest.mark.parametrize("cls, strategy, match", [
    (SMOTE, {7: 10}, "not present"),
    (SMOTE, {0: 1}, "greater or equal"),
    (RandomUnderSampler, {2: 1000}, "less or equal"),
    (RandomUnderSampler, "minority", "parameter of RandomUnderSampler must be a float"),
    (RandomOverSampler, "majority", "parameter of RandomOverSampler must be a float"),
    (RandomOverSampler, "most", "Got 'most' instead"),
])
def test_strategy_errors(cls, strategy, match):
    with pytest.raises(ValueError, match=match):
        cls(sampling_strategy=strategy).fit_resample(*_imbalanced())


def test_input_checks_and_tensors():
    X, y = _imbalanced()
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        SMOTE().fit_resample(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SMOTE().fit_resample(X, y[:-1])
    with pytest.raises(ValueError, match="more than 1 class"):
        SMOTE().fit_resample(X, np.zeros_like(y))
    X_res, y_res = SMOTE(random_state=0).fit_resample(dg.tensor(X.astype(np.float32)),
                                                      dg.tensor(y))
    assert isinstance(X_res, np.ndarray) and X_res.dtype == np.float32
    assert np.bincount(y_res).tolist() == [90, 90, 90]
    callable_strategy = SMOTE(sampling_strategy=lambda labels: {0: 50}, random_state=0)
    assert np.bincount(callable_strategy.fit_resample(X, y)[1]).tolist() == [50, 30, 90]


def test_nearest_neighbors_exact():
    neighbors = pytest.importorskip("sklearn.neighbors")
    X = np.random.default_rng(0).normal(size=(300, 5))
    ref = neighbors.NearestNeighbors(n_neighbors=31).fit(X).kneighbors(X)[1][:, 1:]
    np.testing.assert_array_equal(nearest_neighbors(X, 4, block=64), ref[:, :4])
    np.testing.assert_array_equal(nearest_neighbors(X, 30, block=64), ref)  # argpartition path
