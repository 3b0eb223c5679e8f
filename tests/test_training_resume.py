"""Training checkpoints: exact resume, round trip, and errors that leave the trainer unchanged."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.optim import SGD, Adam
from deepgrad.optim.lr_scheduler import StepLR
from deepgrad.serialization import CheckpointError
from deepgrad.training import EarlyStopping, ModelCheckpoint, Trainer


def _data(n=96, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64)
    return x, y


def _setup(seed, opt="sgd", own_generator=False):
    """A fresh run: model (with dropout), optimizer, scheduler, shuffled loader."""
    dg.manual_seed(seed)
    x, y = _data()
    gen = np.random.default_rng(seed + 100) if own_generator else None
    train = DataLoader(TensorDataset(x[:64], y[:64]), batch_size=8, shuffle=True, generator=gen)
    val = DataLoader(TensorDataset(x[64:], y[64:]), batch_size=32)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    if opt == "sgd":
        optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    else:
        optimizer = Adam(model.parameters(), lr=0.01)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    return model, optimizer, scheduler, train, val


def _assert_same_state(a, b):
    for k, v in a.items():
        if isinstance(v, dict):
            _assert_same_state(v, b[k])
        elif isinstance(v, list):
            assert len(v) == len(b[k])
            for i, item in enumerate(v):
                _assert_same_state({i: item}, {i: b[k][i]})
        elif isinstance(v, np.ndarray):
            assert v.dtype == b[k].dtype
            np.testing.assert_array_equal(v, b[k])
        else:
            assert v == b[k], k


@pytest.mark.parametrize("opt, own_generator", [("sgd", False), ("adam", False),
                                                ("sgd", True)])
def test_resume_reproduces_the_uninterrupted_run_bit_for_bit(tmp_path, opt, own_generator):
    epochs, k = 5, 2
    model, optimizer, scheduler, train, val = _setup(0, opt, own_generator)
    ckpt = ModelCheckpoint(str(tmp_path / "ck-{epoch}.safetensors"))
    stopper = EarlyStopping(patience=10, restore_best_weights=False)
    full = Trainer(model, nn.CrossEntropyLoss(), optimizer, metrics=["accuracy"],
                   callbacks=[ckpt, stopper], scheduler=scheduler)
    history = full.fit(train, val, epochs=epochs).history

    # a new process would build everything again, with other random weights
    model2, optimizer2, scheduler2, train2, val2 = _setup(123, opt, own_generator)
    stopper2 = EarlyStopping(patience=10, restore_best_weights=False)
    resumed = Trainer(model2, nn.CrossEntropyLoss(), optimizer2, metrics=["accuracy"],
                      callbacks=[ModelCheckpoint(str(tmp_path / "r-{epoch}.safetensors")),
                                 stopper2], scheduler=scheduler2)
    assert resumed.resume(tmp_path / f"ck-{k}.safetensors") == k
    history2 = resumed.fit(train2, val2, epochs=epochs).history

    for name, v in model.state_dict().items():
        np.testing.assert_array_equal(model2.state_dict()[name], v)  # exact, not close
    _assert_same_state(optimizer.state_dict(), optimizer2.state_dict())
    assert scheduler.state_dict() == scheduler2.state_dict()
    assert history2 == history and resumed.history.epoch == list(range(epochs))
    assert (stopper2.best, stopper2.wait) == (stopper.best, stopper.wait)
    assert dg.random.get_rng_state() == dg.load(tmp_path / f"ck-{epochs}.safetensors")["rng"]
    # the resumed run writes the same final checkpoint as the uninterrupted one
    a = dg.load(tmp_path / f"ck-{epochs}.safetensors")
    b = dg.load(tmp_path / f"r-{epochs}.safetensors")
    _assert_same_state(a["model"], b["model"])
    _assert_same_state(a["optimizer"], b["optimizer"])


def test_checkpoint_round_trip_contents(tmp_path):
    model, optimizer, scheduler, train, val = _setup(0)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, scheduler=scheduler)
    trainer.fit(train, val, epochs=2)
    path = tmp_path / "ck.safetensors"
    trainer.save_checkpoint(path)
    ck = dg.load(path)
    assert ck["format"] == "deepgrad.checkpoint" and ck["epoch"] == 2
    _assert_same_state(ck["model"], model.state_dict())
    _assert_same_state(ck["optimizer"], optimizer.state_dict())
    assert ck["scheduler"] == scheduler.state_dict()
    assert ck["rng"] == dg.random.get_rng_state()
    assert ck["history"]["history"]["val_loss"] == trainer.history.history["val_loss"]
    dg.save(model.state_dict(), tmp_path / "w.safetensors")
    with pytest.raises(CheckpointError, match="not a training checkpoint"):
        trainer.resume(tmp_path / "w.safetensors")


@pytest.mark.parametrize("change", ["model", "optimizer", "scheduler"])
def test_resume_into_mismatched_trainer_changes_nothing(tmp_path, change):
    model, optimizer, scheduler, train, _ = _setup(0)
    Trainer(model, nn.CrossEntropyLoss(), optimizer, scheduler=scheduler).fit(train, epochs=1)
    path = tmp_path / "ck.safetensors"
    Trainer(model, nn.CrossEntropyLoss(), optimizer, scheduler=scheduler).save_checkpoint(path)

    model2, optimizer2, scheduler2, train2, _ = _setup(5)
    Trainer(model2, nn.CrossEntropyLoss(), optimizer2, scheduler=scheduler2).fit(train2, epochs=1)
    if change == "model":
        model2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2))
        optimizer2 = SGD(model2.parameters(), lr=0.1, momentum=0.9, nesterov=True)
        scheduler2 = StepLR(optimizer2, step_size=2, gamma=0.5)
    elif change == "optimizer":
        optimizer2 = Adam(model2.parameters(), lr=0.01)
        scheduler2 = StepLR(optimizer2, step_size=2, gamma=0.5)
    else:
        scheduler2 = None
    before = (model2.state_dict(), optimizer2.state_dict(), dg.random.get_rng_state())
    trainer2 = Trainer(model2, nn.CrossEntropyLoss(), optimizer2, scheduler=scheduler2)
    if change == "scheduler":  # a checkpoint with a scheduler into a trainer without: fine
        trainer2.resume(path)
        return
    with pytest.raises(CheckpointError, match="does not match") as info:
        trainer2.resume(path)
    assert str(path) in str(info.value)
    _assert_same_state(model2.state_dict(), before[0])
    _assert_same_state(optimizer2.state_dict(), before[1])
    assert dg.random.get_rng_state() == before[2] and trainer2.epoch == 0


def test_resume_without_scheduler_state_into_scheduled_trainer(tmp_path):
    model, optimizer, _, train, _ = _setup(0)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer)
    trainer.fit(train, epochs=1)
    trainer.save_checkpoint(tmp_path / "ck.safetensors")
    model2, optimizer2, scheduler2, _, _ = _setup(1)
    before = model2.state_dict()
    with pytest.raises(CheckpointError, match="no scheduler state"):
        Trainer(model2, nn.CrossEntropyLoss(), optimizer2, scheduler=scheduler2).resume(
            tmp_path / "ck.safetensors")
    _assert_same_state(model2.state_dict(), before)


def test_checkpoint_missing_entries_is_an_error(tmp_path):
    model, optimizer, _, _, _ = _setup(0)
    dg.save({"format": "deepgrad.checkpoint", "version": 1, "epoch": 1,
             "model": model.state_dict()}, tmp_path / "partial.safetensors")
    with pytest.raises(CheckpointError, match="lacks entries .*'optimizer'"):
        Trainer(model, nn.CrossEntropyLoss(), optimizer).resume(tmp_path / "partial.safetensors")
