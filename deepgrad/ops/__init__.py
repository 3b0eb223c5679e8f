"""Differentiable ops by family; importing this package attaches the operators to Tensor."""
from . import (  # noqa: F401  (registry rows of the ops above)
           _core_table,
           activation,
           arithmetic,
           compare,
           dropout,
           linalg,
           loss,
           loss_pointwise,
           reduce,
           shape,
)
from ._families import MODULES as _FAMILIES  # noqa: F401  (registers the op families)
from ._methods import attach as _attach

_attach()

__all__ = ["activation", "arithmetic", "dropout", "linalg", "loss", "loss_pointwise", "reduce",
           "shape"]
