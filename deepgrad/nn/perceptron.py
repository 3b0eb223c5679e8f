"""The chapter's single-layer perceptron with the classic perceptron learning rule."""
from __future__ import annotations

import numpy

from ..autograd.tensor import DEFAULT_DTYPE, Tensor
from ..random import generator
from .module import Module, Parameter


class Perceptron(Module):
    """Rosenblatt's perceptron: ``o = sign(w . x + w0)`` with outputs in {-1, 1}.

    The offset ``w0`` is the threshold folded into the weights (the chapter's x0 = 1 input);
    it is stored as ``bias``. Training uses the classic rule, not gradient descent:
    for each sample with ``o != t``: ``w += eta (t - o) x`` and ``w0 += eta (t - o)``.
    It converges on linearly separable data (AND, OR) and never on XOR, where at most 3 of the
    4 points (75%) can be right.

    Shapes: X (N, in_features), t (N,) in {-1, 1}.
    """

    def __init__(self, in_features: int) -> None:
        super().__init__()
        self.in_features = in_features
        self.weight = Parameter(numpy.zeros((1, in_features), DEFAULT_DTYPE), False)
        self.bias = Parameter(numpy.zeros(1, DEFAULT_DTYPE), False)

    def net(self, x) -> numpy.ndarray:
        """The weighted sum ``w . x + w0`` for each row of ``x``."""
        xd = x._data if isinstance(x, Tensor) else numpy.asarray(x, DEFAULT_DTYPE)
        if xd.ndim != 2 or xd.shape[1] != self.in_features:
            raise ValueError(f"Perceptron({self.in_features}): input must have shape "
                             f"(N, {self.in_features}), got {xd.shape}")
        return xd @ self.weight._data[0] + self.bias._data[0]

    def forward(self, x) -> Tensor:
        """Outputs in {-1, 1} (a net input of exactly 0 gives -1)."""
        return Tensor(numpy.where(self.net(x) > 0, 1, -1).astype(DEFAULT_DTYPE))

    def predict(self, x) -> numpy.ndarray:
        """Labels in {-1, 1} as a NumPy array."""
        return self.forward(x).numpy()

    def fit(self, X, t, epochs: int = 100, lr: float = 1.0, shuffle: bool = False) -> list[int]:
        """Train with the perceptron rule; returns the number of mistakes in each epoch.

        Stops early after an epoch without mistakes (the data are separated).
        """
        X = numpy.asarray(X._data if isinstance(X, Tensor) else X, DEFAULT_DTYPE)
        t = numpy.asarray(t._data if isinstance(t, Tensor) else t).reshape(-1)
        if X.ndim != 2 or X.shape[0] != t.shape[0]:
            raise ValueError(f"Perceptron.fit: X (N, {self.in_features}) and t (N,) must "
                             f"agree, got {X.shape} and {t.shape}")
        if not set(numpy.unique(t)).issubset({-1, 1}):
            raise ValueError(f"Perceptron.fit: targets must be -1 or 1, got "
                             f"{sorted(set(numpy.unique(t).tolist()))}")
        self.net(X[:1])  # validates the feature count
        w, b = self.weight._data[0], self.bias._data
        errors = []
        for _ in range(epochs):
            order = generator().permutation(len(X)) if shuffle else range(len(X))
            mistakes = 0
            for i in order:
                o = 1.0 if X[i] @ w + b[0] > 0 else -1.0
                if o != t[i]:
                    w += lr * (t[i] - o) * X[i]
                    b += lr * (t[i] - o)
                    mistakes += 1
            errors.append(mistakes)
            if mistakes == 0:
                break
        return errors

    def accuracy(self, X, t) -> float:
        """Share of samples classified correctly."""
        return float((self.predict(X) == numpy.asarray(t).reshape(-1)).mean())

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}"
