"""Op-table rows: products and ``dg.linalg`` (decompositions compared through quantities that do
not depend on the sign of singular vectors or eigenvectors)."""
from __future__ import annotations

from op_cases import SPD, A, Case, I


def _sym(a):
    return a + a.mT


def _spd(m, a):
    return a @ a.mT + 3 * m.eye(a.shape[-1], dtype=a.dtype)


def _svd_invariants(m, a):
    U, S, Vh = m.linalg.svd(a, full_matrices=False)
    return S, U @ (S.unsqueeze(-1) * Vh), U * U, Vh * Vh


def _eigh_invariants(m, a):
    w, v = m.linalg.eigh(_sym(a))
    return w, v * v, (v * w.unsqueeze(-2)) @ v.mT


def _qr_invariants(m, a):
    q, r = m.linalg.qr(a)
    return q @ r, r.abs(), q.abs()


CASES = [
    Case("matmul", lambda m, a, b: (a @ b, m.matmul(a, b)), (A(2, 3, 4), A(4, 5))),
    Case("matmul", lambda m, a, b: a @ b, (A(4), A(2, 4, 3)), name="matmul_vec_batched"),
    Case("mm", lambda m, a, b: (m.mm(a, b), a.mm(b)), (A(3, 4), A(4, 2))),
    Case("bmm", lambda m, a, b: m.bmm(a, b), (A(2, 3, 4), A(2, 4, 2))),
    Case("mv", lambda m, a, v: a.mv(v), (A(3, 4), A(4))),
    Case("dot", lambda m, a, b: (m.dot(a, b), a.dot(b)), (A(4), A(4))),
    Case("vdot", lambda m, a, b: m.vdot(a, b), (A(4), A(4))),
    Case("inner", lambda m, a, b: (m.inner(a, b), a.inner(b[0])), (A(2, 4), A(3, 4))),
    Case("outer", lambda m, a, b: (m.outer(a, b), a.ger(b)), (A(3), A(4))),
    Case("addmm", lambda m, c, a, b: (m.addmm(c, a, b), c.addmm(a, b, beta=0.5, alpha=2.0)),
         (A(3, 2), A(3, 4), A(4, 2))),
    Case("addmv", lambda m, c, a, v: m.addmv(c, a, v, alpha=-1.5), (A(3), A(3, 4), A(4))),
    Case("baddbmm", lambda m, c, a, b: (m.baddbmm(c, a, b), c.baddbmm(a, b, beta=0.5)),
         (A(2, 3, 2), A(2, 3, 4), A(2, 4, 2))),
    Case("baddbmm", lambda m, c, a, b: c.baddbmm(a, b, beta=0.0, alpha=2.0),
         (A(2, 3, 2), A(2, 3, 4), A(2, 4, 2)), grad=False, name="baddbmm_beta0"),
    Case("addbmm", lambda m, c, a, b: m.addbmm(c, a, b, alpha=0.5), (A(3, 2), A(2, 3, 4),
                                                                      A(2, 4, 2))),
    Case("einsum", lambda m, a, b: (m.einsum("bij,bjk->bik", a, b), m.einsum("bij,bjk", [a, b]),
                                    m.einsum("...ij,...jk->...ik", a, b)),
         (A(2, 3, 4), A(2, 4, 2))),
    Case("einsum", lambda m, a: (m.einsum("ii->i", a), m.einsum("ii", a), m.einsum("ij->", a),
                                 m.einsum("ij->ji", a)), (A(3, 3),), name="einsum_diagonal"),
    Case("einsum", lambda m, a, b: (m.einsum("i,j->ij", a, b), m.einsum("ik,j->j", a[:, None] *
                                                                        a[None, :2], b)),
         (A(3), A(4)), name="einsum_outer_and_summed_only_once"),
    Case("tensordot", lambda m, a, b: (m.tensordot(a, b), m.tensordot(a, b, ([1, 2], [0, 1]))),
         (A(2, 3, 4), A(3, 4, 5))),
    Case("tensordot", lambda m, a, b: m.tensordot(a, b, dims=([0], [2])), (A(5, 3), A(2, 4, 5)),
         name="tensordot_pairs"),
    Case("kron", lambda m, a, b: (m.kron(a, b), a.kron(b[0])), (A(2, 3), A(2, 2))),
    # ---- dg.linalg ----------------------------------------------------------------------------
    Case("linalg.inv", lambda m, a: m.linalg.inv(a), (SPD(2, 3, 3),)),
    Case("inverse", lambda m, a: (m.inverse(a), a.inverse()), (SPD(3, 3),)),
    Case("linalg.det", lambda m, a: m.linalg.det(a), (A(2, 3, 3),)),
    Case("det", lambda m, a: (m.det(a), a.det()), (A(3, 3),)),
    Case("linalg.slogdet", lambda m, a: tuple(m.linalg.slogdet(a)), (A(2, 3, 3),)),
    Case("slogdet", lambda m, a: tuple(a.slogdet()), (A(3, 3),)),
    Case("logdet", lambda m, a: (m.logdet(a), a.logdet()), (SPD(3, 3),)),
    Case("linalg.solve", lambda m, a, b: (m.linalg.solve(a, b), m.linalg.solve(a, b[..., 0])),
         (SPD(2, 3, 3), A(2, 3, 2))),
    Case("linalg.solve", lambda m, a, b: m.linalg.solve(a, b), (SPD(3, 3), A(3)),
         name="linalg_solve_vector"),
    Case("linalg.cholesky", lambda m, a: (m.linalg.cholesky(_spd(m, a)),
                                          m.linalg.cholesky(_spd(m, a), upper=True)), (A(3, 3),)),
    Case("cholesky", lambda m, a: a.cholesky(), (SPD(3, 3),), grad=False),
    Case("linalg.qr", _qr_invariants, (A(4, 3),)),
    Case("qr", lambda m, a: tuple(x.abs() for x in a.qr()), (A(4, 3),), grad=False),
    Case("linalg.svd", _svd_invariants, (A(4, 3),)),
    Case("linalg.svd", _svd_invariants, (A(2, 3, 5),), name="linalg_svd_wide_batched"),
    Case("svd", lambda m, a: (lambda r: (r.S, r.U @ (r.S.unsqueeze(-1) * r.V.mT)))(a.svd()),
         (A(4, 3),)),
    Case("linalg.svdvals", lambda m, a: m.linalg.svdvals(a), (A(3, 4),)),
    Case("linalg.eigh", _eigh_invariants, (A(2, 3, 3),)),
    Case("linalg.eigvalsh", lambda m, a: m.linalg.eigvalsh(_sym(a)), (A(4, 4),)),
    Case("linalg.pinv", lambda m, a: m.linalg.pinv(a), (A(4, 3),)),
    Case("linalg.pinv", lambda m, a: m.linalg.pinv(a), (A(2, 5),), name="linalg_pinv_wide"),
    Case("pinverse", lambda m, a: a.pinverse(), (A(3, 4),)),
    Case("linalg.matrix_power", lambda m, a: (m.linalg.matrix_power(a, 3),
                                              m.linalg.matrix_power(a, 0),
                                              m.linalg.matrix_power(a, -2)), (SPD(3, 3),)),
    Case("matrix_power", lambda m, a: a.matrix_power(2), (A(2, 3, 3),)),
    Case("matrix_power", lambda m, a: a.matrix_power(3), (I(3, 3),), grad=False,
         name="matrix_power_int"),
    Case("linalg.vector_norm", lambda m, a: (m.linalg.vector_norm(a), m.linalg.vector_norm(
        a, 1, 1), m.linalg.vector_norm(a, 3.0, (0, 1), keepdim=True), m.linalg.vector_norm(
        a, float("inf"), 0), m.linalg.vector_norm(a, -1.5)), (A(3, 4),)),
    Case("linalg.vector_norm", lambda m, a: m.linalg.vector_norm(a * (a > 0), 2, 1), (A(3, 4),),
         gradcheck=False, name="vector_norm_zero_rows"),
    Case("linalg.matrix_norm", lambda m, a: tuple(m.linalg.matrix_norm(a, o) for o in (
        "fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf"))), (A(2, 3, 4),)),
    Case("linalg.norm", lambda m, a: (m.linalg.norm(a), m.linalg.norm(a, dim=1), m.linalg.norm(
        a, 1), m.linalg.norm(a, "fro", (0, 1), keepdim=True), m.linalg.norm(a[0], 3)),
         (A(3, 4),)),
]

CASES += [
    Case("linalg.solve_triangular", lambda m, a, b: (
        m.linalg.solve_triangular(a, b, upper=True),
        m.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
        m.linalg.solve_triangular(a, b.mT, upper=True, left=False)), (SPD(3, 3), A(3, 2))),
    Case("linalg.lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, (A(5, 3), A(5, 2))),
    Case("linalg.lstsq", lambda m, a, b: tuple(m.linalg.lstsq(a, b)), (A(5, 3), A(5, 2)),
         grad=False, name="linalg_lstsq_all_outputs"),
    Case("linalg.lstsq", lambda m, a, b: tuple(m.linalg.lstsq(a, b, driver="gelsd")),
         (A(5, 3), A(5, 2)), name="linalg_lstsq_gelsd"),
    Case("linalg.matrix_rank", lambda m, a: (m.linalg.matrix_rank(a), m.linalg.matrix_rank(
        a[:, :1] * a[:1, :])), (A(4, 3),), grad=False),
    Case("linalg.multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]),
         (A(3), A(3, 4), A(4, 2))),
    Case("linalg.vecdot", lambda m, a, b: m.linalg.vecdot(a, b), (A(3, 4), A(4))),
    Case("linalg.matrix_exp", lambda m, a: m.linalg.matrix_exp(a), (A(2, 3, 3),)),
    Case("linalg.matrix_exp", lambda m, a: m.linalg.matrix_exp(a * 3), (A(3, 3),),
         name="matrix_exp_large_norm"),
    Case("matrix_exp", lambda m, a: (m.matrix_exp(a), a.matrix_exp()), (A(3, 3),)),
]
