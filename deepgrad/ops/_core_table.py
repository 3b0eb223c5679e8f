"""Registry rows for the ops written before the registry (their wrappers stay where they are)."""
from __future__ import annotations

from .. import creation as C
from . import activation as A
from . import arithmetic as M
from . import linalg as L
from . import reduce as R
from . import shape as S
from .registry import row


def _clone(x, *, memory_format=None):
    """A copy of ``x`` that stays in the graph (gradient flows back unchanged)."""
    return M.clone(x)


_clone.__name__ = "clone"

# name, wrapper, family, options: one row per op.
row("add", M.add, "arithmetic")
row("sub", M.sub, "arithmetic", aliases=("subtract",))
row("mul", M.mul, "arithmetic", aliases=("multiply",))
row("div", M.div, "arithmetic", aliases=("divide", "true_divide"))
row("pow", M.pow, "arithmetic")
row("neg", M.neg, "arithmetic", aliases=("negative",))
row("exp", M.exp, "elementwise")
row("log", M.log, "elementwise")
row("sqrt", M.sqrt, "elementwise")
row("abs", M.abs, "elementwise", aliases=("absolute",))
row("clamp", M.clamp, "elementwise", aliases=("clip",))
row("maximum", M.maximum, "elementwise")
row("minimum", M.minimum, "elementwise")


def _where_method(self, condition, y):
    """``Tensor.where(condition, y)``: ``where(condition, self, y)``."""
    return M.where(condition, self, y)


_where_method.__name__ = "where"
row("where", M.where, "indexing", method=_where_method)

row("clone", _clone, "arithmetic")
row("matmul", L.matmul, "linalg")
row("sum", R.sum, "reduction")
row("mean", R.mean, "reduction")
row("var", R.var, "reduction")
row("std", R.std, "reduction")
row("max", R.max, "reduction")
row("min", R.min, "reduction")
row("argmax", R.argmax, "reduction", differentiable=False)
row("argmin", R.argmin, "reduction", differentiable=False)
row("reshape", S.reshape, "shape")
row("view", S.reshape, "shape", function=False)
row("permute", S.permute, "shape")
row("transpose", S.transpose, "shape", aliases=("swapaxes", "swapdims"))
row("t", S.t, "shape")
row("squeeze", S.squeeze, "shape")
row("unsqueeze", S.unsqueeze, "shape")
row("flatten", S.flatten, "shape")
row("expand", S.expand, "shape")
row("broadcast_to", S.broadcast_to, "shape")
row("split", S.split, "shape")
row("chunk", S.chunk, "shape")
row("cat", S.cat, "shape", method=False, aliases=("concat", "concatenate"))
row("stack", S.stack, "shape", method=False)
row("sigmoid", A.sigmoid, "activation", functional=True)
row("tanh", A.tanh, "activation", functional=True)
row("relu", A.relu, "activation", functional=True)
row("softmax", A.softmax, "activation", functional=True)
row("log_softmax", A.log_softmax, "activation", functional=True)
row("sign", A.sign, "elementwise", functional=True)

# Factories (deepgrad/creation.py): functions only, no gradient of their own.
for _name in ("tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "eye",
              "arange", "linspace", "rand", "randn", "randint", "randperm", "zeros_like",
              "ones_like", "full_like", "rand_like", "randn_like"):
    row(_name, getattr(C, _name), "creation", method=False, differentiable=False)
