"""``torch.nn.modules.batchnorm``: batch normalization.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
)

__all__ = [
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
]
