"""The distributed pieces that need no MPI job: grad hooks, samplers, SyncBatchNorm alone, API
errors. (tests/test_distributed_mpi.py runs the real thing under mpiexec.)"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.distributed as dist
from deepgrad import nn
from deepgrad.autograd import gradcheck
from deepgrad.autograd.hooks import HOOKS, queue_callback
from deepgrad.data import DistributedSampler, RandomSampler, SequentialSampler, ShardedSampler
from deepgrad.training import distributed as tdist

ROOT = Path(__file__).resolve().parent.parent

# ---- post-accumulate-grad hooks -------------------------------------------------------------


def test_hook_fires_once_per_backward_with_the_summed_gradient():
    w = nn.Parameter(np.array([1.0, 2.0, 3.0]))
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.numpy().copy()))
    ((w * w).sum() + (w * 2).sum() + w.sum()).backward()  # three uses of w
    assert len(seen) == 1 and np.array_equal(seen[0], 2 * w.numpy() + 3)
    (w * 3).sum().backward()  # accumulates onto the existing grad
    assert len(seen) == 2 and np.array_equal(seen[1], 2 * w.numpy() + 6)
    handle.remove()
    w.sum().backward()
    assert len(seen) == 2 and id(w) not in HOOKS


def test_hook_order_and_queued_callback_run_after_every_hook():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    events = []

    def hook(name):
        def fn(t):
            events.append(name)
            if name == "b":
                queue_callback(lambda: events.append("end"))
        return fn

    with a.register_post_accumulate_grad_hook(hook("a")), \
            b.register_post_accumulate_grad_hook(hook("b")):
        ((a * 2) * b).sum().backward()
        b.sum().backward()  # a gets no gradient: its hook stays silent
    assert events == ["b", "a", "end", "b", "end"] or events == ["a", "b", "end", "b", "end"]
    assert not HOOKS


def test_hook_on_a_leaf_root_and_unused_leaves():
    w = nn.Parameter(np.ones(3))
    unused = nn.Parameter(np.ones(3))
    calls = []
    w.register_post_accumulate_grad_hook(lambda t: calls.append("w"))
    unused.register_post_accumulate_grad_hook(lambda t: calls.append("unused"))
    w.backward(dg.ones(3, dtype=dg.float64))
    (w * 2).sum().backward()
    assert calls == ["w", "w"]


def test_hook_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([0.5, -1.0, 2.0])
    w, tw = nn.Parameter(x.copy()), torch.tensor(x.copy(), requires_grad=True)
    ours, theirs = [], []
    w.register_post_accumulate_grad_hook(lambda t: ours.append(t.grad.numpy().copy()))
    tw.register_post_accumulate_grad_hook(lambda t: theirs.append(t.grad.numpy().copy()))
    for f, v in ((dg, w), (torch, tw)):
        (f.tanh(v * v).sum() + (v * 3).sum()).backward()
        (v * v).sum().backward()
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_hook_errors():
    x = dg.ones(2)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        x.register_post_accumulate_grad_hook(print)
    y = dg.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        y.register_post_accumulate_grad_hook(print)
    with pytest.raises(TypeError, match="callable"):
        nn.Parameter(np.ones(2)).register_post_accumulate_grad_hook(3)
    with pytest.raises(RuntimeError, match="queue_callback"):
        queue_callback(print)


# ---- samplers -------------------------------------------------------------------------------


@pytest.mark.parametrize("n,k", [(10, 3), (9, 3), (2, 5), (7, 2), (0, 2)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_padding_and_striding_match_torch(n, k, drop_last):
    pytest.importorskip("torch")
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    data = list(range(n))
    for r in range(k):
        ours = DistributedSampler(data, k, r, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(data, k, r, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_distributed_sampler_shuffle_partitions_the_epoch():
    data = list(range(11))
    shares = [DistributedSampler(data, 3, r, seed=5) for r in range(3)]
    for s in shares:
        s.set_epoch(2)
    got = np.stack([s.indices() for s in shares])
    perm = np.random.default_rng(5 + 2).permutation(11)
    padded = np.concatenate([perm, perm[:1]])
    assert np.array_equal(got.T.ravel(), padded)  # rank r has padded[r::3]
    shares[0].set_epoch(3)
    assert not np.array_equal(shares[0].indices(), got[0])
    assert np.array_equal(DistributedSampler(data, 3, 0, seed=5).indices(),
                          DistributedSampler(data, 3, 0, seed=5).indices())


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2"):
        DistributedSampler(range(5), num_replicas=3, rank=3)
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(5))


def test_sharded_sampler_splits_any_sampler_like_one_process():
    base = np.random.default_rng(3).permutation(9)
    shares = []
    for r in range(2):
        sampler = RandomSampler(range(9), generator=np.random.default_rng(3))
        shares.append(ShardedSampler(sampler, pad=True, num_replicas=2, rank=r))
    assert [len(s) for s in shares] == [5, 5]
    assert np.array_equal(shares[0].indices(), base[0::2])
    assert np.array_equal(shares[1].indices(), np.append(base[1::2], base[0]))  # padded
    even = [ShardedSampler(SequentialSampler(range(9)), pad=False, num_replicas=2, rank=r)
            for r in range(2)]
    assert [list(s) for s in even] == [[0, 2, 4, 6, 8], [1, 3, 5, 7]]
    assert [len(s) for s in even] == [5, 4]


# ---- SyncBatchNorm alone, and its op against a one-rank communicator ------------------------


class _OneRank:
    """The part of an mpi4py communicator the SyncBatchNorm op uses with one rank."""

    def Get_size(self):  # noqa: N802
        return 1

    def Allgather(self, send, recv):  # noqa: N802
        recv[0] = send



def test_sync_batchnorm_op_equals_batch_norm_and_passes_gradcheck():
    from deepgrad.distributed.sync_batchnorm import SyncBatchNormFunction
    from deepgrad.ops.batchnorm import BatchNorm

    rng = np.random.default_rng(0)
    x = dg.tensor(rng.standard_normal((5, 3, 2)) * 3 + 7, requires_grad=True)
    w = dg.tensor(rng.standard_normal(3), requires_grad=True)
    b = dg.tensor(rng.standard_normal(3), requires_grad=True)
    y1 = SyncBatchNormFunction(_OneRank(), 1e-5).apply(x, w, b)
    y2 = BatchNorm(True, 1e-5).apply(x, w, b)
    np.testing.assert_allclose(y1.numpy(), y2.numpy(), rtol=1e-13, atol=1e-13)
    assert gradcheck(lambda x, w, b: SyncBatchNormFunction(_OneRank(), 1e-5).apply(x, w, b),
                     (x, w, b))


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 2, 2)])
def test_sync_batchnorm_without_a_group_is_batch_norm(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    sync, plain = nn.SyncBatchNorm(3, momentum=0.3).double(), nn.BatchNorm1d(3, momentum=0.3)
    plain.double()
    for train in (True, False):
        sync.train(train)
        plain.train(train)
        xs, xp = dg.tensor(x, requires_grad=True), dg.tensor(x, requires_grad=True)
        ys = sync(xs)
        yp = plain._normalize(xp, plain.running_mean, plain.running_var, train, 0.3)
        if train:
            plain.num_batches_tracked._data += 1
        (ys * ys).sum().backward()
        (yp * yp).sum().backward()
        np.testing.assert_allclose(ys.numpy(), yp.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(xs.grad.numpy(), xp.grad.numpy(), rtol=1e-10, atol=1e-12)
    for k, v in plain.state_dict().items():
        np.testing.assert_allclose(sync.state_dict()[k], v, rtol=1e-12)
    with pytest.raises(ValueError, match=r"SyncBatchNorm\(3\): input must be at least 2-D"):
        sync(dg.ones(3))


def test_convert_sync_batchnorm_shares_state_and_keeps_names():
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(),
                        nn.Linear(4, 2), nn.BatchNorm1d(2, affine=False, momentum=None))
    bn = net[1]
    net.eval()
    names = list(net.state_dict())
    out = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net and isinstance(net[1], nn.SyncBatchNorm) and \
        isinstance(net[4], nn.SyncBatchNorm)
    assert net[1].weight is bn.weight and net[1].running_mean is bn.running_mean
    assert list(net.state_dict()) == names and not net[1].training
    assert net[4].momentum is None and not net[4].affine
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(3))
    assert isinstance(single, nn.SyncBatchNorm)
    torch = pytest.importorskip("torch")
    tnet = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4),
                               torch.nn.Flatten(), torch.nn.Linear(4, 2),
                               torch.nn.BatchNorm1d(2, affine=False, momentum=None))
    tnet = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tnet)
    assert list(tnet.state_dict()) == list(net.state_dict())


# ---- the API without a process group --------------------------------------------------------


def test_api_before_init_process_group():
    assert not dist.is_initialized()
    # importing deepgrad and its distributed parts never starts MPI
    code = ("import sys, deepgrad, deepgrad.distributed, deepgrad.nn.parallel, deepgrad.training,"
            " deepgrad.data; sys.exit('mpi4py.MPI' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
    for fn in (dist.get_rank, dist.get_world_size, dist.barrier):
        with pytest.raises(RuntimeError, match="Default process group has not been initialized"):
            fn()
    with pytest.raises(RuntimeError, match="not been initialized"):
        dist.all_reduce(dg.ones(2))
    with pytest.raises(ValueError, match="backend 'nccl' is not available"):
        dist.init_process_group(backend="nccl")
    with pytest.raises(RuntimeError, match="not been initialized"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    assert dist.rank_and_world_size() == (0, 1)
    assert [m.name for m in dist.ReduceOp][:2] == ["SUM", "PRODUCT"]


def test_trainer_helpers_are_identity_alone():
    loader = dg.data.DataLoader(dg.data.TensorDataset(np.ones((4, 2))), batch_size=2)
    assert tdist.shard_loader(loader, train=True) is loader
    assert tdist.is_main_process() and not tdist.active() and tdist.agree(True)
    callbacks = [dg.training.ProgressBar(), dg.training.History()]
    assert tdist.local_callbacks(callbacks) == callbacks
    assert tdist.reduce_epoch(3.0, 2, [1], [2]) == (3.0, 2, [1], [2])
