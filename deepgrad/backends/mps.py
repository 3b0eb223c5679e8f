"""``torch.backends.mps``: Apple's Metal backend, which deepgrad does not have."""
from __future__ import annotations


def is_available() -> bool:
    """False: deepgrad has no Metal (MPS) backend."""
    return False


def is_built() -> bool:
    """False: deepgrad has no Metal (MPS) backend."""
    return False


__all__ = ["is_available", "is_built"]
