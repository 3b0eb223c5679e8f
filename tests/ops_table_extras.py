"""Op-table rows: the composites of ops/extras.py and the in-place indexing methods."""
from __future__ import annotations

import numpy as np
from op_cases import A, Case, I, In, N, P, T

SEL = np.array([2, 0])
MASK = np.array([[True, False, True, False], [False, False, True, True], [True] * 4])


def _in_place(name, *args):
    def call(m, x, *rest):
        y = x * 1  # a non-leaf, so that the in-place op is recorded
        out = getattr(y, name)(*[m.tensor(a) if isinstance(a, np.ndarray) else a
                                 for a in args], *rest)
        assert out is y
        return y

    return call


NANS = [[0.0, float("nan"), 0.0, 0.0], [0.0] * 4, [float("nan")] * 2 + [0.0] * 2]

CASES = [
    Case("atleast_1d", lambda m, x: m.atleast_1d(x), (A(),)),
    Case("atleast_2d", lambda m, x, y: m.atleast_2d(x, y), (A(3), A())),
    Case("atleast_3d", lambda m, x, y: m.atleast_3d((x, y)), (A(3), A(2, 3))),
    Case("hstack", lambda m, x, y: (m.hstack([x, y]), m.hstack([x[0], y[0]])), (A(2, 3), A(2, 1))),
    Case("vstack", lambda m, x, y: (m.vstack([x, y]), m.row_stack([x[0], y[0]])),
         (A(2, 3), A(1, 3))),
    Case("dstack", lambda m, x, y: m.dstack([x, y]), (A(2, 3), A(2, 3))),
    Case("column_stack", lambda m, x, y: m.column_stack([x, y]), (A(3), A(3, 2))),
    Case("diff", lambda m, x: (m.diff(x), x.diff(2, 0), m.diff(x, prepend=x[:, :1], dim=1)),
         (A(4, 5),)),
    Case("cross", lambda m, a, b: (m.cross(a, b, dim=1), m.linalg.cross(a, b)), (A(2, 3), A(2, 3))),
    Case("linalg.cross", lambda m, a, b: m.linalg.cross(a, b, dim=0), (A(3, 2), A(3, 2))),
    Case("cdist", lambda m, a, b: (m.cdist(a, b), m.cdist(a, b, p=1.0)), (A(3, 4), A(2, 4))),
    Case("cdist", lambda m, a: m.cdist(a, a), (A(3, 4),), gradcheck=False, name="cdist_self"),
    Case("addcmul", lambda m, x, a, b: (m.addcmul(x, a, b, value=0.5), x.addcmul(a, b)),
         (A(3), A(3), A(3))),
    Case("addcdiv", lambda m, x, a, b: m.addcdiv(x, a, b, value=-2.0), (A(3), A(3), P(3))),
    Case("logit", lambda m, p: (m.logit(p), p.logit(eps=0.3)), (In((3, 4), "prob"),)),
    Case("sinc", lambda m, x: (m.sinc(x), x.sinc()), (A(3, 4),)),
    Case("sinc", lambda m, x: m.sinc(x * 0), (A(3),), gradcheck=False, name="sinc_at_0"),
    Case("deg2rad", lambda m, x: m.deg2rad(x), (A(3),)),
    Case("rad2deg", lambda m, x: x.rad2deg(), (A(3),)),
    Case("float_power", lambda m, x: (m.float_power(x, 2), x.float_power(0.5)), (P(3),)),
    Case("heaviside", lambda m, x, v: m.heaviside(x, v), (T(5), A(5)), grad=False),
    Case("gcd", lambda m, a, b: m.gcd(a, b), (I(5), N(5)), grad=False),
    Case("lcm", lambda m, a, b: a.lcm(b), (I(5), N(5)), grad=False),
    Case("signbit", lambda m, x: (m.signbit(x), m.signbit(x * 0 - 0.0)), (T(5),), grad=False),
    Case("isin", lambda m, x: (m.isin(x, m.tensor([0.0, 1.0], dtype=x.dtype)),
                               m.isin(x, m.tensor([1.0], dtype=x.dtype), invert=True)),
         (T(6),), grad=False),
    Case("searchsorted", lambda m, s, v: (m.searchsorted(s.sort().values, v),
                                          m.searchsorted(s.sort().values, v, right=True)),
         (T(3, 5), T(3, 2)), grad=False),
    Case("bucketize", lambda m, v: m.bucketize(v, m.tensor([-1.0, 0.0, 1.0], dtype=v.dtype)),
         (T(6),), grad=False),
    Case("block_diag", lambda m, a, b, c: m.block_diag(a, b, c), (A(2, 3), A(1, 1), A(2))),
    Case("cov", lambda m, x: (m.cov(x), x.cov(correction=0)), (A(3, 5),)),
    Case("corrcoef", lambda m, x: m.corrcoef(x), (A(3, 5),)),
    Case("quantile", lambda m, x: (m.quantile(x, 0.3), x.quantile(0.5, dim=1),
                                   m.quantile(x, m.tensor([0.1, 0.9], dtype=x.dtype), dim=0,
                                              keepdim=True)), (A(4, 5),)),
    *[Case("quantile", lambda m, x, i=i: m.quantile(x, 0.4, 1, interpolation=i), (A(3, 6),),
           name=f"quantile_{i}") for i in ("lower", "higher", "nearest", "midpoint")],
    Case("nanmedian", lambda m, x: (m.nanmedian(x), tuple(x.nanmedian(1))), (A(3, 4),)),
    Case("nanmedian", lambda m, x: tuple(m.nanmedian(x + m.tensor(NANS, dtype=x.dtype), 1)),
         (A(3, 4),), name="nanmedian_nan"),
    Case("trapezoid", lambda m, y, x: (m.trapezoid(y), m.trapezoid(y, x), m.trapz(y, dx=0.5)),
         (A(3, 4), A(4))),
    # ---- in-place indexing methods (recorded on non-leaves) ------------------------------------
    Case("masked_fill_", _in_place("masked_fill_", MASK, -1.0), (A(3, 4),)),
    Case("index_fill_", _in_place("index_fill_", 1, SEL, 0.5), (A(3, 4),)),
    Case("index_add_", _in_place("index_add_", 0, SEL), (A(3, 4), A(2, 4))),
    Case("index_copy_", _in_place("index_copy_", 0, SEL), (A(3, 4), A(2, 4))),
    Case("scatter_", _in_place("scatter_", 1, np.array([[1], [0], [3]])), (A(3, 4), A(3, 1))),
    Case("scatter_add_", _in_place("scatter_add_", 1, np.array([[1, 1], [0, 3], [3, 3]])),
         (A(3, 4), A(3, 2))),
    Case("scatter_reduce_", lambda m, x, s: (x * 1).scatter_reduce_(
        1, m.tensor(np.array([[1, 1], [0, 3], [3, 3]])), s, "sum"), (A(3, 4), A(3, 2))),
    Case("masked_scatter_", _in_place("masked_scatter_", MASK), (A(3, 4), A(8))),
    Case("index_put_", lambda m, x, v: (x * 1).index_put_((m.tensor(SEL),), v, True),
         (A(3, 4), A(4))),
]

CASES += [
    Case("lgamma", lambda m, x: (m.lgamma(x), x.lgamma()), (In((3, 4), "pos"),)),
    Case("lgamma", lambda m, x: m.lgamma(x * 3 - 4.7), (A(3, 4),), name="lgamma_negative"),
    Case("digamma", lambda m, x: (m.digamma(x * 5), x.digamma(), m.digamma(x + 20)), (P(3, 4),)),
    Case("digamma", lambda m, x: m.digamma(x * 0.5 - 2.3), (A(3, 4),), name="digamma_negative"),
    Case("polygamma", lambda m, x: (m.polygamma(1, x), x.polygamma(2), m.polygamma(3, x * 9)),
         (P(3, 4),)),
    Case("mvlgamma", lambda m, x: (m.mvlgamma(x + 2, 3), x.mvlgamma(1)), (P(3, 4),)),
]

# An all-NaN row: PyTorch hands a gradient to one of its elements although the output is NaN;
# deepgrad gives it none, so that row's gradients are not compared.
NAN_ROW = [[0.0, float("nan"), 0.0, 0.0], [float("nan")] * 4, [0.0] * 4]
CASES += [
    Case("nanquantile", lambda m, x: (m.nanquantile(x, 0.3), x.nanquantile(0.5, dim=1),
                                      m.nanquantile(x, m.tensor([0.2, 0.7], dtype=x.dtype), 0,
                                                    keepdim=True)), (A(3, 4),)),
    Case("nanquantile", lambda m, x: (m.nanquantile(x + m.tensor(NAN_ROW, dtype=x.dtype), 0.4,
                                                    dim=1),
                                      m.nanquantile(x + m.tensor(NAN_ROW, dtype=x.dtype), 0.5,
                                                    keepdim=True)),
         (A(3, 4),), gradcheck=False, torch_grad=False, name="nanquantile_nan"),
    Case("histogram", lambda m, x: (tuple(m.histogram(x, 5)), tuple(x.histogram(
        m.tensor([-1.0, 0.0, 0.5, 2.0], dtype=x.dtype)))), (A(20),), grad=False),
    Case("histogram", lambda m, x, w: tuple(m.histogram(x, 4, range=(-1.0, 1.0), weight=w,
                                                        density=True)), (A(20), P(20)),
         grad=False, name="histogram_weighted_density"),
    Case("unique_consecutive", lambda m, x: m.unique_consecutive(
        x, return_inverse=True, return_counts=True), (In((12,), "nat"),), grad=False),
    Case("unique_consecutive", lambda m, x: x.unique_consecutive(dim=0, return_counts=True),
         (In((6, 2), "bool"),), grad=False, name="unique_consecutive_dim"),
    Case("cumulative_trapezoid", lambda m, y, x: (
        m.cumulative_trapezoid(y), m.cumulative_trapezoid(y, x),
        m.cumulative_trapezoid(y, dx=0.5, dim=0)), (A(3, 4), A(4))),
]

IDX3 = np.array([0, 2, 0])
CASES += [
    Case("as_strided", lambda m, x: (m.as_strided(x, (2, 2), (1, 2), 1), x.as_strided(
        (3, 2), (4, 1))), (A(3, 4),)),
    Case("put", lambda m, x, s: (m.put(x, m.tensor(np.array([0, 5])), s), x.put(
        m.tensor(np.array([1, 1])), s, accumulate=True)), (A(3, 4), A(2))),
    *[Case("index_reduce", lambda m, x, s, r=r, inc=inc: m.index_reduce(
        x, 0, m.tensor(IDX3), s, r, include_self=inc), (A(3, 4), A(3, 4)),
        name=f"index_reduce_{r}_{inc}") for r in ("prod", "mean", "amax", "amin")
      for inc in (True, False)],
    Case("renorm", lambda m, x: (m.renorm(x, 2, 0, 1.0), x.renorm(1, 1, 2.0)), (A(3, 4),)),
    # torch 2.13's vander fails its own backward (an in-place op inside it): gradcheck only.
    Case("vander", lambda m, x: (m.vander(x), m.vander(x, 4, increasing=True)), (A(3),),
         torch_grad=False),
]
