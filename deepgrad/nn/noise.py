"""Noise injection into activations: GaussianNoise, a regularizer active in training mode only."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..ops.arithmetic import add
from ..random import generator_like
from .module import Module


class GaussianNoise(Module):
    """Add zero-mean Gaussian noise in training mode: ``y = x + eps``, ``eps ~ N(0, std^2)``.

    Identity in eval mode (as Keras' ``GaussianNoise``). The noise is drawn from the library
    generator, so ``deepgrad.manual_seed`` repeats it; gradients pass through unchanged
    (``dy/dx = 1``). Shapes: any; the output has the input's shape and dtype.

    Args:
        std: noise standard deviation (>= 0).
    """

    def __init__(self, std: float) -> None:
        super().__init__()
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std}")
        self.std = float(std)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.std == 0.0:
            return x
        rng = generator_like(x._data)  # drawn on x's device
        eps = rng.standard_normal(x.shape, dtype=x.dtype) if x.dtype.kind == "f" \
            else rng.standard_normal(x.shape)
        return add(x, Tensor._make((eps * self.std).astype(x.dtype, copy=False), False, None, 0))

    def extra_repr(self) -> str:
        return f"std={self.std}"
