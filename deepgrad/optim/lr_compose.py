"""More schedules (ConstantLR, PolynomialLR, MultiplicativeLR) and ways to combine schedules
(SequentialLR one after another, ChainedScheduler all at once), as in ``torch.optim``."""
from __future__ import annotations

from bisect import bisect_right
from typing import Callable

from .lr_cyclic import CosineAnnealingWarmRestarts
from .lr_scheduler import TYPE_KEY, LRScheduler
from .optimizer import Optimizer
from .plateau import ReduceLROnPlateau


class ConstantLR(LRScheduler):
    """Multiply the learning rate by ``factor`` until epoch ``total_iters``, then restore it.

    ``lr_epoch = base_lr * (factor if epoch < total_iters else 1)``.
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError(f"Constant multiplicative factor expected to be between 0 and 1, "
                             f"got {factor}")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._lrs()]
        if self.last_epoch != self.total_iters:
            return self._lrs()
        return [lr * (1.0 / self.factor) for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        factor = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base * factor for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the learning rate polynomially to 0 over ``total_iters`` epochs.

    ``lr_epoch = base_lr * (1 - min(epoch, total_iters) / total_iters) ** power``.
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"PolynomialLR: invalid total_iters: {total_iters!r} (expected an "
                             f"int >= 1)")
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, n = self.last_epoch, self.total_iters
        if e == 0 or e > n:
            return self._lrs()
        factor = ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** self.power
        return [lr * factor for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        n = self.total_iters
        return [base * (1.0 - min(n, self.last_epoch) / n) ** self.power
                for base in self.base_lrs]


class MultiplicativeLR(LRScheduler):
    """Multiply the learning rate by ``lr_lambda(epoch)`` every epoch after the first.

    Args:
        optimizer: the optimizer.
        lr_lambda: ``epoch -> factor``, or a list with one such function per param group.
        last_epoch: resume index (-1 starts fresh).
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list,
                 last_epoch: int = -1) -> None:
        fns = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else \
            [lr_lambda] * len(optimizer.param_groups)
        if len(fns) != len(optimizer.param_groups):
            raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got "
                             f"{len(fns)}")
        for fn in fns:
            if not callable(fn):
                raise TypeError(f"MultiplicativeLR: lr_lambda must be callable, got {fn!r}")
        self.lr_lambdas = fns
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch > 0:
            return [lr * fn(self.last_epoch) for lr, fn in zip(self._lrs(), self.lr_lambdas)]
        return self._lrs()


def _check_members(name: str, optimizer: Optimizer, schedulers) -> list:
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
    for i, s in enumerate(schedulers):
        if not hasattr(s, "optimizer"):
            raise TypeError(f"{name} at index {i} should have `optimizer` as its attribute.")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(f"{name} does not support `ReduceLROnPlateau` scheduler as it "
                             f"requires additional kwargs to be specified when calling `step`, "
                             f"but got one at index {i} in the given schedulers sequence.")
        if s.optimizer is not optimizer:
            raise ValueError(f"{name} expects all schedulers to belong to the same optimizer, "
                             f"but got scheduler {type(s).__name__} at index {i} with a "
                             f"different optimizer")
    return schedulers


class _Composite(LRScheduler):
    """State handling shared by the schedulers made of other schedulers."""

    def state_dict(self) -> dict:
        sd = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        sd["_schedulers"] = [s.state_dict() for s in self._schedulers]
        sd[TYPE_KEY] = type(self).__name__
        return sd

    def load_state_dict(self, state_dict: dict) -> None:
        saved = state_dict.get(TYPE_KEY)
        if saved != type(self).__name__:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state belongs to "
                             f"scheduler {saved!r}")
        inner = state_dict["_schedulers"]
        if len(inner) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state has "
                             f"{len(inner)} schedulers, this one {len(self._schedulers)}")
        self.__dict__.update({k: v for k, v in state_dict.items()
                              if k not in ("_schedulers", TYPE_KEY)})
        for s, sd in zip(self._schedulers, inner):
            s.load_state_dict(sd)


def _undo_step(s) -> None:
    """Take back the step a scheduler made when it was built (recursively for composites)."""
    if hasattr(s, "_schedulers"):
        for inner in s._schedulers:
            _undo_step(inner)
    elif hasattr(s, "last_epoch"):
        s.last_epoch -= 1


class SequentialLR(_Composite):
    """Run ``schedulers[i]`` from epoch ``milestones[i - 1]`` on (the first from the start).

    At a milestone the next scheduler starts again from its epoch 0 (its closed form where it
    has one), as in PyTorch.

    Args:
        optimizer: the optimizer every scheduler belongs to.
        schedulers: the schedules, in order.
        milestones: ``len(schedulers) - 1`` increasing epochs at which to switch.
        last_epoch: resume index (-1 starts fresh).
    """

    def __init__(self, optimizer: Optimizer, schedulers, milestones,
                 last_epoch: int = -1) -> None:
        self._schedulers = _check_members("SequentialLR", optimizer, schedulers)
        milestones = list(milestones)
        if len(milestones) != len(self._schedulers) - 1:
            raise ValueError(f"Sequential Schedulers expects number of schedulers provided to be "
                             f"one more than the number of milestone points, but got number of "
                             f"schedulers {len(self._schedulers)} and the number of milestones "
                             f"to be equal to {len(milestones)}")
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # back to the start, then only the first steps
            group["lr"] = group["initial_lr"]
        for s in self._schedulers:
            _undo_step(s)
        first = self._schedulers[0]
        first._step_count, first._is_initial = 0, True
        first.step()
        first._is_initial = False
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        s = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            _restart(s)
        else:
            s.step()
        self._last_lr = s.get_last_lr()


def _restart(s) -> None:
    """Put a scheduler at its epoch 0 (PyTorch's ``step(0)``)."""
    if isinstance(s, CosineAnnealingWarmRestarts):
        s.step(0)
    else:
        s._step_to(0)


class ChainedScheduler(_Composite):
    """Step several schedulers together each epoch (their factors multiply).

    Args:
        schedulers: the chainable schedulers, all on one optimizer.
        optimizer: that optimizer (default: the first scheduler's).
    """

    def __init__(self, schedulers, optimizer: Optimizer | None = None) -> None:
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = schedulers[0].optimizer
        self._schedulers = _check_members("ChainedScheduler", optimizer, schedulers)
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self) -> None:
        for s in self._schedulers:
            s.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
