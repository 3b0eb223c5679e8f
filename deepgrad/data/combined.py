"""Datasets made of other datasets (ConcatDataset, ChainDataset) and stream datasets."""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

from .dataset import Dataset


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses define ``__iter__`` (``__len__`` is optional).

    A DataLoader batches the stream in order (no sampler, no shuffle). With ``num_workers > 0``
    each worker iterates its own copy; use ``deepgrad.data.get_worker_info()`` inside
    ``__iter__`` to give each worker its own share, or every sample comes ``num_workers`` times.
    """

    def __iter__(self) -> Iterator:
        raise TypeError(f"{type(self).__name__} must define __iter__ to be an IterableDataset")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: it has no indexing, "
                        f"iterate over it instead")

    def __add__(self, other: "IterableDataset") -> "ChainDataset":
        return ChainDataset([self, other])


class ConcatDataset(Dataset):
    """The samples of several map-style datasets, one after the other.

    Args:
        datasets: map-style datasets; sample ``i`` comes from the first dataset whose
            cumulative size exceeds ``i``.

    Attributes:
        cumulative_sizes: running totals of the datasets' lengths.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset: datasets[{i}] is an IterableDataset; "
                                f"ConcatDataset does not support IterableDataset (use "
                                f"ChainDataset)")
        self.cumulative_sizes, total = [], 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int):
        n = len(self)
        if index < 0:
            if -index > n:
                raise ValueError(f"ConcatDataset: absolute value of index {index} should not "
                                 f"exceed dataset length {n}")
            index += n
        if index >= n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets streamed one after the other."""

    def __init__(self, datasets: Iterable[IterableDataset]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator:
        for i, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: datasets[{i}] is a {type(d).__name__}; "
                                f"ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)
