"""The Trainer under mpiexec: exactness against one process, faults, resume on other rank counts.

Usage (the test runs these): ``trainer_run.py compare DIR`` (2 ranks), ``trainer_run.py crash
DIR raise|die`` (2 ranks; rank 1 fails during epoch 3) and ``trainer_run.py resume DIR`` (any
number of ranks, from the crash's last checkpoint). The single-process reference is computed
in each process before the process group starts.
"""
import json
import os
import sys

import numpy as np

import deepgrad as dg
import deepgrad.distributed as dist
from deepgrad import nn, optim
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.training import (
    Callback,
    CSVLogger,
    EarlyStopping,
    ModelCheckpoint,
    ReduceLROnPlateau,
    Trainer,
)

B = 4            # per-rank batch on 2 ranks; one process uses 2 * B
N, N_VAL = 44, 19  # 44 / 2 ranks = 22 per rank: batches of 4, 4, 4, 4, 4, 2 (short last batch)
mode, workdir = sys.argv[1], sys.argv[2]


def setup(batch):
    dg.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N + N_VAL, 5))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.int64)
    # no bias before the batch norm: its true gradient is 0, and Adam would turn rounding
    # noise in it into full-size steps that differ between any two summation orders
    model = nn.Sequential(nn.Linear(5, 16, bias=False), nn.SyncBatchNorm(16), nn.Tanh(),
                          nn.Linear(16, 2)).double()
    opt = optim.Adam(model.parameters(), lr=0.05)
    train = DataLoader(TensorDataset(X[:N], y[:N]), batch_size=batch, shuffle=True)
    val = DataLoader(TensorDataset(X[N:], y[N:]), batch_size=5)
    return model, opt, train, val


def trainer_for(model, opt, callbacks=()):
    return Trainer(model, nn.CrossEntropyLoss(), opt, metrics=["accuracy"], progress=False,
                   callbacks=[ReduceLROnPlateau(patience=1, factor=0.5),
                              EarlyStopping(patience=2, min_delta=1e-3), *callbacks])


def reference(epochs):
    model, opt, train, val = setup(2 * B)
    history = trainer_for(model, opt).fit(train, val, epochs=epochs).history
    return model.state_dict(), history


def check(ref, got, tol=1e-12, what=""):
    (ref_w, ref_h), (got_w, got_h) = ref, got
    assert ref_h.keys() == got_h.keys(), (what, sorted(ref_h), sorted(got_h))
    for k in ref_h:
        assert np.allclose(ref_h[k], got_h[k], rtol=tol, atol=tol), (what, k, ref_h[k], got_h[k])
    for k in ref_w:
        assert np.allclose(ref_w[k], got_w[k], rtol=tol, atol=tol), (what, k)


class FailOnRank1(Callback):
    def __init__(self, how):
        self.how = how

    def on_batch_end(self, batch, logs=None):
        if dist.get_rank() == 1 and len(self.trainer.history.epoch) == 2 and batch == 1:
            if self.how == "die":
                os._exit(7)
            raise ValueError("injected failure on rank 1")


if mode == "compare":
    ref = reference(6)
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    model, opt, train, val = setup(B)
    trainer = trainer_for(model, opt, [CSVLogger(os.path.join(workdir, f"log{rank}.csv")),
                                       ModelCheckpoint(os.path.join(workdir, "ck.safetensors"))])
    history = trainer.fit(train, val, epochs=6).history
    check(ref, (model.state_dict(), history), what="Trainer on 2 ranks")
    every = [None, None]
    dist.all_gather_object(every, json.dumps(history, sort_keys=True))
    assert every[0] == every[1], "ranks disagree on the logs"
    assert len(trainer._train_loader) == 6 and len(train) == 11
    dist.barrier()
    assert os.path.exists(os.path.join(workdir, "log0.csv"))
    assert not os.path.exists(os.path.join(workdir, "log1.csv")), "rank 1 wrote a log"
    print(f"rank {rank}: trainer OK, {len(history['loss'])} epochs")
elif mode == "crash":
    dist.init_process_group("mpi")
    model, opt, train, val = setup(B)
    trainer = trainer_for(model, opt, [ModelCheckpoint(os.path.join(workdir, "ck.safetensors")),
                                       FailOnRank1(sys.argv[3])])
    trainer.fit(train, val, epochs=6)
    raise AssertionError("the injected failure did not happen")
elif mode == "resume":
    ref = reference(6)
    dist.init_process_group("mpi")
    model, opt, train, val = setup(2 * B // dist.get_world_size())
    trainer = trainer_for(model, opt)
    assert trainer.resume(os.path.join(workdir, "ck.safetensors")) == 2
    history = trainer.fit(train, val, epochs=6).history
    check(ref, (model.state_dict(), history), what="resumed")
    print(f"rank {dist.get_rank()}/{dist.get_world_size()}: resume OK")
