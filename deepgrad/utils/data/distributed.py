"""``torch.utils.data.distributed``'s path: the same sampler object as ``deepgrad.data``'s."""
from ...data.distributed import DistributedSampler

__all__ = ["DistributedSampler"]
