"""Matrix and tensor products: mm, bmm, mv, dot, vdot, inner, outer, addmm, addmv, addbmm,
baddbmm, einsum (with gradients), tensordot, kron."""
from __future__ import annotations

import string

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import OpError, as_tensor, pair
from .linalg import matmul
from .registry import register
from .shape import permute, reshape


def _need(op, x, ndim, what):
    if x.ndim != ndim:
        raise RuntimeError(f"{op}(): {what} must be a {ndim}-D tensor, got shape "
                           f"{tuple(x.shape)}")


def _match(op, a, b, ka, kb):
    if a.shape[ka] != b.shape[kb]:
        raise RuntimeError(f"{op}(): shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                           f"multiplied ({a.shape[ka]} != {b.shape[kb]})")


@register("linalg")
def mm(input, mat2, *, out=None) -> Tensor:  # noqa: A002
    """Matrix product of (n, m) and (m, p): (n, p); no broadcasting."""
    a, b = pair(input, mat2)
    _need("mm", a, 2, "self")
    _need("mm", b, 2, "mat2")
    _match("mm", a, b, 1, 0)
    return _write(matmul(a, b), out)


def _write(y, out):
    if out is None:
        return y
    from .compare import _out

    return _out(y, out)


@register("linalg")
def bmm(input, mat2, *, out=None) -> Tensor:  # noqa: A002
    """Batched matrix product of (b, n, m) and (b, m, p): (b, n, p); no broadcasting."""
    a, b = pair(input, mat2)
    _need("bmm", a, 3, "batch1")
    _need("bmm", b, 3, "batch2")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"bmm(): batch sizes differ: {tuple(a.shape)} and {tuple(b.shape)}")
    _match("bmm", a, b, 2, 1)
    return _write(matmul(a, b), out)


@register("linalg")
def mv(input, vec, *, out=None) -> Tensor:  # noqa: A002
    """Matrix (n, m) times vector (m,): (n,)."""
    a, v = pair(input, vec)
    _need("mv", a, 2, "self")
    _need("mv", v, 1, "vec")
    _match("mv", a, v, 1, 0)
    return _write(matmul(a, v), out)


@register("linalg")
def dot(input, other, *, out=None) -> Tensor:  # noqa: A002
    """Inner product of two 1-D tensors of the same length (0-d result)."""
    a, b = pair(input, other)
    _need("dot", a, 1, "self")
    _need("dot", b, 1, "tensor")
    if a.shape != b.shape:
        raise RuntimeError(f"dot(): inconsistent tensor size, expected tensors of the same "
                           f"size, got {tuple(a.shape)} and {tuple(b.shape)}")
    return _write(matmul(a, b), out)


@register("linalg")
def vdot(input, other, *, out=None) -> Tensor:  # noqa: A002
    """``dot`` with the first argument conjugated (the same for real tensors)."""
    return dot(input, other, out=out)


@register("linalg")
def inner(input, other) -> Tensor:  # noqa: A002
    """Sum over the last dims: ``einsum('...i,...j->', ...)`` as NumPy's inner."""
    a, b = pair(input, other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    _match("inner", a, b, -1, -1)
    return matmul(a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1]).mT).reshape(
        a.shape[:-1] + b.shape[:-1])


@register("linalg", aliases=("ger",))
def outer(input, vec2) -> Tensor:  # noqa: A002
    """Outer product of 1-D tensors: (n,) x (m,) -> (n, m)."""
    a, b = pair(input, vec2)
    _need("outer", a, 1, "self")
    _need("outer", b, 1, "vec2")
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def _affine(op, input, product, beta, alpha):
    """``beta * input + alpha * product`` (beta=0 ignores input, NaN included, as PyTorch)."""
    p = product if alpha == 1 else product * alpha
    if beta == 0:
        base = as_tensor(input, p)
        try:
            get_array_module(p._data).broadcast_shapes(tuple(base.shape), tuple(p.shape))
        except ValueError:
            raise OpError(f"{op}(): input {tuple(base.shape)} does not broadcast to "
                          f"{tuple(p.shape)}") from None
        return p
    return (input if beta == 1 else input * beta) + p


@register("linalg")
def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat1 @ mat2)``."""
    return _affine("addmm", input, mm(mat1, mat2), beta, alpha)


@register("linalg")
def addmv(input, mat, vec, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat @ vec)``."""
    return _affine("addmv", input, mv(mat, vec), beta, alpha)


@register("linalg")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    return _affine("baddbmm", input, bmm(batch1, batch2), beta, alpha)


@register("linalg")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``."""
    return _affine("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)


def _parse(equation: str, shapes):
    """Explicit subscripts: '...' replaced by letters; returns (terms, output)."""
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum(): {len(terms)} operands in the equation, {len(shapes)} "
                           f"given")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in string.ascii_letters if c not in used]
    n_ell = max([len(s) - (len(t) - 3) for t, s in zip(terms, shapes) if "..." in t] + [0])
    ell = "".join(free[:n_ell])
    terms = [t.replace("...", ell[n_ell - (len(s) - (len(t) - 3)):]) if "..." in t else t
             for t, s in zip(terms, shapes)]
    if "->" in eq:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for t in terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    return terms, out


class Einsum(Function):
    """``xp.einsum`` with explicit subscripts; operand i's gradient is the einsum of ``gy``
    with the other operands into i's subscripts (then broadcast over letters only i has, and
    placed on the diagonal for repeated letters)."""

    def __init__(self, terms, out):
        self.terms, self.out = terms, out

    def forward(self, *xs):
        self.xs = xs
        eq = ",".join(self.terms) + "->" + self.out
        return get_array_module(*xs).asarray(get_array_module(*xs).einsum(eq, *xs))

    def backward(self, gy):
        xp = get_array_module(gy)
        grads = []
        for i, term in enumerate(self.terms):
            if not self.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(self.terms) if j != i]
            arrays = [x for j, x in enumerate(self.xs) if j != i]
            available = set(self.out).union(*others) if others else set(self.out)
            unique = "".join(dict.fromkeys(c for c in term if c in available))
            g = xp.einsum(",".join([self.out] + others) + "->" + unique, gy, *arrays)
            sizes = {c: n for c, n in zip(term, self.xs[i].shape)}
            full = "".join(dict.fromkeys(term))
            for c in full:  # letters only this operand has: the gradient is constant in them
                if c not in unique:
                    g = xp.expand_dims(g, g.ndim)
                    unique += c
            g = xp.broadcast_to(xp.einsum(unique + "->" + full, g),
                                tuple(sizes[c] for c in full))
            if len(full) == len(term):
                grads.append(xp.einsum(full + "->" + term, g))
                continue
            gx = xp.zeros(self.xs[i].shape, gy.dtype)  # repeated letters: a diagonal
            grid = xp.indices(tuple(sizes[c] for c in full))
            where = {c: grid[k] for k, c in enumerate(full)}
            gx[tuple(where[c] for c in term)] = g
            grads.append(gx)
        return tuple(grads)


@register("linalg", method=False)
def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``; operands may also be passed
    as one list. Supports '...' and implicit output (sorted letters seen once)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [as_tensor(t) for t in operands]
    if len({t.dtype for t in ts}) > 1:
        from ._util import promote

        ts = list(promote(*ts))
    terms, out = _parse(equation, [t.shape for t in ts])
    for t, term in zip(ts, terms):
        if len(term) != t.ndim:
            raise RuntimeError(f"einsum(): the subscript {term!r} has {len(term)} letters for "
                               f"an operand of shape {tuple(t.shape)}")
    try:
        return Einsum(terms, out).apply(*ts)
    except ValueError as e:
        raise OpError(f"einsum(): {e} (equation {equation!r}, shapes "
                      f"{[tuple(t.shape) for t in ts]})") from None


@register("linalg", method=False)
def tensordot(a, b, dims=2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first of ``b``, or the listed pairs
    ``dims=([a dims], [b dims])``."""
    a, b = pair(a, b)
    if isinstance(dims, int):
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da = [d % a.ndim for d in da]
    db = [d % b.ndim for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"tensordot(): contracted dimensions need to match, got "
                               f"{a.shape[i]} (dim {i} of {tuple(a.shape)}) and {b.shape[j]} "
                               f"(dim {j} of {tuple(b.shape)})")
    ka = [d for d in range(a.ndim) if d not in da]
    kb = [d for d in range(b.ndim) if d not in db]
    n = 1
    for d in da:
        n *= a.shape[d]
    am = reshape(permute(a, ka + da), (-1, n))
    bm = reshape(permute(b, db + kb), (n, -1))
    return reshape(matmul(am, bm), tuple(a.shape[d] for d in ka) + tuple(b.shape[d] for d in kb))


@register("linalg", method=True)
def kron(input, other) -> Tensor:  # noqa: A002
    """Kronecker product: block (i, j) of the result is ``input[i, j] * other``."""
    a, b = pair(input, other)
    nd = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + tuple(a.shape))
    b = reshape(b, (1,) * (nd - b.ndim) + tuple(b.shape))
    ai = reshape(a, tuple(v for n in a.shape for v in (n, 1)))
    bi = reshape(b, tuple(v for n in b.shape for v in (1, n)))
    return reshape(ai * bi, tuple(m * n for m, n in zip(a.shape, b.shape)))
