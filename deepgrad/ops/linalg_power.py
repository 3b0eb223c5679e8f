"""``linalg.pinv`` (with the Golub-Pereyra gradient) and ``linalg.matrix_power``."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input
from .linalg import matmul
from .linalg_decomp import _mt, inv
from .registry import register


class Pinv(Function):
    def __init__(self, rtol, hermitian):
        self.rtol, self.hermitian = rtol, hermitian

    def forward(self, a):
        xp = get_array_module(a)
        kw = {} if self.rtol is None else {"rcond": self.rtol}
        self.a = a
        self.p = xp.linalg.pinv(a, hermitian=self.hermitian, **kw)
        return self.p

    def backward(self, g):
        # Golub & Pereyra's derivative of P = A^+, transposed:
        # gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A).
        a, p = self.a, self.p
        pt = _mt(p)
        term1 = -pt @ g @ pt
        term2 = (_mt(g) - (a @ (p @ _mt(g)))) @ (p @ pt)
        term3 = (pt @ p) @ (_mt(g) - (_mt(g) @ p) @ a)
        return term1 + term2 + term3


@register("linalg", name="linalg.pinv", function=False, method=False)
def pinv(A, *, rtol=None, hermitian: bool = False) -> Tensor:
    """Moore-Penrose pseudo-inverse (via SVD); the gradient assumes constant rank."""
    return Pinv(rtol, hermitian).apply(float_input(A))


@register("linalg", name="linalg.matrix_power", function=False, method=False)
def matrix_power(A, n: int) -> Tensor:
    """``A^n`` by repeated squaring; n < 0 uses the inverse; n = 0 the identity."""
    x = as_tensor(A)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: expected square matrices, got shape "
                           f"{tuple(x.shape)}")
    if n < 0:
        x, n = inv(x), -n
    if n == 0:  # the identity, still attached to A's graph (zero gradient) as in PyTorch
        xp = get_array_module(x._data)
        return x * 0 + Tensor._make(xp.eye(x.shape[-1], dtype=x.dtype), False, None, 0)
    result, base = None, x
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result
