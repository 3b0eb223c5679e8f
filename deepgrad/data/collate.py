"""Turning samples into batches: default_collate, and fetching one batch from a dataset."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy

from ..autograd.tensor import Tensor, _as_array
from .dataset import gather_arrays


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
    """Stack a list of samples into a batch, recursively as PyTorch's ``default_collate``.

    Samples that are tuples/lists ``(x, y, ...)`` give a tuple of batches (a namedtuple stays
    one), dicts give a dict of batches by key, strings a list of strings, and a bare
    array/Tensor/number a Tensor with a new leading batch dimension. Python floats become
    float32, ints int64; arrays keep their dtype.

    Args:
        batch: the samples.
        indices: their dataset indices, used only to name the culprit in an error.

    Raises:
        ValueError: samples of different shapes (naming the index) or different structures.
    """
    if not batch:
        raise ValueError("collate: empty batch")
    return _collate(list(batch), indices, "")


def _collate(values: list, indices, field: str):
    def where(pos):
        return int(indices[pos]) if indices is not None else pos

    first = values[0]
    if isinstance(first, Mapping):
        for pos, v in enumerate(values):
            if not isinstance(v, Mapping) or v.keys() != first.keys():
                raise ValueError(f"collate: the sample at index {where(pos)} does not have the "
                                 f"keys {sorted(map(str, first))} of the first sample")
        return {k: _collate([v[k] for v in values], indices, f"{field}[{k!r}]") for k in first}
    if isinstance(first, (str, bytes)):
        return list(values)
    if isinstance(first, (tuple, list)):
        n = len(first)
        for pos, v in enumerate(values):
            if not isinstance(v, (tuple, list)) or len(v) != n:
                raise ValueError(f"collate: the sample at index {where(pos)} is not a sequence "
                                 f"of {n} fields like the first sample")
        name = (lambda f: f"field {f}") if not field else (lambda f: f"{field}[{f}]")
        fields = [_collate([v[f] for v in values], indices, name(f)) for f in range(n)]
        return type(first)(*fields) if hasattr(first, "_fields") else tuple(fields)
    return _stack_field(values, indices, field or "the sample")


def fetch_batch(dataset, collate_fn: Callable | None, idx: numpy.ndarray):
    """The batch of map-style ``dataset`` at indices ``idx``, collated.

    A TensorDataset (or a Subset of one) with the default collate is gathered with one fancy
    index per field, without a Python loop over samples.
    """
    if collate_fn is None:
        arrays = gather_arrays(dataset, idx)
        if arrays is not None:
            return tuple(Tensor._make(a, False, None, 0) for a in arrays)
        return default_collate([dataset[int(i)] for i in idx], idx)
    return collate_fn([dataset[int(i)] for i in idx])


def iterable_batches(samples: Iterator, batch_size: int | None, drop_last: bool,
                     collate_fn: Callable | None) -> Iterator:
    """Chunk a stream of samples into collated batches (all of it when ``batch_size`` is None)."""
    collate = default_collate if collate_fn is None else collate_fn
    chunk = []
    for sample in samples:
        chunk.append(sample)
        if batch_size is not None and len(chunk) == batch_size:
            yield collate(chunk)
            chunk = []
    if chunk and not (drop_last and batch_size is not None):
        yield collate(chunk)
