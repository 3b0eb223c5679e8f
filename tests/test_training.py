"""Trainer: fit/evaluate/predict, logs, regularization, clipping, schedulers, callbacks."""
import math

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.optim import SGD, Adam
from deepgrad.optim.lr_scheduler import StepLR
from deepgrad.optim.plateau import ReduceLROnPlateau as PlateauScheduler
from deepgrad.training import Callback, EarlyStopping, ProgressBar, TerminateOnNaN, Trainer


def blobs(n=240, seed=0):
    """Three Gaussian blobs in 2-D: (n, 2) float32, (n,) int64 labels."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centers = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    x = centers[y] + 0.6 * rng.standard_normal((n, 2))
    return x.astype(np.float32), y.astype(np.int64)


def loaders(batch_size=16, n=240):
    x, y = blobs(n)
    split = n * 3 // 4
    train = DataLoader(TensorDataset(x[:split], y[:split]), batch_size=batch_size, shuffle=True)
    val = DataLoader(TensorDataset(x[split:], y[split:]), batch_size=64)
    return train, val


def mlp(p_drop=0.0):
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(p_drop), nn.Linear(16, 3))


class Recorder(Callback):
    """Counts hooks and keeps each batch's logs."""

    def __init__(self):
        self.calls, self.batches = [], []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin{epoch}")

    def on_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end{epoch}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_fit_learns_and_logs_floats():
    train, val = loaders()
    model = mlp()
    rec = Recorder()
    trainer = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.2, momentum=0.9),
                      metrics=("accuracy",), callbacks=[rec])
    history = trainer.fit(train, val, epochs=8)
    h = history.history
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert all(isinstance(v, float) for vs in h.values() for v in vs)
    assert history.epoch == list(range(8)) and len(h["loss"]) == 8
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert h["val_accuracy"][-1] >= 0.9
    assert rec.calls[0] == "train_begin" and rec.calls[-1] == "train_end"
    assert rec.calls[1:3] == ["epoch_begin0", "epoch_end0"]
    assert len(rec.batches) == 8 * len(train)
    assert {b["size"] for b in rec.batches} == {16, 180 - 16 * 11}
    assert trainer.evaluate(val)["accuracy"] == pytest.approx(h["val_accuracy"][-1])


@pytest.mark.parametrize("batch_size, updates", [(None, 1), (1, 60), (16, 4), (20, 3)])
def test_updates_per_epoch_follow_the_batch_mode(batch_size, updates):
    x, y = blobs(60)
    model = mlp()
    opt = SGD(model.parameters(), lr=0.01)
    steps = []
    real_step = opt.step
    opt.step = lambda *a: steps.append(1) or real_step(*a)
    Trainer(model, nn.CrossEntropyLoss(), opt).fit(
        DataLoader(TensorDataset(x, y), batch_size=batch_size), epochs=2)
    assert len(steps) == 2 * updates


def test_regularization_penalty_is_in_the_loss():
    _, val = loaders()
    model = mlp()
    penalty = lambda w: (w * w).sum() * 0.5  # noqa: E731
    model[0].add_regularizer("weight", penalty)
    trainer = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1))
    with dg.no_grad():
        x, y = next(iter(DataLoader(val.dataset, batch_size=None)))
        data_loss = nn.CrossEntropyLoss()(model(x), y).item()
        reg = penalty(model[0].weight).item()
    assert reg > 0.1
    assert trainer.evaluate(val)["loss"] == pytest.approx(data_loss + reg, rel=1e-5)


class ModeProbe(nn.Module):
    """Records (training flag, grad enabled) at every forward."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 3)
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, dg.is_grad_enabled()))
        return self.lin(x)


def test_evaluate_and_predict_run_in_eval_mode_without_grad():
    train, val = loaders()
    model = ModeProbe()
    trainer = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1))
    trainer.fit(train, val, epochs=1)
    assert set(model.seen[:len(train)]) == {(True, True)}
    assert set(model.seen[len(train):]) == {(False, False)}
    assert model.training  # mode restored after validation
    x, _ = blobs(10)
    model.seen.clear()
    out = trainer.predict(dg.tensor(x))
    np.testing.assert_allclose(out.numpy(), model.lin(dg.tensor(x)).numpy(), rtol=1e-6)
    assert model.seen == [(False, False)] and model.training
    by_loader = trainer.predict(val)
    assert by_loader.shape == (60, 3) and not by_loader.requires_grad
    np.testing.assert_allclose(trainer.predict(x, batch_size=3).numpy(), out.numpy(), rtol=1e-6)


def test_dropout_is_off_in_evaluate():
    train, val = loaders()
    model = mlp(p_drop=0.5)
    trainer = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1))
    assert trainer.evaluate(val) == trainer.evaluate(val)


def test_gradient_clipping_bounds_the_global_norm():
    train, _ = loaders()
    model = mlp()
    norms = []
    opt = SGD(model.parameters(), lr=0.01)
    real_step = opt.step

    def step(*a):
        norms.append(math.sqrt(sum(float((p.grad.numpy() ** 2).sum())
                                   for p in model.parameters())))
        return real_step(*a)

    opt.step = step
    loss = lambda out, y: nn.CrossEntropyLoss()(out, y) * 1000.0  # noqa: E731
    Trainer(model, loss, opt, grad_clip_norm=0.5).fit(train, epochs=1)
    assert max(norms) <= 0.5 + 1e-4 and min(norms) > 0.4
    with pytest.raises(ValueError, match="grad_clip_norm"):
        Trainer(model, loss, opt, grad_clip_norm=0)


def test_schedulers_step_per_epoch():
    train, val = loaders()
    model = mlp()
    opt = SGD(model.parameters(), lr=0.1)
    h = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=StepLR(opt, step_size=1, gamma=0.5)
                ).fit(train, val, epochs=3).history
    np.testing.assert_allclose(h["lr"], [0.1, 0.05, 0.025])
    opt = SGD(model.parameters(), lr=0.1)
    plateau = PlateauScheduler(opt, patience=0, factor=0.5)
    seen = []
    real = plateau.step
    plateau.step = lambda m: seen.append(m) or real(m)
    h = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=plateau).fit(train, val, epochs=2)
    assert seen == h.history["val_loss"]
    seen.clear()
    Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=plateau).fit(train, epochs=1)
    assert len(seen) == 1  # no validation: steps with the training loss


def test_early_stopping_restores_best_weights_at_the_epoch_limit():
    train, val = loaders()
    model = mlp()
    snapshots = []

    class Snap(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.state_dict())

    # an lr large enough to make validation loss wander
    trainer = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=3.0),
                      callbacks=[Snap(), EarlyStopping(patience=100, restore_best_weights=True)])
    h = trainer.fit(train, val, epochs=6).history
    best = int(np.argmin(h["val_loss"]))
    assert best < 5  # the best epoch is not the last, so restoring changes the weights
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, snapshots[best][k])


def test_terminate_on_nan_stops_within_the_epoch():
    train, _ = loaders()
    model = mlp()
    rec = Recorder()
    loss = lambda out, y: nn.CrossEntropyLoss()(out, y) * float("nan")  # noqa: E731
    h = Trainer(model, loss, SGD(model.parameters(), lr=0.1),
                callbacks=[TerminateOnNaN(), rec]).fit(train, epochs=5)
    assert len(rec.batches) == 1 and len(h.epoch) == 1 and math.isnan(h.history["loss"][0])


def test_metrics_by_dict_and_callable_and_errors():
    train, val = loaders()
    model = mlp()

    def top2(out, y):
        return float(np.mean((np.argsort(-out, axis=1)[:, :2] == y[:, None]).any(axis=1)))

    h = Trainer(model, nn.CrossEntropyLoss(), Adam(model.parameters(), lr=0.01),
                metrics={"acc": "accuracy", "top2": top2}).fit(train, val, epochs=2).history
    assert {"acc", "top2", "val_acc", "val_top2"} <= set(h)
    assert h["val_top2"][-1] >= h["val_acc"][-1]
    with pytest.raises(ValueError, match="unknown metric 'f7'"):
        Trainer(model, nn.CrossEntropyLoss(), None, metrics=["f7"])


@pytest.mark.parametrize("batches", [[(dg.ones(2, 2),)], [dg.ones(2, 2)], [(1, 2, 3)]])
def test_bad_batches_are_named(batches):
    model = mlp()
    trainer = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="pair"):
        trainer.fit(batches, epochs=1)


def test_progress_bar_default_follows_the_terminal(monkeypatch):
    model = mlp()
    opt = SGD(model.parameters(), lr=0.1)
    assert not any(isinstance(c, ProgressBar)
                   for c in Trainer(model, nn.MSELoss(), opt).callbacks)  # pytest: not a tty
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert any(isinstance(c, ProgressBar) for c in Trainer(model, nn.MSELoss(), opt).callbacks)
    assert not any(isinstance(c, ProgressBar)
                   for c in Trainer(model, nn.MSELoss(), opt, progress=False).callbacks)


def test_fit_epochs_is_a_total():
    train, _ = loaders()
    model = mlp()
    trainer = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1))
    trainer.fit(train, epochs=2)
    assert trainer.epoch == 2
    with pytest.warns(UserWarning, match="nothing to train"):
        assert trainer.fit(train, epochs=2).epoch == []
    assert trainer.fit(train, epochs=3).epoch == [2]
    assert trainer.fit(train, epochs=1, initial_epoch=0).epoch == [0]


@pytest.mark.parametrize("outputs, targets, want", [
    ([[2.0, 1.0, 0.0], [0.0, 1.0, 3.0], [1.0, 0.0, 0.0]], [0, 2, 1], 2 / 3),  # argmax
    ([[2.0, 1.0], [0.0, 1.0]], [[1.0, 0.0], [1.0, 0.0]], 0.5),  # one-hot targets
    ([[0.3], [-0.2], [1.5], [-4.0]], [[1.0], [0.0], [0.0], [0.0]], 0.75),  # logit > 0
    ([0.3, -0.2], [1, 1], 0.5),
])
def test_accuracy_from_outputs(outputs, targets, want):
    from deepgrad.training.metric_fns import accuracy

    # one column: the threshold of logits (what the Trainer infers from BCEWithLogitsLoss)
    got = accuracy.for_outputs("logits")(np.array(outputs), np.array(targets))
    assert got == pytest.approx(want)


def test_classifier_metric_rejects_fractional_float_labels():
    from deepgrad.training.metric_fns import accuracy, binary_accuracy, mae, mse

    with pytest.raises(ValueError, match="fractional"):
        accuracy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    assert binary_accuracy(np.array([0.7, 0.2]), np.array([1.0, 1.0])) == 0.5
    assert mse(np.array([1.0, 3.0]), np.array([0.0, 1.0])) == 2.5
    assert mae(np.array([[1.0], [3.0]]), np.array([0.0, 1.0])) == 1.5


def test_binary_classifier_with_bce_logits():
    x, y = blobs(120)
    yb = (y == 0).astype(np.float32).reshape(-1, 1)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    h = Trainer(model, nn.BCEWithLogitsLoss(), Adam(model.parameters(), lr=0.05),
                metrics=["accuracy"]).fit(DataLoader(TensorDataset(x, yb), batch_size=16,
                                                     shuffle=True), epochs=10).history
    assert h["accuracy"][-1] > 0.95


def test_exports():
    import deepgrad.training as T

    for name in T.__all__:
        assert getattr(T, name) is not None


def test_progress_bar_gets_live_batch_metrics():
    import io

    train, _ = loaders()
    model = mlp()
    rec, bar = Recorder(), ProgressBar(file=io.StringIO())
    h = Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.2),
                metrics=["accuracy"], callbacks=[rec, bar]).fit(train, epochs=1).history
    sizes = np.array([b["size"] for b in rec.batches])
    accs = np.array([b["accuracy"] for b in rec.batches])
    assert (sizes * accs).sum() / sizes.sum() == pytest.approx(h["accuracy"][0])
    assert "accuracy=" in bar.file.getvalue()
    rec2 = Recorder()
    Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.2),
            metrics=["accuracy"], callbacks=[rec2]).fit(train, epochs=1)
    assert "accuracy" not in rec2.batches[0]  # no bar: no per-batch metric cost


def test_metrics_by_name_turn_outputs_into_labels_then_use_dg_metrics():
    from deepgrad import metrics as M
    from deepgrad.training import METRICS

    logits = np.array([[2.0, 0.1], [0.3, 1.0], [1.5, -1.0], [0.0, 0.2]])
    targets = np.array([0, 1, 1, 1])
    pred = logits.argmax(1)
    assert METRICS["accuracy"](logits, targets) == M.accuracy(targets, pred) == 0.75
    assert METRICS["balanced_accuracy"](logits, targets) == M.balanced_accuracy(targets, pred)
    assert METRICS["f1_macro"](logits, targets) == M.f1_score(targets, pred, average="macro")
    assert METRICS["gmean"](logits, targets) == M.geometric_mean_score(targets, pred)
    one_column = np.array([[0.7], [-0.2], [3.0], [0.1]])  # logits of a sigmoid classifier
    assert METRICS["accuracy"].for_outputs("logits")(one_column, np.array([1, 0, 1, 0])) == 0.75
    assert METRICS["r2"](np.array([[1.0], [2.0]]), np.array([1.0, 2.0])) == 1.0
