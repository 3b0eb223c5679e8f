"""Fused CuPy kernels: one launch per parameter for an optimizer update (imported with CuPy only).

On a GPU a small model's step is dominated by kernel launches: Adam's generic update is ~8
elementwise launches per parameter. These kernels do the same arithmetic, in the same order,
in one launch each. ``cuda.fused_kernels(xp)`` hands this module out only when ``xp`` is CuPy
itself; every other array module (NumPy, the test suite's fake device) runs the generic code
that these kernels must agree with.
"""
from __future__ import annotations

import cupy  # type: ignore  # this module is imported only once CuPy has loaded

_ADAM = cupy.ElementwiseKernel(
    "T g, T beta1, T beta2, T step, T eps",
    "T w, T m, T v",
    """
    m = m + (g - m) * (1 - beta1);
    v = v * beta2 + g * g * (1 - beta2);
    w = w + m * step / (sqrt(v) + eps);
    """,
    "deepgrad_adam_update")

_SGD_MOMENTUM = cupy.ElementwiseKernel(
    "T g, T momentum, T keep, T lr, bool nesterov",
    "T w, T buf",
    """
    buf = buf * momentum + g * keep;
    w = w - lr * (nesterov ? g + buf * momentum : buf);
    """,
    "deepgrad_sgd_momentum_update")


def adam_update(g, w, m, v, beta1: float, beta2: float, step: float, eps: float) -> None:
    """In place: ``m <- lerp(m, g, 1 - beta1)``, ``v <- beta2 v + (1 - beta2) g^2``,
    ``w <- w + step * m / (sqrt(v) + eps)`` (``step = -lr sqrt(c2) / c1``, ``eps`` scaled
    by ``sqrt(c2)``: ``Adam._update``'s folded bias correction)."""
    _ADAM(g, beta1, beta2, step, eps, w, m, v)


def sgd_momentum_update(g, w, buf, momentum: float, dampening: float, lr: float,
                        nesterov: bool) -> None:
    """In place: ``buf <- momentum buf + (1 - dampening) g``, then ``w <- w - lr d`` with
    ``d = g + momentum buf`` (Nesterov) or ``d = buf``."""
    _SGD_MOMENTUM(g, momentum, 1 - dampening, lr, nesterov, w, buf)
