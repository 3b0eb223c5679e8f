"""``dg.linalg``: inv, det, slogdet, solve, cholesky, qr, svd, svdvals, eigh, eigvalsh, pinv,
matrix_power, with PyTorch's gradients (batched over leading dims)."""
from __future__ import annotations

from collections import namedtuple

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input
from .registry import register

SignLogAbsDet = namedtuple("slogdet", ["sign", "logabsdet"])
QR = namedtuple("qr", ["Q", "R"])
SVD = namedtuple("svd", ["U", "S", "Vh"])
Eigh = namedtuple("eigh", ["eigenvalues", "eigenvectors"])


def _mt(a):
    return a.swapaxes(-1, -2)


def _square(op, x: Tensor) -> Tensor:
    x = float_input(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.{op}: A must be batches of square matrices, but they are "
                           f"{tuple(x.shape[-2:]) if x.ndim >= 2 else tuple(x.shape)} matrices")
    return x


def _lapack(op, fn, *arrays):
    xp = get_array_module(*arrays)
    try:
        return fn(*arrays)
    except xp.linalg.LinAlgError as e:
        raise RuntimeError(f"linalg.{op}: {e}") from None


class Inv(Function):
    def forward(self, a):
        self.y = _lapack("inv", get_array_module(a).linalg.inv, a)
        return self.y

    def backward(self, gy):
        y = self.y  # d(A^-1) = -A^-1 dA A^-1
        return -(_mt(y) @ gy @ _mt(y))


@register("linalg", name="linalg.inv", function=False, method=False)
def inv(A) -> Tensor:
    """Inverse of square matrices (..., n, n); RuntimeError if singular."""
    return Inv().apply(_square("inv", as_tensor(A)))


class Det(Function):
    def forward(self, a):
        xp = get_array_module(a)
        self.a = a
        self.y = xp.asarray(xp.linalg.det(a))
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)  # d det = det tr(A^-1 dA)
        inv_t = _mt(_lapack("det", xp.linalg.inv, self.a))
        return (gy * self.y)[..., None, None] * inv_t


@register("linalg", name="linalg.det", function=False, method=False)
def det(A) -> Tensor:
    """Determinant of square matrices (..., n, n) -> (...)."""
    return Det().apply(_square("det", as_tensor(A)))


class SlogDet(Function):
    n_out = 2

    def forward(self, a):
        xp = get_array_module(a)
        self.a = a
        sign, logabs = xp.linalg.slogdet(a)
        return xp.asarray(sign), xp.asarray(logabs)

    def backward(self, gsign, glog):  # the sign is piecewise constant: no gradient from it
        xp = get_array_module(glog)
        return glog[..., None, None] * _mt(_lapack("slogdet", xp.linalg.inv, self.a))


@register("linalg", name="linalg.slogdet", function=False, method=False)
def slogdet(A):
    """``(sign, log|det|)`` of square matrices; the gradient flows through log|det| (the
    sign's is zero)."""
    return SignLogAbsDet(*SlogDet().apply(_square("slogdet", as_tensor(A))))


class Solve(Function):
    """X with A X = B; gB = A^-T gX, gA = -gB X^T."""

    def __init__(self, vector):
        self.vector = vector

    def forward(self, a, b):
        xp = get_array_module(a)
        self.a = a
        bb = b[..., None] if self.vector else b
        self.x = _lapack("solve", xp.linalg.solve, a, bb)
        return self.x[..., 0] if self.vector else self.x

    def backward(self, gx):
        xp = get_array_module(gx)
        g = gx[..., None] if self.vector else gx
        a_t = xp.broadcast_to(_mt(self.a), g.shape[:-2] + self.a.shape[-2:])
        gb = xp.linalg.solve(a_t, g)
        ga = -gb @ _mt(self.x) if self.needs_input_grad[0] else None
        return ga, (gb[..., 0] if self.vector else gb)


@register("linalg", name="linalg.solve", function=False, method=False)
def solve(A, B, *, left: bool = True) -> Tensor:
    """The solution X of ``A X = B`` (B a vector (n,) or matrices (..., n, k))."""
    from ._util import promote

    A, B = promote(float_input(A), float_input(B))
    A = _square("solve", A)
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if B.shape[-2 if not vector else -1] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: incompatible shapes of A {tuple(A.shape)} and B "
                           f"{tuple(B.shape)}")
    return Solve(vector).apply(A, B)


class Cholesky(Function):
    def forward(self, a):
        self.L = _lapack("cholesky", get_array_module(a).linalg.cholesky, a)
        return self.L

    def backward(self, gL):
        # PyTorch's rule: gA = L^-H Phi(L^H gL) L^-1 with Phi symmetrizing the lower triangle.
        xp = get_array_module(gL)
        L = self.L
        g = xp.tril(_mt(L) @ gL)
        g = 0.5 * (g + _mt(xp.tril(g, -1)))
        Linv = xp.linalg.inv(L)
        return _mt(Linv) @ g @ Linv


@register("linalg", name="linalg.cholesky", function=False, method=False)
def cholesky(A, *, upper: bool = False) -> Tensor:
    """Lower factor L of symmetric positive-definite A = L L^T (``upper``: L^T)."""
    L = Cholesky().apply(_square("cholesky", as_tensor(A)))
    return L.mT if upper else L


class QRF(Function):
    n_out = 2

    def __init__(self, mode):
        self.mode = mode

    def forward(self, a):
        xp = get_array_module(a)
        self.q, self.r = xp.linalg.qr(a, mode=self.mode)
        return self.q, self.r

    def backward(self, gq, gr):
        # gA = (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q (square or tall A, mode reduced).
        xp = get_array_module(gq)
        q, r = self.q, self.r
        if q.shape[-1] != r.shape[-1] or q.shape[-2] < q.shape[-1]:
            raise RuntimeError("linalg.qr: the derivative is implemented for mode='reduced' "
                               "with rows >= columns only")
        m = r @ _mt(gr) - _mt(gq) @ q
        copyltu = xp.tril(m) + _mt(xp.tril(m, -1))
        b = gq + q @ copyltu
        return _mt(xp.linalg.solve(r, _mt(b)))


@register("linalg", name="linalg.qr", function=False, method=False)
def qr(A, mode: str = "reduced"):
    """``(Q, R)`` with A = Q R, Q orthonormal columns, R upper triangular."""
    if mode not in ("reduced", "complete"):
        raise RuntimeError(f"linalg.qr: mode must be 'reduced' or 'complete', got {mode!r}")
    return QR(*QRF(mode).apply(float_input(A)))


class SVDF(Function):
    n_out = 3

    def __init__(self, full_matrices):
        self.full = full_matrices

    def forward(self, a):
        xp = get_array_module(a)
        self.u, self.s, self.vh = _lapack("svd", xp.linalg.svd, a, self.full)
        return self.u, self.s, self.vh

    def backward(self, gu, gs, gvh):
        # PyTorch's svd_backward (real): with E_jk = s_k^2 - s_j^2,
        # gA = U [skew(U^T gU)/E S + S skew(V^T gV)/E + diag(gS)] V^T
        #      + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T).
        xp = get_array_module(gs)
        if self.full and self.u.shape[-1] != self.vh.shape[-2]:
            raise RuntimeError("linalg.svd: use full_matrices=False to differentiate")
        u, s, vh = self.u, self.s, self.vh
        v, gv = _mt(vh), _mt(gvh)
        k = s.shape[-1]
        e = s[..., None, :] ** 2 - s[..., :, None] ** 2
        eye = xp.eye(k, dtype=bool)
        e = xp.where(eye, 1, e)
        j = u.swapaxes(-1, -2) @ gu
        j = (j - _mt(j)) / e
        kk = _mt(v) @ gv
        kk = (kk - _mt(kk)) / e
        inner = j * s[..., None, :] + s[..., :, None] * kk
        inner = inner + xp.where(eye, gs[..., None, :], 0)
        ga = u @ inner @ vh
        m, n = u.shape[-2], v.shape[-2]
        if m > k:
            ga = ga + (gu - u @ (_mt(u) @ gu)) / s[..., None, :] @ vh
        if n > k:
            ga = ga + (u / s[..., None, :]) @ (_mt(gv) - (_mt(gv) @ v) @ vh)
        return ga


@register("linalg", name="linalg.svd", function=False, method=False)
def svd(A, full_matrices: bool = True):
    """``(U, S, Vh)`` with A = U diag(S) Vh (S descending); differentiable with
    ``full_matrices=False`` for losses that do not depend on the singular vectors' signs."""
    return SVD(*SVDF(full_matrices).apply(float_input(A)))


@register("linalg", name="linalg.svdvals", function=False, method=False)
def svdvals(A) -> Tensor:
    """The singular values, descending."""
    return svd(A, full_matrices=False).S


class EighF(Function):
    n_out = 2

    def __init__(self, uplo):
        self.uplo = uplo

    def forward(self, a):
        xp = get_array_module(a)
        self.w, self.v = _lapack("eigh", xp.linalg.eigh, a, self.uplo)
        return self.w, self.v

    def backward(self, gw, gv):
        # gA = V (diag(gw) + (V^T gV) / E) V^T, E_ij = w_j - w_i off the diagonal.
        xp = get_array_module(gw)
        w, v = self.w, self.v
        e = w[..., None, :] - w[..., :, None]
        eye = xp.eye(w.shape[-1], dtype=bool)
        inner = xp.where(eye, 0, (_mt(v) @ gv) / xp.where(eye, 1, e))
        inner = inner + xp.where(eye, gw[..., None, :], 0)
        return v @ inner @ _mt(v)


@register("linalg", name="linalg.eigh", function=False, method=False)
def eigh(A, UPLO: str = "L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric A (reads the ``UPLO``
    triangle)."""
    return Eigh(*EighF(UPLO).apply(_square("eigh", as_tensor(A))))


@register("linalg", name="linalg.eigvalsh", function=False, method=False)
def eigvalsh(A, UPLO: str = "L") -> Tensor:
    """Eigenvalues of symmetric A, ascending."""
    return eigh(A, UPLO).eigenvalues
