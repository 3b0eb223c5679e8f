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
        # position inside the current epoch (state_dict) and a position to resume from
        self._order, self._batches, self._seed, self._resume = None, 0, None, None

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
        resume, self._resume = self._resume, None
        order = self._epoch_indices() if resume is None else resume[0]
        self._order = order  # only a sampler's order can be resumed exactly (state_dict)
        if order.size == 0:
            return iter(())
        step = order.size if self.batch_size is None else self.batch_size
        stop = order.size - order.size % step if self.drop_last else order.size
        first = 0 if resume is None else resume[1]
        return (order[start:start + step] for start in range(first * step, stop, step))

    def __iter__(self) -> Iterator:
        resume = self._resume
        self._order, self._batches = None, 0
        batches = self._index_batches()
        if resume is not None:  # the epoch's base seed was drawn before the checkpoint
            seed, self._batches = self._seed, resume[1]
        else:  # drawn with any worker count, as PyTorch does: the same RNG stream either way
            seed = self._seed = draw_base_seed(self.generator)
        if self.num_workers > 0:
            if not self.in_order:  # arrival order: a count of batches is no exact position
                self._order = None
            return self._counted(worker_batches(self, batches, seed))
        if batches is None:
            return iterable_batches(iter(self.dataset), self.batch_size, self.drop_last,
                                    self.collate_fn)
        return self._counted(map(self._batch, batches))

    def _counted(self, batches: Iterator) -> Iterator:
        """Yield ``batches`` while counting them (the position ``state_dict`` reports)."""
        for batch in batches:
            self._batches += 1  # counted before the yield: the consumer holds this batch
            yield batch
        self._order, self._batches = None, 0

    def state_dict(self) -> dict:
        """Where the current epoch stands, for an exact mid-epoch resume.

        Returns:
            ``{"order": this epoch's index order (int64 array) or None between epochs,
            "batches": batches handed out so far, "size": len(dataset), "batch_size",
            "drop_last"}``. With the generators' states (saved by the Trainer's checkpoint),
            ``load_state_dict`` makes the next iteration yield exactly the remaining batches.
        """
        return {"order": None if self._order is None else self._order.copy(),
                "batches": self._batches if self._order is not None else 0,
                "size": len(self.dataset), "batch_size": self.batch_size,
                "drop_last": self.drop_last, "seed": self._seed}

    def load_state_dict(self, state: dict) -> None:
        """Resume the epoch that ``state`` describes: the next ``iter`` yields its remaining
        batches (same order, no new draw), then epochs continue as usual.

        Raises:
            ValueError: the state belongs to another dataset size or batching, or is malformed.
        """
        if not isinstance(state, dict) or not {"order", "batches", "size"} <= set(state):
            raise ValueError("DataLoader.load_state_dict: expected the dict state_dict() makes")
        if state["size"] != len(self.dataset) or state.get("batch_size") != self.batch_size \
                or bool(state.get("drop_last")) != self.drop_last:
            raise ValueError(f"DataLoader.load_state_dict: the state is for {state['size']} "
                             f"samples, batch_size={state.get('batch_size')}, drop_last="
                             f"{state.get('drop_last')}; this loader has {len(self.dataset)}, "
                             f"{self.batch_size}, {self.drop_last}")
        order = state["order"]
        if order is None:
            self._resume = None
            return
        order = numpy.asarray(order)
        batches = state["batches"]
        step = order.size if self.batch_size is None else self.batch_size
        if order.ndim != 1 or order.dtype.kind not in "iu" or \
                (order.size and not 0 <= order.min() <= order.max() < len(self.dataset)) or \
                type(batches) is not int or not 0 <= batches <= -(-order.size // max(step, 1)):
            raise ValueError("DataLoader.load_state_dict: the saved order or batch count does "
                             f"not fit a dataset of {len(self.dataset)} samples")
        self._resume = (order.astype(numpy.int64), batches)
        seed = state.get("seed")
        self._seed = None if seed is None else int(seed)

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
