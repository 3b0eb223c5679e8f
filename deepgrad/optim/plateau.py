"""ReduceLROnPlateau: cut the learning rate once a monitored metric stops improving."""
from __future__ import annotations

import math

from .optimizer import Optimizer


class ReduceLROnPlateau:
    """Multiply each group's lr by ``factor`` after ``patience`` epochs without improvement.

    This is the chapter's "reduce eta once convergence saturates", with PyTorch's semantics:
    call ``step(metric)`` once per epoch. An epoch improves on the best value when
    ``metric < best * (1 - threshold)`` (mode ``"min"``, ``threshold_mode "rel"``),
    ``metric < best - threshold`` (``"abs"``), or the mirrored tests in mode ``"max"``. After
    more than ``patience`` bad epochs, ``lr <- max(lr * factor, min_lr)`` (skipped when the
    change is below ``eps``), then ``cooldown`` epochs are ignored.

    Args:
        optimizer: the optimizer whose learning rates are reduced.
        mode: ``"min"`` (loss-like metric) or ``"max"`` (accuracy-like).
        factor: multiplier, in [0, 1).
        patience: bad epochs tolerated before a cut (>= 0).
        threshold: minimal improvement (>= 0), relative or absolute per ``threshold_mode``.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: epochs to wait after a cut before counting bad epochs again (>= 0).
        min_lr: lower bound, one number or one per group.
        eps: smallest change of lr that is applied.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list = 0, eps: float = 1e-8) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        if not isinstance(factor, (int, float)) or not 0 <= factor < 1:
            raise ValueError(f"ReduceLROnPlateau: invalid factor: {factor!r} "
                             f"(expected 0 <= factor < 1)")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: invalid mode: {mode!r} (expected 'min' or "
                             f"'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: invalid threshold_mode: {threshold_mode!r} "
                             f"(expected 'rel' or 'abs')")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"ReduceLROnPlateau: invalid {name}: {value!r} "
                                 f"(expected an int >= 0)")
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"ReduceLROnPlateau: expected {n} min_lrs (one per param "
                                 f"group), got {len(min_lr)}")
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * n
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    def _is_better(self, a: float) -> bool:
        best, th = self.best, self.threshold
        if self.mode == "min":
            return a < (best * (1.0 - th) if self.threshold_mode == "rel" else best - th)
        return a > (best * (1.0 + th) if self.threshold_mode == "rel" else best + th)

    def step(self, metrics) -> None:
        """Record one epoch's metric (a number or 0-d Tensor) and cut the lr if it plateaued."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group after the latest ``step()``."""
        return self._last_lr

    def state_dict(self) -> dict:
        """Counters, best value and settings as plain numbers (``best`` may be +-inf)."""
        sd = {k: v for k, v in self.__dict__.items() if k != "optimizer"}
        sd["scheduler"] = type(self).__name__
        return sd

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore ``state_dict()``; a state from another scheduler type is rejected."""
        if state_dict.get("scheduler") != type(self).__name__:
            raise ValueError(f"ReduceLROnPlateau.load_state_dict: the state belongs to "
                             f"scheduler {state_dict.get('scheduler')!r}")
        self.__dict__.update({k: v for k, v in state_dict.items() if k != "scheduler"})
