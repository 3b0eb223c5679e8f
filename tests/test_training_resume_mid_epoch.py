"""Mid-epoch checkpoints resume exactly (or are refused), and resume validates every field."""
import numpy as np
import pytest
from state_compare import assert_same_state

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.optim import Adam
from deepgrad.optim.lr_scheduler import StepLR
from deepgrad.serialization import CheckpointError
from deepgrad.training import Callback, EarlyStopping, ModelCheckpoint, Trainer


def _setup(seed, own_generator=False, batch_size=8):
    dg.manual_seed(seed)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((96, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64)
    gen = np.random.default_rng(seed + 100) if own_generator else None
    train = DataLoader(TensorDataset(x[:64], y[:64]), batch_size=batch_size, shuffle=True,
                       generator=gen)
    val = DataLoader(TensorDataset(x[64:], y[64:]), batch_size=32)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    optimizer = Adam(model.parameters(), lr=0.01)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    return model, optimizer, scheduler, train, val


def _trainer(model, optimizer, scheduler, *callbacks):
    return Trainer(model, nn.CrossEntropyLoss(), optimizer, metrics=["accuracy"],
                   callbacks=[EarlyStopping("loss", patience=10), *callbacks], scheduler=scheduler)


class BatchLog(Callback):
    def __init__(self):
        self.seen = []

    def on_batch_end(self, batch, logs=None):
        self.seen.append((self.trainer.epoch, batch, logs["loss"]))


@pytest.mark.parametrize("own_generator", [False, True])
@pytest.mark.parametrize("resume_from", ["ck-1-6", "ck-2-4", "ck-3-2"])
def test_mid_epoch_checkpoint_resumes_exactly(tmp_path, own_generator, resume_from):
    model, opt, sched, train, val = _setup(0, own_generator)
    log = BatchLog()
    full = _trainer(model, opt, sched, log,
                    ModelCheckpoint(tmp_path / "ck-{epoch}-{batch}.safetensors", save_freq=3))
    history = full.fit(train, val, epochs=3).history
    rng_after_full = dg.random.get_rng_state()
    # 8 batches an epoch, a save every 3 batches counted across epochs
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"ck-{e}-{b}.safetensors" for e, b in
        [(1, 3), (1, 6), (2, 1), (2, 4), (2, 7), (3, 2), (3, 5), (3, 8)])
    ck = dg.load(tmp_path / f"{resume_from}.safetensors")
    epoch, batch = (int(v) for v in resume_from.split("-")[1:])
    assert ck["epoch"] == epoch - 1 and ck["position"]["batch"] == batch

    model2, opt2, sched2, train2, val2 = _setup(7, own_generator)
    log2 = BatchLog()
    resumed = _trainer(model2, opt2, sched2, log2,
                       ModelCheckpoint(tmp_path / "r-{epoch}-{batch}.safetensors", save_freq=3))
    assert resumed.resume(tmp_path / f"{resume_from}.safetensors") == epoch - 1
    history2 = resumed.fit(train2, val2, epochs=3).history
    assert history2 == history  # epoch losses and accuracies of the partial epoch included
    done = (epoch - 1) * 8 + batch
    assert log2.seen == log.seen[done:]  # the rest of the epoch, not replayed
    assert_same_state(model.state_dict(), model2.state_dict())
    assert_same_state(opt.state_dict(), opt2.state_dict())
    assert sched.state_dict() == sched2.state_dict()
    # the same draws after the checkpoint too (each loader epoch draws a worker base seed)
    assert dg.random.get_rng_state() == rng_after_full
    a, b = dg.load(tmp_path / "ck-3-8.safetensors"), dg.load(tmp_path / "r-3-8.safetensors")
    for key in ("model", "optimizer", "rng", "loader_rng", "position", "callbacks"):
        assert_same_state(a[key], b[key])


class SaveAt(Callback):
    def __init__(self, path, epoch, batch):
        self.path, self.at = path, (epoch, batch)

    def on_batch_end(self, batch, logs=None):
        if (self.trainer.epoch, batch) == self.at:
            self.trainer.save_checkpoint(self.path)


def test_manual_save_in_on_batch_end_resumes_exactly(tmp_path):
    model, opt, sched, train, val = _setup(3)
    full = _trainer(model, opt, sched, SaveAt(tmp_path / "mid.safetensors", 1, 4))
    history = full.fit(train, val, epochs=2).history
    model2, opt2, sched2, train2, val2 = _setup(4)
    resumed = _trainer(model2, opt2, sched2, SaveAt(tmp_path / "other.safetensors", 9, 9))
    resumed.resume(tmp_path / "mid.safetensors")
    assert resumed.fit(train2, val2, epochs=2).history == history
    assert_same_state(model.state_dict(), model2.state_dict())


def test_loader_state_round_trip_and_checks():
    ds = TensorDataset(np.arange(10.0), np.arange(10))
    loader = DataLoader(ds, batch_size=3, shuffle=True)
    it = iter(loader)
    first = [next(it)[1].numpy().tolist() for _ in range(2)]
    state = loader.state_dict()
    assert state["batches"] == 2 and sorted(state["order"].tolist()) == list(range(10))
    rest = [b[1].numpy().tolist() for b in it]
    again = DataLoader(ds, batch_size=3, shuffle=True)
    again.load_state_dict(state)
    assert [b[1].numpy().tolist() for b in again] == rest
    assert first + rest and len(list(again)) == 4  # then whole epochs again
    assert loader.state_dict()["order"] is None  # between epochs
    with pytest.raises(ValueError, match="batch_size=3.*this loader has 10, 4"):
        DataLoader(ds, batch_size=4).load_state_dict(state)
    with pytest.raises(ValueError, match="does not fit"):
        DataLoader(ds, batch_size=3).load_state_dict({**state, "order": np.arange(10) + 5})


def test_mid_epoch_save_with_a_list_loader_is_refused(tmp_path):
    model, opt, sched, train, _ = _setup(0)
    batches = list(train)
    trainer = _trainer(model, opt, sched,
                       ModelCheckpoint(tmp_path / "c-{batch}.safetensors", save_freq=2))
    with pytest.raises(ValueError, match=r"save_freq=2\): the training loader \(list\) cannot "
                                         "record its position"):
        trainer.fit(batches, epochs=1)
    trainer = _trainer(model, opt, sched, SaveAt(tmp_path / "m.safetensors", 0, 2))
    with pytest.raises(ValueError, match="batch 3 of epoch 1: the training loader"):
        trainer.fit(batches, epochs=1)
    assert not (tmp_path / "m.safetensors").exists()
    # weights-only saves need no position
    weights = ModelCheckpoint(tmp_path / "w-{batch}.safetensors", save_freq=4,
                              save_weights_only=True)
    _trainer(model, opt, sched, weights).fit(batches, epochs=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-4.safetensors",
                                                         "w-8.safetensors"]


def test_mid_epoch_resume_refuses_a_loader_that_does_not_fit(tmp_path):
    model, opt, sched, train, _ = _setup(0)
    _trainer(model, opt, sched, SaveAt(tmp_path / "mid.safetensors", 0, 2)).fit(train, epochs=1)
    for loader, match, err in [
        (_setup(1, batch_size=16)[3], "loader position does not fit", CheckpointError),
        (list(_setup(1)[3]), r"this loader \(list\) cannot resume", CheckpointError),
    ]:
        m, o, s, _, _ = _setup(1)
        t = _trainer(m, o, s)
        t.resume(tmp_path / "mid.safetensors")
        with pytest.raises(err, match=match):
            t.fit(loader, epochs=2)
    m, o, s, loader, _ = _setup(1)
    t = _trainer(m, o, s)
    t.resume(tmp_path / "mid.safetensors")
    with pytest.raises(ValueError, match="stopped inside epoch 1 .*initial_epoch=1"):
        t.fit(loader, epochs=3, initial_epoch=1)


def test_save_freq_needs_a_trainer_that_saves_positions():
    class EpochOnlyTrainer:  # e.g. a loop whose checkpoints hold epoch ends only
        model = None

        def save_checkpoint(self, path):
            raise AssertionError("must not be reached")

    cb = ModelCheckpoint("x-{batch}.safetensors", save_freq=5)
    cb.set_trainer(EpochOnlyTrainer())
    with pytest.raises(ValueError, match="EpochOnlyTrainer.save_checkpoint cannot record a "
                                         "position inside an epoch"):
        cb.on_train_begin({})
    ModelCheckpoint("w.safetensors", save_freq=5, save_weights_only=True).on_train_begin({})


def test_save_freq_argument_is_checked():
    for bad in (0, -2, 1.5, True, "batch"):
        with pytest.raises(ValueError, match="save_freq must be 'epoch' or a positive int"):
            ModelCheckpoint("x.safetensors", save_freq=bad)
