"""Activations with a learnable weight, a random slope or a split input: PReLU, RReLU, GLU,
Softmin and Tanhshrink (PyTorch's F names). ``inplace=True`` is accepted where PyTorch accepts it
and computes out of place."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ..random import generator
from . import activation as A
from .shape import split


class PReLU(Function):
    """``x`` for x > 0 else ``a x``; ``a`` (1,) or (C,) along dim 1. ga = sum gy x [x <= 0]."""

    def forward(self, x, a):
        shape = [1] * x.ndim
        if a.size > 1:
            shape[1] = a.size
        self.x, self.a, self.neg = x, a.reshape(shape), x <= 0
        return get_array_module(x).where(self.neg, self.a * x, x)

    def backward(self, gy):
        xp = get_array_module(gy)
        gx = xp.where(self.neg, gy * self.a, gy) if self.needs_input_grad[0] else None
        ga = None
        if self.needs_input_grad[1]:
            contrib = gy * self.x * self.neg
            axes = tuple(i for i in range(gy.ndim) if i != 1 or self.a.size == 1)
            ga = contrib.sum(axis=axes).reshape(-1)
        return gx, ga


class RandomSlope(Function):
    """Leaky ReLU with a given slope array (RReLU in training: one U(lower, upper) slope per
    element); ``gx = gy`` where x >= 0, ``gy * slope`` elsewhere."""

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        self.neg = x < 0
        return get_array_module(x).where(self.neg, x * self.slope, x)

    def backward(self, gy):
        return get_array_module(gy).where(self.neg, gy * self.slope, gy)


# ---- wrappers --------------------------------------------------------------------------------
def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """``x - tanh(x)``."""
    return input - A.tanh(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """``max(0, x) + weight min(0, x)``; weight (1,) or (C,) with C = input.shape[1]."""
    n = weight._data.size
    if n != 1 and (input.ndim < 2 or input.shape[1] != n):
        raise RuntimeError(f"prelu: weight has {n} values but input shape {tuple(input.shape)} "
                           f"has {input.shape[1] if input.ndim > 1 else 1} channels (dim 1)")
    return PReLU().apply(input, weight)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,  # noqa: A002
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: slope ~ U(lower, upper) per element in training, else the mean
    slope ``(lower + upper) / 2``."""
    if not training:
        return A.leaky_relu(input, (lower + upper) / 2)
    slope = generator().uniform(lower, upper, input.shape).astype(input.dtype)
    return RandomSlope(slope).apply(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """Gated linear unit: split ``dim`` in halves ``a, b`` and return ``a sigmoid(b)``."""
    if input.shape[dim] % 2:
        raise RuntimeError(f"glu: halving dimension {dim} must be even, got size "
                           f"{input.shape[dim]} (input shape {tuple(input.shape)})")
    a, b = split(input, input.shape[dim] // 2, dim)
    return a * A.sigmoid(b)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    x = input if dtype is None else input.to(dtype)
    return A.softmax(-x, _default_dim(x, dim))


def _default_dim(x, dim):
    # PyTorch's legacy choice when dim is None: dim 0 for 0-, 1- and 3-D inputs, else 1.
    if dim is not None:
        return dim
    return 0 if x.ndim in (0, 1, 3) else 1
