"""DataLoader worker processes: seeding, prefetching, in-order delivery, errors and shutdown.

The main process runs the sampler and hands index batches to ``num_workers`` processes round
robin, keeping ``prefetch_factor`` batches per worker in flight; results are put back into
sampler order, so a seeded loader gives the same batches in the same order with any number of
workers. Each epoch draws ``base_seed`` from the loader's generator (also with 0 workers, so the
generator advances alike); worker ``i`` is seeded with ``base_seed + i`` (``deepgrad.manual_seed``:
the library generator, Python's ``random`` and NumPy's global state).
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import time
import traceback
import weakref
from dataclasses import dataclass
from typing import Any

import numpy

from ..random import generator as _library_generator
from ..random import manual_seed
from .collate import fetch_batch, iterable_batches

#: seconds between liveness checks while waiting for a worker's result
_POLL_S = 1.0
_WORKER_INFO = None


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker process."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """The current worker's id, worker count, seed and dataset copy; None in the main process."""
    return _WORKER_INFO


def draw_base_seed(gen: numpy.random.Generator | None) -> int:
    """One epoch's base seed, drawn from ``gen`` (default: the library generator)."""
    return int((gen or _library_generator()).integers(0, 2**62))


def check_worker_options(loader) -> None:
    """Validate the multiprocessing options of a DataLoader (PyTorch's messages)."""
    if isinstance(loader.num_workers, bool) or not isinstance(loader.num_workers, int) \
            or loader.num_workers < 0:
        raise ValueError(f"DataLoader: num_workers option should be non-negative; use "
                         f"num_workers=0 to disable multiprocessing (got {loader.num_workers!r})")
    if loader.timeout < 0:
        raise ValueError(f"DataLoader: timeout option should be non-negative, got "
                         f"{loader.timeout!r}")
    if loader.num_workers == 0 and loader.prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                         "multiprocessing; let num_workers > 0 to enable multiprocessing, "
                         "otherwise set prefetch_factor to None")
    if loader.prefetch_factor is not None and loader.prefetch_factor < 1:
        raise ValueError(f"DataLoader: prefetch_factor must be >= 1, got "
                         f"{loader.prefetch_factor!r}")
    if loader.persistent_workers and loader.num_workers == 0:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
    ctx = loader.multiprocessing_context
    if isinstance(ctx, str):
        if ctx not in multiprocessing.get_all_start_methods():
            raise ValueError(f"DataLoader: multiprocessing_context {ctx!r} is not a start method "
                             f"here; choose one of {multiprocessing.get_all_start_methods()}")
    elif ctx is not None and not hasattr(ctx, "Process"):
        raise TypeError(f"DataLoader: multiprocessing_context must be a start method name or a "
                        f"multiprocessing context, got {type(ctx).__name__}")


class _WorkerError:
    """An exception raised in a worker, carried to the main process as text."""

    def __init__(self, worker_id: int, where: str) -> None:
        self.worker_id = worker_id
        exc = sys.exc_info()[1]
        self.exc_type = type(exc)
        self.message = (f"Caught {type(exc).__name__} in DataLoader worker process {worker_id} "
                        f"{where}.\nOriginal {traceback.format_exc()}")

    def reraise(self):
        try:
            exc = self.exc_type(self.message)
        except Exception:  # an exception type whose constructor needs other arguments
            exc = RuntimeError(self.message)
        raise exc


class _End:
    """A worker's IterableDataset copy is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


def _worker_loop(worker_id, num_workers, seed, dataset, collate_fn, batch_size, drop_last,
                 iterable, init_fn, index_q, result_q, parent_pid) -> None:
    global _WORKER_INFO
    manual_seed(seed)
    _WORKER_INFO = WorkerInfo(worker_id, num_workers, seed, dataset)
    init_error = None
    if init_fn is not None:
        try:
            init_fn(worker_id)
        except Exception:
            init_error = _WorkerError(worker_id, "in worker_init_fn")
    stream, stream_epoch = None, None
    while True:
        try:
            task = index_q.get(timeout=5.0)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process died: don't linger
                break
            continue
        if task is None:
            break
        epoch, send_idx, idx = task
        if init_error is not None:
            result_q.put((epoch, send_idx, init_error))
            continue
        try:
            if iterable:
                if stream_epoch != epoch:
                    stream = iterable_batches(iter(dataset), batch_size, drop_last, collate_fn)
                    stream_epoch = epoch
                payload = next(stream, None)
                payload = _End(worker_id) if payload is None else payload
            else:
                payload = fetch_batch(dataset, collate_fn, idx)
        except Exception:
            payload = _WorkerError(worker_id, "while fetching a batch")
        result_q.put((epoch, send_idx, payload))
    result_q.cancel_join_thread()  # results nobody will read must not block the exit


class _Pool:
    """The worker processes of one DataLoader (one epoch, or every epoch when persistent)."""

    def __init__(self, loader, seed: int, iterable: bool) -> None:
        ctx = loader.multiprocessing_context
        ctx = multiprocessing.get_context(ctx) if ctx is None or isinstance(ctx, str) else ctx
        self.result_q = ctx.Queue()
        self.index_qs, self.procs = [], []
        for i in range(loader.num_workers):
            index_q = ctx.Queue()
            index_q.cancel_join_thread()
            proc = ctx.Process(target=_worker_loop, daemon=True, name=f"DataLoader worker {i}",
                               args=(i, loader.num_workers, seed + i, loader.dataset,
                                     loader.collate_fn, loader.batch_size, loader.drop_last,
                                     iterable, loader.worker_init_fn, index_q, self.result_q,
                                     os.getpid()))
            proc.start()
            self.index_qs.append(index_q)
            self.procs.append(proc)
        self.epoch = 0
        self._finalizer = weakref.finalize(self, _shutdown, self.index_qs, self.procs,
                                           self.result_q)

    def shutdown(self) -> None:
        self._finalizer()

    def get(self, timeout: float):
        """The next result, raising if a worker died or ``timeout`` (> 0) seconds passed."""
        start = time.monotonic()
        while True:
            wait = _POLL_S if timeout <= 0 else min(_POLL_S, timeout - (time.monotonic() - start))
            try:
                return self.result_q.get(timeout=max(wait, 0.001))
            except queue.Empty:
                dead = [p for p in self.procs if not p.is_alive()]
                if dead:
                    pids = ", ".join(str(p.pid) for p in dead)
                    codes = ", ".join(str(p.exitcode) for p in dead)
                    raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly "
                                       f"with exit code(s) {codes}") from None
                if timeout > 0 and time.monotonic() - start >= timeout:
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None


def _shutdown(index_qs, procs, result_q) -> None:
    for q in index_qs:
        try:
            q.put(None)
        except (OSError, ValueError):
            pass
    for p in procs:
        p.join(timeout=5.0)
        if p.is_alive():
            p.terminate()
            p.join()
    for q in index_qs + [result_q]:
        q.close()


def worker_batches(loader, index_batches, seed: int):
    """Iterate one epoch's batches through worker processes, in sampler order.

    Args:
        loader: the DataLoader (its dataset, collate_fn and worker options).
        index_batches: iterator of index arrays, or None for an IterableDataset.
        seed: this epoch's base seed.
    """
    iterable = index_batches is None
    pool = loader.__dict__.get("_worker_pool") if loader.persistent_workers else None
    if pool is None:
        pool = _Pool(loader, seed, iterable)
        if loader.persistent_workers:
            loader.__dict__["_worker_pool"] = pool
    pool.epoch += 1
    try:
        yield from _epoch(loader, pool, index_batches, iterable)
    finally:
        if not loader.persistent_workers:
            pool.shutdown()


def _epoch(loader, pool: _Pool, index_batches, iterable: bool):
    n = loader.num_workers
    in_flight = (loader.prefetch_factor or 2) * n
    active = list(range(n))  # workers that can still produce (an iterable copy may run dry)
    sent = received = 0
    done: dict[int, Any] = {}

    def send() -> bool:
        nonlocal sent
        if not active:
            return False
        if iterable:
            idx = None
        else:
            idx = next(index_batches, None)
            if idx is None:
                return False
        worker = active[sent % len(active)]
        pool.index_qs[worker].put((pool.epoch, sent, idx))
        sent += 1
        return True

    while sent < in_flight and send():
        pass
    in_order = getattr(loader, "in_order", True)
    while received < sent:
        while (received not in done) if in_order else not done:
            epoch, send_idx, payload = pool.get(loader.timeout)
            if epoch == pool.epoch:  # results of an abandoned earlier epoch are dropped
                done[send_idx] = payload
        payload = done.pop(received if in_order else next(iter(done)))
        received += 1
        if isinstance(payload, _WorkerError):
            payload.reraise()
        if isinstance(payload, _End):
            # this worker's stream ran dry (tasks already sent to it come back as _End too)
            if payload.worker_id in active:
                active.remove(payload.worker_id)
            send()
            continue
        send()
        yield payload
