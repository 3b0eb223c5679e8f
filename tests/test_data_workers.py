"""DataLoader workers, batch samplers, iterable/concat datasets, the torch.utils.data path."""
from __future__ import annotations

import os
import random

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.utils.data as utils_data
from deepgrad import data
from deepgrad.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
    get_worker_info,
)


class Items(Dataset):
    """Map-style dataset that goes through the per-item path (not the TensorDataset gather)."""

    def __init__(self, n: int = 23) -> None:
        self.n = n

    def __getitem__(self, i):
        return np.full(3, i, np.float32), i

    def __len__(self):
        return self.n


class Failing(Items):
    def __getitem__(self, i):
        if i == 7:
            raise KeyError(f"bad sample {i}")
        return super().__getitem__(i)


class Seeds(Items):
    """Each sample reports the worker that made it and a draw from the library generator."""

    def __getitem__(self, i):
        info = get_worker_info()
        wid = -1 if info is None else info.id
        return np.array([wid, dg.generator().integers(1 << 30), random.randrange(1 << 30)]), i


class Stream(IterableDataset):
    """Numbers 0..n-1, split between workers by worker id."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        for i in range(start, self.n, step):
            yield np.float32(i)

    def __len__(self):
        return self.n


def _flat(loader, epochs: int = 1):
    return [[np.asarray(t._data).tolist() for t in b] for _ in range(epochs) for b in loader]


def test_utils_data_names_are_the_same_objects():
    for name in utils_data.__all__:
        if name not in ("dataloader", "dataset", "sampler", "distributed"):
            assert getattr(utils_data, name) is getattr(data, name)
    assert utils_data.distributed.DistributedSampler is data.DistributedSampler
    assert utils_data.dataset.Dataset is Dataset
    assert utils_data.sampler.BatchSampler is BatchSampler
    assert utils_data.dataloader.DataLoader is DataLoader
    assert dg.utils.data.DataLoader is DataLoader


@pytest.mark.parametrize("workers", [1, 3])
def test_workers_give_the_same_batches_in_order_as_zero_workers(workers):
    ds = Items()
    base = _flat(DataLoader(ds, 4, shuffle=True, generator=np.random.default_rng(3)), 2)
    got = _flat(DataLoader(ds, 4, shuffle=True, generator=np.random.default_rng(3),
                           num_workers=workers, prefetch_factor=1), 2)
    assert got == base
    persistent = DataLoader(ds, 5, shuffle=True, drop_last=True, num_workers=workers,
                            generator=np.random.default_rng(3), persistent_workers=True)
    plain = DataLoader(ds, 5, shuffle=True, drop_last=True, generator=np.random.default_rng(3))
    assert _flat(persistent, 3) == _flat(plain, 3)
    assert len(persistent) == 4


def test_in_order_false_gives_every_batch_once():
    loader = DataLoader(Items(30), 4, shuffle=True, num_workers=2, in_order=False,
                        generator=np.random.default_rng(0))
    got = sorted(tuple(b[1]._data.tolist()) for b in loader)
    want = sorted(tuple(b[1]._data.tolist()) for b in DataLoader(
        Items(30), 4, shuffle=True, generator=np.random.default_rng(0)))
    assert got == want


def test_worker_seeds_follow_base_seed_plus_id():
    gen = np.random.default_rng(11)
    loader = DataLoader(Seeds(8), 2, num_workers=2, generator=gen)
    batches = list(loader)
    base = np.random.default_rng(11).integers(0, 2**62)
    for k, (x, _) in enumerate(batches):
        wid = k % 2
        assert x._data[:, 0].tolist() == [wid, wid]
        dg.manual_seed(int(base) + wid)
        expected = dg.generator().integers(1 << 30)
        # the first sample a worker makes is its seeded generator's first draw
        if k < 2:
            assert x._data[0, 1] == expected
            assert x._data[0, 2] == random.Random(int(base) + wid).randrange(1 << 30)


def test_worker_init_fn_and_get_worker_info_in_main():
    assert get_worker_info() is None

    def init(worker_id):
        os.environ["DG_TEST_WORKER"] = str(worker_id)  # only in the child's environment

    loader = DataLoader(Items(6), 3, num_workers=2, worker_init_fn=init)
    assert [b[1]._data.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]]
    assert "DG_TEST_WORKER" not in os.environ


def test_exception_in_worker_is_reraised_naming_the_worker():
    loader = DataLoader(Failing(), 4, num_workers=2)
    with pytest.raises(KeyError, match="worker process 1") as info:
        list(loader)
    assert "bad sample 7" in str(info.value)

    def bad_init(worker_id):
        raise ValueError("no init")

    with pytest.raises(ValueError, match="worker_init_fn"):
        list(DataLoader(Items(4), 2, num_workers=1, worker_init_fn=bad_init))


def test_abandoned_epoch_and_timeout_and_spawn():
    loader = DataLoader(Items(40), 2, num_workers=2, persistent_workers=True)
    it = iter(loader)
    next(it)
    del it  # abandon mid-epoch: the next epoch still starts at the beginning
    assert _flat(loader) == _flat(DataLoader(Items(40), 2))
    spawned = DataLoader(TensorDataset(np.arange(10.0)), 4, num_workers=2,
                         multiprocessing_context="spawn")
    assert [b[0]._data.tolist() for b in spawned] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_option_errors():
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(Items(), num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor"):
        DataLoader(Items(), prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers"):
        DataLoader(Items(), persistent_workers=True)
    with pytest.raises(ValueError, match="timeout"):
        DataLoader(Items(), timeout=-1)
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(Items(), 4, batch_sampler=BatchSampler(SequentialSampler(range(3)), 2, False))
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(3), shuffle=True)
    loader = DataLoader(Items(), 4, pin_memory=True, pin_memory_device="cpu")
    assert loader.pin_memory and len(list(loader)) == 6


def test_batch_sampler_and_collate_fn():
    bs = BatchSampler(SequentialSampler(range(10)), 4, drop_last=False)
    assert list(bs) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(bs) == 3
    assert list(BatchSampler(range(10), 4, drop_last=True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    loader = DataLoader(Items(10), batch_sampler=[[3, 1], [0]], collate_fn=lambda s: s)
    assert [[y for _, y in b] for b in loader] == [[3, 1], [0]]
    for workers in (0, 2):
        loader = DataLoader(Items(10), batch_sampler=bs, num_workers=workers)
        assert [b[1]._data.tolist() for b in loader] == list(bs)
        assert len(loader) == 3


def test_iterable_and_concat_datasets():
    for workers in (0, 2):
        loader = DataLoader(Stream(7), 2, num_workers=workers)
        got = sorted(v for b in loader for v in b._data.tolist())
        assert got == list(range(7))
    assert [b._data.tolist() for b in DataLoader(Stream(5), 2, drop_last=True)] == [[0, 1], [2, 3]]
    assert len(DataLoader(Stream(5), 2)) == 3
    chain = Stream(2) + Stream(3)
    assert isinstance(chain, ChainDataset) and [float(v) for v in chain] == [0, 1, 0, 1, 2]
    cat = Items(3) + TensorDataset(np.arange(4.0))
    assert isinstance(cat, ConcatDataset) and len(cat) == 7 and cat.cumulative_sizes == [3, 7]
    assert float(cat[5][0]._data) == 2.0 and cat[-1][0]._data == 3.0
    with pytest.raises(TypeError, match="IterableDataset"):
        ConcatDataset([Stream(2)])


torch = pytest.importorskip("torch")


def test_concat_and_batch_sampler_match_torch():
    tds = torch.utils.data
    assert list(BatchSampler(range(11), 3, False)) == list(tds.BatchSampler(range(11), 3, False))
    ours = ConcatDataset([Items(2), Items(5)])
    theirs = tds.ConcatDataset([Items(2), Items(5)])
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i][1] for i in range(-7, 7)] == [theirs[i][1] for i in range(-7, 7)]


class Slow(Items):
    def __getitem__(self, i):
        import time
        time.sleep(3)
        return super().__getitem__(i)


class Dies(Items):
    def __getitem__(self, i):
        os._exit(3)


def test_timeout_and_a_dead_worker_raise_in_the_main_process():
    with pytest.raises(RuntimeError, match="timed out after 0.5 seconds"):
        list(DataLoader(Slow(2), 1, num_workers=1, timeout=0.5))
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(DataLoader(Dies(2), 1, num_workers=1))
    stream = DataLoader(Stream(3), 2)
    assert "n=3" in repr(stream)


def test_default_collate_recurses_like_torch():
    from collections import namedtuple

    from deepgrad.data import default_collate
    Pair = namedtuple("Pair", "x y")
    batch = default_collate([{"a": (1.0, Pair(np.zeros(2), 3)), "s": "u"},
                             {"a": (2.0, Pair(np.ones(2), 4)), "s": "v"}])
    assert batch["s"] == ["u", "v"]
    assert batch["a"][0]._data.tolist() == [1.0, 2.0] and batch["a"][0].dtype == np.float32
    assert isinstance(batch["a"][1], Pair) and batch["a"][1].y._data.tolist() == [3, 4]
    assert batch["a"][1].x.shape == (2, 2)
    with pytest.raises(ValueError, match="keys"):
        default_collate([{"a": 1}, {"b": 2}])
    with pytest.raises(ValueError, match=r"\['a'\]\[1\] of the sample at batch position 1"):
        default_collate([{"a": (1, np.zeros(2))}, {"a": (1, np.zeros(3))}])
    tc = pytest.importorskip("torch").utils.data.default_collate
    theirs = tc([{"a": (1.0, Pair(np.zeros(2), 3)), "s": "u"},
                 {"a": (2.0, Pair(np.ones(2), 4)), "s": "v"}])
    assert theirs["s"] == batch["s"] and type(theirs["a"][1]) is Pair
