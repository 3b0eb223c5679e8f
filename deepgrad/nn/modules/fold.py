"""``torch.nn.modules.fold``: Fold and Unfold.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    Fold,
    Unfold,
)

__all__ = [
    "Fold", "Unfold",
]
