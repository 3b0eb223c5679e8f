"""Run under mpiexec -n 2: every collective on tensors against its definition."""
import numpy as np

import deepgrad as dg
import deepgrad.distributed as dist
from deepgrad.distributed.collectives import all_gather_rows

assert not dist.is_initialized()
dist.init_process_group(backend="mpi", world_size=2)
r, n = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "mpi" and n == 2
base = np.arange(6.0).reshape(2, 3)


def mine(dtype=np.float64):
    return dg.tensor(base + 10 * r, dtype=dtype)


expect = {dist.ReduceOp.SUM: base * 2 + 10, dist.ReduceOp.AVG: base + 5,
          dist.ReduceOp.MAX: base + 10, dist.ReduceOp.MIN: base,
          dist.ReduceOp.PRODUCT: base * (base + 10)}
for op, want in expect.items():
    for async_op in (False, True):
        t = mine()
        work = dist.all_reduce(t, op, async_op=async_op)
        if async_op:
            work.wait()
            assert work.is_completed()
        assert t.dtype == np.float64 and np.array_equal(t.numpy(), want), (op, t)
t = dg.tensor(np.array([1, 2, 4]) << r)
dist.all_reduce(t, dist.ReduceOp.BOR)
assert t.tolist() == [3, 6, 12]
t = mine(np.float32).transpose(1, 0)  # not contiguous: staged and written back
dist.all_reduce(t)
assert np.array_equal(t.numpy(), (base * 2 + 10).T)

b = dg.tensor(np.full(4, r, np.int64))
dist.broadcast(b, src=1)
assert b.tolist() == [1, 1, 1, 1]
outs = [dg.zeros(2, 3, dtype=dg.float64) for _ in range(n)]
dist.all_gather(outs, mine())
assert all(np.array_equal(o.numpy(), base + 10 * i) for i, o in enumerate(outs))
big = dg.zeros(4, 3, dtype=dg.float64)
dist.all_gather_into_tensor(big, mine())
assert np.array_equal(big.numpy(), np.concatenate([base, base + 10]))
out = dg.zeros(2, 3, dtype=dg.float64)
dist.reduce_scatter(out, [mine() * (i + 1) for i in range(n)])
assert np.array_equal(out.numpy(), (r + 1) * (2 * base + 10))
objs = [None] * n
dist.all_gather_object(objs, {"rank": r})
assert objs == [{"rank": 0}, {"rank": 1}]
lst = [r, "x"]
dist.broadcast_object_list(lst, src=0)
assert lst == [0, "x"]
rows = all_gather_rows(np.full((r + 1, 2), r) if r else None)
assert rows.tolist() == [[1, 1], [1, 1]]
for bad, call in ((ValueError, lambda: dist.all_gather([dg.zeros(3)], dg.zeros(3))),
                  (TypeError, lambda: dist.all_reduce(mine(), op="sum")),
                  (ValueError, lambda: dist.all_reduce(dg.tensor([1, 2]), dist.ReduceOp.AVG)),
                  (RuntimeError, lambda: dist.init_process_group())):
    try:
        call()
    except bad:
        pass
    else:
        raise AssertionError(f"expected {bad.__name__}")
dist.barrier()
dist.barrier(async_op=True).wait()
dist.destroy_process_group()
assert not dist.is_initialized()
dist.init_process_group()  # again, after destroy
assert dist.get_world_size() == 2
print(f"rank {r}: collectives OK")
