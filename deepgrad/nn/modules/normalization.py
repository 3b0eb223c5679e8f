"""``torch.nn.modules.normalization``: normalization layers.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    GroupNorm,
    LayerNorm,
    LocalResponseNorm,
    RMSNorm,
)

__all__ = [
    "GroupNorm", "LayerNorm", "LocalResponseNorm", "RMSNorm",
]
