"""Class-imbalance remedies with imbalanced-learn's interface: under-, over-sampling and SMOTE.

``X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)`` works as in imbalanced-learn (change
the import only). Inputs are X (N, F) and y (N,); the output holds the original samples first (for
over-samplers), then the new ones class by class.
The samplers are scikit-learn estimators (``get_params``/``set_params``, ``sklearn.base.clone``,
``GridSearchCV`` over an ``imblearn.pipeline.Pipeline``), check their inputs with
imbalanced-learn's messages (NaN/inf in X for SMOTE, continuous targets, impossible strategies)
and give back what they were given: a pandas DataFrame/Series, a list or a NumPy array (a Tensor
gives a NumPy array); float64 stays float64.
``sampling_strategy``: 'auto', 'all', 'majority', 'minority', 'not majority', 'not minority', a
float (binary: N_minority / N_majority after resampling), a dict ``{class: count}`` or a
callable ``y -> dict`` (see ``_strategy.resolve_strategy``). ``random_state``: an int (same
result every call), a NumPy Generator, or None (the library generator).
"""
from __future__ import annotations

import numpy

from ._sampler_base import BaseSampler, InvalidParameterError
from ._strategy import UNDER

__all__ = ["RandomUnderSampler", "RandomOverSampler", "SMOTE", "nearest_neighbors",
           "InvalidParameterError"]


class RandomUnderSampler(BaseSampler):
    """Keep a random subset of each targeted class ('auto': shrink every class but the
    minority to the minority's count).

    Args:
        replacement: draw the kept samples with replacement.

    Attributes:
        sample_indices_: (M,) indices into the original X of the kept rows.
    """

    _kind = UNDER
    _keeps_index = True

    def __init__(self, *, sampling_strategy="auto", random_state=None,
                 replacement: bool = False) -> None:
        super().__init__(sampling_strategy, random_state)
        self.replacement = replacement

    def _check_params(self) -> None:
        super()._check_params()
        if not isinstance(self.replacement, (bool, numpy.bool_)):
            raise self._param_error("replacement", "an instance of 'bool' or an instance of "
                                    "'numpy.bool'")

    def _resample(self, X, y, rng):
        keep = []
        for c in numpy.unique(y):
            members = numpy.flatnonzero(y == c)
            n = self.sampling_strategy_.get(c.item() if hasattr(c, "item") else c)
            if n is not None:
                members = members[rng.choice(members.size, size=n, replace=self.replacement)]
            keep.append(members)
        self.sample_indices_ = numpy.concatenate(keep)
        return X[self.sample_indices_], y[self.sample_indices_], self.sample_indices_


class RandomOverSampler(BaseSampler):
    """Duplicate random samples of each targeted class ('auto': grow every class but the
    majority to the majority's count).

    Args:
        shrinkage: None for a plain bootstrap; a float (or ``{class: float}``) for a smoothed
            bootstrap (ROSE): each copy gets Gaussian noise with per-feature std
            ``shrinkage * h * std_class(feature)``, ``h = (4 / ((F + 2) N)) ** (1 / (F + 4))``.

    Attributes:
        sample_indices_: (M,) the original rows behind every output row.
    """

    def __init__(self, *, sampling_strategy="auto", random_state=None, shrinkage=None) -> None:
        super().__init__(sampling_strategy, random_state)
        self.shrinkage = shrinkage

    def _check_params(self) -> None:
        super()._check_params()
        s = self.shrinkage
        if not (s is None or isinstance(s, dict) or
                (isinstance(s, (int, float)) and not isinstance(s, bool) and s >= 0)):
            raise self._param_error("shrinkage", "a float in the range [0.0, inf), an instance "
                                    "of 'dict' or None")

    def _validate(self, X, y):
        out = super()._validate(X, y)
        Xa = out[2]
        if self.shrinkage is not None and (Xa.dtype.kind not in "biuf" or (
                Xa.dtype.kind == "f" and not numpy.isfinite(Xa).all())):
            raise ValueError("When shrinkage is not None, X needs to contain only numerical "
                             "data to later generate a smoothed bootstrap sample.")
        return out

    def _shrinkage_for(self) -> dict | None:
        if self.shrinkage is None:
            return None
        if isinstance(self.shrinkage, dict):
            missing = set(self.sampling_strategy_) - set(self.shrinkage)
            if missing:
                raise ValueError(f"`shrinkage` should contain a shrinkage factor for each class "
                                 f"that will be resampled. The missing classes are: {missing}")
            factors = dict(self.shrinkage)
        else:
            factors = {c: float(self.shrinkage) for c in self.sampling_strategy_}
        for c, f in factors.items():
            if not f >= 0:
                raise ValueError(f"RandomOverSampler: the shrinkage factor needs to be >= 0, got "
                                 f"{f} for class {c!r}")
        return factors

    def _resample(self, X, y, rng):
        factors = self._shrinkage_for()
        n, f = X.shape
        xs, ys, indices = [X], [y], [numpy.arange(n)]
        for c, n_new in self.sampling_strategy_.items():
            members = numpy.flatnonzero(y == c)
            picks = members[rng.integers(0, members.size, n_new)]
            new = X[picks]
            if factors is not None:
                h = (4.0 / ((f + 2) * n)) ** (1.0 / (f + 4))
                scale = factors[c] * h * X[members].std(axis=0)
                new = (new + rng.standard_normal((n_new, f)) * scale).astype(X.dtype)
            xs.append(new)
            ys.append(y[picks])
            indices.append(picks)
        self.sample_indices_ = numpy.concatenate(indices)
        rows = self.sample_indices_ if factors is None else None  # noisy copies are new rows
        return numpy.concatenate(xs), numpy.concatenate(ys), rows


def nearest_neighbors(X: numpy.ndarray, k: int, block: int = 1024) -> numpy.ndarray:
    """Exact k nearest neighbours of every row of X among the others (self excluded).

    Euclidean distance, brute force; for k <= 24 equal distances go to the lower index. Rows
    are processed in blocks so memory stays O(block * N).

    Returns:
        (N, k) int64 indices, nearest first.
    """
    X = X.astype(numpy.float64)
    sq = numpy.einsum("ij,ij->i", X, X)
    out = numpy.empty((X.shape[0], k), dtype=numpy.int64)
    for start in range(0, X.shape[0], block):
        stop = min(start + block, X.shape[0])
        d2 = sq[start:stop, None] + sq[None, :] - 2.0 * X[start:stop] @ X.T
        rows = numpy.arange(stop - start)
        d2[rows, rows + start] = numpy.inf
        if k > 24:  # argpartition costs about as much as 25 argmin passes (measured, N = 4000)
            part = numpy.argpartition(d2, k - 1, axis=1)[:, :k]
            order = numpy.argsort(numpy.take_along_axis(d2, part, axis=1), axis=1,
                                  kind="stable")
            out[start:stop] = numpy.take_along_axis(part, order, axis=1)
            continue
        # k argmin passes beat argpartition (about 5x at N = 4000) for the small k SMOTE uses.
        for j in range(k):
            nearest = d2.argmin(axis=1)
            out[start:stop, j] = nearest
            d2[rows, nearest] = numpy.inf
    return out


class SMOTE(BaseSampler):
    """Synthetic Minority Over-sampling TEchnique (Chawla et al., 2002).

    For each class to grow, with its samples ``x_1..x_m``: find each one's ``k_neighbors``
    nearest neighbours within the class (itself excluded), draw uniformly among all
    (sample, neighbour) pairs and a step ``lambda ~ U[0, 1)``, and add
    ``x_new = x_i + lambda (x_zi - x_i)``: a point on the segment between them.

    Integer X gives float64 samples (imbalanced-learn would round the new points back to
    integers); floating X keeps its dtype.

    Raises:
        ValueError: NaN or inf in X ("Input X contains NaN."), a class to grow with fewer than
            ``k_neighbors + 1`` samples (the neighbour search of imbalanced-learn fails the
            same way).
    """

    _needs_finite = True

    def __init__(self, *, sampling_strategy="auto", random_state=None,
                 k_neighbors: int = 5) -> None:
        super().__init__(sampling_strategy, random_state)
        self.k_neighbors = k_neighbors

    def _check_params(self) -> None:
        super()._check_params()
        k = self.k_neighbors
        if isinstance(k, bool) or not isinstance(k, (int, numpy.integer)) or k < 1:
            raise self._param_error("k_neighbors", "an int in the range [1, inf)")

    def _resample(self, X, y, rng):
        k = int(self.k_neighbors)
        dtype = X.dtype if X.dtype.kind == "f" else numpy.float64
        xs, ys = [X.astype(dtype, copy=False)], [y]
        for c, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            Xc = X[y == c].astype(dtype, copy=False)
            m = Xc.shape[0]
            if m < k + 1:
                raise ValueError(
                    f"SMOTE: class {c!r} has {m} samples, fewer than k_neighbors + 1 = {k + 1} "
                    f"(each sample and its {k} neighbours). Expected n_neighbors <= "
                    f"n_samples_fit, but n_neighbors = {k + 1}, n_samples_fit = {m}, "
                    f"n_samples = {m}. Lower k_neighbors or drop the class.")
            nn = nearest_neighbors(Xc, k)
            pair = rng.integers(0, m * k, n_new)
            rows, cols = pair // k, pair % k
            steps = rng.uniform(size=(n_new, 1)).astype(dtype)
            xs.append(Xc[rows] + steps * (Xc[nn[rows, cols]] - Xc[rows]))
            ys.append(numpy.full(n_new, c, dtype=y.dtype))
        return numpy.concatenate(xs), numpy.concatenate(ys), None
