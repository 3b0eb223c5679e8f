"""``torch.nn.modules.upsampling``: upsampling layers.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

__all__ = [
    "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d",
]
