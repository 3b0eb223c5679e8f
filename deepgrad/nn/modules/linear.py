"""``torch.nn.modules.linear``: linear layers.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    Bilinear,
    Identity,
    Linear,
)

__all__ = [
    "Bilinear", "Identity", "Linear",
]
