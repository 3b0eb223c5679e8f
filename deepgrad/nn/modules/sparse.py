"""``torch.nn.modules.sparse``: embeddings.

The same classes as ``deepgrad.nn`` (aliases, not copies)."""
from .. import (  # noqa: F401
    Embedding,
    EmbeddingBag,
)

__all__ = [
    "Embedding", "EmbeddingBag",
]
