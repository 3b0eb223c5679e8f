"""Activation modules wrapping the functional forms."""
from __future__ import annotations

from ..ops import activation as A
from .module import Module


class _Elementwise(Module):
    fn = staticmethod(A.relu)

    def forward(self, x):
        return self.fn(x)


class Sign(_Elementwise):
    """sign(x), the perceptron's activation (zero gradient)."""

    fn = staticmethod(A.sign)


class Sigmoid(_Elementwise):
    """1 / (1 + e^-x)."""

    fn = staticmethod(A.sigmoid)


class Tanh(_Elementwise):
    """tanh(x)."""

    fn = staticmethod(A.tanh)


class Softsign(_Elementwise):
    """x / (1 + |x|)."""

    fn = staticmethod(A.softsign)


class ReLU(_Elementwise):
    """max(x, 0) (``inplace=True`` computes out of place)."""

    fn = staticmethod(A.relu)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x (``inplace=True`` computes out of place)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return A.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x if x > 0 else alpha (e^x - 1) (``inplace=True`` computes out of place)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return A.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, linear above ``threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return A.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """Softmax along ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return A.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``dim``."""

    def forward(self, x):
        return A.log_softmax(x, self.dim)
