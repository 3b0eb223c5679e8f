"""Cyclical schedules: CyclicLR, OneCycleLR and cosine annealing with warm restarts.

The first two also cycle the momentum (SGD's ``momentum`` or Adam's ``beta1``) against the
learning rate, as PyTorch does. Formulas, validation and defaults follow
``torch.optim.lr_scheduler``, so the sequences agree value for value.
"""
from __future__ import annotations

import math
from typing import Callable

from .lr_scheduler import LRScheduler
from .optimizer import Optimizer


def per_group(name: str, optimizer: Optimizer, value) -> list:
    """``value`` for every param group: one number for all, or a list/tuple of one per group."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"expected {len(optimizer.param_groups)} values for {name}, got "
                             f"{len(value)}")
        return list(value)
    return [value] * len(optimizer.param_groups)


def _start_momentum(sched, optimizer: Optimizer, base_momentum, max_momentum,
                    fresh: bool) -> None:
    """Check that the optimizer has a momentum; on a fresh start set it to ``max_momentum``."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option "
                         "enabled")
    sched.use_beta1 = "betas" in optimizer.defaults
    sched.base_momentums = per_group("base_momentum", optimizer, base_momentum)
    sched.max_momentums = per_group("max_momentum", optimizer, max_momentum)
    if fresh:
        for top, low, group in zip(sched.max_momentums, sched.base_momentums,
                                   optimizer.param_groups):
            _set_momentum(sched, group, top)
            group["max_momentum"], group["base_momentum"] = top, low


def _set_momentum(sched, group: dict, value: float) -> None:
    if sched.use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class CyclicLR(LRScheduler):
    """Cycle the learning rate between ``base_lr`` and ``max_lr`` (triangular waves).

    Per batch ``k``: ``cycle = floor(1 + k / (up + down))``, ``x = 1 + k / (up + down) - cycle``;
    the wave rises linearly for ``x <= up / (up + down)`` and falls after. The amplitude is
    scaled by ``1`` (``"triangular"``), ``1 / 2^(cycle - 1)`` (``"triangular2"``),
    ``gamma^k`` (``"exp_range"``) or ``scale_fn``. With ``cycle_momentum`` the momentum runs
    the opposite way between ``max_momentum`` and ``base_momentum``.
    Paper: Smith, "Cyclical Learning Rates for Training Neural Networks" (WACV 2017).

    Args:
        optimizer: the optimizer (``momentum`` or ``betas`` needed with ``cycle_momentum``).
        base_lr, max_lr: the wave's bounds (a number, or one per group).
        step_size_up, step_size_down: batches rising and falling (down defaults to up).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: the ``exp_range`` base.
        scale_fn: a custom amplitude scale (overrides ``mode``), applied per ``scale_mode``
            (``"cycle"`` or ``"iterations"``).
        cycle_momentum, base_momentum, max_momentum: the momentum wave.
        last_epoch: resume index (-1 starts fresh).
    """

    def __init__(self, optimizer: Optimizer, base_lr, max_lr, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum=0.8, max_momentum=0.9, last_epoch: int = -1) -> None:
        base_lrs = per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        if up <= 0 or down <= 0:
            raise ValueError(f"CyclicLR: step sizes must be positive, got step_size_up={up}, "
                             f"step_size_down={down}")
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode is invalid and scale_fn is None (mode={mode!r})")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r}")
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn  # not saved by state_dict: functions don't serialize
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _start_momentum(self, optimizer, base_momentum, max_momentum, last_epoch == -1)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list[float]:
        e = self.last_epoch
        cycle = math.floor(1 + e / self.total_size)
        x = 1.0 + e / self.total_size - cycle
        factor = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else e)
        lrs = [base + (top - base) * factor * scale
               for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, top in zip(self.optimizer.param_groups, self.base_momentums,
                                       self.max_momentums):
                _set_momentum(self, group, top - (top - low) * factor * scale)
        return lrs

    def state_dict(self) -> dict:
        sd = super().state_dict()
        sd.pop("_scale_fn_custom", None)
        return sd


class OneCycleLR(LRScheduler):
    """The 1cycle policy: warm up to ``max_lr``, then anneal far below the start, once.

    Starts at ``max_lr / div_factor``, reaches ``max_lr`` after ``pct_start * total_steps``
    steps and ends at ``start / final_div_factor`` (cosine or linear annealing between the
    phase ends). ``three_phase`` comes back down to the start before the final annealing.
    The momentum (or ``beta1``) runs from ``max_momentum`` to ``base_momentum`` and back.
    Paper: Smith & Topin, "Super-Convergence" (2018).

    Args:
        optimizer: the optimizer (``momentum`` or ``betas`` needed with ``cycle_momentum``).
        max_lr: the peak (a number, or one per group).
        total_steps: the schedule's length, or give ``epochs`` and ``steps_per_epoch``.
        pct_start: fraction of the steps spent rising, in [0, 1].
        anneal_strategy: ``"cos"`` or ``"linear"``.
        cycle_momentum, base_momentum, max_momentum: the momentum schedule.
        div_factor, final_div_factor: ``initial = max_lr / div_factor``,
            ``min = initial / final_div_factor``.
        three_phase: use the three-phase form.
        last_epoch: resume index (-1 starts fresh).

    Raises:
        ValueError: bad arguments, or stepping past ``total_steps``.
    """

    def __init__(self, optimizer: Optimizer, max_lr, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1) -> None:
        if total_steps is not None:
            if isinstance(total_steps, bool) or not isinstance(total_steps, int) \
                    or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            for name, v in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
                if not isinstance(v, int) or v <= 0:
                    raise ValueError(f"Expected positive integer {name}, but got {v}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        n = self.total_steps
        phases = [(float(pct_start * n) - 1, "initial_lr", "max_lr", "max_momentum",
                   "base_momentum")]
        if three_phase:
            phases.append((float(2 * pct_start * n) - 2, "max_lr", "initial_lr",
                           "base_momentum", "max_momentum"))
            phases.append((n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"))
        else:
            phases.append((n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"))
        self._schedule_phases = phases
        self.anneal_strategy = anneal_strategy
        if last_epoch == -1:
            for top, group in zip(per_group("max_lr", optimizer, max_lr),
                                  optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _start_momentum(self, optimizer, base_momentum, max_momentum, last_epoch == -1)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps "
                             f"is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr_a, lr_b, m_a, m_b) in enumerate(self._schedule_phases):
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr_a], group[lr_b], pct))
                    if self.cycle_momentum:
                        _set_momentum(self, group, self._anneal(group[m_a], group[m_b], pct))
                    break
                start = end
        return lrs


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every ``T_i`` epochs, ``T_i`` growing by ``T_mult``.

    ``lr = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2``, with ``T_cur`` the
    epochs since the last restart. ``step(epoch)`` accepts a fractional epoch (e.g.
    ``epoch + batch / batches``) to anneal within an epoch, as in PyTorch.
    Paper: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (2017).

    Args:
        optimizer: the optimizer.
        T_0: epochs before the first restart (int >= 1).
        T_mult: growth factor of the period after each restart (int >= 1).
        eta_min: the lowest learning rate.
        last_epoch: resume index (-1 starts fresh).
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,  # noqa: N803
                 eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cos = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * cos for base in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or jump to (possibly fractional) ``epoch``."""
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i, self.T_cur = self.T_0, epoch
        self.last_epoch = math.floor(epoch)
        self._write(self.get_lr())
