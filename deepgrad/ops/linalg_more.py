"""More of ``dg.linalg``: solve_triangular, lstsq, matrix_rank, multi_dot, vecdot, matrix_exp."""
from __future__ import annotations

import math
from collections import namedtuple

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input, promote
from .linalg import matmul
from .linalg_decomp import _mt, solve, svdvals
from .linalg_power import pinv
from .registry import register
from .shape_diag import tril, triu

Lstsq = namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


@register("linalg", name="linalg.solve_triangular", function=False, method=False)
def solve_triangular(A, B, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with ``T X = B`` (``X T = B`` when not ``left``) for T the upper or lower triangle of
    A (unit diagonal if ``unitriangular``); only that triangle is read and gets gradient."""
    A, B = promote(float_input(A), float_input(B))
    if unitriangular:
        xp = get_array_module(A._data)
        T = (triu(A, 1) if upper else tril(A, -1)) + _const(xp.eye(A.shape[-1], dtype=A.dtype))
    else:
        T = triu(A) if upper else tril(A)
    return solve(T, B, left=left)


@register("linalg", name="linalg.lstsq", function=False, method=False)
def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` (minimum norm when rank-deficient), via the
    pseudo-inverse, so it is differentiable. As PyTorch's drivers: ``rank`` for all but
    'gels'; ``residuals`` (squared residual norms) for tall full-rank A with a driver other
    than 'gelsy' (the default); ``singular_values`` for 'gelsd' and 'gelss'; else empty."""
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"linalg.lstsq: parameter `driver` should be one of (gels, gelsy, "
                           f"gelsd, gelss), got {driver!r}")
    A, B = promote(float_input(A), float_input(B))
    vector = B.ndim == A.ndim - 1
    X = matmul(pinv(A, rtol=rcond), B.unsqueeze(-1) if vector else B)
    s = svdvals(A.detach())
    xp = get_array_module(s._data)
    empty = _const(xp.zeros((0,), A.dtype))
    tol = (rcond if rcond is not None else xp.finfo(s.dtype).eps * max(A.shape[-2:])) * \
        s._data[..., :1]
    rank = (s._data > tol).sum(-1)
    m, n = A.shape[-2:]
    residuals = empty
    if m > n and (rank == n).all() and driver != "gelsy":
        r = matmul(A, X) - (B.unsqueeze(-1) if vector else B)
        residuals = (r * r).sum(-2)
    if vector:
        X = X.squeeze(-1)
    rank_t = empty.long() if driver == "gels" else _const(rank.astype("int64"))
    return Lstsq(X, residuals, rank_t, s if driver in ("gelsd", "gelss") else empty)


@register("linalg", name="linalg.matrix_rank", function=False, method=False,
          differentiable=False)
def matrix_rank(A, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """Number of singular values above ``max(atol, rtol * largest)`` (rtol defaults to
    eps * max(m, n) when neither is given)."""
    x = float_input(A).detach()
    s = svdvals(x)._data
    xp = get_array_module(s)
    if rtol is None:
        rtol = 0.0 if atol is not None else xp.finfo(s.dtype).eps * max(x.shape[-2:])
    tol = xp.maximum(atol or 0.0, rtol * s[..., :1])
    return _const((s > tol).sum(-1).astype("int64"))


@register("linalg", name="linalg.multi_dot", function=False, method=False)
def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices (the first and last may be vectors)."""
    ts = [as_tensor(t) for t in tensors]
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors, got {len(ts)}")
    out = ts[0]
    for t in ts[1:]:
        out = matmul(out, t)
    return out


@register("linalg", name="linalg.vecdot", function=False, method=False)
def vecdot(x, y, *, dim: int = -1) -> Tensor:
    """Dot products of vectors along ``dim`` (broadcasting the rest)."""
    return (x * y).sum(dim)


def _expm(xp, a):
    """exp(a) by scaling and squaring with a degree-18 Taylor polynomial (float64 inside)."""
    a64 = a.astype("float64")
    norm = float(xp.abs(a64).sum(-2).max()) if a64.size else 0.0
    s = max(0, int(math.ceil(math.log2(norm))) + 1) if norm > 0.5 else 0
    a64 = a64 / 2.0 ** s
    eye = xp.broadcast_to(xp.eye(a.shape[-1]), a64.shape)
    term, total = eye, eye.copy()
    for k in range(1, 19):
        term = term @ a64 / k
        total = total + term
    for _ in range(s):
        total = total @ total
    return total.astype(a.dtype)


class MatrixExp(Function):
    """exp(A); its gradient is the upper-right block of exp([[A^T, G], [0, A^T]])."""

    def forward(self, a):
        self.a = a
        return _expm(get_array_module(a), a)

    def backward(self, gy):
        xp = get_array_module(gy)
        n = self.a.shape[-1]
        at = _mt(self.a)
        big = xp.zeros(self.a.shape[:-2] + (2 * n, 2 * n), gy.dtype)
        big[..., :n, :n] = at
        big[..., n:, n:] = at
        big[..., :n, n:] = gy
        return _expm(xp, big)[..., :n, n:]


@register("linalg", name="linalg.matrix_exp", function=False, method=False)
def matrix_exp(A) -> Tensor:
    """The matrix exponential ``sum_k A^k / k!`` of square matrices (..., n, n)."""
    x = float_input(A)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.matrix_exp: expected square matrices, got shape "
                           f"{tuple(x.shape)}")
    return MatrixExp().apply(x)


@register("linalg", name="matrix_exp")
def matrix_exp_top(input) -> Tensor:  # noqa: A002
    """``linalg.matrix_exp`` (the top-level and method spelling)."""
    return matrix_exp(input)
