"""What every class-imbalance sampler shares: scikit-learn's estimator protocol
(``get_params``/``set_params``, so ``sklearn.base.clone`` and ``GridSearchCV`` work), the input
checks of imbalanced-learn with its messages, and giving back the container it was given (a
pandas DataFrame/Series, a list or a NumPy array; pandas is never imported unless the input is
pandas)."""
from __future__ import annotations

import inspect
import numbers

import numpy

from ..autograd.tensor import Tensor
from ._strategy import NAMED, OVER, resolve_strategy
from .datasets._common import rng_for


class InvalidParameterError(ValueError, TypeError):
    """A constructor parameter outside its allowed values (scikit-learn's exception name)."""


def _is_pandas(obj, kind: str) -> bool:
    return type(obj).__name__ == kind and type(obj).__module__.split(".")[0] == "pandas"


def type_of_target(y: numpy.ndarray) -> str:
    """scikit-learn's target kinds, for what samplers accept: 'binary', 'multiclass',
    'continuous', 'multilabel-indicator', 'multiclass-multioutput', 'continuous-multioutput'."""
    multi = y.ndim == 2 and y.shape[1] > 1
    if y.dtype.kind == "f":
        if numpy.isnan(y).any():
            raise ValueError("Input y contains NaN.")
        if numpy.isinf(y).any() or numpy.any(y != y.astype(numpy.int64)):
            return "continuous-multioutput" if multi else "continuous"
    if multi:
        binary = y.dtype.kind in "biuf" and numpy.isin(y, (0, 1)).all()
        return "multilabel-indicator" if binary else "multiclass-multioutput"
    return "multiclass" if numpy.unique(y).size > 2 else "binary"


def _check_target(y: numpy.ndarray) -> numpy.ndarray:
    kind = type_of_target(y)
    if kind.startswith("continuous"):
        raise ValueError(f"Unknown label type: {kind}. Maybe you are trying to fit a classifier,"
                         " which expects discrete classes on a regression target with "
                         "continuous values.")
    if kind in ("multilabel-indicator", "multiclass-multioutput"):
        raise ValueError("Imbalanced-learn currently supports binary, multiclass and binarized "
                         "encoded multiclasss targets. Multilabel and multioutput targets are "
                         "not supported.\n(deepgrad: pass class indices, e.g. "
                         "y.argmax(axis=1) for one-hot labels.)")
    if y.ndim == 2 and y.shape[1] == 1:
        return y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} instead.")
    return y


def check_features(X: numpy.ndarray, name: str, finite: bool) -> None:
    """scikit-learn's ``check_array`` rules with its messages (``finite``: SMOTE's NaN/inf)."""
    if X.ndim == 1:
        raise ValueError(f"Expected 2D array, got 1D array instead:\narray={X}.\nReshape your "
                         "data either using array.reshape(-1, 1) if your data has a single "
                         "feature or array.reshape(1, -1) if it contains a single sample.")
    if X.ndim != 2:  # scikit-learn names the estimator only where it validates the values
        by = f" by {name}" if finite else ""
        raise ValueError(f"Found array with dim {X.ndim}, while dim <= 2 is required{by}.")
    for axis, what in ((0, "sample"), (1, "feature")):
        if X.shape[axis] == 0:
            raise ValueError(f"Found array with 0 {what}(s) (shape={X.shape}) while a minimum "
                             f"of 1 is required by {name}.")
    if not finite:
        return
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name}: X must be numeric (got dtype {X.dtype}); convert your data "
                         "to numeric values explicitly.")
    if X.dtype.kind == "f" and not numpy.isfinite(X).all():
        if numpy.isnan(X).any():
            raise ValueError(f"Input X contains NaN.\n{name} does not accept missing values "
                             "encoded as NaN natively. Impute them first (for instance with "
                             "sklearn.impute.SimpleImputer) or drop those samples.")
        raise ValueError(f"Input X contains infinity or a value too large for "
                         f"dtype('{X.dtype}').")


class Container:
    """Remembers what a sampler was given, to give the same kind back."""

    def __init__(self, obj) -> None:
        self.obj = obj
        self.kind = ("dataframe" if _is_pandas(obj, "DataFrame") else
                     "series" if _is_pandas(obj, "Series") else
                     "list" if isinstance(obj, list) else "array")

    def array(self) -> numpy.ndarray:
        if isinstance(self.obj, Tensor):
            return self.obj.numpy()
        if self.kind in ("dataframe", "series"):
            return self.obj.to_numpy()
        return numpy.asarray(self.obj)  # lists of floats stay float64 (not deepgrad's float32)

    def restore(self, arr: numpy.ndarray, rows: numpy.ndarray | None, index=None):
        """``arr`` as the input's kind; ``rows``: the input rows the output copies, when every
        output row is one (so a DataFrame keeps its column dtypes exactly)."""
        if self.kind == "list":
            return arr.tolist()
        if self.kind == "array":
            return arr
        import pandas

        if self.kind == "series":
            return pandas.Series(arr, dtype=self.obj.dtype, name=self.obj.name, index=index)
        if rows is not None:
            out = self.obj.iloc[rows]
            return out.set_axis(index, axis=0) if index is not None else \
                out.reset_index(drop=True)
        return pandas.DataFrame(arr, columns=self.obj.columns, index=index).astype(
            self.obj.dtypes)


class BaseSampler:
    """imbalanced-learn's sampler contract: ``fit``, ``fit_resample``, ``sampling_strategy_``;
    scikit-learn's: parameters are the constructor's arguments, kept as given."""

    _kind = OVER
    _needs_finite = False
    _keeps_index = False  # under-sampling keeps the kept rows' DataFrame index labels

    def __init__(self, sampling_strategy="auto", random_state=None) -> None:
        self.sampling_strategy, self.random_state = sampling_strategy, random_state

    # ---- scikit-learn's estimator protocol ----------------------------------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self, deep: bool = True) -> dict:
        """The constructor parameters and their current values."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params) -> "BaseSampler":
        """Set parameters by name (checked when resampling, as in scikit-learn)."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator {self!r}. Valid "
                                 f"parameters are: {valid!r}.")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__).parameters
        changed = [f"{k}={v!r}" for k, v in self.get_params().items()
                   if not _same_default(v, sig[k].default)]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):
        from sklearn.base import BaseEstimator  # called by scikit-learn only

        tags = BaseEstimator.__sklearn_tags__(self)
        tags.target_tags.required = True
        return tags

    # ---- checks ------------------------------------------------------------------------------
    def _param_error(self, name: str, allowed: str) -> InvalidParameterError:
        return InvalidParameterError(f"The {name!r} parameter of {type(self).__name__} must be "
                                     f"{allowed}. Got {getattr(self, name)!r} instead.")

    def _check_params(self) -> None:
        s = self.sampling_strategy
        names = [n for n in NAMED if n != ("majority" if self._kind == OVER else "minority")]
        ok = (callable(s) or isinstance(s, dict) or (isinstance(s, str) and s in names) or
              (isinstance(s, numbers.Real) and not isinstance(s, bool) and 0.0 < s <= 1.0))
        if not ok:
            among = ", ".join(map(repr, sorted(names)))
            raise self._param_error("sampling_strategy", "a float in the range (0.0, 1.0], a str"
                                    f" among {{{among}}}, an instance of "
                                    "'collections.abc.Mapping' or a callable")
        r = self.random_state
        if not (r is None or isinstance(r, (numpy.random.Generator, numpy.random.RandomState))
                or (isinstance(r, numbers.Integral) and not isinstance(r, bool)
                    and 0 <= r < 2**32)):
            raise self._param_error("random_state", "an int in the range [0, 4294967295], an "
                                    "instance of 'numpy.random.Generator' or "
                                    "'numpy.random.RandomState' or None")

    def _validate(self, X, y):
        self._check_params()
        cx, cy = Container(X), Container(y)
        Xa, ya = cx.array(), _check_target(cy.array())
        check_features(Xa, type(self).__name__, self._needs_finite)
        if ya.shape[0] != Xa.shape[0]:
            raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                             f"[{Xa.shape[0]}, {ya.shape[0]}]")
        self.sampling_strategy_ = resolve_strategy(self.sampling_strategy, ya, self._kind)
        return cx, cy, Xa, ya

    def _rng(self) -> numpy.random.Generator:
        r = self.random_state
        if isinstance(r, numpy.random.RandomState):  # draw a seed from it, as sklearn would
            return numpy.random.default_rng(r.randint(2**32, dtype=numpy.uint64))
        return rng_for(r)

    # ---- the sampler contract ----------------------------------------------------------------
    def fit(self, X, y) -> "BaseSampler":
        """Check the inputs and resolve ``sampling_strategy_`` (``{class: n}``)."""
        self._validate(X, y)
        return self

    def fit_resample(self, X, y):
        """Resample: ``(X_resampled, y_resampled)`` of the kind given (DataFrame/Series, list,
        or NumPy array; a Tensor gives a NumPy array)."""
        cx, cy, Xa, ya = self._validate(X, y)
        Xr, yr, rows = self._resample(Xa, ya, self._rng())  # rows: what each output copies
        index = None
        if self._keeps_index and cx.kind == "dataframe":
            index = cx.obj.index[rows]
        elif self._keeps_index and cy.kind == "series":
            index = cy.obj.index[rows]
        X_out = cx.restore(Xr, rows, index)
        if cx.kind == "dataframe":
            index = X_out.index
        return X_out, cy.restore(yr, None, index)


def _same_default(value, default) -> bool:
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):
        return False
