"""Tensor's operators and methods, attached here so that ops depend on autograd one way only."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from . import activation as A
from . import arithmetic as M
from . import linalg as L
from . import reduce as R
from . import shape as S
from ._util import as_tensor


def _compare(op):
    def method(self, other):
        o = other.data if isinstance(other, Tensor) else other
        return Tensor._make(op(self.data, o), False, None, 0)

    return method


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
    "__matmul__": L.matmul, "__rmatmul__": _reflected(L.matmul), "matmul": L.matmul,
    "__neg__": M.neg, "__abs__": M.abs,
    "__getitem__": S.getitem,
    "__lt__": _compare(lambda a, b: a < b), "__le__": _compare(lambda a, b: a <= b),
    "__gt__": _compare(lambda a, b: a > b), "__ge__": _compare(lambda a, b: a >= b),
    "__eq__": _compare(lambda a, b: a == b), "__ne__": _compare(lambda a, b: a != b),
    "add": M.add, "sub": M.sub, "mul": M.mul, "div": M.div, "pow": M.pow, "neg": M.neg,
    "exp": M.exp, "log": M.log, "sqrt": M.sqrt, "abs": M.abs, "clamp": M.clamp, "clip": M.clamp,
    "maximum": M.maximum, "minimum": M.minimum,
    "sum": R.sum, "mean": R.mean, "var": R.var, "std": R.std, "max": R.max, "min": R.min,
    "amax": R.amax, "argmax": R.argmax, "argmin": R.argmin,
    "reshape": S.reshape, "view": S.reshape, "permute": S.permute, "transpose": S.transpose,
    "t": S.t, "squeeze": S.squeeze, "unsqueeze": S.unsqueeze, "flatten": S.flatten,
    "expand": S.expand, "broadcast_to": S.broadcast_to, "split": S.split, "chunk": S.chunk,
    "sigmoid": A.sigmoid, "tanh": A.tanh, "relu": A.relu, "softmax": A.softmax,
    "log_softmax": A.log_softmax, "sign": A.sign,
}


def attach() -> None:
    """Install the operator methods on Tensor (idempotent)."""
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(_transpose_all)
    Tensor.mT = property(lambda self: S.transpose(self, -2, -1))
    Tensor.__hash__ = lambda self: id(self)
