"""Trainer: the fit/evaluate/predict loop with callbacks, metrics, clipping and checkpoints."""
from __future__ import annotations

import os
import sys
import warnings

import numpy

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor, _as_array
from ..backend import get_array_module, resolve
from ..nn.utils import clip_grad_norm_
from .callbacks import CallbackList, History, get_lr
from .checkpoint import restore_checkpoint, write_checkpoint
from .metric_fns import resolve_metrics
from .progress import ProgressBar


def _to_tensor(x):
    return x if isinstance(x, Tensor) else Tensor._make(_as_array(x), False, None, 0)


def _host(a):
    """A NumPy array of ``a`` (a copy from a device, ``a`` itself on the CPU)."""
    return a if isinstance(a, numpy.ndarray) else numpy.asarray(a) \
        if isinstance(a, numpy.generic) else a.get()


def _split(batch, who: str, device=None):
    """A batch ``(x, y)`` -> (inputs tuple, target Tensor) on ``device`` (None: as they come);
    ``x`` may itself be a tuple."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"Trainer.{who}: a batch must be a pair (inputs, targets), got "
                         f"{type(batch).__name__}"
                         + (f" of length {len(batch)}" if isinstance(batch, (tuple, list))
                            else ""))
    x, y = batch
    xs = tuple(_to_tensor(v) for v in x) if isinstance(x, (tuple, list)) else (_to_tensor(x),)
    y = _to_tensor(y)
    if device is not None:
        xs, y = tuple(v.to(device) for v in xs), y.to(device)
    return xs, y


def _is_plateau(scheduler) -> bool:
    """True for a ReduceLROnPlateau-style scheduler, whose ``step`` takes the monitored value."""
    return any(cls.__name__ == "ReduceLROnPlateau" for cls in type(scheduler).__mro__)


class Trainer:
    """Trains a model with a loss and an optimizer, Keras-style, on PyTorch-style parts.

    One epoch: for each ``(x, y)`` batch, ``loss = loss_fn(model(x), y) +
    model.regularization_loss()``, backward, optional global-norm gradient clipping,
    ``optimizer.step()``; then validation (``no_grad``, ``model.eval()``), the scheduler step
    (per epoch; a ReduceLROnPlateau gets the monitored value) and ``on_epoch_end`` with logs
    ``{"loss", <metrics>, "val_loss", "val_<metrics>", "lr"}`` (floats; ``loss`` is the
    size-weighted epoch mean including the regularization penalty).

    Args:
        model: the Module to train.
        loss_fn: ``loss_fn(outputs, targets) -> scalar Tensor`` (a loss Module or function).
        optimizer: a ``deepgrad.optim`` optimizer (``zero_grad``, ``step``, ``param_groups``,
            ``state_dict``).
        metrics: a dict name -> ``fn(outputs, targets)`` on NumPy arrays, or a sequence of
            names (``"accuracy"``, ``"mse"``...; see ``metric_fns.METRICS``) and callables.
        callbacks: Callback instances (EarlyStopping, ModelCheckpoint...).
        grad_clip_norm: clip the global L2 norm of the gradients to this value.
        scheduler: an LR scheduler stepped once per epoch.
        progress: show a ProgressBar; None (default) shows one when stdout is a terminal.
        scheduler_monitor: the log key a ReduceLROnPlateau scheduler is stepped with
            (falls back to the same key without ``val_`` when there is no validation set).
        device: move the model there now and every batch there as it comes (``"cuda"``);
            None: the device of the model's parameters. On a GPU the losses are summed on the
            device and read once per epoch; batch logs then carry ``loss`` and metrics only
            when a callback sets ``wants_batch_metrics`` (each read would stall the GPU).

    Attributes:
        epoch: epochs completed (restored by ``resume``).
        stop_training: set by a callback to end ``fit`` after the current batch.
        history: the History of the last ``fit``.
    """

    def __init__(self, model, loss_fn, optimizer, metrics=(), callbacks=(),
                 grad_clip_norm: float | None = None, scheduler=None,
                 progress: bool | None = None, scheduler_monitor: str = "val_loss",
                 device=None) -> None:
        if grad_clip_norm is not None and not grad_clip_norm > 0:
            raise ValueError(f"Trainer: grad_clip_norm must be > 0, got {grad_clip_norm!r}")
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.device = None if device is None else resolve(device)[0]
        if self.device is not None:
            model.to(self.device)
        self.metrics = resolve_metrics(metrics)
        self.callbacks = list(callbacks)
        if progress is None:
            progress = sys.stdout.isatty()
        if progress and not any(isinstance(c, ProgressBar) for c in self.callbacks):
            self.callbacks.append(ProgressBar())
        self.grad_clip_norm, self.scheduler = grad_clip_norm, scheduler
        self.scheduler_monitor = scheduler_monitor
        self.epoch = 0
        self.stop_training = False
        self.history = History()
        self._train_loader = None
        self._resumed = None  # callback/loader state from resume(), applied by the next fit

    # ---- training -----------------------------------------------------------------------------
    def fit(self, train_loader, val_loader=None, epochs: int = 1,
            initial_epoch: int | None = None) -> History:
        """Train until ``epochs`` epochs have been completed in total.

        Args:
            train_loader: a re-iterable of ``(x, y)`` batches (a DataLoader); ``len()`` is used
                for the progress bar when available.
            val_loader: optional batches evaluated after every epoch (``val_*`` logs).
            epochs: the epoch index to stop at (Keras' meaning): training runs epochs
                ``initial_epoch .. epochs - 1``.
            initial_epoch: where to start; default: the epochs this trainer has completed
                (so after ``resume`` of an epoch-k checkpoint, ``fit(..., epochs=N)`` runs the
                remaining ``N - k`` epochs exactly as the uninterrupted run would).

        Returns:
            The History: ``history.history["loss"]`` etc., one value per epoch (including the
            epochs before a resume).
        """
        start = self.epoch if initial_epoch is None else int(initial_epoch)
        if start >= epochs:
            warnings.warn(f"Trainer.fit: {start} epochs are already done and epochs={epochs}; "
                          "nothing to train (epochs is the total to reach, not a count)",
                          stacklevel=2)
        self._train_loader = train_loader
        resumed, self._resumed = self._resumed, None
        history = History()
        if resumed is not None:
            history.load_state_dict(resumed["history"])
        self.history = history
        steps = len(train_loader) if hasattr(train_loader, "__len__") else None
        cbs = CallbackList([history, *self.callbacks], self,
                           {"epochs": epochs, "steps": steps, "metrics": list(self.metrics)})
        self.stop_training = False
        logs: dict = {}
        cbs.on_train_begin(logs)
        if resumed is not None:
            self._apply_resumed(resumed, train_loader)
        for epoch in range(start, epochs):
            cbs.on_epoch_begin(epoch, {})
            logs = self._train_epoch(train_loader, cbs)
            if val_loader is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader).items()})
            logs["lr"] = get_lr(self.optimizer)
            self._step_scheduler(logs)
            self.epoch = epoch + 1
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return history

    def _train_epoch(self, loader, cbs: CallbackList) -> dict:
        model, optimizer = self.model, self.optimizer
        model.train()
        total, count = 0.0, 0
        outputs, targets = [], []
        # per-batch metrics cost a little, so only when a callback shows them (ProgressBar)
        live = any(getattr(c, "wants_batch_metrics", False) for c in cbs.callbacks)
        dev = self._device()
        running = None  # on a device: the size-weighted loss sum, a 0-d device array
        for i, batch in enumerate(loader):
            xs, y = _split(batch, "fit", dev)
            size = int(y.shape[0]) if y.ndim else 1
            cbs.on_batch_begin(i, {"batch": i, "size": size})
            out = model(*xs)
            loss = self.loss_fn(out, y)
            reg = model.regularization_loss()
            if isinstance(reg, Tensor) or reg != 0:
                loss = loss + reg
            optimizer.zero_grad()
            loss.backward()
            if self.grad_clip_norm is not None:
                clip_grad_norm_(model.parameters(), self.grad_clip_norm)
            optimizer.step()
            count += size
            batch_logs = {"batch": i, "size": size}
            if dev is None:
                value = float(loss.item())
                total += value * size
                batch_logs["loss"] = value
            else:  # no host read per step: the sum stays on the device until the epoch ends
                running = loss.data * size if running is None else running + loss.data * size
                if live:
                    batch_logs["loss"] = float(loss.item())
            if self.metrics:
                outputs.append(out.data)
                targets.append(y.data)
                if live:
                    o, t = _host(outputs[-1]), _host(targets[-1])
                    batch_logs.update({name: float(fn(o, t)) for name, fn in self.metrics.items()})
            cbs.on_batch_end(i, batch_logs)
            if self.stop_training:
                break
        if running is not None:
            total = float(running)
        logs = {"loss": total / count if count else float("nan")}
        logs.update(self._metric_logs(outputs, targets))
        return logs

    def _device(self):
        """The device batches go to, or None for the CPU (the model's when none was given)."""
        dev = self.device
        if dev is None:
            p = next(iter(self.model.parameters()), None)
            dev = None if p is None else p.device
        return None if dev is None or dev.type == "cpu" else dev

    def _metric_logs(self, outputs: list, targets: list) -> dict:
        if not self.metrics or not outputs:
            return {}
        xp = get_array_module(outputs[0])  # one concatenation, one host copy per epoch
        out, tgt = _host(xp.concatenate(outputs)), _host(xp.concatenate(targets))
        return {name: float(fn(out, tgt)) for name, fn in self.metrics.items()}

    def _step_scheduler(self, logs: dict) -> None:
        if self.scheduler is None:
            return
        if not _is_plateau(self.scheduler):
            self.scheduler.step()
            return
        key = self.scheduler_monitor
        if key not in logs and key.startswith("val_"):
            key = key[4:]
        if key not in logs:
            raise KeyError(f"Trainer: the ReduceLROnPlateau scheduler monitors "
                           f"{self.scheduler_monitor!r}, not in the logs {sorted(logs)}")
        self.scheduler.step(logs[key])

    # ---- inference ----------------------------------------------------------------------------
    def evaluate(self, loader) -> dict:
        """Mean loss (with the regularization penalty) and metrics over ``loader``.

        Runs under ``no_grad()`` with ``model.eval()``; the model's mode is restored after.

        Returns:
            ``{"loss": float, <metric>: float, ...}``.
        """
        model = self.model
        was_training = model.training
        model.eval()
        total, count = 0.0, 0
        outputs, targets = [], []
        dev = self._device()
        try:
            with no_grad():
                reg = model.regularization_loss()
                reg = float(reg.item()) if isinstance(reg, Tensor) else float(reg)
                for batch in loader:
                    xs, y = _split(batch, "evaluate", dev)
                    size = int(y.shape[0]) if y.ndim else 1
                    out = model(*xs)
                    loss = self.loss_fn(out, y).data
                    if dev is None:
                        total += (float(loss) + reg) * size
                    else:  # the sum stays on the device; one host read after the loop
                        total = (loss + reg) * size + total
                    count += size
                    if self.metrics:
                        outputs.append(out.data)
                        targets.append(y.data)
        finally:
            model.train(was_training)
        total = float(total)
        logs = {"loss": total / count if count else float("nan")}
        logs.update(self._metric_logs(outputs, targets))
        return logs

    def predict(self, data, batch_size: int | None = None) -> Tensor:
        """Model outputs under ``no_grad()`` and ``model.eval()``.

        Args:
            data: a Tensor/array of inputs (N, ...), or an iterable of batches (``x`` or
                ``(x, y)``; ``y`` is ignored).
            batch_size: split a Tensor input into chunks of this size (default: one pass).

        Returns:
            The outputs of all batches concatenated along axis 0.
        """
        model = self.model
        was_training = model.training
        model.eval()
        dev = self._device()
        if isinstance(data, (Tensor, numpy.ndarray)):
            x = _to_tensor(data)
            step = len(x) if batch_size is None else int(batch_size)
            batches = [(x[i:i + step],) for i in range(0, len(x), max(step, 1))]
        else:
            batches = ((b[0] if isinstance(b, (tuple, list)) and len(b) == 2 else b,)
                       for b in data)
        parts = []
        try:
            with no_grad():
                for (x,) in batches:
                    xs = tuple(map(_to_tensor, x)) if isinstance(x, (tuple, list)) \
                        else (_to_tensor(x),)
                    if dev is not None:
                        xs = tuple(v.to(dev) for v in xs)
                    parts.append(model(*xs).data)
        finally:
            model.train(was_training)
        if not parts:
            raise ValueError("Trainer.predict: no inputs (empty data)")
        xp = get_array_module(parts[0])
        return Tensor._make(xp.concatenate(parts) if len(parts) > 1 else parts[0], False, None,
                            0)

    # ---- checkpoints --------------------------------------------------------------------------
    def save_checkpoint(self, path: str | os.PathLike) -> None:
        """Write model, optimizer, scheduler, epoch, RNG states, history and callback states
        to ``path`` (safetensors, atomic; see ``deepgrad.training.checkpoint``)."""
        write_checkpoint(self, path)

    def resume(self, path: str | os.PathLike) -> int:
        """Restore a ``save_checkpoint`` file; the next ``fit`` continues from its epoch.

        Returns:
            The number of epochs the checkpoint had completed.

        Raises:
            CheckpointError: unreadable file, not a training checkpoint, or state that does not
                match this model/optimizer/scheduler (nothing is changed then).
        """
        return restore_checkpoint(self, path)

    def _apply_resumed(self, resumed: dict, train_loader) -> None:
        from .checkpoint import apply_callback_states, set_loader_rng_states

        apply_callback_states(self.callbacks, resumed["callbacks"])
        set_loader_rng_states(train_loader, resumed["loader_rng"])
