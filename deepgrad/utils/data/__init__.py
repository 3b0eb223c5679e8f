"""``torch.utils.data``'s path: the same objects as ``deepgrad.data`` (aliases, not copies)."""
from ...data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    WorkerInfo,
    default_collate,
    get_worker_info,
    random_split,
)
from . import dataloader, dataset, sampler

# DISTRIBUTED SPOT: ``deepgrad.utils.data.distributed`` (DistributedSampler) is wired here
# once ``deepgrad/data/distributed.py`` lands: add ``from ...data import distributed`` and
# ``from ...data.distributed import DistributedSampler`` (plus their __all__ entries).

__all__ = [
    "dataloader", "dataset", "sampler", "BatchSampler", "ChainDataset", "ConcatDataset",
    "DataLoader", "Dataset", "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler",
    "TensorDataset", "WeightedRandomSampler", "WorkerInfo", "default_collate", "get_worker_info",
    "random_split",
]
