"""DataLoader: turns a Dataset into batches of Tensors for batch, online and mini-batch descent."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy

from .collate import default_collate, fetch_batch, iterable_batches  # noqa: F401 (re-export)
from .combined import IterableDataset
from .dataset import Dataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .workers import check_worker_options, draw_base_seed, worker_batches


class DataLoader:
    """Iterates over a dataset in batches of Tensors.

    ``batch_size=None`` gives the whole dataset as one batch each epoch (batch gradient
    descent), ``1`` gives online SGD and ``k`` mini-batch descent; ``len(loader)`` is the number
    of batches (so of optimizer updates) per epoch: ``ceil(N / k)``, or ``floor(N / k)`` with
    ``drop_last``.

    Args:
        dataset: a Dataset (``dataset[i]`` and ``len``).
        batch_size: samples per batch, or None for the full set.
        shuffle: a new random order every epoch, drawn from ``generator`` (default: the library
            generator, so ``deepgrad.manual_seed`` makes the order repeat).
        drop_last: drop the last incomplete batch.
        sampler: a Sampler or any iterable of indices (excludes ``shuffle``).
        collate_fn: turns a list of samples into a batch (default: ``default_collate``).
        generator: NumPy Generator for shuffling and for each epoch's worker base seed.
        batch_sampler: yields lists of indices, one per batch (excludes ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers: worker processes that load batches (0: in the main process). Batches
            come back in sampler order, the same as with 0 workers for a seed; worker ``i`` is
            seeded ``base_seed + i`` with ``base_seed`` drawn from ``generator`` every epoch.
        pin_memory, pin_memory_device: accepted for PyTorch programs; no effect (CPU arrays
            need no pinning).
        timeout: seconds to wait for a worker's batch before raising (0: no limit).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each new worker.
        multiprocessing_context: start method name (``"fork"``, ``"spawn"``, ...) or context.
        prefetch_factor: batches in flight per worker (default 2 with workers).
        persistent_workers: keep the workers (seeded once) between epochs.
        in_order: with workers, False hands out batches as they arrive (sampler order not kept).

    An IterableDataset is batched in stream order (no sampler). A TensorDataset (or a Subset
    of one) with the default collate is batched by fancy indexing
    its arrays: no per-sample Python work.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, sampler: Iterable[int] | None = None,
                 collate_fn: Callable | None = None,
                 generator: numpy.random.Generator | None = None, *,
                 batch_sampler: Iterable | None = None, num_workers: int = 0,
                 pin_memory: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if batch_size is not None and (isinstance(batch_size, bool) or int(batch_size) != batch_size
                                       or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None, got "
                             f"{batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True are mutually exclusive; the "
                             "sampler decides the order")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last")
        if isinstance(dataset, IterableDataset) and (shuffle or sampler is not None
                                                     or batch_sampler is not None):
            raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle, "
                             "sampler and batch_sampler options (the stream decides the order)")
        if sampler is None and not isinstance(dataset, IterableDataset):
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        self.dataset, self.sampler = dataset, sampler
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle, self.drop_last = shuffle, drop_last
        self.collate_fn, self.generator = collate_fn, generator
        self.batch_sampler, self.num_workers, self.timeout = batch_sampler, num_workers, timeout
        if batch_sampler is not None:
            self.batch_size = None
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self.prefetch_factor = prefetch_factor
        if num_workers and prefetch_factor is None:
            self.prefetch_factor = 2
        self.persistent_workers, self.in_order = persistent_workers, in_order
        check_worker_options(self)

    def _epoch_indices(self) -> numpy.ndarray:
        if isinstance(self.sampler, Sampler):
            return self.sampler.indices()
        return numpy.fromiter(iter(self.sampler), dtype=numpy.int64)

    def _batch(self, idx: numpy.ndarray):
        return fetch_batch(self.dataset, self.collate_fn, idx)

    def _index_batches(self) -> Iterator[numpy.ndarray] | None:
        """This epoch's index batches (the order is drawn now); None for an IterableDataset."""
        if isinstance(self.dataset, IterableDataset):
            return None
        if self.batch_sampler is not None:
            if isinstance(self.batch_sampler, BatchSampler):
                return self.batch_sampler.batches()
            return (numpy.asarray(b, dtype=numpy.int64) for b in self.batch_sampler)
        order = self._epoch_indices()
        if order.size == 0:
            return iter(())
        step = order.size if self.batch_size is None else self.batch_size
        stop = order.size - order.size % step if self.drop_last else order.size
        return (order[start:start + step] for start in range(0, stop, step))

    def __iter__(self) -> Iterator:
        batches = self._index_batches()
        seed = draw_base_seed(self.generator)  # drawn with any worker count: same RNG stream
        if self.num_workers > 0:
            return worker_batches(self, batches, seed)
        if batches is None:
            return iterable_batches(iter(self.dataset), self.batch_size, self.drop_last,
                                    self.collate_fn)
        return map(self._batch, batches)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler if self.sampler is not None else self.dataset)
        if self.batch_size is None:
            return 1 if n else 0
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __repr__(self) -> str:
        try:
            n, batches = len(self.dataset), len(self)
        except TypeError:  # a stream (IterableDataset) without a length
            n = batches = "?"
        return (f"DataLoader(n={n}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={batches})")
