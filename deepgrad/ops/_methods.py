"""Tensor's operators and methods, attached here so that ops depend on autograd one way only."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from . import arithmetic as M
from . import linalg as L
from . import registry
from . import shape as S
from ._util import as_tensor


def _reflected(fn):
    def method(self, other):
        return fn(as_tensor(other, self), self)

    return method


def _transpose_all(self):
    return S.permute(self, tuple(reversed(range(self.ndim))))


_METHODS = {
    "__add__": M.add, "__radd__": _reflected(M.add),
    "__sub__": M.sub, "__rsub__": _reflected(M.sub),
    "__mul__": M.mul, "__rmul__": _reflected(M.mul),
    "__truediv__": M.div, "__rtruediv__": _reflected(M.div),
    "__pow__": M.pow, "__rpow__": _reflected(M.pow),
    "__matmul__": L.matmul, "__rmatmul__": _reflected(L.matmul),
    "__neg__": M.neg, "__abs__": M.abs,
    "__getitem__": S.getitem,
}  # named methods and comparison operators come from the op registry (ops/registry.py)


def attach() -> None:
    """Install the operator methods and every registered op's method on Tensor (idempotent)."""
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    registry.install(Tensor)
    Tensor.T = property(_transpose_all)
    Tensor.mT = property(lambda self: S.transpose(self, -2, -1))
    Tensor.__hash__ = lambda self: id(self)
