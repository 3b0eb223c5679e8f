"""Matrix products: matmul (batched, broadcasting) and the fused affine map ``linear``."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, pair


class MatMul(Function):
    """``a @ b`` with NumPy's rules: 1-D operands are promoted, batch dims broadcast."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise OpError(f"matmul: both operands need at least 1 dim, got shapes "
                             f"{a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise OpError(f"matmul: shapes {a.shape} and {b.shape} do not align "
                             f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]})")
        self.a, self.b = a, b
        try:
            return a @ b
        except ValueError:  # the matrix dims agree, so the batch dims do not broadcast
            raise OpError(f"matmul: batch dims of shapes {a.shape} and {b.shape} cannot be "
                             f"broadcast together") from None

    def backward(self, gy):
        a, b = self.a, self.b
        if a.ndim == 1 and b.ndim == 1:  # a dot product: gy is 0-d (possibly a NumPy scalar)
            n = self.needs_input_grad
            return (gy * b if n[0] else None), (gy * a if n[1] else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            gy = gy[..., None, :]
        if b.ndim == 1:
            gy = gy[..., None]
        ga = gb = None  # batch dims that broadcasting added are summed away by the engine
        if self.needs_input_grad[0]:
            ga = gy @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if self.needs_input_grad[1]:
            gb = a2.swapaxes(-1, -2) @ gy
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb


class Linear(Function):
    """``y = x W^T + b`` in one node: x (..., in), W (out, in), b (out,) -> y (..., out)."""

    def forward(self, x, w, b=None):
        if x.shape[-1] != w.shape[1]:
            raise OpError(f"linear: input shape {x.shape} does not match weight shape "
                             f"{w.shape} (expected last input dim {w.shape[1]})")
        self.x, self.w = x, w
        # (..., in) inputs as one (rows, in) GEMM: NumPy runs a 3-D ``x @ w.T`` as one GEMM per
        # leading index, 2x slower for a language model's (35, 20, 200) @ (200, 10000) decoder.
        y = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(x.shape[:-1] + (w.shape[0],)) \
            if x.ndim > 2 else x @ w.T
        if b is not None:
            try:
                y += b
            except ValueError:
                raise OpError(f"linear: bias shape {b.shape} does not match weight shape "
                                 f"{w.shape} (expected ({w.shape[0]},))") from None
        return y

    def backward(self, gy):
        n = self.needs_input_grad
        x, w = self.x, self.w
        gx = None
        if n[0]:
            gx = (gy.reshape(-1, gy.shape[-1]) @ w).reshape(gy.shape[:-1] + (w.shape[1],)) \
                if gy.ndim > 2 else gy @ w
        gw = gb = None
        if n[1] or (len(n) > 2 and n[2]):
            g2 = gy.reshape(-1, gy.shape[-1])
            if n[1]:
                gw = g2.T @ x.reshape(-1, x.shape[-1])
            if len(n) > 2 and n[2]:
                # A ones-vector GEMV beats g2.sum(axis=0) on tall matrices (12x, measured here).
                gb = get_array_module(g2).ones(g2.shape[0], g2.dtype) @ g2
        return (gx, gw, gb) if len(n) > 2 else (gx, gw)


def matmul(a, b) -> Tensor:
    """Matrix product ``a @ b`` (batched; 1-D operands as in NumPy)."""
    return MatMul().apply(*pair(a, b))


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Affine map ``x W^T + b``. Shapes: x (..., in), weight (out, in), bias (out,)."""
    if weight.ndim != 2:
        raise OpError(f"linear: weight must be 2-D (out, in), got shape {weight.shape}")
    if bias is None:
        return Linear().apply(x, weight)
    return Linear().apply(x, weight, bias)
