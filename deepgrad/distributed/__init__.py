"""Data-parallel training over MPI with PyTorch's ``torch.distributed`` names.

Launch N processes with ``mpiexec -n N python -m mpi4py train.py`` (``python -m mpi4py`` makes
one rank's uncaught exception abort the whole job instead of leaving the others waiting), call
``init_process_group(backend="mpi")`` in the script, wrap the model in
``deepgrad.nn.parallel.DistributedDataParallel`` and shard the data with
``deepgrad.data.DistributedSampler``. Needs ``pip install 'deepgrad[mpi]'``.
"""
from .collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_into_tensor,
    all_gather_object,
    all_reduce,
    broadcast,
    broadcast_object_list,
    reduce_scatter,
)
from .process_group import (
    ProcessGroup,
    abort,
    abort_on_error,
    barrier,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
    launched_by_mpi,
    rank_and_world_size,
)

__all__ = [
    "ReduceOp", "Work", "all_gather", "all_gather_into_tensor", "all_gather_object",
    "all_reduce", "broadcast", "broadcast_object_list", "reduce_scatter", "ProcessGroup",
    "abort", "abort_on_error", "barrier", "destroy_process_group", "get_backend", "get_rank",
    "get_world_size", "group", "init_process_group", "is_available", "is_initialized",
    "is_mpi_available", "launched_by_mpi", "rank_and_world_size",
]
