"""Op-table rows: shape, indexing, index assignment, conversion and creation."""
from __future__ import annotations

import numpy as np
from op_cases import A, Case, I, T

IDX = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])  # gather/scatter indices with repeats
SEL = np.array([2, 0, 2])
MASK = np.array([[True, False, True, False], [False, False, True, True], [True] * 4])


def _setitem(m, x, v):
    y = x * 1
    y[0, 1:3] = v
    y[m.tensor(MASK)] = 7.0
    return y


def _setitem_torch_order(m, x, v):
    y = x * 1
    y[0, :, [0, 2]] = v
    return y


def _ix(m, a):
    return m.tensor(a)


CASES = [
    # ---- existing shape ops -----------------------------------------------------------------
    Case("reshape", lambda m, x: (x.reshape(4, 3), m.reshape(x, (2, -1))), (A(3, 4),)),
    Case("view", lambda m, x: x.view(-1), (A(3, 4),)),
    Case("permute", lambda m, x: (x.permute(2, 0, 1), m.permute(x, (1, 0, 2))), (A(2, 3, 4),)),
    Case("transpose", lambda m, x: (x.transpose(0, 1), m.swapaxes(x, 0, 2), x.swapdims(1, 2)),
         (A(2, 3, 4),)),
    Case("t", lambda m, x: (x.t(), m.t(x), x.T, x.mT), (A(3, 4),)),
    Case("squeeze", lambda m, x: (x.squeeze(), m.squeeze(x, 1)), (A(3, 1, 4, 1),)),
    Case("unsqueeze", lambda m, x: (x.unsqueeze(1), m.unsqueeze(x, -1)), (A(3, 4),)),
    Case("flatten", lambda m, x: (x.flatten(), m.flatten(x, 1, 2)), (A(2, 3, 4, 5),)),
    Case("expand", lambda m, x: (x.expand(3, 4), x.expand(2, -1, 4)), (A(3, 1),)),
    Case("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), (A(4),)),
    Case("split", lambda m, x: (m.split(x, 2, 1), x.split([1, 3], 1)), (A(3, 4),)),
    Case("chunk", lambda m, x: m.chunk(x, 3, -1), (A(2, 7),)),
    Case("cat", lambda m, a, b: (m.cat([a, b]), m.concat((a, b), 0), m.concatenate([a, b])),
         (A(2, 3), A(4, 3))),
    Case("stack", lambda m, a, b: (m.stack([a, b]), m.stack([a, b], -1)), (A(2, 3), A(2, 3))),
    Case("where", lambda m, a, b: m.where(_ix(m, MASK), a, b), (A(3, 4), A(4))),
    Case("where", lambda m, b: m.where(_ix(m, MASK), 0.5, b), (A(3, 4),), name="where_const_a"),
    Case("where", lambda m, a: m.where(a > 0, a, 0), (T(3, 4),), gradcheck=False,
         name="where_scalar_b"),
    Case("where", lambda m, a: (m.where(a > 0, 1.0, 0.0), m.where(a > 0)), (T(3, 4),),
         grad=False, name="where_scalars_and_nonzero"),
    Case("where", lambda m, a, b: a.where(a > 0, b), (A(3, 4), A(3, 4)), name="where_method"),
    Case("where", lambda m, a: m.where(a > 0, a, 2.5), (I(3, 4),), grad=False,
         name="where_int_float_promotes"),
    # ---- new shape ops ----------------------------------------------------------------------
    Case("flip", lambda m, x: (m.flip(x, [0, 2]), x.flip(1), m.flip(x, dims=(1,))), (A(2, 3, 4),)),
    Case("is_contiguous", lambda m, x: x.is_contiguous(), (A(2),), grad=False),
    Case("fliplr", lambda m, x: m.fliplr(x), (A(3, 4),)),
    Case("flipud", lambda m, x: x.flipud(), (A(3, 4),)),
    Case("roll", lambda m, x: (m.roll(x, 1, 1), x.roll((2, -1), (0, 1)), m.roll(x, 5)),
         (A(3, 4),)),
    Case("rot90", lambda m, x: (m.rot90(x), x.rot90(2), m.rot90(x, -1, [1, 2])), (A(2, 3, 4),)),
    Case("repeat", lambda m, x: (x.repeat(2, 3), x.repeat(2, 1, 1)), (A(2, 3),)),
    Case("tile", lambda m, x: (m.tile(x, (2,)), x.tile((2, 1, 2))), (A(2, 3),)),
    Case("repeat_interleave", lambda m, x: (x.repeat_interleave(2), m.repeat_interleave(
        x, _ix(m, np.array([1, 0, 3])), dim=1)), (A(2, 3),)),
    Case("narrow", lambda m, x: (x.narrow(1, 1, 2), m.narrow(x, 0, -2, 2)), (A(3, 4),)),
    Case("select", lambda m, x: (x.select(1, 2), m.select(x, 0, -1)), (A(3, 4),)),
    Case("unfold", lambda m, x: (x.unfold(1, 2, 1), x.unfold(0, 2, 2)), (A(4, 5),)),
    Case("tensor_split", lambda m, x: (m.tensor_split(x, 3, 1), x.tensor_split([1, 4])),
         (A(5, 4),)),
    Case("unbind", lambda m, x: (m.unbind(x, 1), x.unbind()), (A(2, 3),)),
    Case("movedim", lambda m, x: (m.movedim(x, 0, 2), x.movedim((0, 1), (2, 0)),
                                  m.moveaxis(x, -1, 0)), (A(2, 3, 4),)),
    Case("unflatten", lambda m, x: (x.unflatten(1, (2, 3)), m.unflatten(x, 1, (-1, 2))),
         (A(4, 6),)),
    Case("expand_as", lambda m, x, y: x.expand_as(y), (A(3, 1), A(2, 3, 4))),
    Case("view_as", lambda m, x, y: x.view_as(y), (A(3, 4), A(2, 6))),
    Case("reshape_as", lambda m, x, y: x.reshape_as(y), (A(3, 4), A(12))),
    Case("contiguous", lambda m, x: x.t().contiguous(), (A(3, 4),)),
    Case("broadcast_tensors", lambda m, x, y: m.broadcast_tensors(x, y), (A(3, 1), A(4))),
    Case("tril", lambda m, x: (m.tril(x), x.tril(1), m.tril(x, -1)), (A(2, 3, 4),)),
    Case("triu", lambda m, x: (m.triu(x), x.triu(-1), m.triu(x, 2)), (A(3, 4),)),
    Case("diag", lambda m, x, v: (m.diag(x), x.diag(1), m.diag(v), v.diag(-1)), (A(3, 4), A(3))),
    Case("diagonal", lambda m, x: (x.diagonal(), m.diagonal(x, 1, 1, 2), x.diagonal(-1, 0, 2)),
         (A(3, 4, 5),)),
    Case("diag_embed", lambda m, x: (m.diag_embed(x), x.diag_embed(1, 0, 2)), (A(2, 3),)),
    Case("trace", lambda m, x: (m.trace(x), x.trace()), (A(3, 4),)),
    Case("meshgrid", lambda m, x, y: (m.meshgrid(x, y, indexing="ij"),
                                      m.meshgrid(x, y, indexing="xy")), (A(3), A(4))),
    Case("cartesian_prod", lambda m, x, y: m.cartesian_prod(x, y), (A(3), A(2))),
    Case("nonzero", lambda m, x: (m.nonzero(x), x.nonzero(as_tuple=True)), (T(3, 4),),
         grad=False),
    Case("argwhere", lambda m, x: m.argwhere(x), (T(3, 4),), grad=False),
    # ---- gather / scatter / index ops -------------------------------------------------------
    Case("gather", lambda m, x: (m.gather(x, 1, _ix(m, IDX)), x.gather(0, _ix(m, IDX[:, :3]))),
         (A(3, 4),)),
    Case("scatter", lambda m, x, s: (m.scatter(x, 1, _ix(m, SEL[None, :2].repeat(3, 0)), s),
                                     x.scatter(0, _ix(m, IDX[:1]), 2.5)), (A(3, 4), A(3, 2))),
    Case("scatter_add", lambda m, x, s: m.scatter_add(x, 1, _ix(m, IDX), s), (A(2, 4), A(2, 4))),
    Case("scatter_add", lambda m, x, s: x.scatter(1, _ix(m, IDX), s, reduce="add"),
         (A(2, 4), A(2, 4)), grad=False, name="scatter_reduce_add_keyword"),
    *[Case("scatter_reduce", lambda m, x, s, r=r, inc=inc: m.scatter_reduce(
        x, 1, _ix(m, IDX), s, r, include_self=inc), (A(2, 4), A(2, 4)),
        name=f"scatter_reduce_{r}_{inc}") for r in ("sum", "mean", "prod", "amax", "amin")
      for inc in (True, False)],
    Case("scatter_reduce", lambda m, x, s: x.scatter_reduce(0, _ix(m, IDX), s, "amax"),
         (T(3, 4), T(2, 4)), gradcheck=False, name="scatter_reduce_amax_ties"),
    Case("index_select", lambda m, x: (m.index_select(x, 0, _ix(m, SEL)),
                                       x.index_select(1, _ix(m, SEL))), (A(3, 4),)),
    Case("index_add", lambda m, x, s: (m.index_add(x, 0, _ix(m, SEL), s),
                                       x.index_add(0, _ix(m, SEL), s, alpha=2.0)),
         (A(3, 4), A(3, 4))),
    Case("index_copy", lambda m, x, s: m.index_copy(x, 1, _ix(m, np.array([3, 0])), s),
         (A(3, 4), A(3, 2))),
    Case("index_fill", lambda m, x: (m.index_fill(x, 1, _ix(m, SEL), -1.0),
                                     x.index_fill(0, _ix(m, SEL[:1]), 2.0)), (A(3, 4),)),
    Case("index_put", lambda m, x, v: m.index_put(x, (_ix(m, SEL), _ix(m, np.array([1, 1, 3]))),
                                                  v), (A(3, 4), A(3)), torch_grad=True),
    Case("index_put", lambda m, x, v: x.index_put((_ix(m, SEL), _ix(m, np.array([1, 1, 3]))),
                                                  v, accumulate=True), (A(3, 4), A(3)),
         name="index_put_accumulate"),
    Case("take", lambda m, x: (m.take(x, _ix(m, IDX)), x.take(_ix(m, np.array([-1, 0])))),
         (A(3, 4),)),
    Case("take_along_dim", lambda m, x: (m.take_along_dim(x, _ix(m, IDX[:1]), 0),
                                         x.take_along_dim(_ix(m, np.array([5, 0])))),
         (A(3, 4),)),
    Case("masked_fill", lambda m, x: (m.masked_fill(x, _ix(m, MASK), -1.0),
                                      x.masked_fill(_ix(m, MASK[0]), 0.0)), (A(3, 4),)),
    Case("masked_fill", lambda m, x, v: x.masked_fill(_ix(m, MASK), v), (A(3, 4), A()),
         name="masked_fill_tensor_value"),
    Case("masked_select", lambda m, x: (m.masked_select(x, _ix(m, MASK)),
                                        x.masked_select(_ix(m, MASK[0]))), (A(3, 4),)),
    Case("masked_scatter", lambda m, x, s: m.masked_scatter(x, _ix(m, MASK), s),
         (A(3, 4), A(10))),
    Case("masked_scatter", lambda m, x, s: x.masked_scatter(_ix(m, MASK[0]), s),
         (A(3, 4), A(3, 3)), name="masked_scatter_broadcast"),
    Case("index_put", _setitem, (A(3, 4), A(2)), name="setitem_recorded"),
    Case("index_put", _setitem_torch_order, (A(2, 3, 4), A(3, 2)), name="setitem_torch_order"),
    Case("index_put", lambda m, x: (x[0, :, [0, 2]], x[:, 1, [0, 1]], x[[0, 1], :, 1],
                                    x[_ix(m, np.array([True, False])), 1]), (A(2, 3, 4),),
         name="getitem_torch_order"),
    # ---- conversion -------------------------------------------------------------------------
    *[Case(op, lambda m, x, op=op: getattr(x, op)(), (A(3),), grad=op in ("double", "float",
                                                                           "half"),
           gradcheck=op == "double")
      for op in ("double", "float", "half", "long", "int", "short", "char", "byte", "bool")],
    Case("bfloat16", lambda m, x: x.bfloat16().float(), (A(5),), gradcheck=False,
         torch_grad=False),
    Case("type", lambda m, x: (x.type(m.float64), x.type(m.int32)), (A(3),), grad=False),
    Case("type_as", lambda m, x, y: x.type_as(y.int()), (A(3), I(2)), grad=False),
    Case("is_floating_point", lambda m, x: (m.is_floating_point(x), x.long().is_floating_point()),
         (A(3),), grad=False),
    Case("element_size", lambda m, x: (x.element_size(), x.long().element_size()), (A(3),),
         grad=False),
    Case("numel", lambda m, x: (m.numel(x), x.numel()), (A(3, 4),), grad=False),
    # ---- creation (deterministic ones against torch) ----------------------------------------
    Case("logspace", lambda m: (m.logspace(0, 2, 5), m.logspace(-1, 1, 3, base=2.0)), (),
         grad=False),
    Case("tril_indices", lambda m: (m.tril_indices(3, 4), m.tril_indices(4, 3, -1)), (),
         grad=False),
    Case("triu_indices", lambda m: (m.triu_indices(3, 4), m.triu_indices(4, 4, 1)), (),
         grad=False),
    Case("new_zeros", lambda m, x: (x.new_zeros(2, 3), x.new_zeros((2,), dtype=m.int64)),
         (A(3),), grad=False),
    Case("new_ones", lambda m, x: x.new_ones((2, 3)), (I(3),), grad=False),
    Case("new_full", lambda m, x: x.new_full((2, 3), 1.5), (A(3),), grad=False),
    Case("new_empty", lambda m, x: x.new_empty(2, 3).shape, (A(3),), grad=False),
    Case("new_tensor", lambda m, x: x.new_tensor([1, 2]), (A(3),), grad=False),
    Case("empty_like", lambda m, x: m.empty_like(x).shape, (A(3),), grad=False),
    Case("randint_like", lambda m, x: (m.randint_like(x, 3) < 3).all(), (I(3),), grad=False),
    Case("bernoulli", lambda m, x: ((m.bernoulli(x.clamp(0, 1)) <= 1).all(),
                                    m.bernoulli(x * 0).sum()), (A(4),), grad=False),
    Case("multinomial", lambda m, x: (m.multinomial(x.abs() + 0.1, 2) < 4).all(), (A(4),),
         grad=False),
    Case("normal", lambda m: m.normal(0.0, 1.0, (2, 3)).shape, (), grad=False),
]



CASES += [
    Case("tensor", lambda m: (m.tensor([1, 2]), m.tensor([1.5]), m.tensor([[True]]),
                              m.tensor(3.0, dtype=m.float64)), (), grad=False),
    Case("as_tensor", lambda m: m.as_tensor([1.0, 2.0], dtype=m.float64), (), grad=False),
    Case("from_numpy", lambda m: m.from_numpy(np.arange(3.0)), (), grad=False),
    Case("zeros", lambda m: (m.zeros(2, 3), m.zeros((2,), dtype=m.int64)), (), grad=False),
    Case("ones", lambda m: (m.ones(2, 3), m.ones([2], dtype=m.bool)), (), grad=False),
    Case("full", lambda m: (m.full((2, 3), 1.5), m.full((2,), 7), m.full((1,), False)), (),
         grad=False),
    Case("empty", lambda m: m.empty(2, 3).shape, (), grad=False),
    Case("eye", lambda m: (m.eye(3), m.eye(2, 4), m.eye(2, dtype=m.int64)), (), grad=False),
    Case("arange", lambda m: (m.arange(5), m.arange(1, 4), m.arange(0, 1, 0.25),
                              m.arange(5.0), m.arange(0, 6, 2, dtype=m.float64)), (), grad=False),
    Case("linspace", lambda m: (m.linspace(0, 1, 5), m.linspace(-1, 1, 3, dtype=m.float64)),
         (), grad=False),
    Case("rand", lambda m: (m.rand(2, 3).shape, m.rand(2, dtype=m.float64).dtype == m.float64), (),
         grad=False),
    Case("randn", lambda m: (m.randn(2, 3).shape, m.randn((4,)).dtype == m.float32), (),
         grad=False),
    Case("randint", lambda m: (m.randint(3, (4,)).dtype == m.int64,
                               (m.randint(1, 3, (50,)) >= 1).all()), (), grad=False),
    Case("randperm", lambda m: m.randperm(5).sort().values, (), grad=False),
    Case("zeros_like", lambda m, x: (m.zeros_like(x), m.zeros_like(x, dtype=m.int32)), (A(2),),
         grad=False),
    Case("ones_like", lambda m, x: m.ones_like(x), (A(2),), grad=False),
    Case("full_like", lambda m, x: m.full_like(x, 2.5), (A(2),), grad=False),
    Case("rand_like", lambda m, x: m.rand_like(x).shape, (A(2),), grad=False),
    Case("randn_like", lambda m, x: m.randn_like(x).dtype == x.dtype, (A(2),), grad=False),
]

CASES += [
    Case("ravel", lambda m, x: (m.ravel(x), x.t().ravel()), (A(3, 4),)),
    Case("hsplit", lambda m, x, v: (m.hsplit(x, 2), x.hsplit([1, 3]), v.hsplit(3)),
         (A(3, 4), A(6))),
    Case("vsplit", lambda m, x: (m.vsplit(x, 2), x.vsplit([1])), (A(4, 3),)),
    Case("dsplit", lambda m, x: m.dsplit(x, [1, 2]), (A(2, 3, 4),)),
    Case("squeeze", lambda m, x: (x.squeeze((1, 3)), m.squeeze(x, (0, -1))), (A(3, 1, 4, 1),),
         name="squeeze_tuple"),
]

CASES += [
    Case("item", lambda m, x, i: (x.sum().item(), i[0].item(), x[1:2].item()), (A(3), I(2)),
         grad=False),
    Case("tolist", lambda m, x, i: (x.tolist(), i.tolist(), x[0].tolist()), (A(3), I(2)),
         grad=False),
]
