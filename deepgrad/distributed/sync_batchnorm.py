"""The SyncBatchNorm op: batch statistics and backward sums taken over every rank's samples."""
from __future__ import annotations

import numpy

from ..backend import get_array_module
from ..ops.batchnorm import BatchNorm


def _host(a) -> numpy.ndarray:
    return numpy.asarray(a if get_array_module(a) is numpy else a.get())


class SyncBatchNormFunction(BatchNorm):
    """Training-mode batch norm whose statistics span the ranks of ``comm``.

    Forward: each rank sends its count n_r, mean and M2_r = sum (x - mean_r)^2 per channel
    (one ``Allgather``); the global mean and biased variance follow from Chan et al.'s
    pairwise combination, ``M2 = sum M2_r + sum n_r (mean_r - mean)^2``, which stays exact
    where ``E[x^2] - E[x]^2`` would cancel. Backward: the two per-channel sums of the batch norm
    gradient are summed over the ranks (one ``Allreduce``) and ``m`` is the global count, so
    each rank's input gradient is that of one batch norm over all ranks' samples.
    """

    def __init__(self, comm, eps: float) -> None:
        super().__init__(True, eps)
        self.comm = comm

    def batch_stats(self, x, axes, shape):
        xp, c = get_array_module(x), x.shape[1]
        n = x.size // c
        local = numpy.zeros(1 + 2 * c, numpy.float64)
        local[0] = n
        if n:
            mean = x.mean(axis=axes)
            xc = x - mean.reshape(shape)
            local[1:1 + c] = _host(mean)
            local[1 + c:] = _host((xc * xc).sum(axis=axes))
        every = numpy.empty((self.comm.Get_size(), local.size), numpy.float64)
        self.comm.Allgather(local, every)
        counts, means, m2 = every[:, :1], every[:, 1:1 + c], every[:, 1 + c:]
        total = float(counts.sum())
        if total <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel over all "
                             f"ranks when training, got {int(total)} (local input shape "
                             f"{tuple(x.shape)})")
        gmean = (counts * means).sum(axis=0) / total
        var = (m2.sum(axis=0) + (counts * (means - gmean) ** 2).sum(axis=0)) / total
        self.count = int(total)
        gmean = xp.asarray(gmean.astype(x.dtype))
        return gmean, x - gmean.reshape(shape), xp.asarray(var.astype(x.dtype))

    def reduce_sums(self, s1, s2):
        if self.comm.Get_size() == 1:
            return s1, s2
        from mpi4py import MPI

        xp, c = get_array_module(s1), s1.shape[0]
        both = numpy.ascontiguousarray(numpy.concatenate([_host(s1), _host(s2)]))
        self.comm.Allreduce(MPI.IN_PLACE, both, MPI.SUM)
        return xp.asarray(both[:c]), xp.asarray(both[c:])
