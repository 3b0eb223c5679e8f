"""Differentiable ops by family; importing this package attaches the operators to Tensor."""
from . import activation, arithmetic, dropout, inplace, linalg, loss, loss_pointwise, reduce, shape
from ._families import MODULES as _FAMILIES  # noqa: F401  (registers the op families)
from ._methods import attach as _attach

_attach()
inplace.attach()

__all__ = ["activation", "arithmetic", "dropout", "linalg", "loss", "loss_pointwise", "reduce",
           "shape"]
