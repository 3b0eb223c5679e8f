"""ProgressBar: a tqdm bar per epoch with the running batch losses and the epoch's metrics."""
from __future__ import annotations

import sys

from tqdm import tqdm

from .callbacks import Callback

# Batch-log keys that describe the batch rather than measure it.
_NOT_SHOWN = frozenset({"batch", "size"})


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class ProgressBar(Callback):
    """Shows a tqdm bar for each epoch: batches done, the running (size-weighted) mean of
    every numeric batch log (``loss`` and the metrics; ``d_loss``/``g_loss`` for a GAN) and,
    when the epoch ends, all epoch logs (``val_loss``, ``val_accuracy``...).

    Trainer adds one by default when stdout is a terminal.

    Args:
        file: stream to draw on (default ``sys.stderr``, as tqdm).
        leave: keep each finished epoch's bar on screen.
        mininterval: seconds between redraws (tqdm's throttle: keeps small batches fast).
    """

    wants_batch_metrics = True

    def __init__(self, file=None, leave: bool = True, mininterval: float = 0.1) -> None:
        self.file, self.leave, self.mininterval = file, leave, mininterval
        self.bar = None
        self._sums: dict[str, float] = {}
        self._weights: dict[str, float] = {}

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._close()
        epochs = self.params.get("epochs")
        desc = f"Epoch {epoch + 1}/{epochs}" if epochs else f"Epoch {epoch + 1}"
        self.bar = tqdm(total=self.params.get("steps"), desc=desc, leave=self.leave,
                        file=self.file if self.file is not None else sys.stderr,
                        unit="batch", mininterval=self.mininterval, dynamic_ncols=True)
        self._sums, self._weights = {}, {}

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.bar is None:
            return
        logs = logs or {}
        w = float(logs.get("size", 1))
        # each key's mean over the batches that logged it (a GAN logs g_loss only on G steps)
        for k, v in logs.items():
            if k not in _NOT_SHOWN and isinstance(v, (int, float)):
                self._sums[k] = self._sums.get(k, 0.0) + w * float(v)
                self._weights[k] = self._weights.get(k, 0.0) + w
        self.bar.set_postfix_str(", ".join(f"{k}={_fmt(s / self._weights[k])}"
                                           for k, s in self._sums.items()), refresh=False)
        self.bar.update(1)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.bar is None:
            return
        self.bar.set_postfix_str(", ".join(f"{k}={_fmt(v)}" for k, v in (logs or {}).items()),
                                 refresh=True)
        self._close()

    def on_train_end(self, logs: dict | None = None) -> None:
        self._close()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
