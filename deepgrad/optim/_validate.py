"""Hyperparameter checks whose errors name the optimizer, the argument and the bad value."""
from __future__ import annotations

import math


def check_nonneg(name: str, value, what: str) -> None:
    """Raise ``ValueError`` naming ``value`` unless it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}: invalid {what}: {value!r} (expected a finite number >= 0)")


def check_unit(name: str, value, what: str) -> None:
    """Raise ``ValueError`` naming ``value`` unless ``0 <= value < 1``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{name}: invalid {what}: {value!r} (expected 0 <= value < 1)")


def check_betas(name: str, betas) -> None:
    """Validate a ``(beta1, beta2)`` pair: two numbers each in ``[0, 1)``."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
    check_unit(name, betas[0], "beta parameter at index 0")
    check_unit(name, betas[1], "beta parameter at index 1")


def check_adam_group(name: str, group: dict) -> None:
    """The checks shared by the Adam family: lr, eps and weight_decay >= 0, valid betas."""
    check_nonneg(name, group["lr"], "learning rate lr")
    check_nonneg(name, group["eps"], "epsilon eps")
    check_betas(name, group["betas"])
    check_nonneg(name, group["weight_decay"], "weight_decay")
