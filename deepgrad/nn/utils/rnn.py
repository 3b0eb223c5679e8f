"""Packed and padded variable-length batches (``torch.nn.utils.rnn``'s functions and layout).

A ``PackedSequence`` stores a batch of sequences of lengths ``L_0 >= L_1 >= ...`` time-major
without padding: ``data`` holds step 0 of every sequence, then step 1 of every sequence still
running, and so on; ``batch_sizes[t]`` is how many sequences have a step ``t``. Packing,
unpacking and padding are single gathers (one autograd node each), so gradients flow through.
"""
from __future__ import annotations

from collections import namedtuple

import numpy

from ...autograd.tensor import Tensor
from ...backend import get_array_module
from ...ops.shape import cat, getitem, reshape


def _int64(values, where: str, what: str) -> numpy.ndarray:
    arr = values.numpy() if isinstance(values, Tensor) else numpy.asarray(values)
    if arr.dtype.kind not in "iu" and arr.size:
        raise TypeError(f"{where}: {what} must be integers, got dtype {arr.dtype}")
    return arr.astype(numpy.int64).reshape(-1)


def _long(arr) -> Tensor:
    return Tensor._make(numpy.asarray(arr, dtype=numpy.int64), False, None, 0)


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A packed batch: ``(data, batch_sizes, sorted_indices, unsorted_indices)``.

    Attributes:
        data: (sum of lengths, *) Tensor, the steps of every sequence, time-major.
        batch_sizes: (max length,) int64 Tensor, sequences still running at each step.
        sorted_indices: (B,) int64 Tensor, the batch order by decreasing length, or None when
            the batch was already sorted (``enforce_sorted=True``).
        unsorted_indices: the inverse permutation of ``sorted_indices`` (or None).
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _long(numpy.argsort(_int64(sorted_indices, "PackedSequence",
                                                          "sorted_indices")))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def lengths(self) -> numpy.ndarray:
        """The (B,) sequence lengths in the original (unsorted) batch order."""
        bs = _int64(self.batch_sizes, "PackedSequence", "batch_sizes")
        sorted_lengths = (bs[None, :] > numpy.arange(bs[0])[:, None]).sum(1)
        if self.unsorted_indices is None:
            return sorted_lengths
        return sorted_lengths[_int64(self.unsorted_indices, "PackedSequence", "indices")]

    def to(self, *args, **kwargs) -> "PackedSequence":
        """The same packing with ``data.to(*args, **kwargs)``."""
        return self._replace(data=self.data.to(*args, **kwargs))

    def float(self) -> "PackedSequence":
        return self._replace(data=self.data.float())

    def double(self) -> "PackedSequence":
        return self._replace(data=self.data.double())

    @property
    def is_cuda(self) -> bool:
        return self.data.device != "cpu"


def _pack_rows(lengths: numpy.ndarray, order: numpy.ndarray, steps: int, batch: int,
               batch_first: bool) -> numpy.ndarray:
    """Rows of the flattened padded batch that make up ``data``, in packed order.

    ``order`` lists batch indices by decreasing length. The padded batch is flattened to
    (T B, *) (time-major) or (B T, *) (batch-first).
    """
    sorted_lengths = lengths[order]
    rows = []
    for t in range(int(sorted_lengths[0])):
        running = order[sorted_lengths > t]
        rows.append(running * steps + t if batch_first else t * batch + running)
    return numpy.concatenate(rows)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch of variable-length sequences.

    Args:
        input: (T, B, *) padded batch, or (B, T, *) with ``batch_first``.
        lengths: (B,) lengths in [1, T] (list, array or int64 Tensor).
        batch_first: the layout of ``input``.
        enforce_sorted: require ``lengths`` in decreasing order; otherwise the batch is sorted
            here and the permutation kept in ``sorted_indices``.

    Raises:
        RuntimeError: unsorted lengths with ``enforce_sorted``, a length <= 0 or > T, or a
            wrong number of lengths.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: input must be a Tensor, got "
                        f"{type(input).__name__}")
    lengths = _int64(lengths, "pack_padded_sequence", "lengths")
    if input.ndim < 2:
        raise RuntimeError(f"pack_padded_sequence: input must have at least 2 dims (T, B, *), "
                           f"got shape {tuple(input.shape)}")
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else input.shape[:2]
    if lengths.shape != (batch,):
        raise RuntimeError(f"pack_padded_sequence: expected {batch} lengths (the batch size of "
                           f"input {tuple(input.shape)}), got {lengths.size}")
    if (lengths <= 0).any():
        raise RuntimeError("pack_padded_sequence: Length of all samples has to be greater "
                           f"than 0, but found lengths {lengths.tolist()}")
    if (lengths > steps).any():
        raise RuntimeError(f"pack_padded_sequence: lengths {lengths.tolist()} exceed the "
                           f"sequence length {steps} of input {tuple(input.shape)}")
    if enforce_sorted:
        if (numpy.diff(lengths) > 0).any():
            raise RuntimeError(f"pack_padded_sequence: `lengths` array must be sorted in "
                               f"decreasing order when `enforce_sorted` is True, got "
                               f"{lengths.tolist()}; pass enforce_sorted=False to pack "
                               f"unsorted sequences")
        order, sorted_t, unsorted_t = numpy.arange(batch), None, None
    else:
        order = numpy.argsort(-lengths, kind="stable")
        sorted_t, unsorted_t = _long(order), _long(numpy.argsort(order))
    rows = _pack_rows(lengths, order, steps, batch, batch_first)
    flat = reshape(input, (steps * batch,) + tuple(input.shape[2:]))
    batch_sizes = (lengths[:, None] > numpy.arange(int(lengths.max()))[None, :]).sum(0)
    return PackedSequence(getitem(flat, rows), _long(batch_sizes), sorted_t, unsorted_t)


def _gather_padded(rows: Tensor, index: numpy.ndarray, padding_value: float) -> Tensor:
    """``rows`` with one ``padding_value`` row appended, gathered at ``index`` (-1 = padding)."""
    xp = get_array_module(rows._data)
    pad = Tensor._make(xp.full((1,) + tuple(rows.shape[1:]), padding_value, rows.dtype),
                       False, None, 0)
    index = numpy.where(index < 0, rows.shape[0], index)
    return getitem(cat([rows, pad], 0), index)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """Inverse of ``pack_padded_sequence``: the padded batch and the lengths.

    Args:
        sequence: a PackedSequence.
        batch_first: return (B, T, *) instead of (T, B, *).
        padding_value: the value of padded positions.
        total_length: pad to this many steps (>= the longest sequence) instead of the longest.

    Returns:
        ``(padded, lengths)``: the padded Tensor in the original batch order and the (B,)
        int64 lengths Tensor.
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    bs = _int64(sequence.batch_sizes, "pad_packed_sequence", "batch_sizes")
    max_len, batch = bs.size, int(bs[0])
    steps = max_len if total_length is None else int(total_length)
    if steps < max_len:
        raise ValueError(f"pad_packed_sequence: Expected total_length to be at least the length "
                         f"of the longest sequence in input, but got total_length={steps} and "
                         f"max sequence length being {max_len}")
    offsets = numpy.concatenate([[0], numpy.cumsum(bs)[:-1]])
    # index[t, s] = row of data holding step t of the s-th longest sequence, or -1 (padding)
    s = numpy.arange(batch)
    index = numpy.full((steps, batch), -1, numpy.int64)
    index[:max_len] = numpy.where(s[None, :] < bs[:, None], offsets[:, None] + s[None, :], -1)
    lengths = (bs[None, :] > s[:, None]).sum(1)
    if sequence.unsorted_indices is not None:
        unsorted = _int64(sequence.unsorted_indices, "pad_packed_sequence", "indices")
        index, lengths = index[:, unsorted], lengths[unsorted]
    if batch_first:
        index = index.T
    return _gather_padded(sequence.data, index, padding_value), _long(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack variable-length Tensors (L_i, *) into one padded (T, B, *) Tensor, T = max L_i.

    Args:
        sequences: Tensors sharing their trailing dims.
        batch_first: return (B, T, *).
        padding_value: the value of padded positions.
        padding_side: ``"right"`` (pad after each sequence) or ``"left"``.
    """
    if isinstance(sequences, Tensor):
        sequences = [getitem(sequences, i) for i in range(sequences.shape[0])]
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got "
                         f"{padding_side!r}")
    trailing = tuple(sequences[0].shape[1:])
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor) or s.ndim < 1 or tuple(s.shape[1:]) != trailing:
            shape = tuple(s.shape) if isinstance(s, Tensor) else type(s).__name__
            raise RuntimeError(f"pad_sequence: sequence {i} has shape {shape}; every sequence "
                               f"needs shape (L, {', '.join(map(str, trailing))})")
    lengths = numpy.array([s.shape[0] for s in sequences], numpy.int64)
    steps = int(lengths.max())
    starts = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
    t = numpy.arange(steps)[:, None]
    shift = (steps - lengths)[None, :] if padding_side == "left" else 0
    pos = t - shift
    index = numpy.where((pos >= 0) & (pos < lengths[None, :]), starts[None, :] + pos, -1)
    if batch_first:
        index = index.T
    return _gather_padded(cat(sequences, 0), index, padding_value)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of variable-length Tensors (L_i, *): ``pad_sequence`` then pack."""
    sequences = list(sequences)
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """Split a padded batch back into its (L_i, *) sequences."""
    lengths = _int64(lengths, "unpad_sequence", "lengths")
    out = []
    for b, n in enumerate(lengths.tolist()):
        index = (b, slice(0, n)) if batch_first else (slice(0, n), b)
        out.append(getitem(padded_sequences, index))
    return out


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Split a PackedSequence back into its (L_i, *) sequences, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def repack_like(output: Tensor, packed: PackedSequence) -> PackedSequence:
    """Pack a padded time-major ``output`` (T, B, *) with ``packed``'s lengths and order."""
    lengths = packed.lengths()
    order = (numpy.arange(lengths.size) if packed.sorted_indices is None
             else _int64(packed.sorted_indices, "repack_like", "indices"))
    steps, batch = output.shape[:2]
    rows = _pack_rows(lengths, order, steps, batch, False)
    flat = reshape(output, (steps * batch,) + tuple(output.shape[2:]))
    return PackedSequence(getitem(flat, rows), packed.batch_sizes, packed.sorted_indices,
                          packed.unsorted_indices)


__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence"]
