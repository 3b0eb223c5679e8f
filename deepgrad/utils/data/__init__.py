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

# ``deepgrad.utils.data.distributed.DistributedSampler``, as torch.utils.data.distributed
from . import (
    dataloader,
    dataset,
    distributed,  # noqa: E402
    sampler,
)
from .distributed import DistributedSampler  # noqa: E402

__all__ = [
    "dataloader", "dataset", "distributed", "sampler", "BatchSampler", "DistributedSampler",
    "ChainDataset", "ConcatDataset",
    "DataLoader", "Dataset", "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler",
    "TensorDataset", "WeightedRandomSampler", "WorkerInfo", "default_collate", "get_worker_info",
    "random_split",
]
