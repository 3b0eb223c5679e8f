"""Data: datasets, loaders, samplers, transforms (dataset expansion), class-imbalance remedies."""
from . import datasets, sampling, transforms
from .combined import ChainDataset, ConcatDataset, IterableDataset
from .dataset import Dataset, Subset, TensorDataset, TransformDataset, random_split
from .distributed import DistributedSampler, ShardedSampler
from .loader import DataLoader, default_collate
from .mixtures import GaussianMixture2D, grid_mixture, ring_mixture
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
    class_balanced_weights,
)
from .workers import WorkerInfo, get_worker_info

# ``deepgrad.data.distributed`` (DistributedSampler) joins here from the distributed work.

__all__ = [
    "datasets", "sampling", "transforms", "Dataset", "Subset", "TensorDataset",
    "TransformDataset", "random_split", "DataLoader", "default_collate", "RandomSampler",
    "Sampler", "SequentialSampler", "SubsetRandomSampler", "WeightedRandomSampler",
    "class_balanced_weights", "GaussianMixture2D", "grid_mixture", "ring_mixture",
    "ChainDataset", "ConcatDataset", "IterableDataset", "BatchSampler", "WorkerInfo",
    "get_worker_info",
    "DistributedSampler", "ShardedSampler",
]
