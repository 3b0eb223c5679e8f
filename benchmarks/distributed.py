"""python -m benchmarks.distributed: one process vs 2 MPI ranks (DistributedDataParallel).

Strong scaling at a fixed global batch G, the comparison that keeps the training identical
(2 ranks with batch G/2 each compute what one process with batch G computes): step time of
each, speedup, scaling efficiency (speedup / ranks), the share of a 2-rank step spent in MPI
calls (allreduce launches and waits, including waiting for the slower rank) and the gradient
bytes allreduced per step. Every process runs with 1 BLAS thread. Then, on paper, the
efficiency at 8-64 ranks on a 10 or 100 Gb/s network from the measured compute time and
gradient bytes (bandwidth-optimal allreduce, no overlap).

    python -m benchmarks.distributed [--workloads mlp cnn2] [--batches 64 128 256]
    mpiexec -n 2 python -m mpi4py -m benchmarks.distributed worker mlp 64   (one measurement)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
LATENCY_S = 20e-6  # per message on a cluster network (TCP; InfiniBand is ~2 us): an assumption


def _build(workload: str, batch: int, seed: int):
    """(model, optimizer, loss_fn, x, y) of a benchmark workload at ``batch`` samples."""
    import deepgrad as dg

    from .workloads import _supervised, cnn2, lenet, mlp

    dg.manual_seed(0)
    if workload == "mlp":
        model, opt_fn, shape = mlp._model(dg.nn), mlp._sgd, mlp.SHAPE
    elif workload == "cnn2":
        model, opt_fn, shape = dg.models.simple_cnn(), lenet.adam, cnn2.SHAPE
    else:
        raise SystemExit(f"unknown workload {workload!r}; choose mlp or cnn2")
    xa, ya = _supervised.batch(seed, (batch,) + tuple(shape[1:]))
    return model, opt_fn, dg.nn.CrossEntropyLoss(), dg.from_numpy(xa), dg.from_numpy(ya)


def worker(workload: str, batch: int, steps: int, warmup: int) -> dict:
    """Time ``steps`` training steps here (under mpiexec: as one rank of a DDP job)."""
    import deepgrad as dg
    import deepgrad.distributed as dist

    ranks = 1
    if dist.launched_by_mpi():
        dist.init_process_group("mpi")
        ranks = dist.get_world_size()
    rank = dist.get_rank() if ranks > 1 else 0
    model, opt_fn, loss_fn, x, y = _build(workload, batch, seed=rank)
    run = model
    if ranks > 1:
        from deepgrad.nn.parallel import DistributedDataParallel

        run = DistributedDataParallel(model)
    opt = opt_fn(dg.optim, model.parameters())

    def step():
        opt.zero_grad()
        loss_fn(run(x), y).backward()
        opt.step()

    for _ in range(warmup):
        step()
    times, comm = [], []
    for _ in range(steps):
        if ranks > 1:
            dist.barrier()  # each step starts together: its time includes waiting for the other
        c0 = getattr(run, "comm_seconds", 0.0)
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        comm.append(getattr(run, "comm_seconds", 0.0) - c0)
    row = {"workload": workload, "batch": batch, "ranks": ranks,
           "ms": statistics.median(times) * 1e3, "comm_ms": statistics.median(comm) * 1e3,
           "bytes": getattr(run, "bytes_per_step", 0),
           "params": sum(p._data.size for p in model.parameters())}
    if ranks > 1:  # the slowest rank sets the job's pace; rank 0 reports for all
        every = [None] * ranks
        dist.all_gather_object(every, row)
        row = dict(every[0], ms=max(r["ms"] for r in every),
                   comm_ms=statistics.mean(r["comm_ms"] for r in every))
        if rank:
            return None
    return row


def _mpiexec() -> str:
    beside = Path(sysconfig.get_path("scripts")) / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        raise SystemExit("no mpiexec: pip install 'deepgrad[mpi]'")
    return found


def _launch(workload: str, batch: int, ranks: int, steps: int, warmup: int) -> dict:
    env = {**os.environ, **_ONE_THREAD}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "benchmarks.distributed", "worker", workload, str(batch),
           "--steps", str(steps), "--warmup", str(warmup)]
    if ranks > 1:
        cmd = [_mpiexec(), "-n", str(ranks), sys.executable, "-m", "mpi4py"] + cmd[1:]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=ROOT,
                         timeout=600)
    return json.loads([ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1])


def allreduce_seconds(nbytes: float, ranks: int, gbit_s: float) -> float:
    """A bandwidth-optimal allreduce (reduce-scatter + allgather: ring or Rabenseifner's, which
    MPI libraries choose for large messages): each rank sends and receives 2 (N-1)/N of the
    data; latency 2 log2(N) messages (Rabenseifner's; a plain ring pays 2 (N-1))."""
    return (2 * (ranks - 1) / ranks * nbytes * 8 / (gbit_s * 1e9)
            + 2 * math.log2(ranks) * LATENCY_S)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.distributed",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("mode", nargs="?", default="compare", choices=["compare", "worker"])
    ap.add_argument("args", nargs="*", help="worker: WORKLOAD BATCH")
    ap.add_argument("--workloads", nargs="+", default=["mlp", "cnn2"])
    ap.add_argument("--batches", nargs="+", type=int, default=[64, 128, 256],
                    help="global batch sizes (2 ranks take half each)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", help="also write the rows to this file")
    a = ap.parse_args(argv)
    if a.mode == "worker":
        row = worker(a.args[0], int(a.args[1]), a.steps, a.warmup)
        if row is not None:
            print(json.dumps(row), flush=True)
        return
    rows = []
    print(f"{'workload':<8} {'batch':>5} {'1 proc ms':>10} {'2 ranks ms':>11} {'speedup':>8} "
          f"{'eff':>5} {'comm':>6} {'bytes/step':>11}")
    for w in a.workloads:
        for g in a.batches:
            one, two = [], []
            for r in range(a.rounds):  # alternate the order: drift favours neither side
                pair = [(1, g, one), (2, g // 2, two)]
                for ranks, b, into in (pair if r % 2 == 0 else pair[::-1]):
                    into.append(_launch(w, b, ranks, a.steps, a.warmup))
            t1 = statistics.median(x["ms"] for x in one)
            t2 = statistics.median(x["ms"] for x in two)
            comm = statistics.median(x["comm_ms"] for x in two)
            row = {"workload": w, "global_batch": g, "one_ms": t1, "two_ms": t2, "comm_ms": comm,
                   "speedup": t1 / t2, "efficiency": t1 / t2 / 2, "comm_fraction": comm / t2,
                   "bytes_per_step": two[0]["bytes"], "params": two[0]["params"]}
            rows.append(row)
            print(f"{w:<8} {g:>5} {t1:>10.2f} {t2:>11.2f} {row['speedup']:>8.2f} "
                  f"{row['efficiency']:>5.2f} {row['comm_fraction']:>6.1%} "
                  f"{row['bytes_per_step']:>11,}", flush=True)
    print("\nOn paper: weak scaling at the per-rank batch of the largest global batch / 2 "
          f"(reduce-scatter + allgather, {LATENCY_S * 1e6:.0f} us per message, no overlap)")
    for row in rows:
        if row["global_batch"] != max(a.batches):
            continue
        compute = (row["two_ms"] - row["comm_ms"]) / 1e3  # a rank's own work per step
        cells = []
        for n in (8, 16, 32, 64):
            for gbit in (10, 100):
                t = allreduce_seconds(row["bytes_per_step"], n, gbit)
                cells.append(f"N={n} {gbit}G {compute / (compute + t):.2f}")
        print(f"{row['workload']:<8} compute {compute * 1e3:.1f} ms/step: " + ", ".join(cells))
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
