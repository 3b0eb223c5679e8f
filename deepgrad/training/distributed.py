"""What the Trainer does differently under MPI: one model replica per rank, sharded loaders,
losses and metrics over all ranks, and rank 0 alone showing progress and writing files.

Every function here is a no-op (returns its input) without a process group of more than one
rank, so the Trainer calls them unconditionally. The Trainer asks ``deepgrad.distributed``
for rank and world size; nothing else in ``training/`` knows about ranks.
"""
from __future__ import annotations

import copy
import weakref

import numpy

from ..distributed.process_group import _STATE, rank_and_world_size
from .callbacks import CSVLogger
from .monitor import ModelCheckpoint
from .progress import ProgressBar

# Callbacks that show or write things: on rank 0 only (the others would repeat them).
RANK_ZERO_ONLY = (ProgressBar, CSVLogger, ModelCheckpoint)
_REPLICAS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # trainer -> (model, DDP)


def active() -> bool:
    """True when this process is one of several ranks of an initialized process group."""
    return rank_and_world_size()[1] > 1


def is_main_process() -> bool:
    """Rank 0, or the only process: the one that prints and writes checkpoints."""
    return rank_and_world_size()[0] == 0


def train_model(trainer):
    """The module to run forward/backward through: the trainer's model itself alone, or (under
    MPI) its DistributedDataParallel replica, made once per trainer and model. The trainer's
    ``model`` stays the plain module, so checkpoints hold its own state-dict names and resume
    on any number of ranks."""
    from ..nn.parallel import DistributedDataParallel

    model = trainer.model
    if not active() or isinstance(model, DistributedDataParallel):
        return model
    held = _REPLICAS.get(trainer)
    if held is None or held[0] is not model:
        held = _REPLICAS[trainer] = (model, DistributedDataParallel(model))
    return held[1]


def shard_loader(loader, train: bool):
    """A copy of a DataLoader whose sampler gives this rank its share (``ShardedSampler``:
    padded to equal shares for training, each sample once for evaluation); unchanged alone,
    for non-DataLoader iterables (the script shards those itself) and for loaders that
    already use a DistributedSampler or ShardedSampler."""
    from ..data import DataLoader, DistributedSampler, ShardedSampler

    if not active() or not isinstance(loader, DataLoader) or \
            isinstance(loader.sampler, (DistributedSampler, ShardedSampler)):
        return loader
    sharded = copy.copy(loader)
    sharded.sampler = ShardedSampler(loader.sampler, pad=train)
    return sharded


def set_epoch(loader, epoch: int) -> None:
    """Tell a DistributedSampler which epoch starts (its shuffle is seeded with seed + epoch)."""
    sampler = getattr(loader, "sampler", None)
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(epoch)


def local_callbacks(callbacks) -> list:
    """The callbacks this rank runs: all on rank 0; on the others, all but the ones that show
    or write (``RANK_ZERO_ONLY`` and any with ``rank_zero_only = True``)."""
    if is_main_process():
        return list(callbacks)
    return [c for c in callbacks
            if not (isinstance(c, RANK_ZERO_ONLY) or getattr(c, "rank_zero_only", False))]


def agree(flag: bool) -> bool:
    """True on every rank when it is True on any (so that all ranks stop together)."""
    if not active():
        return flag
    from mpi4py import MPI

    both = numpy.array([1 if flag else 0], numpy.int32)
    _STATE.group.comm.Allreduce(MPI.IN_PLACE, both, MPI.MAX)
    return bool(both[0])


def reduce_epoch(total: float, count: int, outputs: list, targets: list):
    """Sum the loss total and sample count over the ranks and gather every rank's outputs and
    targets (for metrics over the whole epoch). Returns ``(total, count, outputs, targets)``.
    """
    if not active():
        return total, count, outputs, targets
    from mpi4py import MPI

    from ..distributed.collectives import all_gather_rows

    sums = numpy.array([total, count], numpy.float64)
    _STATE.group.comm.Allreduce(MPI.IN_PLACE, sums, MPI.SUM)
    gathered = []
    for parts in (outputs, targets):
        rows = all_gather_rows(numpy.concatenate(parts) if parts else None)
        gathered.append([] if rows is None else [rows])
    return float(sums[0]), int(sums[1]), gathered[0], gathered[1]


def reduce_sums(sums: dict, weights: dict):
    """Sum each key's running total and weight over the ranks (the epoch's per-key means).
    Every rank runs the same train_step, so the keys agree. Returns ``(sums, weights)``."""
    if not active():
        return sums, weights
    from mpi4py import MPI

    keys = sorted(sums)
    buf = numpy.array([sums[k] for k in keys] + [weights[k] for k in keys], numpy.float64)
    _STATE.group.comm.Allreduce(MPI.IN_PLACE, buf, MPI.SUM)
    n = len(keys)
    return dict(zip(keys, buf[:n].tolist())), dict(zip(keys, buf[n:].tolist()))


def gather_rows(outputs: list, targets: list):
    """Every rank's outputs and targets of the epoch (for metrics over all of them)."""
    return reduce_epoch(0.0, 0, outputs, targets)[2:]
