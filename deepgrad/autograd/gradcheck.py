"""Finite-difference gradient checks in float64, the oracle for every differentiable op."""
from __future__ import annotations

import numpy as np

from ..backend import device_of, to_device
from .grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with the finite-difference estimate."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return out if isinstance(out, (tuple, list)) else (out,)


def _host(a) -> np.ndarray:
    """A host (NumPy) copy of an array of any device."""
    return a if isinstance(a, np.ndarray) else np.asarray(a) if isinstance(a, np.generic) \
        else a.get()


def _weighted_sum(outs, weights) -> float:
    return float(sum((o._data * w).sum() for o, w in zip(outs, weights) if w is not None))


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              mode: str = "auto", n_directions: int = 4, seed: int = 0,
              raise_exception: bool = True) -> bool:
    """Compare autograd gradients of ``fn`` with central differences.

    The scalar checked is ``L = sum_k <w_k, out_k>`` with a random upstream gradient ``w_k`` per
    floating output, so every output element matters. ``mode='full'`` perturbs every element of
    every input (the whole Jacobian-vector product); ``mode='random'`` compares directional
    derivatives ``<grad L, v> ~ (L(x+eps v) - L(x-eps v)) / (2 eps)`` along random ``v``, for
    large inputs; ``'auto'`` picks full below 400 elements in all.

    Args:
        fn: callable taking the Tensors in ``inputs`` and returning a Tensor or a tuple of them.
        inputs: Tensors; those with ``requires_grad`` are checked; they should be float64.
    Returns:
        True if all match within ``|a - n| <= atol + rtol * |n|``.
    """
    inputs = list(inputs)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in checked:
        if t.dtype != np.float64:
            raise TypeError(f"gradcheck: inputs must be float64 for accurate differences, got "
                            f"{t.dtype} of shape {t.shape}")
    rng = np.random.default_rng(seed)
    outs = _outputs(fn, inputs)
    # Upstream weights live next to each output (device inputs check on their device).
    weights = [to_device(rng.standard_normal(o.shape), device_of(o._data))
               if o.dtype.kind == "f" and o.requires_grad else None for o in outs]
    for t in checked:
        t.grad = None
    total = None
    for o, w in zip(outs, weights):
        if w is not None:
            term = (o * Tensor(w)).sum()
            total = term if total is None else total + term
    if total is None:
        raise GradcheckError("gradcheck: no output requires grad")
    total.backward()
    analytic = [_host(t.grad._data).copy() if t.grad is not None else np.zeros(t.shape)
                for t in checked]

    def loss() -> float:
        with no_grad():
            return _weighted_sum(_outputs(fn, inputs), weights)

    n_elems = sum(t._data.size for t in checked)
    ok = True
    if mode == "full" or (mode == "auto" and n_elems <= 400):
        for t, a in zip(checked, analytic):
            flat = t._data.reshape(-1)
            numeric = np.empty(flat.size)
            for i in range(flat.size):
                orig = flat[i]
                flat[i] = orig + eps
                hi = loss()
                flat[i] = orig - eps
                lo = loss()
                flat[i] = orig
                numeric[i] = (hi - lo) / (2 * eps)
            ok &= _compare(a.reshape(-1), numeric, atol, rtol, t.shape, raise_exception)
    else:
        for _ in range(n_directions):
            dirs = [rng.standard_normal(t.shape) for t in checked]
            origs = [t._data.copy() for t in checked]
            steps = [to_device(eps * d, device_of(t._data)) for t, d in zip(checked, dirs)]
            for t, d, o in zip(checked, steps, origs):
                t._data[...] = o + d
            hi = loss()
            for t, d, o in zip(checked, steps, origs):
                t._data[...] = o - d
            lo = loss()
            for t, o in zip(checked, origs):
                t._data[...] = o
            numeric = (hi - lo) / (2 * eps)
            analytic_dir = sum(float((a * d).sum()) for a, d in zip(analytic, dirs))
            ok &= _compare(np.array([analytic_dir]), np.array([numeric]), atol, rtol,
                           "direction", raise_exception)
    return ok


def _compare(analytic, numeric, atol, rtol, where, raise_exception) -> bool:
    err = np.abs(analytic - numeric)
    bad = err > atol + rtol * np.abs(numeric)
    if bad.any():
        i = int(np.argmax(err - (atol + rtol * np.abs(numeric))))
        msg = (f"gradcheck: mismatch for input of shape {where}: {int(bad.sum())} of "
               f"{bad.size} elements; worst at flat index {i}: analytic {analytic[i]:.8g}, "
               f"numeric {numeric[i]:.8g}")
        if raise_exception:
            raise GradcheckError(msg)
        return False
    return True
