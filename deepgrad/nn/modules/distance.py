"""``torch.nn.modules.distance``: distances.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    CosineSimilarity,
    PairwiseDistance,
)

__all__ = [
    "CosineSimilarity", "PairwiseDistance",
]
