"""Callbacks driven by made-up logs: EarlyStopping, ReduceLROnPlateau, checkpoints, loggers."""
import csv
import io
import math
from types import SimpleNamespace

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.training import (
    CSVLogger,
    EarlyStopping,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgressBar,
    ReduceLROnPlateau,
    TerminateOnNaN,
)


def _drive(cb, values, monitor="val_loss", model=None, optimizer=None):
    """Run ``cb`` through epochs whose ``monitor`` takes ``values``; before epoch e's end the
    model's weight is filled with e, so restored weights tell which epoch they came from.
    Returns (epochs run, trainer, lrs after each epoch)."""
    trainer = SimpleNamespace(stop_training=False, model=model, optimizer=optimizer)
    cb.set_trainer(trainer)
    cb.set_params({"epochs": len(values), "steps": None})
    cb.on_train_begin({})
    ran, lrs = 0, []
    for epoch, v in enumerate(values):
        cb.on_epoch_begin(epoch, {})
        if model is not None:
            model.weight._data[...] = epoch
        cb.on_epoch_end(epoch, {monitor: v})
        ran += 1
        if optimizer is not None:
            lrs.append(optimizer.param_groups[0]["lr"])
        if trainer.stop_training:
            break
    cb.on_train_end({})
    return ran, trainer, lrs


# (kwargs, monitored values, epoch at which training stops or None) -- worked by hand from
# Keras 3's rule
EARLY_STOPPING_CASES = [
    (dict(patience=0), [1.0, 0.9, 0.95, 0.5], 2),
    (dict(patience=2), [1.0, 0.9, 0.95, 0.92, 0.5], 3),
    (dict(patience=2), [1.0, 0.9, 0.95, 0.85, 0.9, 0.9], 5),  # an improvement resets wait
    (dict(patience=2), [1.0, 0.9, 0.95, 0.85, 0.9], None),
    (dict(patience=1), [1.0, 0.95, 0.5], None),
    (dict(patience=1, min_delta=0.1), [1.0, 0.95, 0.5], 1),  # 0.05 is not enough
    (dict(patience=1, min_delta=-0.1), [1.0, 0.95, 0.5], 1),  # the sign is ignored
    (dict(patience=1, min_delta=0.01), [1.0, 0.95, 0.5], None),
    (dict(patience=2), [0.9, 0.95, 0.97, 0.99], 2),
    (dict(patience=2, baseline=0.5), [0.9, 0.95, 0.97, 0.99], 1),  # baseline never beaten
    (dict(patience=2, baseline=0.95), [0.9, 0.99, 0.98, 0.97], 2),  # beaten at epoch 0
    (dict(patience=2, baseline=0.5), [0.9, 0.8, 0.7, 0.6], None),  # improving: keeps going
    (dict(patience=0), [1.0, 2.0, 3.0, 2.5, 2.6], 1),
    (dict(patience=0, start_from_epoch=2), [1.0, 2.0, 3.0, 2.5, 2.6], 4),
    (dict(patience=1, monitor="val_accuracy"), [0.5, 0.6, 0.55, 0.58], 2),  # auto -> max
    (dict(patience=1, monitor="val_accuracy", min_delta=0.05), [0.5, 0.53, 0.9], 1),
    (dict(patience=0, monitor="val_score", mode="max"), [1.0, 2.0, 1.5], 2),
    (dict(patience=1), [1.0, float("nan"), float("nan")], 1),  # NaN never improves
]


@pytest.mark.parametrize("kwargs, values, stop", EARLY_STOPPING_CASES)
def test_early_stopping_sequences(kwargs, values, stop):
    cb = EarlyStopping(**kwargs)
    ran, trainer, _ = _drive(cb, values, monitor=kwargs.get("monitor", "val_loss"))
    assert ran == (len(values) if stop is None else stop + 1)
    assert trainer.stop_training == (stop is not None)
    assert cb.stopped_epoch == (stop or 0)


@pytest.mark.parametrize("values, patience, best_epoch, stops", [
    ([1.0, 0.5, 0.7, 0.8], 2, 1, True),  # restored when stopping
    ([1.0, 0.5, 0.7], 5, 1, False),  # restored at the epoch limit too (REFERENCE 2.8)
    ([1.0, 0.9, 0.8], 5, 2, False),  # the last epoch was the best
    ([2.0, 3.0, 4.0], 1, 0, True),  # the first epoch was the best
])
def test_restore_best_weights_whenever_training_ends(values, patience, best_epoch, stops):
    model = nn.Linear(2, 1)
    cb = EarlyStopping(patience=patience, restore_best_weights=True)
    ran, trainer, _ = _drive(cb, values, model=model)
    assert trainer.stop_training == stops
    np.testing.assert_array_equal(model.weight.numpy(), np.full((1, 2), best_epoch))
    assert cb.best_epoch == best_epoch and cb.best == values[best_epoch]


def test_without_restore_weights_stay_last():
    model = nn.Linear(2, 1)
    ran, _, _ = _drive(EarlyStopping(patience=1), [1.0, 0.5, 0.7, 0.8], model=model)
    np.testing.assert_array_equal(model.weight.numpy(), np.full((1, 2), ran - 1))


def test_early_stopping_bad_arguments_and_missing_monitor():
    with pytest.raises(ValueError, match="val_f2"):
        EarlyStopping(monitor="val_f2")  # direction unknown: ask for a mode
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="down")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.warns(UserWarning, match="val_loss"):
        ran, trainer, _ = _drive(EarlyStopping(patience=0), [1.0, 2.0], monitor="loss")
    assert ran == 2 and not trainer.stop_training


def test_early_stopping_state_round_trip():
    cb = EarlyStopping(patience=3, restore_best_weights=True)
    _drive(cb, [1.0, 0.5, 0.6], model=nn.Linear(2, 1))
    other = EarlyStopping(patience=3, restore_best_weights=True)
    other.load_state_dict(cb.state_dict())
    assert (other.wait, other.best, other.best_epoch) == (1, 0.5, 1)


def _opt(lr=1.0):
    return SimpleNamespace(param_groups=[{"lr": lr}, {"lr": lr}])


@pytest.mark.parametrize("kwargs, values, lrs", [
    (dict(patience=2, factor=0.5), [1, 1, 1, 1, 1, 1], [1, 1, .5, .5, .25, .25]),
    (dict(patience=2, factor=0.5, cooldown=2), [1] * 6, [1, 1, .5, .5, .5, .25]),
    (dict(patience=1, factor=0.5, min_lr=0.3), [1, 1, 1, 1], [1, .5, .3, .3]),
    (dict(patience=1, factor=0.5), [3, 2, 1, 0.5], [1, 1, 1, 1]),  # always improving
    (dict(patience=1, factor=0.5, min_delta=1.5), [3, 2, 1, 0.5], [1, .5, .5, .25]),
    (dict(patience=1, factor=0.1, monitor="val_accuracy"), [.5, .4, .6], [1, .1, .1]),
])
def test_reduce_lr_on_plateau_sequences(kwargs, values, lrs):
    opt = _opt()
    cb = ReduceLROnPlateau(**kwargs)
    _, _, got = _drive(cb, values, monitor=kwargs.get("monitor", "val_loss"), optimizer=opt)
    np.testing.assert_allclose(got, lrs)
    assert opt.param_groups[1]["lr"] == opt.param_groups[0]["lr"]  # every group
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)


def test_learning_rate_scheduler_one_and_two_args():
    opt = _opt(0.1)
    _, _, lrs = _drive(LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch), [0] * 3,
                       optimizer=opt)
    np.testing.assert_allclose(lrs, [0.1, 0.05, 0.025])
    opt = _opt(0.1)
    _, _, lrs = _drive(LearningRateScheduler(lambda epoch, lr: lr if epoch < 1 else lr / 10),
                       [0] * 3, optimizer=opt)
    np.testing.assert_allclose(lrs, [0.1, 0.01, 0.001])
    with pytest.raises(ValueError, match="nan"):
        _drive(LearningRateScheduler(lambda e: float("nan")), [0], optimizer=_opt())


def test_terminate_on_nan_stops_at_the_batch():
    cb = TerminateOnNaN()
    trainer = SimpleNamespace(stop_training=False)
    cb.set_trainer(trainer)
    cb.on_batch_end(0, {"loss": 1.0})
    assert not trainer.stop_training
    cb.on_batch_end(1, {"loss": math.inf})
    assert trainer.stop_training


def test_csv_logger_writes_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    _drive(CSVLogger(path), [0.5, 0.25])
    _drive(CSVLogger(path, append=True), [0.125])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["epoch", "val_loss"], ["0", "0.5"], ["1", "0.25"], ["0", "0.125"]]


def test_history_records_every_epoch():
    h = History()
    _drive(h, [3.0, 2.0, 1.0])
    assert h.epoch == [0, 1, 2] and h.history == {"val_loss": [3.0, 2.0, 1.0]}


def test_model_checkpoint_best_only_and_pattern(tmp_path):
    model = nn.Linear(2, 1)
    cb = ModelCheckpoint(str(tmp_path / "w-{epoch:02d}-{val_loss:.1f}.safetensors"),
                         save_best_only=True)
    _drive(cb, [1.0, 0.5, 0.7, 0.2], model=model)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["w-01-1.0.safetensors", "w-02-0.5.safetensors", "w-04-0.2.safetensors"]
    saved = dg.load(tmp_path / "w-02-0.5.safetensors")
    np.testing.assert_array_equal(saved["weight"], np.full((1, 2), 1.0))  # epoch 1's weights
    every = ModelCheckpoint(str(tmp_path / "last.safetensors"))
    _drive(every, [1.0, 2.0], model=model)
    np.testing.assert_array_equal(dg.load(tmp_path / "last.safetensors")["weight"],
                                  np.full((1, 2), 1.0))


def test_progress_bar_shows_running_loss_and_epoch_logs():
    out = io.StringIO()
    bar = ProgressBar(file=out, mininterval=0)
    bar.set_trainer(SimpleNamespace(stop_training=False, model=None))
    bar.set_params({"epochs": 2, "steps": 2})
    bar.on_train_begin({})
    bar.on_epoch_begin(0, {})
    bar.on_batch_end(0, {"batch": 0, "size": 3, "loss": 1.0})
    bar.on_batch_end(1, {"batch": 1, "size": 1, "loss": 5.0})
    assert bar.bar.postfix == "loss=2"  # (3 * 1 + 1 * 5) / 4
    bar.on_epoch_end(0, {"loss": 2.0, "val_loss": 1.5})
    bar.on_train_end({})
    text = out.getvalue()
    assert "Epoch 1/2" in text and "2/2" in text and "val_loss=1.5" in text
