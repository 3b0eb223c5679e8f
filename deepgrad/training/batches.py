"""Batches as the Trainer sees them: ``(inputs, targets)`` pairs, their size, scheduler kinds."""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor, _as_array


def _to_tensor(x):
    return x if isinstance(x, Tensor) else Tensor._make(_as_array(x), False, None, 0)


def _host(a):
    """A NumPy array of ``a`` (a copy from a device, ``a`` itself on the CPU)."""
    return a if isinstance(a, numpy.ndarray) else numpy.asarray(a) \
        if isinstance(a, numpy.generic) else a.get()


def _split(batch, who: str, device=None):
    """A batch ``(x, y)`` -> (inputs tuple, target Tensor) on ``device`` (None: as they come);
    ``x`` may itself be a tuple."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"Trainer.{who}: a batch must be a pair (inputs, targets), got "
                         f"{type(batch).__name__}"
                         + (f" of length {len(batch)}" if isinstance(batch, (tuple, list))
                            else ""))
    x, y = batch
    xs = tuple(_to_tensor(v) for v in x) if isinstance(x, (tuple, list)) else (_to_tensor(x),)
    y = _to_tensor(y)
    if device is not None:
        xs, y = tuple(v.to(device) for v in xs), y.to(device)
    return xs, y


def batch_size_of(batch) -> int:
    """The number of samples in a batch: the leading dimension of its first array (``x``, or
    ``x[0]`` for several inputs); 1 for a 0-d one."""
    while isinstance(batch, (tuple, list)) and batch:
        batch = batch[0]
    shape = getattr(batch, "shape", None)
    return int(shape[0]) if shape else 1


def _is_plateau(scheduler) -> bool:
    """True for a ReduceLROnPlateau-style scheduler, whose ``step`` takes the monitored value."""
    return any(cls.__name__ == "ReduceLROnPlateau" for cls in type(scheduler).__mro__)
