"""Learning-rate schedules (``torch.optim.lr_scheduler`` names, defaults and LR sequences).

Each scheduler rewrites ``group["lr"]`` of its optimizer's param groups when ``step()`` is
called (once per epoch, or per batch, after ``optimizer.step()``). The recursive (chainable)
forms are PyTorch's, so the sequences agree with it value for value, and two schedulers on
one optimizer compose as they do there.
"""
from __future__ import annotations

import math
import warnings
from bisect import bisect_right
from collections import Counter
from typing import Callable, Iterable

from .optimizer import Optimizer
from .plateau import ReduceLROnPlateau

#: key of ``state_dict()`` naming the scheduler class
TYPE_KEY = "scheduler"


class LRScheduler:
    """Base class: records ``initial_lr`` in each group, keeps ``last_epoch`` and ``base_lrs``.

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        last_epoch: index of the last epoch when resuming (-1 starts fresh).

    Subclasses implement ``get_lr()``, returning each group's new learning rate for the
    epoch ``self.last_epoch`` (``self._is_initial`` is True during the constructor's step).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no "
                                   f"'initial_lr' to resume from last_epoch={last_epoch}; "
                                   f"load the optimizer's state first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        raise TypeError(f"{type(self).__name__} does not define get_lr()")

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group after the latest ``step()``."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and write the new learning rates into the optimizer.

        ``step(epoch)`` (deprecated in PyTorch, kept for its programs) jumps to ``epoch``,
        using the schedule's closed form where it has one, as PyTorch does.
        """
        if epoch is not None:
            warnings.warn("scheduler.step(epoch) is deprecated (as in PyTorch): call "
                          "scheduler.step() once per epoch", UserWarning, stacklevel=2)
            self._step_to(epoch)
            return
        self._step_count += 1
        self.last_epoch += 1
        self._write(self.get_lr())

    def _step_to(self, epoch: int) -> None:
        """Jump to ``epoch`` (the closed form where there is one)."""
        self._step_count += 1
        self.last_epoch = epoch
        closed = getattr(self, "_get_closed_form_lr", None)
        self._write(closed() if closed is not None else self.get_lr())

    def _write(self, values) -> None:
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """The scheduler's counters and settings as plain numbers, lists and dicts."""
        sd = {k: (dict(v) if isinstance(v, Counter) else v) for k, v in self.__dict__.items()
              if k not in ("optimizer", "lr_lambdas")}
        sd[TYPE_KEY] = type(self).__name__
        return sd

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore ``state_dict()``; a state from another scheduler type is rejected."""
        saved = state_dict.get(TYPE_KEY)
        if saved != type(self).__name__:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state belongs to "
                             f"scheduler {saved!r}")
        for k, v in state_dict.items():
            if k == TYPE_KEY:
                continue
            if isinstance(getattr(self, k, None), Counter):
                v = Counter({int(m): c for m, c in v.items()})
            setattr(self, k, v)

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(epoch)`` (one function, or one per group).

    Args:
        optimizer: the optimizer.
        lr_lambda: ``epoch -> factor``, or a list with one such function per param group.
        last_epoch: resume index (-1 starts fresh).
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list,
                 last_epoch: int = -1) -> None:
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"LambdaLR: expected {len(optimizer.param_groups)} lr_lambdas "
                                 f"(one per param group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {fn!r}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


def _check_gamma(name: str, gamma) -> None:
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or gamma < 0:
        raise ValueError(f"{name}: invalid gamma: {gamma!r} (expected a number >= 0)")


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    ``lr_epoch = base_lr * gamma ** (epoch // step_size)``.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: invalid step_size: {step_size!r} (expected an int >= 1)")
        _check_gamma("StepLR", gamma)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each milestone epoch.

    ``lr_epoch = base_lr * gamma ** (number of milestones <= epoch)``.
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, int):
                raise ValueError(f"MultiStepLR: milestones must be ints, got {m!r}")
        _check_gamma("MultiStepLR", gamma)
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [b * self.gamma ** passed for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: ``base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        _check_gamma("ExponentialLR", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``base_lr`` to ``eta_min`` over ``T_max`` epochs (SGDR, no restart).

    ``lr_epoch = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``, computed
    recursively as PyTorch does (past ``T_max`` it rises again along the same cosine).
    Paper: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (2017).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: invalid T_max: {T_max!r} (expected int >= 1)")
        if not isinstance(eta_min, (int, float)) or eta_min < 0:
            raise ValueError(f"CosineAnnealingLR: invalid eta_min: {eta_min!r} (expected >= 0)")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, t_max, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if self._step_count == 1 and e > 0:  # resumed mid-schedule: closed form
            return [lo + (b - lo) * (1 + math.cos(e * math.pi / t_max)) / 2
                    for b in self.base_lrs]
        if (e - 1 - t_max) % (2 * t_max) == 0:  # the cosine's trough: ratio form would be 0/0
            return [lr + (b - lo) * (1 - math.cos(math.pi / t_max)) / 2
                    for b, lr in zip(self.base_lrs, self._lrs())]
        ratio = (1 + math.cos(math.pi * e / t_max)) / (1 + math.cos(math.pi * (e - 1) / t_max))
        return [ratio * (lr - lo) + lo for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        cos = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (b - self.eta_min) * cos for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the learning rate linearly from ``start_factor`` to ``end_factor`` (warm-up).

    ``lr_epoch = base_lr * (start + (end - start) * min(epoch, total_iters) / total_iters)``.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: invalid start_factor: {start_factor!r} "
                             f"(expected 0 < start_factor <= 1)")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: invalid end_factor: {end_factor!r} "
                             f"(expected 0 <= end_factor <= 1)")
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"LinearLR: invalid total_iters: {total_iters!r} "
                             f"(expected an int >= 1)")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, \
            total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, s, f = self.last_epoch, self.start_factor, self.end_factor
        if e == 0:
            return [lr * s for lr in self._lrs()]
        if self._is_initial or e > self.total_iters:
            return self._lrs()
        factor = 1.0 + (f - s) / (self.total_iters * s + (e - 1) * (f - s))
        return [lr * factor for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        s, f, n = self.start_factor, self.end_factor, self.total_iters
        return [b * (s + (f - s) * min(n, self.last_epoch) / n) for b in self.base_lrs]


# more schedules and the combinators live in files of their own (they import this one)
from .lr_compose import (  # noqa: E402
    ChainedScheduler,
    ConstantLR,
    MultiplicativeLR,
    PolynomialLR,
    SequentialLR,
)
from .lr_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR  # noqa: E402

#: lookup by name
SCHEDULERS = {"step": StepLR, "multistep": MultiStepLR, "exponential": ExponentialLR,
              "cosine": CosineAnnealingLR, "lambda": LambdaLR, "linear": LinearLR,
              "plateau": ReduceLROnPlateau, "constant": ConstantLR, "polynomial": PolynomialLR,
              "multiplicative": MultiplicativeLR, "cosine_restarts": CosineAnnealingWarmRestarts}

__all__ = ["LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR",
           "CosineAnnealingLR", "LinearLR", "ReduceLROnPlateau", "SCHEDULERS", "ConstantLR",
           "PolynomialLR", "MultiplicativeLR", "SequentialLR", "ChainedScheduler", "CyclicLR",
           "OneCycleLR", "CosineAnnealingWarmRestarts"]
