"""Run under mpiexec -n 2: N ranks with batch B must train exactly as one process with batch N*B.

Each rank first computes the single-process reference itself (no process group yet), then joins
the job and trains its share. Any mismatch raises (and python -m mpi4py aborts the job).
"""
import numpy as np

import deepgrad as dg
import deepgrad.distributed as dist
from deepgrad import nn, optim
from deepgrad.nn.parallel import DistributedDataParallel as DDP  # noqa: N817 (the usual name)

B = 3          # per-rank batch
N_SAMPLES = 14  # divisible by 2 ranks, not by 2 * 3: the last global batch is short (2)


def make_mlp(dtype):
    dg.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                         nn.Linear(16, 3)).to(dtype)


def make_bn_net(dtype, sync: bool):
    dg.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.Flatten(), nn.Linear(4 * 5 * 5, 8), nn.BatchNorm1d(8), nn.Tanh(),
                        nn.Linear(8, 3)).to(dtype)
    return nn.SyncBatchNorm.convert_sync_batchnorm(net) if sync else net


def data(dtype, shape):
    rng = np.random.default_rng(1)
    return rng.standard_normal((N_SAMPLES,) + shape).astype(dtype), rng.integers(0, 3, N_SAMPLES)


def train(model, X, y, batches, steps_per_batch=1, accumulate=None):
    """SGD with momentum over the given index batches; returns the final state dict."""
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for idx in batches:
        opt.zero_grad()
        if accumulate is None or len(idx) < 2:
            loss_fn(model(dg.tensor(X[idx])), dg.tensor(y[idx])).backward()
        else:  # gradient accumulation: two halves, the first without communication
            half = len(idx) // 2
            with accumulate.no_sync():
                (loss_fn(model(dg.tensor(X[idx[:half]])), dg.tensor(y[idx[:half]])) *
                 (half / len(idx))).backward()
            (loss_fn(model(dg.tensor(X[idx[half:]])), dg.tensor(y[idx[half:]])) *
             ((len(idx) - half) / len(idx))).backward()
        opt.step()
    inner = model.module if isinstance(model, DDP) else model
    return inner.state_dict()


def global_batches(n_ranks):
    order = np.arange(N_SAMPLES)
    return [order[i:i + n_ranks * B] for i in range(0, N_SAMPLES, n_ranks * B)]


def compare(ref, got, tol, what):
    for k in ref:
        err = float(np.max(np.abs(ref[k].astype(np.float64) - got[k].astype(np.float64)),
                           initial=0.0))
        scale = float(np.max(np.abs(ref[k]), initial=1.0))
        if err > tol * max(scale, 1.0):
            raise AssertionError(f"{what}: {k} differs by {err:.3e} (tolerance {tol})")
    return True


# ---- single-process references (before the process group exists) -------------------------
cases = {}
for dtype, tol in ((np.float64, 1e-12), (np.float32, 2e-5)):
    X, y = data(dtype, (6,))
    cases[("mlp", dtype)] = (X, y, train(make_mlp(dtype), X, y, global_batches(2)), tol)
Xi, yi = data(np.float64, (2, 5, 5))
ref_bn = train(make_bn_net(np.float64, sync=False), Xi, yi, global_batches(2))

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert world == 2, world


def my_batches():
    return [b[rank::world] for b in global_batches(world)]


for (name, dtype), (X, y, ref, tol) in cases.items():
    dg.manual_seed(100 + rank)  # different local init: DDP must broadcast rank 0's
    model = make_mlp(dtype)
    if rank:
        for p in model.parameters():
            p._data[...] = 0
    ddp = DDP(model, bucket_cap_mb=0.0005)  # several buckets
    assert len(ddp._buckets) > 1
    # overlap: a bucket's allreduce starts while backward still has gradients to compute
    ready_at_launch = []

    def counting_launch(bucket, ddp=ddp, launch=ddp._launch, seen=ready_at_launch):
        seen.append(int(ddp._used.sum()))
        launch(bucket)

    ddp._launch = counting_launch
    compare(ref, train(ddp, X, y, my_batches()), tol, f"DDP {name} {dtype.__name__}")
    assert min(ready_at_launch) < len(ddp._params), ready_at_launch

# SyncBatchNorm: batch statistics over both ranks' samples, running statistics included
ddp = DDP(make_bn_net(np.float64, sync=True))
compare(ref_bn, train(ddp, Xi, yi, my_batches()), 1e-12, "SyncBatchNorm")

# no_sync accumulation: two half batches per step equal the whole batch
X, y, ref, tol = cases[("mlp", np.float64)]
ddp = DDP(make_mlp(np.float64))
compare(ref, train(ddp, X, y, my_batches(), accumulate=ddp), tol, "no_sync")

# state dict with PyTorch's module. prefix; unused parameters
assert all(k.startswith("module.") for k in ddp.state_dict())


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x, use_b):
        return self.b(x) if use_b else self.a(x)


dg.manual_seed(0)
ddp = DDP(TwoHeads(), find_unused_parameters=True)
ddp(dg.ones(2, 4), use_b=rank == 1).sum().backward()
# rank 0 used a, rank 1 used b: both get (sum over ranks) / 2, including the unused side's zeros
assert np.allclose(ddp.module.a.bias.grad.numpy(), 1.0) and \
    np.allclose(ddp.module.b.bias.grad.numpy(), 1.0), "find_unused_parameters"
dg.manual_seed(0)
strict = DDP(TwoHeads())
try:
    strict(dg.ones(2, 4), use_b=False).sum().backward()
except RuntimeError as e:
    assert "find_unused_parameters" in str(e) and "b.weight" in str(e), e
else:
    raise AssertionError("an unused parameter without find_unused_parameters must raise")
print(f"rank {rank}: exactness OK")
