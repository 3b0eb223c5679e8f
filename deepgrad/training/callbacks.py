"""Callbacks with Keras' hooks: the base class, History, TerminateOnNaN, CSVLogger, LR schedules.

A callback sees the run only through its hooks, ``self.trainer`` (for ``stop_training``, the
optimizer and the scheduler), ``self.model`` and ``self.params`` (``{"epochs", "steps", ...}``),
so any loop that sets those three attributes and calls the hooks can drive it (Trainer,
GANTrainer). Epoch indices are 0-based, as in Keras.
"""
from __future__ import annotations

import csv
import inspect
import math
import os
import sys


class Callback:
    """Base class: override any hook; each receives a dict of floats ``logs``.

    Attributes:
        trainer: the loop running the callback (``trainer.stop_training = True`` ends the run
            after the current batch/epoch).
        model: the Module being trained.
        params: run facts set by the loop: ``epochs`` (total), ``steps`` (batches per epoch or
            None).
        runs_last: callbacks with this flag run after the others at every hook, so that, e.g.,
            a checkpoint taken at epoch end sees the final state of every other callback.
        wants_batch_metrics: ask the Trainer to compute the metrics of every batch into the
            batch logs (off by default: it costs a little per batch).
    """

    trainer = None
    model = None
    params: dict = {}
    runs_last = False
    wants_batch_metrics = False

    def set_trainer(self, trainer) -> None:
        self.trainer = trainer
        self.model = getattr(trainer, "model", None)

    def set_params(self, params: dict) -> None:
        self.params = dict(params)

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once when training ends (epoch limit or ``stop_training``)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called before epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called after an epoch's training and validation, with its logs (``loss``,
        ``val_loss``, metrics, ``lr``); callbacks may add entries."""

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before a training batch."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a training batch with ``{"batch", "size", "loss"}`` (and the batch's
        metrics when a callback sets ``wants_batch_metrics``)."""

    def state_dict(self) -> dict:
        """State to carry across a checkpoint/resume (empty for stateless callbacks)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned (called after ``on_train_begin`` on resume)."""


class CallbackList:
    """Dispatches each hook to every callback, ``runs_last`` ones at the end (stable order)."""

    def __init__(self, callbacks, trainer, params: dict) -> None:
        cbs = [c for c in callbacks if c is not None]
        self.callbacks = [c for c in cbs if not c.runs_last] + [c for c in cbs if c.runs_last]
        for cb in self.callbacks:
            cb.set_trainer(trainer)
            cb.set_params(params)

    def _call(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_train_begin(self, logs: dict) -> None:
        self._call("on_train_begin", logs)

    def on_train_end(self, logs: dict) -> None:
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch: int, logs: dict) -> None:
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self._call("on_epoch_end", epoch, logs)

    def on_batch_begin(self, batch: int, logs: dict) -> None:
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: dict) -> None:
        self._call("on_batch_end", batch, logs)


class History(Callback):
    """Records every epoch's logs: ``history.history["val_loss"][e]`` is epoch ``e``'s value.

    Attributes:
        epoch: the epoch indices recorded.
        history: dict of key -> list of floats, one per recorded epoch.
    """

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(int(epoch))
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def state_dict(self) -> dict:
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in
                                                      self.history.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.epoch = [int(e) for e in state["epoch"]]
        self.history = {k: list(v) for k, v in state["history"].items()}


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch loss is NaN or infinite."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"TerminateOnNaN: batch {batch} has loss {loss}; stopping training",
                  file=sys.stderr)
            self.trainer.stop_training = True


class CSVLogger(Callback):
    """Writes one CSV row per epoch: ``epoch`` then the log keys in sorted order.

    Args:
        filename: the CSV file.
        separator: field separator.
        append: append to an existing file (for a resumed run) instead of overwriting it; the
            header is written only when the file is new or empty.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self._file = None
        self._writer = None
        self._keys = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        has_rows = self.append and os.path.exists(self.filename) and \
            os.path.getsize(self.filename) > 0
        if has_rows:
            with open(self.filename, newline="") as f:
                header = next(csv.reader(f, delimiter=self.separator), None)
            self._keys = header[1:] if header else None
        else:
            self._keys = None
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = csv.writer(self._file, delimiter=self.separator)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer.writerow(["epoch", *self._keys])
        self._writer.writerow([epoch, *(logs.get(k, "NA") for k in self._keys)])
        self._file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


def get_lr(optimizer) -> float:
    """The learning rate of the optimizer's first param group."""
    return float(optimizer.param_groups[0]["lr"])


def set_lr(optimizer, lr: float) -> None:
    """Set the learning rate of every param group."""
    for group in optimizer.param_groups:
        group["lr"] = lr


def trainer_optimizers(trainer) -> tuple:
    """Every optimizer a loop steps: ``trainer.optimizers`` (a GANTrainer's two), else
    ``(trainer.optimizer,)``."""
    optimizers = getattr(trainer, "optimizers", None)
    return tuple(optimizers) if optimizers is not None else (trainer.optimizer,)


def lr_logs(trainer) -> dict:
    """The learning-rate entries of the epoch logs (``trainer.lr_logs()``, else ``lr``)."""
    if hasattr(trainer, "lr_logs"):
        return trainer.lr_logs()
    return {"lr": get_lr(trainer.optimizer)}


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch from ``schedule`` (Keras' callback).

    It drives every optimizer of the trainer (a GANTrainer's generator and discriminator
    optimizers alike): a two-argument schedule maps each optimizer's own rate, so a ratio
    between them (D at twice G's rate) is kept by a multiplicative schedule; a one-argument
    schedule sets every optimizer to the same value.

    Args:
        schedule: ``schedule(epoch, lr) -> new_lr`` or ``schedule(epoch) -> new_lr`` (epoch
            0-based, ``lr`` the optimizer's current rate, that of its first param group).
        verbose: print each change.
    """

    def __init__(self, schedule, verbose: int = 0) -> None:
        self.schedule, self.verbose = schedule, verbose
        params = inspect.signature(schedule).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self._two_args = len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizers = trainer_optimizers(self.trainer)
        fixed = None if self._two_args else self.schedule(epoch)
        news = [self.schedule(epoch, get_lr(opt)) if self._two_args else fixed
                for opt in optimizers]
        for new in news:  # every value is checked before any optimizer changes
            if isinstance(new, bool) or not isinstance(new, (int, float)) or \
                    not math.isfinite(new) or new < 0:
                raise ValueError(f"LearningRateScheduler: schedule returned {new!r} for epoch "
                                 f"{epoch}; expected a finite number >= 0")
        for opt, new in zip(optimizers, news):
            set_lr(opt, float(new))
        if self.verbose:
            rates = ", ".join(str(new) for new in news)
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {rates}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs.update(lr_logs(self.trainer))
