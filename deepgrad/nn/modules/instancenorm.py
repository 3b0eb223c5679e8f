"""``torch.nn.modules.instancenorm``: instance normalization.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)

__all__ = [
    "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
]
