"""``torch.nn.modules.module``: the Module base class.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    Module,
)

__all__ = [
    "Module",
]
