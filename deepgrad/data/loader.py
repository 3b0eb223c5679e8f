"""DataLoader: turns a Dataset into batches of Tensors for batch, online and mini-batch descent."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy

from ..autograd.tensor import Tensor, _as_array
from .dataset import Dataset, gather_arrays
from .sampler import RandomSampler, Sampler, SequentialSampler


def _stack_field(values: list, indices, field: str) -> Tensor:
    """Stack one field of many samples into a Tensor, naming the first misfit sample."""
    arrays = [_as_array(v) for v in values]
    shape0 = arrays[0].shape
    for pos, a in enumerate(arrays):
        if a.shape != shape0:
            def where(i):
                return (f"dataset index {int(indices[i])}" if indices is not None
                        else f"batch position {i}")
            raise ValueError(f"collate: {field} of the sample at {where(pos)} has shape "
                             f"{tuple(a.shape)}, but the sample at {where(0)} has shape "
                             f"{tuple(shape0)}; all samples in a batch need one shape")
    return Tensor._make(numpy.stack(arrays), False, None, 0)


def default_collate(batch: list, indices=None):
    """Stack a list of samples into a batch.

    Samples that are tuples/lists ``(x, y, ...)`` give a tuple of Tensors, each with a new
    leading batch dimension; a bare array/Tensor/number sample gives one Tensor. Python floats
    become float32, ints int64; arrays keep their dtype.

    Args:
        batch: the samples.
        indices: their dataset indices, used only to name the culprit in a shape error.

    Raises:
        ValueError: samples of different shapes (naming the index) or different field counts.
    """
    if not batch:
        raise ValueError("collate: empty batch")
    first = batch[0]
    if isinstance(first, (tuple, list)):
        n = len(first)
        for pos, item in enumerate(batch):
            if not isinstance(item, (tuple, list)) or len(item) != n:
                where = int(indices[pos]) if indices is not None else pos
                raise ValueError(f"collate: the sample at index {where} is not a sequence of "
                                 f"{n} fields like the first sample")
        return tuple(_stack_field([item[f] for item in batch], indices, f"field {f}")
                     for f in range(n))
    return _stack_field(batch, indices, "the sample")


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
        generator: NumPy Generator for shuffling.

    A TensorDataset (or a Subset of one) with the default collate is batched by fancy indexing
    its arrays: no per-sample Python work.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, sampler: Iterable[int] | None = None,
                 collate_fn: Callable | None = None,
                 generator: numpy.random.Generator | None = None) -> None:
        if batch_size is not None and (isinstance(batch_size, bool) or int(batch_size) != batch_size
                                       or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None, got "
                             f"{batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True are mutually exclusive; the "
                             "sampler decides the order")
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        self.dataset, self.sampler = dataset, sampler
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle, self.drop_last = shuffle, drop_last
        self.collate_fn, self.generator = collate_fn, generator
        # position inside the current epoch (state_dict) and a position to resume from
        self._order, self._batches, self._resume = None, 0, None

    def _epoch_indices(self) -> numpy.ndarray:
        if isinstance(self.sampler, Sampler):
            return self.sampler.indices()
        return numpy.fromiter(iter(self.sampler), dtype=numpy.int64)

    def _batch(self, idx: numpy.ndarray):
        if self.collate_fn is None:
            arrays = gather_arrays(self.dataset, idx)
            if arrays is not None:
                return tuple(Tensor._make(a, False, None, 0) for a in arrays)
            return default_collate([self.dataset[int(i)] for i in idx], idx)
        return self.collate_fn([self.dataset[int(i)] for i in idx])

    def __iter__(self) -> Iterator:
        resume, self._resume = self._resume, None
        order = self._epoch_indices() if resume is None else resume[0]
        if order.size == 0:
            return
        step = order.size if self.batch_size is None else self.batch_size
        stop = order.size - order.size % step if self.drop_last else order.size
        first = 0 if resume is None else resume[1]
        self._order = order
        for b, start in enumerate(range(first * step, stop, step), first):
            self._batches = b + 1  # counted before the yield: the consumer holds batch b
            yield self._batch(order[start:start + step])
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
                "drop_last": self.drop_last}

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

    def __len__(self) -> int:
        n = len(self.sampler)
        if self.batch_size is None:
            return 1 if n else 0
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __repr__(self) -> str:
        return (f"DataLoader(n={len(self.dataset)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})")
