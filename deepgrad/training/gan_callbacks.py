"""Runs Trainer callbacks (Keras hooks) for GANTrainer."""
from __future__ import annotations


class CallbackRunner:
    """Binds callbacks to a trainer and forwards each hook to every callback that has it."""

    def __init__(self, trainer, callbacks, params: dict) -> None:
        from .callbacks import History

        self.history = History()
        self.callbacks = [self.history] + [c for c in callbacks if c is not None]
        for cb in self.callbacks:
            cb.trainer, cb.model, cb.params = trainer, trainer.model, params

    def _call(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            fn = getattr(cb, hook, None)
            if fn is not None:
                fn(*args)

    def on_train_begin(self, logs):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs):
        self._call("on_epoch_end", epoch, logs)

    def on_batch_begin(self, batch, logs):
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs):
        self._call("on_batch_end", batch, logs)
