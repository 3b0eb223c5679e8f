"""``torch.utils.data.sampler``'s path: the samplers of ``deepgrad.data`` (aliases)."""
from ...data import (  # noqa: F401
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
