"""DistributedDataParallel: one model replica per MPI rank, gradients averaged in buckets.

PyTorch's ``torch.nn.parallel.DistributedDataParallel`` on deepgrad's process group
(``deepgrad.distributed``). Each rank runs forward and backward on its own share of the batch;
the gradients are summed over the ranks with MPI and divided by the world size, so every
replica takes the same optimizer step as one process on the whole batch would.
"""
from __future__ import annotations

import time
import weakref
from contextlib import contextmanager

import numpy

from ..autograd.hooks import queue_callback
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .module import Module

# PyTorch reduces a small first bucket so that communication starts early in backward.
_FIRST_BUCKET_BYTES = 1 << 20


def _host(a) -> numpy.ndarray:
    return a if isinstance(a, numpy.ndarray) else numpy.asarray(a.get() if hasattr(a, "get")
                                                                else a)


def broadcast_coalesced(tensors, comm, src: int = 0) -> None:
    """Copy rank ``src``'s values of ``tensors`` into them on every rank: one ``Bcast`` per
    dtype of the concatenated arrays (not one per tensor)."""
    by_dtype: dict = {}
    for t in tensors:
        by_dtype.setdefault(numpy.dtype(t.dtype), []).append(t)
    for dtype, group in by_dtype.items():
        flat = numpy.concatenate([_host(t._data).ravel() for t in group]).astype(dtype, copy=False)
        comm.Bcast(flat, root=src)
        if comm.Get_rank() == src:
            continue
        off = 0
        for t in group:
            n = t._data.size
            t._data[...] = get_array_module(t._data).asarray(flat[off:off + n].reshape(t.shape))
            off += n


class _Bucket:
    """Parameters whose gradients travel in one allreduce (one dtype, about ``cap`` bytes)."""

    def __init__(self, dtype) -> None:
        self.dtype, self.indices, self.offsets, self.numel = dtype, [], [], 0
        self.pending, self.buffer, self.request = 0, None, None

    def add(self, index: int, numel: int) -> None:
        self.indices.append(index)
        self.offsets.append(self.numel)
        self.numel += numel

    @property
    def nbytes(self) -> int:
        return self.numel * self.dtype.itemsize


class DistributedDataParallel(Module):
    """Data parallelism over MPI ranks with PyTorch's contract.

    At construction rank 0's parameters and buffers are broadcast to every rank (after checking
    that all ranks hold the same parameter shapes). During backward each parameter's gradient,
    once final, marks it ready in its bucket (parameters in reverse registration order, about
    backward's order; the first bucket at most 1 MiB, the others ``bucket_cap_mb``); a full bucket
    starts a non-blocking ``Iallreduce`` at once, in bucket order on every rank, so
    communication overlaps the rest of backward as far as the MPI library progresses it. When
    backward ends, the remaining buckets are reduced, all are waited for, and each gradient
    becomes ``sum over ranks / world_size``.

    Args:
        module: the model to replicate.
        device_ids, output_device, dim: PyTorch's GPU placement arguments; must be left as
            None/0 (deepgrad's replicas live where their module lives).
        broadcast_buffers: copy rank 0's buffers (e.g. BatchNorm running statistics) to every
            rank at the start of each forward.
        process_group: the default group (None).
        bucket_cap_mb: the size of a gradient bucket in MiB.
        find_unused_parameters: allow parameters that get no gradient in a backward (on some or
            all ranks); a parameter that no rank used keeps ``grad`` None. Costs one more small
            allreduce per backward. Without it such a parameter raises RuntimeError.
        gradient_as_bucket_view, static_graph, check_reduction: accepted for PyTorch
            compatibility (gradients are always fresh arrays after the reduction).

    Wrap a module after casting or moving it, and once: a newer wrapper of the same module
    takes over its gradient hooks.

    Attributes:
        module: the wrapped model (its state dict appears under the ``module.`` prefix).
        bytes_per_step: bytes of gradients allreduced by one synchronized backward.
        comm_seconds: seconds spent in MPI calls of gradient reduction so far (including
            waiting for slower ranks).
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group=None,
                 bucket_cap_mb: float = 25.0, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False) -> None:
        super().__init__()
        from ..distributed.process_group import _default_group

        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be a deepgrad nn.Module, got "
                            f"{type(module).__name__}")
        if device_ids is not None or output_device is not None or dim != 0:
            raise ValueError(f"DistributedDataParallel: device_ids={device_ids!r}, "
                             f"output_device={output_device!r}, dim={dim} are not supported; "
                             f"leave them at None, None, 0")
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got "
                             f"{bucket_cap_mb!r}")
        pg = _default_group(process_group)
        self.module = module
        self.process_group, self._comm = pg, pg.comm
        self.world_size = pg.size()
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.comm_seconds = 0.0
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self._verify_shapes(module)
        broadcast_coalesced(list(module.parameters()) + list(module.buffers()), self._comm)
        self._buckets, self._bucket_of = self._make_buckets(bucket_cap_mb)
        self._syncing, self._inflight = False, []
        ref = weakref.ref(self)
        # A module has one gradient reducer: wrapping it again retires the older wrapper's hooks.
        for handle in module.__dict__.pop("_ddp_hook_handles", ()):
            handle.remove()
        module.__dict__["_ddp_hook_handles"] = [p.register_post_accumulate_grad_hook(
            lambda _p, i=i: (lambda ddp: ddp is not None and ddp._grad_ready(i))(ref()))
            for i, p in enumerate(self._params)]

    # ---- construction -----------------------------------------------------------------------
    def _verify_shapes(self, module: Module) -> None:
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in module.named_parameters()]
        every = self._comm.allgather(mine)
        for r, theirs in enumerate(every):
            if theirs != every[0]:
                diff = next((a, b) for a, b in zip(every[0] + [None] * len(theirs),
                                                   theirs + [None] * len(every[0])) if a != b)
                raise RuntimeError(f"DistributedDataParallel: rank {r} has a different model "
                                   f"than rank 0: rank 0 {diff[0]}, rank {r} {diff[1]}")

    def _make_buckets(self, cap_mb: float):
        buckets, bucket_of, open_ = [], [None] * len(self._params), {}
        cap = min(_FIRST_BUCKET_BYTES, int(cap_mb * (1 << 20)))
        for i in reversed(range(len(self._params))):
            p = self._params[i]
            dtype = numpy.dtype(p.dtype)
            b = open_.get(dtype)
            if b is None or (b.numel and b.nbytes + p._data.nbytes > cap):
                if b is not None:
                    cap = int(cap_mb * (1 << 20))
                b = open_[dtype] = _Bucket(dtype)
                buckets.append(b)
            b.add(i, p._data.size)
            bucket_of[i] = b
        return buckets, bucket_of

    @property
    def bytes_per_step(self) -> int:
        return sum(b.nbytes for b in self._buckets)

    # ---- forward ----------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        self._syncing = False  # a backward that raised midway left no reduction to finish
        if self.broadcast_buffers and self.world_size > 1:
            buffers = list(self.module.buffers())
            if buffers:
                broadcast_coalesced(buffers, self._comm)
        return self.module(*args, **kwargs)

    @contextmanager
    def no_sync(self):
        """Inside this block backward only accumulates local gradients (no communication);
        the first synchronized backward after it averages the accumulated sums."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # ---- the reduction, driven by the engine's hooks ----------------------------------------
    def _grad_ready(self, index: int) -> None:
        if not self.require_backward_grad_sync:
            return
        if not self._syncing:  # first ready gradient of this backward
            self._syncing, self._next, self._inflight = True, 0, []
            self._used = numpy.zeros(len(self._params), numpy.int32)
            for b in self._buckets:
                b.pending = len(b.indices)
            queue_callback(self._finish)
        if self._used[index]:
            return
        self._used[index] = 1
        bucket = self._bucket_of[index]
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready()
        elif self._inflight:
            # MPI progresses a non-blocking collective inside MPI calls: test the ones in
            # flight between gradients so that they advance while backward computes
            from mpi4py import MPI

            t0 = time.perf_counter()
            if MPI.Request.Testall(self._inflight):
                self._inflight = []
            self.comm_seconds += time.perf_counter() - t0

    def _launch_ready(self) -> None:
        # Buckets start in index order on every rank: MPI matches collectives by order.
        while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
            self._launch(self._buckets[self._next])
            self._next += 1

    def _launch(self, b: _Bucket) -> None:
        buf = numpy.empty(b.numel, b.dtype)
        for i, off in zip(b.indices, b.offsets):
            g = self._params[i].grad
            n = self._params[i]._data.size
            if g is None:
                buf[off:off + n] = 0
            else:
                buf[off:off + n] = _host(g._data).ravel()
        b.buffer, b.request = buf, None
        if self.world_size > 1:
            from mpi4py import MPI

            t0 = time.perf_counter()
            b.request = self._comm.Iallreduce(MPI.IN_PLACE, buf, MPI.SUM)
            self._inflight.append(b.request)
            self.comm_seconds += time.perf_counter() - t0

    def _finish(self) -> None:
        """At the end of backward: reduce what is left, wait, and write the averages back."""
        try:
            unused = [self._names[i] for i in numpy.flatnonzero(self._used == 0)]
            if unused and not self.find_unused_parameters:
                raise RuntimeError(f"DistributedDataParallel: parameters {unused} received no "
                                   f"gradient in this backward; pass find_unused_parameters="
                                   f"True if the model does not use all of them every step")
            for b in self._buckets[self._next:]:
                b.pending = 0
            self._launch_ready()
            t0 = time.perf_counter()
            used = self._used
            if self.world_size > 1:
                from mpi4py import MPI

                MPI.Request.Waitall([b.request for b in self._buckets])
                if self.find_unused_parameters:
                    self._comm.Allreduce(MPI.IN_PLACE, used, MPI.MAX)
            self.comm_seconds += time.perf_counter() - t0
            self._write_back(used)
        finally:
            self._syncing = False

    def _write_back(self, used) -> None:
        for b in self._buckets:
            buf = b.buffer
            if self.world_size > 1:
                buf /= b.dtype.type(self.world_size)
            for i, off in zip(b.indices, b.offsets):
                p = self._params[i]
                if not used[i]:
                    continue
                xp = get_array_module(p._data)
                part = buf[off:off + p._data.size].reshape(p.shape)
                p.grad = Tensor._make(part if xp is numpy else xp.asarray(part), False, None, 0)
            b.buffer = b.request = None

    def extra_repr(self) -> str:
        return (f"world_size={self.world_size}, buckets={len(self._buckets)}, "
                f"bytes_per_step={self.bytes_per_step}")


__all__ = ["DistributedDataParallel", "broadcast_coalesced"]
