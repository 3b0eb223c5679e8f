"""DataLoader, datasets containers and samplers: batch modes, seeded shuffling, collate errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.data import (
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    TransformDataset,
    WeightedRandomSampler,
    class_balanced_weights,
    default_collate,
    random_split,
)


def _data(n=10, f=3):
    X = np.arange(n * f, dtype=np.float32).reshape(n, f)
    y = np.arange(n, dtype=np.int64) % 3
    return X, y


class ListDataset(Dataset):
    """A plain item-by-item dataset (exercises the generic collate path)."""

    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


@pytest.mark.parametrize("batch_size, drop_last, n_batches, last_size", [
    (None, False, 1, 10),   # batch gradient descent: one update per epoch
    (1, False, 10, 1),      # online SGD: one update per sample
    (4, False, 3, 2),       # mini-batch: ceil(10 / 4)
    (4, True, 2, 4),        # ... floor with drop_last
    (5, False, 2, 5),
    (10, True, 1, 10),
    (32, False, 1, 10),
    (32, True, 0, None),
])
def test_batch_modes_give_expected_updates_per_epoch(batch_size, drop_last, n_batches, last_size):
    X, y = _data()
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                        drop_last=drop_last)
    assert len(loader) == n_batches
    model = dg.nn.Linear(3, 1)
    opt = dg.optim.SGD(model.parameters(), lr=0.0)
    updates, seen = 0, []
    for xb, yb in loader:
        assert isinstance(xb, dg.Tensor) and isinstance(yb, dg.Tensor)
        loss = model(xb).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        updates += 1
        seen.append(yb.shape[0])
    assert updates == n_batches
    if n_batches:
        assert seen[-1] == last_size
    if not drop_last:
        assert sum(seen) == 10


def test_every_sample_once_per_epoch_and_dtypes_kept():
    X, y = _data()
    loader = DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True)
    xs, ys = zip(*loader)
    xs, ys = np.concatenate([t.numpy() for t in xs]), np.concatenate([t.numpy() for t in ys])
    assert sorted(xs[:, 0].tolist()) == X[:, 0].tolist()
    assert xs.dtype == np.float32 and ys.dtype == np.int64
    # rows stay aligned with their labels
    np.testing.assert_array_equal(ys, (xs[:, 0] // 3).astype(np.int64) % 3)


def _orders(loader, epochs):
    return [np.concatenate([yb.numpy() for _, yb in loader]).tolist() for _ in range(epochs)]


def test_shuffle_is_seeded_and_reshuffles_every_epoch():
    X = np.arange(50, dtype=np.float32)[:, None]
    y = np.arange(50)
    loader = DataLoader(TensorDataset(X, y), batch_size=7, shuffle=True)
    dg.manual_seed(123)
    first = _orders(loader, 3)
    dg.manual_seed(123)
    again = _orders(loader, 3)
    assert first == again
    assert first[0] != first[1] != first[2]
    assert first[0] != list(range(50))
    dg.manual_seed(124)
    assert _orders(loader, 1)[0] != first[0]


def test_explicit_generator_and_sequential_order():
    X, y = _data(20)
    ds = TensorDataset(X, y)
    a = _orders(DataLoader(ds, 4, shuffle=True, generator=np.random.default_rng(5)), 2)
    b = _orders(DataLoader(ds, 4, shuffle=True, generator=np.random.default_rng(5)), 2)
    assert a == b
    seq = _orders(DataLoader(ds, 4), 2)
    assert seq[0] == seq[1] == y.tolist()


def test_fast_path_matches_item_path_through_subsets():
    X, y = _data(12)
    fast = Subset(Subset(TensorDataset(X, y), np.arange(12)[::-1]), [0, 2, 4, 6])
    items = ListDataset([(X[i], int(y[i])) for i in range(12)])
    slow = Subset(Subset(items, np.arange(12)[::-1]), [0, 2, 4, 6])
    for (xf, yf), (xs, ys) in zip(DataLoader(fast, 3), DataLoader(slow, 3)):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
    assert ys.dtype == np.int64


def test_collate_names_the_index_of_a_misshapen_sample():
    items = [(np.zeros(3, np.float32), 0)] * 5 + [(np.zeros(4, np.float32), 1)]
    loader = DataLoader(ListDataset(items), batch_size=6)
    with pytest.raises(ValueError, match=r"dataset index 5 has shape \(4,\).*shape \(3,\)"):
        next(iter(loader))
    with pytest.raises(ValueError, match="batch position 1"):
        default_collate([np.zeros(2), np.zeros(3)])


def test_collate_python_numbers_and_custom_collate():
    batch = default_collate([(1.5, 2), (2.5, 3)])
    assert batch[0].dtype == np.float32 and batch[1].dtype == np.int64
    loader = DataLoader(ListDataset(list(range(5))), batch_size=2,
                        collate_fn=lambda b: sum(b))
    assert list(loader) == [1, 5, 4]


def test_bad_arguments():
    ds = TensorDataset(*_data())
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match=r"same first dimension.*\(3, 2\).*\(4,\)"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(IndexError, match="Subset"):
        Subset(ds, [0, 10])


def test_random_split_lengths_fractions_and_disjointness():
    ds = TensorDataset(*_data(10))
    parts = random_split(ds, [6, 4], generator=np.random.default_rng(0))
    idx = np.concatenate([p.indices for p in parts])
    assert [len(p) for p in parts] == [6, 4] and sorted(idx.tolist()) == list(range(10))
    parts = random_split(ds, [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(TensorDataset(*_data(11)), [0.5, 0.5])
    assert sorted(len(p) for p in parts) == [5, 6]
    with pytest.raises(ValueError, match="lengths"):
        random_split(ds, [3, 3])


def test_weighted_sampler_balances_an_imbalanced_set():
    y = np.array([0] * 90 + [1] * 10)
    X = np.zeros((100, 1), np.float32)
    sampler = WeightedRandomSampler(class_balanced_weights(y), num_samples=4000,
                                    generator=np.random.default_rng(0))
    drawn = np.concatenate([yb.numpy() for _, yb in DataLoader(TensorDataset(X, y), 500,
                                                               sampler=sampler)])
    assert drawn.size == 4000
    assert abs(np.mean(drawn) - 0.5) < 0.05
    with pytest.raises(ValueError, match="weights"):
        WeightedRandomSampler([-1.0, 2.0], 3)
    without = WeightedRandomSampler([0.0, 1.0, 1.0], 2, replacement=False)
    assert sorted(without.indices().tolist()) == [1, 2]


def test_random_sampler_with_replacement_and_len():
    ds = TensorDataset(*_data(10))
    s = RandomSampler(ds, replacement=True, num_samples=25, generator=np.random.default_rng(1))
    idx = list(s)
    assert len(s) == 25 == len(idx) and max(idx) < 10 and len(set(idx)) < 25
    assert len(DataLoader(ds, 10, sampler=s)) == 3


def test_transform_dataset_keeps_labels():
    X, y = _data(6)
    ds = TransformDataset(TensorDataset(X, y), transform=lambda x: x * 2)
    xb, yb = next(iter(DataLoader(ds, 6)))
    np.testing.assert_array_equal(xb.numpy(), X * 2)
    np.testing.assert_array_equal(yb.numpy(), y)
