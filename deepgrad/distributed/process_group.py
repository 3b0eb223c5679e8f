"""The process group over MPI (mpi4py): init, rank, world size, barrier, teardown, abort.

One default group, as PyTorch's ``torch.distributed``: ``init_process_group(backend="mpi")``
wraps ``MPI.COMM_WORLD`` (a duplicate of it, so that user code on COMM_WORLD never matches our
messages). Ranks and the world size come from the launcher (``mpiexec -n N``). mpi4py is
imported only here and only on demand, so ``import deepgrad`` never starts MPI.
"""
from __future__ import annotations

import os
import sys
import traceback
from contextlib import contextmanager

_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")
# Variables that MPI launchers set in every rank they start (MPICH/Hydra, Open MPI, PMIx, Slurm).
_LAUNCH_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS")


class ProcessGroup:
    """A communicator and its rank/size (``group.rank()``, ``group.size()``, as PyTorch)."""

    def __init__(self, comm, backend: str = "mpi") -> None:
        self.comm, self.backend = comm, backend
        self._rank, self._size = comm.Get_rank(), comm.Get_size()

    def rank(self) -> int:
        return self._rank

    def size(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return f"ProcessGroup(backend={self.backend!r}, rank={self._rank}, size={self._size})"


class _GroupMember:
    """``group.WORLD`` (PyTorch's spelling of the default group)."""

    @property
    def WORLD(self):  # noqa: N802  (PyTorch's name)
        return _STATE.group


group = _GroupMember()


class _State:
    group: ProcessGroup | None = None


_STATE = _State()


def _mpi():
    """The ``mpi4py.MPI`` module, or a RuntimeError saying how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(f"deepgrad.distributed needs mpi4py and an MPI library: pip install "
                           f"'deepgrad[mpi]' (brings mpi4py and the mpich wheel) ({e})") from None
    return MPI


def is_available() -> bool:
    """True when mpi4py can be imported (it is not imported here: MPI stays unstarted)."""
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_available() -> bool:
    """PyTorch's name: the MPI backend is available."""
    return is_available()


def launched_by_mpi() -> bool:
    """True in a process that an MPI launcher (``mpiexec``/``mpirun``/``srun``) started."""
    return any(v in os.environ for v in _LAUNCH_VARS)


def init_process_group(backend: str | None = "mpi", init_method: str | None = None,
                       timeout=None, world_size: int = -1, rank: int = -1,
                       store=None, group_name: str = "") -> None:
    """Start MPI (if not yet) and make ``MPI.COMM_WORLD`` the default process group.

    Args:
        backend: ``"mpi"`` (or None); the only backend deepgrad has.
        init_method, store, timeout, group_name: accepted for PyTorch compatibility; MPI's
            launcher already connects the ranks, so they are not used.
        world_size, rank: optional checks: when given (>= 0) they must equal what the launcher
            set, else ValueError.

    Raises:
        ValueError: another backend, or a world_size/rank that disagrees with MPI's.
        RuntimeError: already initialized, or mpi4py missing.
    """
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(f"init_process_group: backend {backend!r} is not available; deepgrad "
                         f"has the 'mpi' backend (launch with mpiexec -n N python -m mpi4py "
                         f"script.py)")
    if _STATE.group is not None:
        raise RuntimeError("init_process_group: trying to initialize the default process group "
                           "twice!")
    MPI = _mpi()
    if not MPI.Is_initialized():
        MPI.Init()
    comm = MPI.COMM_WORLD.Dup()
    pg = ProcessGroup(comm)
    if world_size >= 0 and world_size != pg.size():
        comm.Free()
        raise ValueError(f"init_process_group: world_size={world_size} but MPI was launched "
                         f"with {pg.size()} processes")
    if rank >= 0 and rank != pg.rank():
        comm.Free()
        raise ValueError(f"init_process_group: rank={rank} but MPI gave this process rank "
                         f"{pg.rank()}")
    _STATE.group = pg


def is_initialized() -> bool:
    """Whether ``init_process_group`` has been called (and not destroyed)."""
    return _STATE.group is not None


def _default_group(group=None) -> ProcessGroup:
    pg = _STATE.group
    if pg is None:
        raise RuntimeError(_NOT_INIT)
    if group is not None and group is not pg:
        raise ValueError("deepgrad.distributed: only the default group (group=None or "
                         "group.WORLD) is supported")
    return pg


def get_rank(group=None) -> int:
    """This process's rank in the default group (0 .. world_size - 1)."""
    return _default_group(group).rank()


def get_world_size(group=None) -> int:
    """The number of processes in the default group."""
    return _default_group(group).size()


def get_backend(group=None) -> str:
    return _default_group(group).backend


def rank_and_world_size() -> tuple[int, int]:
    """``(rank, world_size)``, or ``(0, 1)`` when no process group is initialized (for code
    that runs the same alone and under mpiexec, as the Trainer)."""
    pg = _STATE.group
    return (0, 1) if pg is None else (pg.rank(), pg.size())


def barrier(group=None, async_op: bool = False, device_ids=None):
    """Block until every rank has reached this call."""
    pg = _default_group(group)
    if async_op:
        from .collectives import Work

        return Work(pg.comm.Ibarrier())
    pg.comm.Barrier()
    return None


def destroy_process_group(group=None) -> None:
    """Free the default group; ``init_process_group`` may be called again afterwards.

    MPI itself stays initialized until the interpreter exits (mpi4py finalizes it then).
    """
    pg = _default_group(group)
    pg.comm.Free()
    _STATE.group = None


def abort(errorcode: int = 1) -> None:
    """End every rank of the job now (``MPI_Abort`` on COMM_WORLD)."""
    MPI = _mpi()
    MPI.COMM_WORLD.Abort(errorcode)


@contextmanager
def abort_on_error(errorcode: int = 1):
    """Within this block, an exception on any rank prints ``rank r/N: <traceback>`` and aborts
    the whole job, instead of leaving the other ranks waiting in a collective forever.

    ``python -m mpi4py script.py`` does the same for the whole script; this is for entry points
    launched without it (``mpiexec -n 2 deepgrad train ...``). Does nothing special with one
    process or without a process group.
    """
    try:
        yield
    except BaseException as e:
        rank, size = rank_and_world_size()
        if size <= 1 or (isinstance(e, SystemExit) and not e.code):
            raise
        text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        sys.stderr.write(f"deepgrad.distributed: rank {rank}/{size} failed; aborting the job\n"
                         f"{text}")
        sys.stderr.flush()
        abort(errorcode)
