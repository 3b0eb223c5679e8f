"""Callbacks that watch a logged quantity: EarlyStopping, ModelCheckpoint, ReduceLROnPlateau."""
from __future__ import annotations

import math
import os
import warnings

from .callbacks import Callback, get_lr, set_lr, trainer_optimizers

#: quantities (without a ``val_`` prefix) that improve upward; everything in MIN improves down
MAX_MONITORS = frozenset({"accuracy", "acc", "binary_accuracy", "top_k_accuracy",
                          "balanced_accuracy", "precision", "recall", "f1", "auc", "roc_auc",
                          "g_mean", "r2"})
MIN_MONITORS = frozenset({"loss", "mse", "mae", "error", "d_loss", "g_loss"})


def monitor_mode(monitor: str, mode: str, who: str) -> str:
    """Resolve ``mode`` ('min', 'max' or 'auto') for the quantity named ``monitor``."""
    if mode in ("min", "max"):
        return mode
    if mode != "auto":
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name in MAX_MONITORS:
        return "max"
    if name in MIN_MONITORS:
        return "min"
    raise ValueError(f"{who}: cannot tell whether {monitor!r} should go up or down; pass "
                     "mode='min' or mode='max'")


def _monitored(logs: dict | None, monitor: str, who: str):
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn(f"{who}: the logs have no {monitor!r} (available: "
                      f"{sorted(logs or {})}); skipping this epoch", stacklevel=3)
    return value


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has stopped improving (Keras 3 semantics).

    Each epoch from ``start_from_epoch`` on: ``wait += 1``; if the value improves on the best so
    far by more than ``min_delta`` (``current + min_delta < best`` for 'min'), it becomes the
    best and, when it also beats ``baseline`` (if given), ``wait`` resets to 0. Training stops
    once ``wait >= patience``. With ``restore_best_weights`` the best epoch's weights are put
    back whenever training ends, by stopping or at the epoch limit (REFERENCE.md 2.8).

    Args:
        monitor: the log key to watch.
        min_delta: smallest change that counts as an improvement (its sign is ignored).
        patience: epochs without improvement before stopping.
        mode: 'min', 'max' or 'auto' (from the quantity's name).
        baseline: a value the monitored quantity must beat; until it does, ``wait`` keeps
            counting even when the value improves.
        restore_best_weights: restore the best epoch's weights at the end of training.
        start_from_epoch: epochs to ignore at the start (warm-up).
        verbose: print when stopping/restoring.

    Attributes:
        best, best_epoch, wait, stopped_epoch (0 when the run was not stopped by this callback).
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0,
                 verbose: int = 0) -> None:
        if patience < 0 or start_from_epoch < 0:
            raise ValueError(f"EarlyStopping: patience ({patience}) and start_from_epoch "
                             f"({start_from_epoch}) must be >= 0")
        self.monitor, self.patience, self.baseline = monitor, int(patience), baseline
        self.mode = monitor_mode(monitor, mode, "EarlyStopping")
        self.min_delta = abs(float(min_delta))
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.verbose = verbose
        self._reset()

    def _reset(self) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = None
        self.best_weights = None

    def _improves(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.mode == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = _monitored(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.state_dict(), epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict:
        return {"wait": self.wait, "stopped_epoch": self.stopped_epoch, "best": self.best,
                "best_epoch": self.best_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict) -> None:
        self.wait, self.stopped_epoch = int(state["wait"]), int(state["stopped_epoch"])
        self.best, self.best_epoch = state["best"], int(state["best_epoch"])
        self.best_weights = state["best_weights"]


class ModelCheckpoint(Callback):
    """Saves a checkpoint at the end of every epoch (or every ``save_freq`` batches), or only
    when ``monitor`` improves.

    ``path`` may hold ``str.format`` fields filled from the epoch (1-based), the batch (1-based,
    with an int ``save_freq``) and the logs, e.g. ``"ckpt-{epoch:03d}-{val_loss:.3f}
    .safetensors"``. A full checkpoint (``Trainer.save_checkpoint``: model, optimizer,
    scheduler, epoch, RNG state, history; inside an epoch also the loader's position, so a
    resume continues with the next batch) is written when the trainer offers it and
    ``save_weights_only`` is False, else the model's state dict. Writes are atomic. It runs
    after the other callbacks (``runs_last``), so the checkpoint holds their final state.

    Args:
        path: destination file (or pattern).
        monitor: the log key compared when ``save_best_only`` (with an int ``save_freq`` the
            batch logs are compared, as in Keras: ``loss`` and the batch metrics).
        save_best_only: save only when ``monitor`` beats the best value so far.
        mode: 'min', 'max' or 'auto'.
        save_weights_only: save only the model's state dict.
        verbose: print each save.
        save_freq: ``"epoch"`` (default), or an int N: save after every N training batches,
            counted across epochs (Keras' meaning).

    Raises:
        ValueError: a bad ``save_freq``; at the start of training, an int ``save_freq`` with
            full checkpoints and a training loader that cannot record its position.
    """

    runs_last = True

    def __init__(self, path: str | os.PathLike, monitor: str = "val_loss",
                 save_best_only: bool = False, mode: str = "auto",
                 save_weights_only: bool = False, verbose: int = 0,
                 save_freq: str | int = "epoch") -> None:
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive int, "
                             f"got {save_freq!r}")
        self.path, self.monitor = os.fspath(path), monitor
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = monitor_mode(monitor, mode, "ModelCheckpoint") if save_best_only else mode
        self.verbose, self.save_freq = verbose, save_freq
        self.best = None
        self.last_path = None
        self._batches_seen = 0

    def _full(self) -> bool:
        return not self.save_weights_only and hasattr(self.trainer, "save_checkpoint")

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.save_freq == "epoch" or not self._full():
            return
        if not getattr(self.trainer, "mid_epoch_checkpoints", False):
            raise ValueError(f"ModelCheckpoint(save_freq={self.save_freq}): "
                             f"{type(self.trainer).__name__}.save_checkpoint cannot record a "
                             "position inside an epoch, so a resume would replay it; use "
                             "save_freq='epoch' or save_weights_only=True")
        loader = getattr(self.trainer, "_train_loader", None)
        if loader is not None and not callable(getattr(loader, "state_dict", None)):
            raise ValueError(f"ModelCheckpoint(save_freq={self.save_freq}): the training "
                             f"loader ({type(loader).__name__}) cannot record its position, so "
                             "a mid-epoch checkpoint could not resume exactly; use a deepgrad "
                             "DataLoader, save_freq='epoch' or save_weights_only=True")

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen >= self.save_freq:
            self._batches_seen = 0  # before saving: the checkpoint holds the reset counter
            self._save(int(getattr(self.trainer, "epoch", 0)), batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: dict) -> None:
        if self.save_best_only:
            current = _monitored(logs, self.monitor, "ModelCheckpoint")
            if current is None or math.isnan(current):
                return
            better = self.best is None or (current < self.best if self.mode == "min"
                                           else current > self.best)
            if not better:
                return
            self.best = current
        fields = dict(logs, epoch=epoch + 1)
        if batch is not None:
            fields["batch"] = batch + 1
        path = self.path.format(**fields)
        if self._full():
            self.trainer.save_checkpoint(path)
        else:
            from ..serialization import save

            save(self.model.state_dict(), path)
        self.last_path = path
        if self.verbose:
            where = f", batch {batch + 1}" if batch is not None else ""
            print(f"Epoch {epoch + 1}{where}: saved {path}")

    def state_dict(self) -> dict:
        return {"best": self.best, "batches_seen": self._batches_seen}

    def load_state_dict(self, state: dict) -> None:
        best = state["best"]
        if best is not None and (isinstance(best, bool) or not isinstance(best, (int, float))):
            raise ValueError(f"ModelCheckpoint: saved best must be a number or None, got "
                             f"{type(best).__name__}")
        seen = state.get("batches_seen", 0)
        if isinstance(seen, bool) or not isinstance(seen, int) or seen < 0:
            raise ValueError(f"ModelCheckpoint: saved batches_seen must be an int >= 0, got "
                             f"{seen!r}")
        self.best, self._batches_seen = best, seen


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` stalls (Keras' callback).

    An epoch improves when ``current < best - min_delta`` ('min') or ``current > best +
    min_delta`` ('max'). After ``patience`` epochs without improvement, ``lr <- max(lr *
    factor, min_lr)`` for every param group of every optimizer the trainer steps (both of a
    GANTrainer's; each from its own rate), then ``cooldown`` epochs pass before counting
    again. (For ``torch.optim``-style ``ReduceLROnPlateau`` schedulers, pass the scheduler to
    ``Trainer(scheduler=...)``: it is stepped with the monitored value.)

    Args:
        monitor: the log key to watch.
        factor: multiplier in (0, 1).
        patience: epochs without improvement before reducing.
        mode: 'min', 'max' or 'auto'.
        min_delta: threshold for a significant change.
        cooldown: epochs to wait after a reduction before resuming normal operation.
        min_lr: lower bound on the learning rate.
        verbose: print each reduction.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0,
                 min_lr: float = 0.0, verbose: int = 0) -> None:
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor!r}")
        self.monitor, self.factor, self.patience = monitor, float(factor), int(patience)
        self.mode = monitor_mode(monitor, mode, "ReduceLROnPlateau")
        self.min_delta, self.cooldown, self.min_lr = abs(min_delta), int(cooldown), min_lr
        self.verbose = verbose
        self.best, self.wait, self.cooldown_counter = None, 0, 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.best, self.wait, self.cooldown_counter = None, 0, 0

    def _improves(self, current: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = _monitored(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improves(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                reduced = []
                for optimizer in trainer_optimizers(self.trainer):
                    old = get_lr(optimizer)
                    if old > self.min_lr:
                        reduced.append(max(old * self.factor, self.min_lr))
                        set_lr(optimizer, reduced[-1])
                if reduced:
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {', '.join(map(str, reduced))}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0

    def state_dict(self) -> dict:
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def load_state_dict(self, state: dict) -> None:
        self.best, self.wait = state["best"], int(state["wait"])
        self.cooldown_counter = int(state["cooldown_counter"])
