"""Data-parallel training, PyTorch's DDP way: a small CNN with SyncBatchNorm on the 8x8 digits.

The loop a PyTorch user writes for ``torch.nn.parallel.DistributedDataParallel``, with deepgrad's
names; every rank trains on its share of each batch and rank 0 reports. Needs the ``mpi`` extra
(and scikit-learn for the digits):

    mpiexec -n 2 python -m mpi4py examples/ddp_digits.py      # 2 ranks, 32 images each per step
    python examples/ddp_digits.py                             # the same run in one process
"""
from __future__ import annotations

import argparse

import deepgrad as dg
import deepgrad.distributed as dist
from deepgrad import nn, optim
from deepgrad.data import DataLoader, DistributedSampler, TensorDataset
from deepgrad.data import datasets as ds
from deepgrad.nn.parallel import DistributedDataParallel


def main(argv: list[str] | None = None) -> float:
    """Train; returns the held-out accuracy (the same on every rank)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--global-batch", type=int, default=64, help="split over the ranks")
    args = p.parse_args(argv)

    dist.init_process_group(backend="mpi")  # alone: a world of one
    rank, world = dist.get_rank(), dist.get_world_size()
    dg.manual_seed(0)
    x, y = ds.digits()
    x_train, y_train, x_test, y_test = x[:1500], y[:1500], x[1500:], y[1500:]
    # no bias before a batch norm: it cancels, so its gradient is rounding noise that Adam would
    # turn into steps (harmless in training, but it drifts the running mean seen in eval)
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 4 * 4, 10))
    model = DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(net))
    opt = optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    train_set = TensorDataset(x_train, y_train)
    sampler = DistributedSampler(train_set, shuffle=True, seed=0)
    loader = DataLoader(train_set, batch_size=args.global_batch // world, sampler=sampler)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        model.train()
        total = dg.zeros(2, dtype=dg.float64)  # this rank's (loss sum, count)
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()  # gradients averaged over the ranks
            opt.step()
            total += dg.tensor([loss.item() * len(yb), len(yb)], dtype=dg.float64)
        dist.all_reduce(total)
        if rank == 0:
            print(f"epoch {epoch + 1}: train loss {total[0].item() / total[1].item():.4f}")
    net.eval()
    with dg.no_grad():
        accuracy = float((net(dg.tensor(x_test)).numpy().argmax(1) == y_test).mean())
    if rank == 0:
        print(f"{world} rank(s): test accuracy {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
