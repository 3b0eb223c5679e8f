"""Trainer: the fit/evaluate/predict loop with callbacks, metrics, clipping and checkpoints."""
from __future__ import annotations

import os
import sys
import warnings

import numpy

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import get_array_module, resolve
from ..nn.utils import clip_grad_norm_
from . import distributed
from .batches import _host, _is_plateau, _split, _to_tensor, batch_size_of
from .callbacks import CallbackList, History, get_lr
from .checkpoint import EpochProgress, apply_resumed, restore_checkpoint, write_checkpoint
from .metric_fns import check_outputs, resolve_metrics
from .progress import ProgressBar


class Trainer:
    """Trains a model with a loss and an optimizer, Keras-style, on PyTorch-style parts.

    One epoch: ``train_step`` for each ``(x, y)`` batch (``loss = loss_fn(model(x), y) +
    model.regularization_loss()``, backward, optional global-norm gradient clipping,
    ``optimizer.step()``; a subclass such as ``GANTrainer`` overrides it); then validation
    (``no_grad``, ``model.eval()``), the scheduler step (per epoch; a ReduceLROnPlateau gets
    the monitored value) and ``on_epoch_end`` with logs ``{"loss", <metrics>, "val_loss",
    "val_<metrics>", "lr"}`` (floats; ``loss`` is the size-weighted epoch mean including the
    regularization penalty).

    Under MPI (after ``deepgrad.distributed.init_process_group``, launched with ``mpiexec``)
    each rank trains a DistributedDataParallel replica on its share of every DataLoader batch,
    the logs are those of all ranks' data together, and rank 0 alone shows progress and writes
    logs and checkpoints (``training/distributed.py``); ``self.model`` stays the plain model.

    Args:
        model: the Module to train.
        loss_fn: ``loss_fn(outputs, targets) -> scalar Tensor`` (a loss Module or function).
        optimizer: a ``deepgrad.optim`` optimizer (``zero_grad``, ``step``, ``param_groups``,
            ``state_dict``).
        metrics: a dict name -> ``fn(outputs, targets)`` on NumPy arrays, or a sequence of
            names (``"accuracy"``, ``"mse"``...; see ``metric_fns.METRICS``) and callables.
            A class metric on one output column takes its threshold from ``loss_fn``
            (``BCELoss``: 0.5, ``BCEWithLogitsLoss``: 0; other losses: an error).
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
        global_step: ``train_step`` calls over every ``fit`` (restored by ``resume``).
        stop_training: set by a callback to end ``fit`` after the current batch.
        history: the History of the last ``fit``.
    """

    mid_epoch_checkpoints = True  # save_checkpoint records the position inside an epoch

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
        self.metrics = resolve_metrics(metrics, loss_fn)
        self.callbacks = list(callbacks)
        if progress is None:
            progress = sys.stdout.isatty()
        if progress and not any(isinstance(c, ProgressBar) for c in self.callbacks):
            self.callbacks.append(ProgressBar())
        self.grad_clip_norm, self.scheduler = grad_clip_norm, scheduler
        self.scheduler_monitor = scheduler_monitor
        self.epoch = 0
        self.global_step = 0  # train_step calls, over every fit (restored by resume)
        self.stop_training = False
        self.history = History()
        self._outputs, self._targets, self._live_metrics = [], [], False
        self._train_loader = None
        self._resumed = None  # callback/loader state from resume(), applied by the next fit
        self._progress = None  # EpochProgress while inside an epoch (mid-epoch checkpoints)

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

        Raises:
            ValueError: ``train_loader`` is empty (checked before any callback runs when it
                has a length) or gives no batch in an epoch.
        """
        start = self.epoch if initial_epoch is None else int(initial_epoch)
        if hasattr(train_loader, "__len__") and len(train_loader) == 0:
            raise ValueError(f"{type(self).__name__}.fit: the training data is empty "
                             f"({type(train_loader).__name__} of length 0)")
        if start >= epochs:
            warnings.warn(f"Trainer.fit: {start} epochs are already done and epochs={epochs}; "
                          "nothing to train (epochs is the total to reach, not a count)",
                          stacklevel=2)
        train_loader = distributed.shard_loader(train_loader, train=True)
        self._train_loader = train_loader
        resumed, self._resumed = self._resumed, None
        history = History()
        if resumed is not None:
            history.load_state_dict(resumed["history"])
        self.history = history
        steps = len(train_loader) if hasattr(train_loader, "__len__") else None
        cbs = CallbackList([history, *distributed.local_callbacks(self.callbacks)], self,
                           {"epochs": epochs, "steps": steps, "metrics": list(self.metrics)})
        self.stop_training = False
        logs: dict = {}
        cbs.on_train_begin(logs)
        progress = None if resumed is None else apply_resumed(self, resumed, train_loader, start)
        for epoch in range(start, epochs):
            distributed.set_epoch(train_loader, epoch)
            if progress is None:  # a mid-epoch resume continues the epoch it stopped in
                cbs.on_epoch_begin(epoch, {})
            logs = self._train_epoch(train_loader, cbs, progress)
            progress = None
            if val_loader is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader).items()})
            logs.update(self.lr_logs())
            self._step_scheduler(logs)
            self.epoch = epoch + 1
            cbs.on_epoch_end(epoch, logs)
            if distributed.agree(self.stop_training):
                break
        cbs.on_train_end(logs)
        return history

    def _train_epoch(self, loader, cbs: CallbackList, progress=None) -> dict:
        """One pass over ``loader``: ``train_step`` per batch between the batch hooks; the
        epoch logs are the size-weighted means of each key over the batches that logged it.
        ``progress`` (a mid-epoch resume) carries the batches done and the running sums."""
        self.model.train()
        p = self._progress = progress or EpochProgress()
        sums, weights = p.sums, p.weights
        self._outputs, self._targets = p.outputs, p.targets
        # per-batch metrics cost a little, so only when a callback shows them (ProgressBar)
        self._live_metrics = any(getattr(c, "wants_batch_metrics", False) for c in cbs.callbacks)
        for i, batch in enumerate(loader, p.batch):
            size = batch_size_of(batch)
            cbs.on_batch_begin(i, {"batch": i, "size": size})
            step_logs = self.train_step(batch)
            for k, v in step_logs.items():  # a device value stays there: summed, read at the end
                sums[k] = sums.get(k, 0.0) + v * size
                weights[k] = weights.get(k, 0) + size
            p.batch = i + 1  # what a checkpoint saved in on_batch_end records
            # a device value is read for callbacks only when one shows batch values
            shown = {k: float(v) if self._live_metrics else v for k, v in step_logs.items()
                     if self._live_metrics or isinstance(v, float)}
            cbs.on_batch_end(i, {"batch": i, "size": size, **shown})
            if distributed.agree(self.stop_training):
                break
        self._progress = None
        if not p.batch:
            raise ValueError(f"{type(self).__name__}.fit: the training data gave no batches "
                             "this epoch (an empty dataset, or drop_last with fewer samples "
                             "than batch_size)")
        sums = {k: float(v) for k, v in sums.items()}  # one host read per key and epoch
        sums, weights = distributed.reduce_sums(sums, weights)
        outputs, targets = distributed.gather_rows(self._outputs, self._targets)
        logs = {k: s / weights[k] if weights[k] else float("nan") for k, s in sums.items()}
        logs.update(self._metric_logs(outputs, targets))
        self._outputs, self._targets = [], []
        return logs

    def train_step(self, batch) -> dict:
        """One optimisation step on one ``(x, y)`` batch; what ``fit`` calls for every batch.

        ``loss = loss_fn(model(x), y) + model.regularization_loss()``, backward, optional
        global-norm clipping, ``optimizer.step()``; the step is counted in ``global_step``.
        Override it (with ``optimizers`` and ``lr_logs`` where there are several) for another
        kind of step: ``GANTrainer`` does, Keras' pattern.

        Returns:
            The batch logs, floats: ``{"loss": value}`` (plus this batch's metrics when a
            callback asks for them); ``fit`` averages each key over the epoch, weighted by
            batch size.
        """
        dev = self._device()
        xs, y = _split(batch, "fit", dev)
        model, optimizer = distributed.train_model(self), self.optimizer
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
        self.global_step += 1
        # On a device the loss stays there (a 0-d array): no host read, and so no stall, per step.
        logs = {"loss": float(loss.item()) if dev is None else loss._data}
        if self.metrics:
            self._outputs.append(out._data)
            if len(self._outputs) == 1:
                # the shape is all it reads: an empty host array of it needs no device read
                check_outputs(self.metrics, numpy.empty((0,) + tuple(out.shape[1:]), "float32"))
            self._targets.append(y._data)
            if self._live_metrics:
                o, t = _host(self._outputs[-1]), _host(self._targets[-1])
                logs.update({name: float(fn(o, t)) for name, fn in self.metrics.items()})
        return logs

    def _device(self):
        """The device batches go to, or None for the CPU (the model's when none was given)."""
        dev = self.device
        if dev is None:
            p = next(iter(self.model.parameters()), None)
            dev = None if p is None else p.device
        return None if dev is None or dev.type == "cpu" else dev

    @property
    def optimizers(self) -> tuple:
        """Every optimizer this trainer steps (what LR callbacks drive): ``(optimizer,)``."""
        return (self.optimizer,)

    def lr_logs(self) -> dict:
        """The learning rates logged at each epoch end: ``{"lr": <first param group's>}``."""
        return {"lr": get_lr(self.optimizer)}

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
        loader = distributed.shard_loader(loader, train=False)
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
                    loss = self.loss_fn(out, y)._data
                    if dev is None:
                        total += (float(loss) + reg) * size
                    else:  # the sum stays on the device; one host read after the loop
                        total = (loss + reg) * size + total
                    count += size
                    if self.metrics:
                        outputs.append(out._data)
                        targets.append(y._data)
        finally:
            model.train(was_training)
        total = float(total)  # the one host read of a device sum
        if distributed.active():
            outputs, targets = [_host(o) for o in outputs], [_host(t) for t in targets]
        total, count, outputs, targets = distributed.reduce_epoch(total, count, outputs, targets)
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
                    parts.append(model(*xs)._data)
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
        to ``path`` (safetensors, atomic; see ``deepgrad.training.checkpoint``); under MPI
        rank 0 writes, the other ranks hold the same state. Called inside an epoch
        (``on_batch_end``), it also records the loader's position and the epoch's running
        sums, so ``resume`` continues with the next batch; a loader that cannot record its
        position is refused (ValueError)."""
        if distributed.is_main_process():
            write_checkpoint(self, path)

    def resume(self, path: str | os.PathLike) -> int:
        """Restore a ``save_checkpoint`` file; the next ``fit`` continues from its epoch.

        Returns:
            The number of epochs the checkpoint had completed.

        Raises:
            CheckpointError: unreadable file, not a training checkpoint, or a field that is
                malformed or does not match this model/optimizer/scheduler/callbacks (named in
                the message); everything is validated first, and nothing is changed then.
        """
        return restore_checkpoint(self, path)

    def optimizer_state_dict(self):
        """What a checkpoint saves of the optimizers: ``optimizer.state_dict()``."""
        return self.optimizer.state_dict()

    def load_optimizer_state_dict(self, state) -> None:
        """Restore what ``optimizer_state_dict`` returned."""
        self.optimizer.load_state_dict(state)

    def named_optimizers(self) -> dict:
        """The optimizers by checkpoint name: ``{"": optimizer}`` for one."""
        return {"": self.optimizer}
