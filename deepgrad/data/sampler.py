"""Samplers: the order (and multiplicity) in which a DataLoader visits dataset indices."""
from __future__ import annotations

from collections.abc import Iterator, Sized

import numpy

from ..autograd.tensor import _as_array
from ..random import generator as _library_generator


class Sampler:
    """Yields dataset indices; ``len(sampler)`` is how many per epoch.

    Subclasses define ``indices()`` returning a 1-D int64 array for one epoch (the DataLoader
    slices it into batches without a Python loop); ``__iter__`` walks that array.
    """

    def indices(self) -> numpy.ndarray:
        raise TypeError(f"{type(self).__name__} must define indices() to be a Sampler")

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must define __len__ to be a Sampler")


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., N-1`` in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def indices(self) -> numpy.ndarray:
        return numpy.arange(len(self.data_source), dtype=numpy.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation every epoch (or draws with replacement).

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw ``num_samples`` indices uniformly with replacement.
        num_samples: indices per epoch (default ``len(data_source)``).
        generator: NumPy Generator; default: the library generator, looked up at each epoch so
            that ``deepgrad.manual_seed`` fixes the order.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: numpy.random.Generator | None = None) -> None:
        self.data_source, self.replacement, self.generator = data_source, replacement, generator
        self._num_samples = num_samples
        if num_samples is not None and (int(num_samples) != num_samples or num_samples <= 0):
            raise ValueError(f"RandomSampler: num_samples must be a positive int, got "
                             f"{num_samples}")
        if not replacement and num_samples is not None and num_samples > len(data_source):
            raise ValueError(f"RandomSampler: num_samples={num_samples} exceeds the dataset size "
                             f"{len(data_source)} without replacement")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def indices(self) -> numpy.ndarray:
        rng = self.generator or _library_generator()
        n = len(self.data_source)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples, dtype=numpy.int64)
        return rng.permutation(n)[:self.num_samples].astype(numpy.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """A random permutation of the given ``indices`` every epoch."""

    def __init__(self, indices, generator: numpy.random.Generator | None = None) -> None:
        self.idx = numpy.asarray(indices, dtype=numpy.int64).reshape(-1)
        self.generator = generator

    def indices(self) -> numpy.ndarray:
        return self.idx[(self.generator or _library_generator()).permutation(self.idx.size)]

    def __len__(self) -> int:
        return int(self.idx.size)


class WeightedRandomSampler(Sampler):
    """Draws index i with probability ``weights[i] / sum(weights)`` (a remedy for imbalance).

    With ``weights[i] = 1 / count(class of i)`` every class is drawn equally often on average.

    Args:
        weights: (N,) non-negative sample weights, not necessarily summing to 1.
        num_samples: indices drawn per epoch.
        replacement: draw with replacement (default); without, ``num_samples <= N`` and only
            indices with positive weight.
        generator: NumPy Generator (default: the library generator at each epoch).
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True,
                 generator: numpy.random.Generator | None = None) -> None:
        w = numpy.asarray(_as_array(weights), dtype=numpy.float64).reshape(-1)
        if w.size == 0 or not numpy.all(numpy.isfinite(w)) or numpy.any(w < 0) or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and not "
                             "all zero")
        if int(num_samples) != num_samples or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples must be a positive int, got "
                             f"{num_samples}")
        if not replacement and num_samples > numpy.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: num_samples={num_samples} exceeds the "
                             f"{numpy.count_nonzero(w)} samples of positive weight without "
                             f"replacement")
        self.weights, self.num_samples = w, int(num_samples)
        self.replacement, self.generator = replacement, generator

    def indices(self) -> numpy.ndarray:
        rng = self.generator or _library_generator()
        p = self.weights / self.weights.sum()
        out = rng.choice(self.weights.size, size=self.num_samples, replace=self.replacement, p=p)
        return out.astype(numpy.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


def class_balanced_weights(labels) -> numpy.ndarray:
    """Per-sample weights ``1 / count(label)``, for a WeightedRandomSampler that balances classes.

    Args:
        labels: (N,) integer class labels (array or Tensor).
    """
    y = numpy.asarray(_as_array(labels)).reshape(-1)
    _, inverse, counts = numpy.unique(y, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse]


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (a DataLoader's batches).

    Args:
        sampler: a Sampler or any iterable of indices.
        batch_size: indices per batch (>= 1).
        drop_last: drop the last batch if it is smaller than ``batch_size``.

    Iterating yields lists of ints, as PyTorch's does; ``batches()`` yields int64 arrays (a
    Sampler's epoch is sliced without a Python loop over indices).
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def batches(self) -> Iterator[numpy.ndarray]:
        """One epoch of batches as int64 arrays."""
        if isinstance(self.sampler, Sampler):
            order = self.sampler.indices()
        else:
            order = numpy.fromiter(iter(self.sampler), dtype=numpy.int64)
        k = self.batch_size
        stop = order.size - order.size % k if self.drop_last else order.size
        return (order[i:i + k] for i in range(0, stop, k))

    def __iter__(self) -> Iterator[list]:
        for batch in self.batches():
            yield batch.tolist()

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
