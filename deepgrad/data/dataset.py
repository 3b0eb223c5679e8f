"""Datasets: the indexable collections a DataLoader draws batches from."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy

from ..autograd.tensor import Tensor, _as_array
from ..random import generator as _library_generator


class Dataset:
    """A map-style dataset: ``dataset[i]`` returns one sample, ``len(dataset)`` their number.

    Subclasses define ``__getitem__`` and ``__len__``. A sample is usually a tuple
    ``(x, y)`` of arrays, Tensors or Python numbers; the default collate stacks each field.
    """

    def __getitem__(self, index: int):
        raise TypeError(f"{type(self).__name__} must define __getitem__ to be a Dataset")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must define __len__ to be a Dataset")

    def __add__(self, other: "Dataset") -> "Dataset":
        """``a + b``: a ConcatDataset of both."""
        from .combined import ConcatDataset

        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of equally long arrays: ``dataset[i] == (a[i], b[i], ...)``.

    Args:
        *tensors: Tensors or arrays sharing their first dimension N, e.g. ``X: (N, ...)`` and
            ``y: (N,)``. Arrays are kept as they are (no copy, dtype kept).

    A DataLoader over a TensorDataset (or a Subset of one) gathers each batch with one fancy
    index per field, without a Python loop over samples.
    """

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        self.arrays = tuple(_as_array(t) for t in tensors)
        sizes = [a.shape[0] if a.ndim else None for a in self.arrays]
        if any(s is None for s in sizes) or len(set(sizes)) != 1:
            shapes = [tuple(a.shape) for a in self.arrays]
            raise ValueError(f"TensorDataset: all tensors need the same first dimension, got "
                             f"shapes {shapes}")

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The fields as Tensors (sharing memory with the stored arrays)."""
        return tuple(Tensor._make(a, False, None, 0) for a in self.arrays)

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(numpy.asarray(a[index]), False, None, 0) for a in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = numpy.asarray(indices, dtype=numpy.int64).reshape(-1)
        n = len(dataset)
        if self.indices.size and (self.indices.min() < -n or self.indices.max() >= n):
            raise IndexError(f"Subset: indices must lie in [-{n}, {n}) for a dataset of "
                             f"{n} samples, got range [{self.indices.min()}, "
                             f"{self.indices.max()}]")

    def __getitem__(self, index: int):
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return int(self.indices.size)


class TransformDataset(Dataset):
    """Applies ``transform`` to the input and ``target_transform`` to the label of each sample.

    Used for dataset expansion: ``TransformDataset(train, transforms.RandomRotation(10))`` gives
    a fresh random rotation of every image each time it is drawn. Samples must be ``(x, y)``
    pairs; the transforms receive and return NumPy arrays (Tensors are unwrapped first).
    """

    def __init__(self, dataset: Dataset, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        self.dataset = dataset
        self.transform, self.target_transform = transform, target_transform

    def __getitem__(self, index: int):
        x, y = self.dataset[index]
        if self.transform is not None:
            x = self.transform(_as_array(x))
        if self.target_transform is not None:
            y = self.target_transform(_as_array(y))
        return x, y

    def __len__(self) -> int:
        return len(self.dataset)


def gather_arrays(dataset: Dataset, indices: numpy.ndarray) -> tuple | None:
    """The fields of samples ``indices`` as whole arrays, or None if ``dataset`` needs item access.

    Works through Subsets of a TensorDataset by composing their index arrays.
    """
    while isinstance(dataset, Subset):
        indices = dataset.indices[indices]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:
        return tuple(a[indices] for a in dataset.arrays)
    return None


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: numpy.random.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths.

    Args:
        dataset: the dataset to split.
        lengths: sample counts summing to ``len(dataset)``, or fractions summing to 1 (as in
            PyTorch: ``floor(f * N)`` each, the remainder handed out one by one round-robin).
        generator: NumPy Generator for the permutation (default: the library generator).
    """
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(v, float) for v in lengths) and math.isclose(sum(lengths), 1.0):
        if any(v < 0 for v in lengths):
            raise ValueError(f"random_split: fractions must be >= 0, got {lengths}")
        counts = [int(math.floor(f * n)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(int(v) != v or v < 0 for v in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} must be non-negative ints summing to "
                         f"the dataset size {n}, or fractions summing to 1")
    perm = (generator or _library_generator()).permutation(n)
    bounds = numpy.cumsum([0] + [int(v) for v in lengths])
    return [Subset(dataset, perm[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
