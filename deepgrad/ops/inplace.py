"""In-place ops (``x += y``, ``add_``, ``zero_``, ``copy_``, ``uniform_``...) with PyTorch's safety.

Every in-place op writes into the tensor's own array (views and aliases see the new values) and
increments its version counter, so backward refuses a graph whose saved arrays it changed.

- Under ``no_grad`` (or when nothing involved requires grad) the op computes the new values and
  writes them in place: this is the optimizer's and ``nn.init``'s path.
- On a leaf that requires grad while grad mode is on it raises PyTorch's error.
- On a tensor inside a recorded graph (or when ``other`` requires grad) the tensor becomes the
  output of a new node whose input is a copy of its old value, so gradients flow through the
  change exactly as in PyTorch; an op that saved the old array for its backward (``exp`` saves
  its output) sees the version move and raises at backward.
"""
from __future__ import annotations

import numpy

from ..autograd.function import Function
from ..autograd.grad_mode import STATE, no_grad
from ..autograd.tensor import Tensor, _as_array
from ..autograd.version import bump
from ..backend import get_array_module
from . import activation as A
from . import arithmetic as M
from ._util import as_tensor

_LEAF = ("a leaf Variable that requires grad is being used in an in-place operation. ({op} on a "
         "tensor of shape {shape}; wrap parameter updates in dg.no_grad(), or use an out-of-place "
         "op)")


def in_place(self: Tensor, op: str, compute, *others) -> Tensor:
    """Replace ``self``'s values by ``compute(self)`` in place and return ``self``.

    Args:
        self: the tensor changed in place.
        op: the op's name for error messages (``"add_"``).
        compute: maps a Tensor holding the old values to a Tensor of the new values (out of
            place, recorded when grad mode is on).
        others: the other tensor operands, to decide whether the change is recorded.
    """
    enabled = STATE.enabled
    if enabled and self.requires_grad and self._ctx is None:
        raise RuntimeError(_LEAF.format(op=op, shape=tuple(self.shape)))
    recording = enabled and (self.requires_grad or any(
        isinstance(o, Tensor) and o.requires_grad for o in others))
    if not recording:
        with no_grad():
            out = compute(self)
        _write(self, out._data, op)
        return self
    if self._ctx is not None and self._ctx.is_view:
        raise RuntimeError(
            f"{op}: in-place change of a view (shape {tuple(self.shape)}) of a tensor that is "
            f"part of the recorded graph is not supported; change the base tensor, or compute "
            f"the result out of place")
    # The node's input is a copy of the old value: the write below cannot corrupt it.
    old = Tensor._make(self._data.copy(), self.requires_grad, self._ctx, self._out_idx)
    out = compute(old)
    _write(self, out._data, op)
    self._ctx, self._out_idx, self.requires_grad = out._ctx, out._out_idx, out.requires_grad
    return self


def _write(self: Tensor, arr, op: str) -> None:
    """Store ``arr`` into ``self``'s memory and bump its version; PyTorch's shape/dtype rules."""
    d = self._data
    if tuple(arr.shape) != tuple(d.shape):
        raise RuntimeError(f"{op}: output with shape {list(d.shape)} doesn't match the broadcast "
                           f"shape {list(arr.shape)}")
    if arr.dtype != d.dtype and not numpy.can_cast(arr.dtype, d.dtype, "same_kind"):
        raise RuntimeError(f"{op}: result type {arr.dtype} can't be cast to the desired output "
                           f"type {d.dtype}")
    if isinstance(d, numpy.generic):  # a 0-d op output held as a NumPy scalar: immutable
        self._data = numpy.asarray(arr, dtype=d.dtype)
    else:
        d[...] = arr
    bump(self._vc)


class _Overwrite(Function):
    """The old value is replaced by a constant array: zero gradient to the old value."""

    def __init__(self, values):
        self.values = values

    def forward(self, x):
        return self.values

    def backward(self, gy):
        return get_array_module(gy).zeros_like(gy)


class _CopyFrom(Function):
    """``dst.copy_(src)``: the new value is ``src`` broadcast to ``dst``'s shape and dtype."""

    def forward(self, dst, src):
        self.src_dtype = src.dtype
        xp = get_array_module(dst)
        try:
            out = xp.broadcast_to(src, dst.shape)
        except ValueError:
            raise RuntimeError(f"copy_: the source of shape {list(src.shape)} can't be broadcast "
                               f"to the destination's shape {list(dst.shape)}") from None
        return out.astype(dst.dtype, copy=True)

    def backward(self, gy):
        xp = get_array_module(gy)
        g_src = gy.astype(self.src_dtype) if self.needs_input_grad[1] else None
        return xp.zeros_like(gy), g_src


def _constant(self: Tensor, values, op: str) -> Tensor:
    return in_place(self, op, lambda old: _Overwrite(values).apply(old))


def _scalar_or_tensor(self: Tensor, value):
    return value if isinstance(value, Tensor) else as_tensor(value, self)


# ---- the methods ----------------------------------------------------------------------------
def _binary(fn, name):
    def method(self, other, *, alpha=None):
        other = _scalar_or_tensor(self, other)
        if alpha is not None:  # add_(y, alpha=a): self + a * y
            other = M.mul(other, alpha)
        return in_place(self, name, lambda old: fn(old, other), other)

    method.__name__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: ``self = {fn.__name__}(self, other)``."
    return method


def _augmented(fn, name):
    def method(self, other):
        other = _scalar_or_tensor(self, other)
        return in_place(self, name, lambda old: fn(old, other), other)

    method.__name__ = name
    return method


def _unary(fn, name):
    def method(self):
        return in_place(self, name, fn)

    method.__name__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
    """Clip values to ``[min, max]`` in place."""
    return in_place(self, "clamp_", lambda old: M.clamp(old, min, max))


def copy_(self, src, non_blocking: bool = False):
    """Copy ``src`` (broadcast, cast to this dtype) into this tensor; gradients flow to ``src``."""
    src = src if isinstance(src, Tensor) else Tensor._make(_as_array(src), False, None, 0)
    return in_place(self, "copy_", lambda old: _CopyFrom().apply(old, src), src)


def fill_(self, value):
    """Set every element to ``value`` (a number or a one-element tensor)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"fill_: only supports a 0-dimension value tensor, got shape "
                               f"{tuple(value.shape)}")
        value = value.item()
    xp = get_array_module(self._data)
    return _constant(self, xp.full(self._data.shape, value, dtype=self._data.dtype), "fill_")


def zero_(self):
    """Set every element to zero."""
    xp = get_array_module(self._data)
    return _constant(self, xp.zeros(self._data.shape, dtype=self._data.dtype), "zero_")


def _random_fill(self, draw, op: str):
    from ..random import generator

    host = draw(generator()).astype(self._data.dtype, copy=False)
    return _constant(self, get_array_module(self._data).asarray(host), op)


def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None):
    """Fill with values drawn uniformly from ``[a, b)`` (the global generator by default)."""
    shape = self._data.shape
    return _random_fill(self, lambda g: (generator or g).uniform(a, b, size=shape), "uniform_")


def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None):
    """Fill with values drawn from N(mean, std^2) (the global generator by default)."""
    shape = self._data.shape
    return _random_fill(self, lambda g: (generator or g).normal(mean, std, size=shape), "normal_")


METHODS = {
    "add_": _binary(M.add, "add_"), "sub_": _binary(M.sub, "sub_"),
    "mul_": _augmented(M.mul, "mul_"), "div_": _augmented(M.div, "div_"),
    "pow_": _augmented(M.pow, "pow_"),
    "__iadd__": _augmented(M.add, "__iadd__"), "__isub__": _augmented(M.sub, "__isub__"),
    "__imul__": _augmented(M.mul, "__imul__"), "__itruediv__": _augmented(M.div, "__itruediv__"),
    "__ipow__": _augmented(M.pow, "__ipow__"),
    "neg_": _unary(M.neg, "neg_"), "exp_": _unary(M.exp, "exp_"), "log_": _unary(M.log, "log_"),
    "sqrt_": _unary(M.sqrt, "sqrt_"), "abs_": _unary(M.abs, "abs_"),
    "relu_": _unary(A.relu, "relu_"), "sigmoid_": _unary(A.sigmoid, "sigmoid_"),
    "tanh_": _unary(A.tanh, "tanh_"),
    "clamp_": clamp_, "clip_": clamp_, "copy_": copy_, "fill_": fill_, "zero_": zero_,
    "uniform_": uniform_, "normal_": normal_,
}


def attach() -> None:
    """Install the in-place methods on Tensor (idempotent)."""
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
