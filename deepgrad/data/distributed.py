"""DistributedSampler: each rank of a data-parallel job reads its own share of the dataset."""
from __future__ import annotations

from collections.abc import Sized

import numpy

from .sampler import Sampler


def _replicas_and_rank(num_replicas, rank, who: str) -> tuple[int, int]:
    if num_replicas is None or rank is None:
        from ..distributed.process_group import _NOT_INIT, rank_and_world_size
        from ..distributed.process_group import is_initialized as _initialized

        if not _initialized():
            raise RuntimeError(f"{who}: pass num_replicas and rank, or call "
                               f"deepgrad.distributed.init_process_group first ({_NOT_INIT})")
        r, n = rank_and_world_size()
        num_replicas = n if num_replicas is None else num_replicas
        rank = r if rank is None else rank
    if int(num_replicas) != num_replicas or num_replicas < 1:
        raise ValueError(f"{who}: num_replicas must be a positive int, got {num_replicas!r}")
    if rank >= num_replicas or rank < 0:
        raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                         f"[0, {num_replicas - 1}]")
    return int(num_replicas), int(rank)


class DistributedSampler(Sampler):
    """Rank ``rank``'s share of the dataset's indices, one equal share per replica (PyTorch's).

    Each epoch, with ``shuffle`` the index list is a permutation drawn from a generator seeded
    with ``seed + epoch`` (call ``set_epoch(epoch)`` before each epoch, as every rank must agree
    on it); without, ``0 .. n-1``. Without ``drop_last`` the list is padded by repeating its
    head up to ``ceil(n / num_replicas) * num_replicas``; with it, the tail is cut so that it
    divides evenly. Rank ``r`` takes ``indices[r::num_replicas]``.

    The permutation comes from NumPy's generator, so it differs from PyTorch's ``randperm``
    for the same seed; its structure (padding, striding, epoch seeding) is PyTorch's.

    Args:
        dataset: a sized dataset.
        num_replicas: number of ranks (default: the process group's world size).
        rank: this replica's rank (default: the process group's rank).
        shuffle: shuffle the indices every epoch.
        seed: base seed of the shuffle; must be the same on every rank.
        drop_last: drop the tail instead of padding.
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        self.num_replicas, self.rank = _replicas_and_rank(num_replicas, rank,
                                                          "DistributedSampler")
        self.dataset, self.shuffle, self.seed = dataset, shuffle, int(seed)
        self.drop_last, self.epoch = drop_last, 0
        n, k = len(dataset), self.num_replicas
        if drop_last and n % k:
            self.num_samples = -(-(n - k) // k)
        else:
            self.num_samples = -(-n // k)
        self.total_size = self.num_samples * k

    def set_epoch(self, epoch: int) -> None:
        """Use ``seed + epoch`` for the next shuffle (every rank must pass the same epoch)."""
        self.epoch = int(epoch)

    def indices(self) -> numpy.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            order = numpy.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = numpy.arange(n)
        order = order.astype(numpy.int64, copy=False)
        if not self.drop_last:
            pad = self.total_size - n
            if pad > 0 and n > 0:
                order = numpy.concatenate([order, numpy.resize(order, pad)])
        else:
            order = order[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas]

    def __len__(self) -> int:
        return self.num_samples


class ShardedSampler(Sampler):
    """Any sampler's epoch, split over the ranks: rank 0 draws the indices, every rank takes
    ``indices[rank::num_replicas]``.

    Rank 0's draw is broadcast, so shuffling and weighting follow rank 0's generator exactly
    as in one process, and a job on N ranks with batch B visits the same samples per step as
    one process with batch N*B. With ``pad`` (training) the list is padded by repeating its head
    up to a multiple of ``num_replicas`` (PyTorch's DistributedSampler padding), so every rank
    runs the same number of batches; without it (evaluation) each sample is seen exactly once
    and shares differ by at most one. The Trainer wraps a DataLoader's sampler in one under MPI.

    Args:
        sampler: the sampler to split (its ``indices()`` or iteration gives one epoch).
        pad: pad to equal shares.
        num_replicas, rank: default: the process group's.
    """

    def __init__(self, sampler, pad: bool = True, num_replicas: int | None = None,
                 rank: int | None = None) -> None:
        self.num_replicas, self.rank = _replicas_and_rank(num_replicas, rank, "ShardedSampler")
        self.sampler, self.pad = sampler, pad

    def _draw(self) -> numpy.ndarray:
        s = self.sampler
        order = s.indices() if isinstance(s, Sampler) else numpy.fromiter(iter(s), numpy.int64)
        return numpy.asarray(order, dtype=numpy.int64)

    def indices(self) -> numpy.ndarray:
        from ..distributed.process_group import _STATE

        pg, k = _STATE.group, self.num_replicas
        if k == 1:
            return self._draw()
        if pg is None or pg.size() == 1:  # no job to agree with: this process's draw
            order = self._draw()
        else:
            order = pg.comm.bcast(self._draw() if pg.rank() == 0 else None, root=0)
        n = order.size
        if self.pad and n % k and n:
            order = numpy.concatenate([order, numpy.resize(order, k - n % k)])
        return order[self.rank::k]

    def __len__(self) -> int:
        n, k = len(self.sampler), self.num_replicas
        return -(-n // k) if self.pad else len(range(self.rank, n, k))
