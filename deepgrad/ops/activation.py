"""Activations: sign, sigmoid, tanh, softsign, relu, leaky_relu, elu, softplus, (log_)softmax.

Every one is numerically stable: no overflow warning and finite gradients for inputs of +-1e4.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from . import _kernels
from ._util import float_input, normalize_dim


class Sigmoid(Function):
    """``1 / (1 + e^-x)`` computed as ``(1 + tanh(x/2)) / 2`` (no exp overflow); dy = y (1 - y)."""

    def forward(self, x):
        xp = get_array_module(x)
        y = xp.tanh(x * x.dtype.type(0.5))
        y += 1
        y *= x.dtype.type(0.5)
        self.y = y
        return y

    def backward(self, gy):
        y = self.y
        return gy * y * (1 - y)


class Tanh(Function):
    def forward(self, x):
        self.y = get_array_module(x).tanh(x)
        return self.y

    def backward(self, gy):
        y = self.y
        return gy * (1 - y * y)


class Softsign(Function):
    """``x / (1 + |x|)``; dy/dx = 1 / (1 + |x|)^2."""

    def forward(self, x):
        self.d = 1 + abs(x)
        return x / self.d

    def backward(self, gy):
        return gy / (self.d * self.d)


class ReLU(Function):
    """``max(x, 0)``; dy/dx = 1 where y > 0, else 0 (also at 0, as PyTorch)."""

    def forward(self, x):
        self.y = _kernels.relu(x)
        return self.y

    def backward(self, gy):
        return _kernels.relu_backward(gy, self.y)


class LeakyReLU(Function):
    def __init__(self, slope):
        self.slope = slope

    # ``where(x > 0, x, slope x)`` branches per element on the sign: on real (random-sign) data
    # it ran ~30x slower than the branch-free forms below (a 4M-value DCGAN activation: 94 ms vs
    # 3 ms forward), which hold exactly for float data and 0 < slope <= 1 (with slope 0,
    # inf * 0 would be NaN).

    def forward(self, x):
        xp, s = get_array_module(x), x.dtype.type(self.slope)
        self.pos = x > 0
        self.branch_free = x.dtype.kind == "f" and 0 < self.slope <= 1
        if not self.branch_free:
            return xp.where(self.pos, x, x * s)
        y = xp.multiply(x, s)
        return xp.maximum(x, y, out=y)  # slope x <= x exactly where x >= 0; NaN stays NaN

    def backward(self, gy):
        xp, s = get_array_module(gy), gy.dtype.type(self.slope)
        if not self.branch_free:
            return xp.where(self.pos, gy, gy * s)
        factor = self.pos.astype(gy.dtype)  # 1 or 0, then max(., slope): 1 or slope
        xp.maximum(factor, s, out=factor)
        factor *= gy
        return factor


class ELU(Function):
    """``x`` for x > 0, ``alpha (e^x - 1)`` otherwise."""

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        xp = get_array_module(x)
        self.pos = x > 0
        self.neg_part = self.alpha * xp.expm1(xp.minimum(x, 0))  # minimum: no exp overflow
        return xp.where(self.pos, x, self.neg_part).astype(x.dtype, copy=False)

    def backward(self, gy):
        xp = get_array_module(gy)
        return xp.where(self.pos, gy, gy * (self.neg_part + self.alpha)).astype(gy.dtype,
                                                                               copy=False)


class Softplus(Function):
    """``log(1 + e^(beta x)) / beta`` as ``max(z, 0) + log1p(e^-|z|)``; linear above threshold."""

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        xp = get_array_module(x)
        z = x * x.dtype.type(self.beta)
        self.z = z
        y = (xp.maximum(z, 0) + xp.log1p(xp.exp(-abs(z)))) / x.dtype.type(self.beta)
        return xp.where(z > self.threshold, x, y)

    def backward(self, gy):
        xp = get_array_module(gy)
        s = xp.tanh(self.z * self.z.dtype.type(0.5))  # sigmoid(z) = (1 + tanh(z/2)) / 2
        s += 1
        s *= s.dtype.type(0.5)
        return gy * xp.where(self.z > self.threshold, 1, s).astype(gy.dtype, copy=False)


class Softmax(Function):
    """``e^(x_i - max) / sum_j e^(x_j - max)`` along ``dim``; dx = y (gy - sum(gy y))."""

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        xp = get_array_module(x)
        e = xp.exp(x - x.max(axis=self.dim, keepdims=True))
        e /= e.sum(axis=self.dim, keepdims=True)
        self.y = e
        return e

    def backward(self, gy):
        y = self.y
        gyy = gy * y
        gyy -= y * gyy.sum(axis=self.dim, keepdims=True)
        return gyy


class LogSoftmax(Function):
    """``x - max - log sum e^(x - max)`` along ``dim``; dx = gy - softmax * sum(gy)."""

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        xp = get_array_module(x)
        shifted = x - x.max(axis=self.dim, keepdims=True)
        shifted -= xp.log(xp.exp(shifted).sum(axis=self.dim, keepdims=True))
        self.y = shifted
        return shifted

    def backward(self, gy):
        xp = get_array_module(gy)
        return gy - xp.exp(self.y) * gy.sum(axis=self.dim, keepdims=True)


class Sign(Function):
    """``sign(x)`` in {-1, 0, 1}; its derivative is 0 almost everywhere."""

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return get_array_module(x).sign(x)

    def backward(self, gy):
        return get_array_module(gy).zeros(self.shape, gy.dtype)


def sign(x: Tensor) -> Tensor:
    """Sign function, the perceptron's activation; gradient zero."""
    return Sign().apply(x)


def sigmoid(x: Tensor) -> Tensor:
    """Logistic sigmoid ``1 / (1 + e^-x)``."""
    return Sigmoid().apply(x if x._data.dtype.kind in "fc" else float_input(x))


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent ``(e^x - e^-x) / (e^x + e^-x)``."""
    return Tanh().apply(x if x._data.dtype.kind in "fc" else float_input(x))


def softsign(x: Tensor) -> Tensor:
    """Softsign ``x / (1 + |x|)``."""
    return Softsign().apply(x)


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """Rectifier ``max(x, 0)``. ``inplace=True`` is accepted and computes out of place."""
    return ReLU().apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` if x > 0 else ``negative_slope * x``. ``inplace=True`` computes out of place."""
    return LeakyReLU(negative_slope).apply(x)


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential linear unit. ``inplace=True`` is accepted and computes out of place."""
    return ELU(alpha).apply(x)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Smooth ReLU ``log(1 + e^(beta x)) / beta``; linear where ``beta x > threshold``."""
    return Softplus(beta, threshold).apply(x)


def softmax(x: Tensor, dim: int = -1, dtype=None) -> Tensor:
    """Normalized exponentials along ``dim``: outputs are positive and sum to 1 (computed in
    ``dtype`` when given)."""
    if dtype is not None:
        x = x.to(dtype)
    elif x._data.dtype.kind not in "fc":  # PyTorch: softmax of integers is float32
        x = float_input(x)
    return Softmax(normalize_dim(dim, x.ndim, "softmax")).apply(x)


def log_softmax(x: Tensor, dim: int = -1, dtype=None) -> Tensor:
    """``log(softmax(x))`` computed stably with the log-sum-exp shift (in ``dtype`` if given)."""
    if dtype is not None:
        x = x.to(dtype)
    elif x._data.dtype.kind not in "fc":
        x = float_input(x)
    return LogSoftmax(normalize_dim(dim, x.ndim, "log_softmax")).apply(x)
