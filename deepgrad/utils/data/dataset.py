"""``torch.utils.data.dataset``'s path: the dataset classes of ``deepgrad.data`` (aliases)."""
from ...data import (  # noqa: F401
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
