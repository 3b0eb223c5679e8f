"""The op-test table's machinery: input specs, the Case row, and converters between frameworks.

A Case's ``call(m, *inputs)`` is written once against the module ``m``, which is ``deepgrad`` or
``torch``: deepgrad spells ops as PyTorch does, so the same line runs in both and torch is the
oracle for values, dtypes and gradients when it is installed.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

import deepgrad as dg

try:
    import torch
except ImportError:  # the table still runs: gradcheck and NumPy references
    torch = None


@dataclass(frozen=True)
class In:
    """An input: ``kind`` picks the values (see ``sample``), ``shape`` the shape."""

    shape: tuple
    kind: str = "any"

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        k, s = self.kind, self.shape
        if k == "any":
            return rng.standard_normal(s)
        if k == "pos":  # away from 0 for log, sqrt, division
            return rng.uniform(0.5, 2.0, s)
        if k == "unit":  # inside (-1, 1) away from the ends: asin, atanh, erfinv
            return rng.uniform(-0.8, 0.8, s)
        if k == "prob":  # inside (0, 1)
            return rng.uniform(0.1, 0.9, s)
        if k == "gt1":
            return rng.uniform(1.2, 3.0, s)
        if k == "ties":  # repeated values and exact zeros: the kinks of max, abs, relu, sort
            return rng.integers(-2, 3, s).astype(np.float64)
        if k == "int":
            return rng.integers(-4, 5, s)
        if k == "nat":
            return rng.integers(0, 5, s)
        if k == "bool":
            return rng.random(s) > 0.5
        if k == "spd":  # symmetric positive definite matrices (..., n, n)
            a = rng.standard_normal(s)
            return a @ np.swapaxes(a, -1, -2) + s[-1] * np.eye(s[-1])
        raise ValueError(k)


def A(*s):  # noqa: N802 - one-letter makers keep rows on one line
    return In(s)


def P(*s):  # noqa: N802
    return In(s, "pos")


def U(*s):  # noqa: N802
    return In(s, "unit")


def T(*s):  # noqa: N802
    return In(s, "ties")


def I(*s):  # noqa: N802, E743
    return In(s, "int")


def N(*s):  # noqa: N802
    return In(s, "nat")


def B(*s):  # noqa: N802
    return In(s, "bool")


def SPD(*s):  # noqa: N802
    return In(s, "spd")


@dataclass(frozen=True)
class Case:
    """One row: ``op`` (a registry name it covers) and ``call(m, *inputs)``.

    grad: differentiate the float inputs (each alone, then all together against torch).
    gradcheck: False at kinks (ties, exact zeros), where only torch's one-sided choice is the
        reference and central differences are not.
    ref: optional NumPy reference (float64 arrays -> array/tuple), used with or without torch.
    """

    op: str
    call: Callable
    inputs: tuple
    grad: bool = True
    gradcheck: bool = True
    ref: Callable | None = None
    name: str = ""
    rtol: float = 1e-7
    torch_grad: bool = True  # False where torch has no derivative (e.g. remainder's divisor)

    @property
    def id(self) -> str:
        return self.name or self.op


def arrays(case: Case, dtype=np.float64) -> list:
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    out = []
    for spec in case.inputs:
        a = spec.sample(rng) if isinstance(spec, In) else np.asarray(spec)
        out.append(a.astype(dtype) if a.dtype.kind == "f" else a)
    return out


def flat(out) -> list:
    """Outputs as a flat list (tuples and namedtuples opened, lists of tensors opened)."""
    if isinstance(out, (tuple, list)):
        return [o for item in out for o in flat(item)]
    return [out]


def to_numpy(x):
    if isinstance(x, dg.Tensor):
        return x.numpy()
    if torch is not None and isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def dtype_name(x) -> str:
    if isinstance(x, dg.Tensor):
        return x.dtype.name
    if torch is not None and isinstance(x, torch.Tensor):
        return str(x.dtype).replace("torch.", "")
    return type(x).__name__
