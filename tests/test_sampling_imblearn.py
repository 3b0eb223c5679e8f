"""The samplers check their inputs as imbalanced-learn does, with its messages, and behave as
scikit-learn estimators (clone, GridSearchCV in an imblearn Pipeline, pandas in and out)."""
import warnings

import numpy as np
import pytest

from deepgrad.data import sampling as ours

imblearn = pytest.importorskip("imblearn")
from imblearn import over_sampling, under_sampling  # noqa: E402

PAIRS = {"SMOTE": (ours.SMOTE, over_sampling.SMOTE),
         "RandomOverSampler": (ours.RandomOverSampler, over_sampling.RandomOverSampler),
         "RandomUnderSampler": (ours.RandomUnderSampler, under_sampling.RandomUnderSampler)}


def _data(n=(20, 10), seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((sum(n), 2))
    y = np.repeat(np.arange(len(n)), n)
    return X, y


def _with(value, where=(3, 1)):
    X, y = _data()
    X[where] = value
    return X, y


def _error(cls, kwargs, X, y):
    try:
        with warnings.catch_warnings():
            # The reference libraries' own notices only: their deprecations, and scikit-learn's
            # cast warning when it checks a NaN target. A RuntimeWarning from deepgrad (overflow,
            # NaN) still fails the test, as pyproject sets.
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"sklearn\.")
            cls(**kwargs).fit_resample(X, y)
    except (ValueError, TypeError) as e:
        return e
    return None


X0, y0 = _data()
CASES = [
    # (samplers, kwargs, X, y, compare: "exact" | "first line" | prefix string)
    (["SMOTE"], {}, *_with(np.nan), "first line"),
    (["SMOTE"], {}, *_with(np.inf), "exact"),
    (["SMOTE"], {}, *_with(-np.inf), "exact"),
    (["RandomOverSampler"], {"shrinkage": 1.0}, *_with(np.nan), "exact"),
    (list(PAIRS), {}, X0, np.linspace(0, 1, 30), "exact"),
    (list(PAIRS), {}, X0, y0 + 0.5, "exact"),
    (list(PAIRS), {}, X0, np.where(y0 == 0, np.nan, 1.0), "exact"),
    (list(PAIRS), {}, X0, np.zeros(30), "exact"),
    (list(PAIRS), {}, X0, np.stack([y0, 1 - y0, y0], 1), "first line"),
    (list(PAIRS), {}, X0[:, :, None], y0, "exact"),
    (list(PAIRS), {}, X0[:, 0], y0, "exact"),
    (["SMOTE"], {}, X0[:0], y0[:0], "exact"),
    (["SMOTE"], {}, X0[:, :0], y0, "exact"),
    (["SMOTE"], {}, X0, y0[:10], "exact"),
    (["SMOTE", "RandomOverSampler"], {"sampling_strategy": 0.1}, X0, y0, "exact"),
    (["RandomUnderSampler"], {"sampling_strategy": 0.1}, X0, y0, "exact"),
    (list(PAIRS), {"sampling_strategy": 0.5}, *_data((10, 20, 30)), "exact"),
    (["SMOTE", "RandomOverSampler"], {"sampling_strategy": {0: 5, 1: 25}}, X0, y0, "exact"),
    (["RandomUnderSampler"], {"sampling_strategy": {0: 5, 1: 25}}, X0, y0, "exact"),
    (list(PAIRS), {"sampling_strategy": {2: 5}}, X0, y0, "exact"),
    (list(PAIRS), {"sampling_strategy": {0: -1}}, X0, y0, "exact"),
    (list(PAIRS), {"sampling_strategy": "bogus"}, X0, y0, "The 'sampling_strategy' parameter"),
    (list(PAIRS), {"sampling_strategy": 1.5}, X0, y0, "The 'sampling_strategy' parameter"),
    (["SMOTE"], {"sampling_strategy": "majority"}, X0, y0, "The 'sampling_strategy' parameter"),
    (["SMOTE"], {"k_neighbors": 0}, X0, y0, "The 'k_neighbors' parameter of SMOTE must be an "
                                           "int in the range [1, inf)"),
    (["SMOTE"], {"k_neighbors": 12}, X0, y0, "contains"),
    (list(PAIRS), {"random_state": "x"}, X0, y0, "The 'random_state' parameter of"),
    (["RandomOverSampler"], {"shrinkage": -1.0}, X0, y0, "exact"),
    (["RandomUnderSampler"], {"replacement": 1}, X0, y0, "The 'replacement' parameter of "
                                                        "RandomUnderSampler must be an instance"),
]


@pytest.mark.parametrize("names, kwargs, X, y, compare", CASES,
                         ids=[f"{i}-{c[0][0]}" for i, c in enumerate(CASES)])
def test_messages_match_imblearn(names, kwargs, X, y, compare):
    for name in names:
        mine, theirs = PAIRS[name]
        a, b = _error(mine, kwargs, X, y), _error(theirs, kwargs, X, y)
        assert b is not None, "imbalanced-learn accepts this case"
        assert a is not None, f"{name} accepted what imbalanced-learn refuses: {b}"
        assert isinstance(a, ValueError) and isinstance(b, ValueError)
        if compare == "exact":
            assert str(a) == str(b), name
        elif compare == "contains":  # ours says more, around imbalanced-learn's text
            assert str(b) in str(a), name
        elif compare == "first line":
            assert str(a).splitlines()[0] == str(b).splitlines()[0], name
        else:
            assert str(a).startswith(compare) and compare.split(" must")[0] in str(b)


@pytest.mark.parametrize("name", ["RandomOverSampler", "RandomUnderSampler"])
def test_random_samplers_pass_nan_rows_through_like_imblearn(name):
    mine, theirs = PAIRS[name]
    X, y = _with(np.nan)
    Xa, ya = mine(random_state=0).fit_resample(X, y)
    Xb, yb = theirs(random_state=0).fit_resample(X, y)
    assert Xa.shape == Xb.shape and np.isnan(Xa).any()  # the row with NaN is kept or copied
    assert np.bincount(ya).tolist() == np.bincount(yb).tolist()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(PAIRS))
def test_dtypes_are_kept(name, dtype):
    X, y = _data()
    Xr, yr = PAIRS[name][0](random_state=0).fit_resample(X.astype(dtype), y)
    assert Xr.dtype == dtype and yr.dtype == y.dtype
    Xl, yl = PAIRS[name][0](random_state=0).fit_resample(X.tolist(), y.tolist())
    assert isinstance(Xl, list) and isinstance(yl, list)
    assert np.asarray(Xl).dtype == np.float64  # a list of floats stays float64


def test_estimator_protocol():
    base = pytest.importorskip("sklearn.base")
    s = ours.SMOTE(k_neighbors=3, random_state=np.int64(4))
    assert s.get_params() == {"k_neighbors": 3, "random_state": 4, "sampling_strategy": "auto"}
    c = base.clone(s)
    assert c is not s and c.get_params() == s.get_params()
    assert base.clone(ours.SMOTE(random_state=np.int64(4))).random_state == 4
    s = ours.SMOTE(k_neighbors=3, random_state=4)
    assert s.set_params(k_neighbors=2) is s and s.k_neighbors == 2
    with pytest.raises(ValueError, match=r"Invalid parameter 'bogus' for estimator SMOTE"
                                         r"\(k_neighbors=2, random_state=4\)\. Valid parameters"
                                         r" are: \['k_neighbors', 'random_state', "
                                         r"'sampling_strategy'\]\."):
        s.set_params(bogus=1)
    assert repr(ours.SMOTE()) == "SMOTE()" == repr(over_sampling.SMOTE())
    assert repr(ours.RandomUnderSampler(replacement=True)) == repr(
        under_sampling.RandomUnderSampler(replacement=True))
    with pytest.raises(ValueError, match="k_neighbors"):  # checked at fit, as in sklearn
        ours.SMOTE().set_params(k_neighbors=-1).fit_resample(*_data())


def test_grid_search_in_an_imblearn_pipeline():
    sklearn = pytest.importorskip("sklearn")
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (180, 2)), rng.normal(1.5, 1, (20, 2))])
    y = np.repeat([0, 1], [180, 20])
    pipe = Pipeline([("sampler", ours.SMOTE(random_state=0)),
                     ("clf", LogisticRegression())])
    grid = GridSearchCV(pipe, {"sampler__k_neighbors": [1, 3, 5],
                               "sampler__sampling_strategy": [0.5, 1.0]},
                        scoring="recall", cv=3)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"sampler__k_neighbors", "sampler__sampling_strategy"}
    assert len(grid.cv_results_["mean_test_score"]) == 6
    assert grid.best_estimator_.named_steps["sampler"] is not pipe.named_steps["sampler"]
    assert sklearn.__version__  # the pipeline ran through scikit-learn's own machinery


def test_dataframe_in_dataframe_out():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1].astype(np.float32),
                       "n": np.arange(30)}, index=np.arange(100, 130))
    ys = pd.Series(y, name="target", index=df.index)
    for name, (mine, theirs) in PAIRS.items():
        Xa, ya = mine(random_state=0).fit_resample(df, ys)
        Xb, yb = theirs(random_state=0).fit_resample(df, ys)
        assert isinstance(Xa, pd.DataFrame) and isinstance(ya, pd.Series), name
        assert list(Xa.columns) == ["a", "b", "n"] and ya.name == "target"
        assert Xa.dtypes.tolist() == Xb.dtypes.tolist() == df.dtypes.tolist()
        assert ya.dtype == yb.dtype and len(Xa) == len(Xb)
        assert (Xa.index == ya.index).all()
        assert type(Xa.index) is type(Xb.index)
        if name == "RandomUnderSampler":  # kept rows keep their labels, as in imbalanced-learn
            assert Xa.index.isin(df.index).all() and Xa.equals(df.loc[Xa.index])
        else:
            assert Xa.index.tolist() == list(range(len(Xa)))
    Xa, ya = ours.SMOTE(random_state=0).fit_resample(df[["a"]], y)
    assert isinstance(Xa, pd.DataFrame) and isinstance(ya, np.ndarray)
