"""``torch.nn.modules.flatten``: Flatten and Unflatten.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    Flatten,
    Unflatten,
)

__all__ = [
    "Flatten", "Unflatten",
]
