"""The over-fitting half of ``regularization``: dropout, early stopping, dataset expansion, noise
injection and label smoothing, each against the same over-fitting baseline."""
from __future__ import annotations

import numpy

from .. import functional as F
from .. import models, nn
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..data import DataLoader, TensorDataset
from ..data.datasets import moons
from ..optim import Adam
from ..random import manual_seed
from ..training import Callback, EarlyStopping, Trainer
from . import progress

N_TRAIN, NOISE, HIDDEN = 40, 0.3, 128


class ValidationCurve(Callback):
    """Records plain (unsmoothed) cross-entropy and accuracy on held-out data every epoch, so
    that runs trained with different losses are compared on the same scale."""

    def __init__(self, X: numpy.ndarray, y: numpy.ndarray, tick: bool = False) -> None:
        self.X, self.y, self.tick = Tensor(X), Tensor(y), tick
        self.nll: list[float] = []
        self.acc: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        was = self.model.training
        self.model.eval()
        with no_grad():
            out = self.model(self.X)
            self.nll.append(float(F.cross_entropy(out, self.y).item()))
        self.model.train(was)
        self.acc.append(float((out._data.argmax(axis=1) == self.y._data).mean()))
        if self.tick:
            progress.tick()


def _net(dropout: float = 0.0, noise: float = 0.0) -> nn.Sequential:
    """2-HIDDEN-HIDDEN-2 ReLU MLP; ``noise`` adds Gaussian noise to the hidden activations."""
    if not noise:
        return models.mlp([2, HIDDEN, HIDDEN, 2], dropout=dropout)
    return nn.Sequential(nn.Linear(2, HIDDEN), nn.ReLU(), nn.GaussianNoise(noise),
                         nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.GaussianNoise(noise),
                         nn.Linear(HIDDEN, 2))


def _expand(X: numpy.ndarray, y: numpy.ndarray, copies: int, seed: int):
    """Dataset expansion for 2-D points: ``copies`` jittered versions of every sample (the
    analogue of shifting or rotating an image: a change that keeps the label)."""
    rng = numpy.random.default_rng(seed)
    Xs = [X] + [X + rng.normal(0.0, 0.15, X.shape) for _ in range(copies)]
    return numpy.concatenate(Xs).astype(numpy.float32), numpy.tile(y, copies + 1)


REMEDIES = ("baseline (no remedy)", "dropout 0.3", "early stopping (patience 25)",
            "dataset expansion (10 jittered copies)", "noise injection (hidden, std 0.5)",
            "label smoothing 0.2")


_CACHE: dict = {}


def is_cached(seed: int, epochs: int) -> bool:
    """Whether ``run_remedies(seed, epochs)`` would return a stored result (no training)."""
    return (seed, epochs) in _CACHE


def run_remedies(seed: int, epochs: int) -> tuple[dict, numpy.ndarray, numpy.ndarray, dict]:
    """``_train_remedies`` with its result kept per (seed, epochs)."""
    if (seed, epochs) not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.clear()
        _CACHE[(seed, epochs)] = _train_remedies(seed, epochs)
    return _CACHE[(seed, epochs)]


def _train_remedies(seed: int, epochs: int) -> tuple[dict, numpy.ndarray, numpy.ndarray, dict]:
    """Train the baseline and each remedy from the same initial weights with Adam (lr 0.01),
    full batches. Returns ``(curves, X, y, models)``: per remedy train/validation curves.

    It reseeds the library first, so the result depends on ``seed`` alone; that lets the
    ``regularization`` and ``overfitting`` experiments share one run (cached). Callers must
    not modify the returned objects."""
    manual_seed(seed + 1)
    X, y = moons(N_TRAIN, noise=NOISE, seed=seed)
    X_val, y_val = moons(1000, noise=NOISE, seed=seed + 10_000)
    init = _net().state_dict()  # every net has the same Linear layers: same starting weights
    curves, trained = {}, {}
    for label in REMEDIES:
        model = _net(dropout=0.3 if "dropout" in label else 0.0,
                     noise=0.5 if "noise" in label else 0.0)
        model.load_state_dict(_renumber(init, model))
        Xt, yt = _expand(X, y, 10, seed) if "expansion" in label else (X, y)
        val = ValidationCurve(X_val, y_val, tick=True)
        train_curve = ValidationCurve(X, y)
        callbacks = [val, train_curve]
        stopper = None
        if "early" in label:
            stopper = EarlyStopping(patience=25, restore_best_weights=True)
            callbacks.append(stopper)
        loss = nn.CrossEntropyLoss(label_smoothing=0.2 if "smoothing" in label else 0.0)
        trainer = Trainer(model, loss, Adam(model.parameters(), lr=0.01), callbacks=callbacks,
                          progress=False)
        trainer.fit(DataLoader(TensorDataset(Xt, yt), batch_size=len(Xt), shuffle=True),
                    [(Tensor(X_val), Tensor(y_val))] if stopper else None, epochs=epochs)
        progress.tick(epochs - len(val.nll))  # an early stop skips the remaining epochs
        final_val = val.nll[stopper.best_epoch] if stopper else val.nll[-1]
        final_acc = val.acc[stopper.best_epoch] if stopper else val.acc[-1]
        curves[label] = {"train_nll": train_curve.nll, "val_nll": val.nll, "val_acc": val.acc,
                         "final_val_nll": final_val, "final_val_acc": final_acc,
                         "train_acc": train_curve.acc[stopper.best_epoch if stopper else -1],
                         "epochs_run": len(val.nll),
                         "best_epoch": stopper.best_epoch if stopper else None}
        trained[label] = model
    return curves, X, y, trained


def _renumber(state: dict, model: nn.Sequential) -> dict:
    """Map the plain MLP's Linear weights onto a net with extra layers in between (dropout or
    noise layers shift the Sequential's indices), in order."""
    src = [v for k, v in state.items()]
    dst = list(model.state_dict())
    return dict(zip(dst, src))
