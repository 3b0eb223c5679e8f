"""Op-table rows: arithmetic, elementwise math, comparisons, activations."""
from __future__ import annotations

from op_cases import A, B, Case, I, In, N, P, T, U

GT1 = In((3, 4), "gt1")
SPECIAL = [float("nan"), 1.0, float("inf"), -float("inf"), -2.0]


X34 = (A(3, 4),)


def _unary(op, inputs=X34, **kw):
    return Case(op, lambda m, x, op=op: getattr(m, op)(x), inputs, **kw)


def _method(op, inputs=X34, **kw):
    return Case(op, lambda m, x, op=op: getattr(x, op)(), inputs, name=f"{op}_method", **kw)


CASES = [
    # ---- arithmetic: promotion, broadcasting, scalars, ties and zeros -------------------------
    Case("add", lambda m, a, b: m.add(a, b), (A(3, 4), A(4))),
    Case("add", lambda m, a: a + 2.5, (A(3),), name="add_scalar"),
    Case("add", lambda m, a: a + 2.5, (I(3),), grad=False, name="add_int_float_promotes"),
    Case("add", lambda m, a, b: a + b, (I(3),  B(3)), grad=False, name="add_int_bool"),
    Case("add", lambda m, a: a + True, (B(3),), grad=False, name="add_bool_bool"),
    Case("add", lambda m, a: a + 5, (I(3),), grad=False, name="add_int_int"),
    Case("add", lambda m, a, b: a + b, (A(3), I(3)), name="add_float_int"),
    Case("add", lambda m, a, b: a.float() + b, (A(3), A()), gradcheck=False,
         name="add_dim_float32_0d_float64"),
    Case("sub", lambda m, a, b: m.sub(a, b), (A(2, 3), A(3))),
    Case("add", lambda m, a, b: (m.add(a, b, alpha=-0.5), a.sub(b, alpha=2)), (A(2, 3), A(3)),
         name="add_sub_alpha"),
    Case("sub", lambda m, a: 1 - a, (A(3),), name="rsub_scalar"),
    Case("mul", lambda m, a, b: m.mul(a, b), (A(2, 1, 3), A(4, 1))),
    Case("mul", lambda m, a, b: a * b, (T(3, 4), T(3, 4)), name="mul_zeros"),
    Case("div", lambda m, a, b: m.div(a, b), (A(3, 4), P(4))),
    Case("div", lambda m, a, b: a / b, (N(3), P(3)), name="div_int_float"),
    Case("div", lambda m, a: a / 2, (I(4),), grad=False, name="div_int_true"),
    Case("div", lambda m, a: m.div(a, 3, rounding_mode="floor"), (I(6),), grad=False,
         name="div_floor_int"),
    Case("div", lambda m, a: m.div(a, -3, rounding_mode="trunc"), (I(6),), grad=False,
         name="div_trunc_int"),
    Case("div", lambda m, a: m.div(a, 0.7, rounding_mode="floor").detach(), (A(6),),
         grad=False, name="div_floor_float"),
    Case("pow", lambda m, a, b: m.pow(a, b), (P(3, 4), A(4))),
    Case("pow", lambda m, a: a ** 2, (T(3, 4),), gradcheck=False, name="pow_2_at_0"),
    Case("pow", lambda m, a: a ** 0.5, (P(3, 4),), name="pow_half"),
    Case("pow", lambda m, a: 2 ** a, (A(3),), name="rpow"),
    Case("pow", lambda m, a: a ** 2, (I(3),), grad=False, name="pow_int"),
    Case("neg", lambda m, a: -m.neg(a), (A(3, 4),)),
    Case("clone", lambda m, a: a.clone() * 2, (A(3, 4),)),
    Case("clone", lambda m, a: m.clone(a), (A(3, 4),), name="clone_function"),
    # ---- elementwise math ------------------------------------------------------------------
    _unary("exp"), _unary("exp", (I(3),), grad=False, name="exp_int_is_float32"),
    _unary("log", (P(3, 4),)), _unary("sqrt", (P(3, 4),)),
    _unary("sqrt", (N(3, 4),), grad=False, name="sqrt_int"),
    _unary("abs"), _unary("abs", (T(3, 4),), gradcheck=False, name="abs_at_0"),
    _unary("abs", (I(3, 4),), grad=False, name="abs_int"),
    _unary("sin"), _unary("cos"), _unary("tan", (U(3, 4),)), _unary("asin", (U(3, 4),)),
    _unary("acos", (U(3, 4),)), _unary("atan"), _unary("sinh"), _unary("cosh"),
    _unary("asinh"), _unary("acosh", (GT1,)), _unary("atanh", (U(3, 4),)),
    _unary("erf"), _unary("erfc"), _unary("erfinv", (U(3, 4),)), _unary("exp2"),
    _unary("expm1"), _unary("log2", (P(3, 4),)), _unary("log10", (P(3, 4),)),
    _unary("log1p", (P(3, 4),)), _unary("rsqrt", (P(3, 4),)), _unary("reciprocal", (P(3, 4),)),
    _unary("square"), _unary("square", (I(3),), grad=False, name="square_int"),
    _unary("sign"), _unary("sgn"), _unary("trunc"), _unary("floor"), _unary("ceil"),
    _unary("frac"), _unary("round"), _unary("floor", (I(4),), grad=False, name="floor_int"),
    Case("round", lambda m, x: m.round(x * 100, decimals=-1), (A(3, 4),), name="round_decimals"),
    Case("round", lambda m, x: m.round(m.tensor([0.5, 1.5, 2.5, -0.5])) + x, (A(4),),
         name="round_half_even"),
    _method("sin"), _method("exp"), _method("log1p", (P(2),)), _method("erfinv", (U(2),)),
    Case("nan_to_num", lambda m, x: m.nan_to_num(x + m.tensor(SPECIAL, dtype=x.dtype)),
         (P(5),), gradcheck=False),
    Case("nan_to_num", lambda m, x: (x + m.tensor(SPECIAL, dtype=x.dtype)).nan_to_num(
        nan=1.0, posinf=2.0, neginf=-3.0), (P(5),), gradcheck=False, name="nan_to_num_values"),
    Case("clamp", lambda m, x: x.clamp(-0.5, 0.5), (A(4, 5),)),
    Case("clamp", lambda m, x: m.clamp(x, min=0.0), (T(4, 5),), gradcheck=False,
         name="clamp_at_bound"),
    Case("clamp", lambda m, x, lo, hi: m.clamp(x, lo - 1, hi), (A(4, 5), A(5), P(4, 1)),
         name="clamp_tensors"),
    Case("clamp", lambda m, x, lo: x.clamp(min=lo), (T(4, 5), T(5)), gradcheck=False,
         name="clamp_tensor_ties"),
    Case("clamp_min", lambda m, x: m.clamp_min(x, 0.2), (A(3, 4),)),
    Case("clamp_max", lambda m, x: x.clamp_max(0.2), (A(3, 4),)),
    Case("clamp", lambda m, x: m.clip(x, max=0.3), (A(4, 5),), name="clip_alias"),
    Case("maximum", lambda m, a, b: m.maximum(a, b), (A(3, 4), A(4))),
    Case("maximum", lambda m, a, b: m.maximum(a, b), (T(3, 4), T(3, 4)), name="maximum_ties"),
    Case("minimum", lambda m, a, b: m.minimum(a, b), (T(3, 4), T(4)), name="minimum_ties"),
    Case("fmax", lambda m, a, b: m.fmax(a, b), (T(3, 4), T(3, 4)), gradcheck=False),
    Case("fmin", lambda m, a, b: m.fmin(a, b), (T(3, 4), T(3, 4)), gradcheck=False),
    Case("fmax", lambda m, a: m.fmax(a, m.tensor([float("nan"), 1.0, 0.0], dtype=a.dtype)),
         (A(3),), name="fmax_nan"),
    Case("atan2", lambda m, a, b: m.atan2(a, b), (A(3, 4), A(3, 4))),
    Case("fmod", lambda m, a, b: m.fmod(a, b), (A(3, 4), P(4))),
    Case("fmod", lambda m, a: m.fmod(a, -3), (I(8),), grad=False, name="fmod_int"),
    Case("remainder", lambda m, a, b: m.remainder(a, b), (A(3, 4), P(4))),
    Case("remainder", lambda m, a: a % -3, (I(8),), grad=False, name="mod_operator_int"),
    Case("remainder", lambda m, a: 5 % a, (P(8),), torch_grad=False, name="rmod"),
    Case("floor_divide", lambda m, a: a // 3, (I(8),), grad=False),
    Case("floor_divide", lambda m, a, b: m.floor_divide(a, b).detach(), (A(8), P(8)),
         grad=False, name="floor_divide_float"),
    Case("copysign", lambda m, a, b: m.copysign(a, b), (T(3, 4), A(4)), gradcheck=False),
    Case("hypot", lambda m, a, b: m.hypot(a, b), (A(3, 4), A(4))),
    Case("logaddexp", lambda m, a, b: m.logaddexp(a, b), (A(3, 4), A(4))),
    Case("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), (A(3, 4), A(4))),
    Case("xlogy", lambda m, a, b: m.xlogy(a, b), (T(3, 4), P(4)), gradcheck=False),
    Case("xlogy", lambda m, a, b: m.xlogy(a, b), (A(3, 4), P(4)), name="xlogy_smooth"),
    Case("lerp", lambda m, a, b, w: m.lerp(a, b, w), (A(3, 4), A(4), U(3, 1))),
    Case("lerp", lambda m, a, b: a.lerp(b, 0.3), (A(3, 4), A(3, 4)), name="lerp_scalar"),
    # ---- comparisons, logical, bitwise ------------------------------------------------------
    *[Case(op, lambda m, a, b, op=op: getattr(m, op)(a, b), (T(3, 4), T(4)), grad=False)
      for op in ("eq", "ne", "lt", "le", "gt", "ge")],
    *[Case(op, lambda m, a, op=op: getattr(a, op)(0.5), (A(3, 4),), grad=False,
           name=f"{op}_scalar_method") for op in ("eq", "ne", "lt", "le", "gt", "ge")],
    Case("lt", lambda m, a, b: (a < b, a <= 0, a > b, a >= 1, a == b, a != b), (T(5), T(5)),
         grad=False, name="comparison_operators"),
    Case("gt", lambda m, a, b: m.greater(a, b), (I(5), A(5)), grad=False, name="greater_mixed"),
    *[Case(op, lambda m, a, b, op=op: getattr(m, op)(a, b), (T(3, 4), B(4)), grad=False)
      for op in ("logical_and", "logical_or", "logical_xor")],
    Case("logical_not", lambda m, a: m.logical_not(a), (T(3, 4),), grad=False),
    *[Case(op, lambda m, a, b, op=op: getattr(m, op)(a, b), (I(3, 4), I(4)), grad=False)
      for op in ("bitwise_and", "bitwise_or", "bitwise_xor")],
    Case("bitwise_left_shift", lambda m, a, b: m.bitwise_left_shift(a, b), (I(4), N(4)),
         grad=False),
    Case("bitwise_right_shift", lambda m, a, b: m.bitwise_right_shift(a, b), (I(4), N(4)),
         grad=False),
    Case("bitwise_not", lambda m, a: m.bitwise_not(a), (I(4),), grad=False),
    Case("bitwise_and", lambda m, a, b: (a & b, a | b, a ^ b, ~a, a << 1, a >> 1, 3 & a),
         (N(5), N(5)), grad=False, name="bitwise_operators"),
    Case("bitwise_and", lambda m, a, b: (a & b, a | b, a ^ b, ~a), (B(5), B(5)), grad=False,
         name="bitwise_bool"),
    *[Case(op, lambda m, a, op=op: getattr(m, op)(a * m.tensor(SPECIAL, dtype=a.dtype)),
           (P(5),), grad=False) for op in ("isnan", "isinf", "isposinf", "isneginf", "isfinite")],
    Case("isclose", lambda m, a, b: m.isclose(a, a + b * 1e-6), (A(5), A(5)), grad=False),
    Case("allclose", lambda m, a, b: (m.allclose(a, a + b * 1e-9), m.allclose(a, b)),
         (A(5), A(5)), grad=False),
    Case("equal", lambda m, a, b: (m.equal(a, a.clone()), m.equal(a, b)), (A(5), A(5)),
         grad=False),
    # ---- activations ------------------------------------------------------------------------
    _unary("sigmoid"), _unary("tanh"), _unary("relu"),
    _unary("relu", (T(3, 4),), gradcheck=False, name="relu_at_0"),
    Case("softmax", lambda m, x: m.softmax(x, 1), (A(3, 4),)),
    Case("log_softmax", lambda m, x: x.log_softmax(dim=-1), (A(3, 4),)),
    Case("softmax", lambda m, x: (m.softmax(x, 0, dtype=m.float64),
                                  x.log_softmax(1, dtype=m.float64)), (A(3, 4),),
         name="softmax_dtype"),
    Case("softmax", lambda m, x: (m.softmax(x, 0, dtype=m.float64),
                                  x.log_softmax(1, dtype=m.float32)), (I(3, 4),), grad=False,
         name="softmax_int_dtype"),
]

def _ce(m, x, p, **kw):
    import torch as _t

    f = _t.nn.functional if m is _t else m.nn.functional
    return f.cross_entropy(x, p.softmax(-1 if p.ndim < 3 else 1), **kw)


def _ce_none(m, x, p):
    return _ce(m, x, p, reduction="none")


def _ce_smooth(m, x, p):
    return _ce(m, x, p, label_smoothing=0.2)


def _ce_weight(m, x, p):
    return _ce(m, x, p, weight=m.tensor([0.5, 2.0, 1.0], dtype=x.dtype), reduction="sum")


# cross_entropy with probability targets requiring grad: differentiable in both inputs.
CROSS_ENTROPY = [
    Case("softmax", _ce, (A(4, 3), A(4, 3)), name="cross_entropy_prob_target_both_grads"),
    Case("softmax", _ce_none, (A(2, 3, 5), A(2, 3, 5)), name="cross_entropy_prob_nd_none"),
    Case("softmax", _ce_smooth, (A(4, 3), A(4, 3)), name="cross_entropy_prob_smoothing"),
    Case("softmax", _ce_weight, (A(4, 3), A(4, 3)), name="cross_entropy_prob_weight"),
]
CASES += CROSS_ENTROPY

# Gradients at the edges, as PyTorch: x**0 at 0, a base of 0 with a tensor exponent.
CASES += [
    Case("pow", lambda m, x: (x ** 0, x ** 0.0, x ** m.zeros(5, dtype=x.dtype)), (T(5),),
         gradcheck=False, name="pow_zero_exponent_at_0"),
    Case("pow", lambda m, e: m.tensor([0.0, 2.0, 0.5], dtype=e.dtype) ** e, (P(3),),
         name="pow_base_0_exponent_grad"),
]

# In-place forms of the unary ops, recorded on a non-leaf: the same values and gradients.
_DOMAIN = {c.op: c.inputs for c in CASES if len(c.inputs) == 1 and c.grad and not c.name}


def _unary_in_place(op):
    def call(m, x):
        y = x * 1
        out = getattr(y, op + "_")()
        assert out is y
        return y

    # PyTorch has no derivative for these three in place; gradcheck still checks ours.
    return Case(op + "_", call, _DOMAIN.get(op, X34),
                torch_grad=op not in ("acosh", "asinh", "atanh"))


CASES += [_unary_in_place(op) for op in (
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "erf",
    "erfc", "erfinv", "exp", "exp2", "expm1", "floor", "frac", "log", "log10", "log1p", "log2",
    "neg", "reciprocal", "relu", "round", "rsqrt", "sigmoid", "sign", "sgn", "sin", "sinh",
    "sqrt", "square", "tan", "tanh", "trunc")]


X34_X34 = (A(3, 4), A(3, 4))


def _binary_in_place(op, *args, inputs=X34_X34, **kw):
    def call(m, x, *rest):
        y = x * 1
        out = getattr(y, op + "_")(*rest, *args)
        assert out is y
        return y

    return Case(op + "_", call, inputs, **kw)


CASES += [
    _binary_in_place("pow", 2, inputs=(A(3, 4),)),
    _binary_in_place("fmod", inputs=(A(3, 4), P(3, 4))),
    _binary_in_place("remainder", 1.5, inputs=(A(3, 4),)),
    _binary_in_place("lerp", 0.3),
    _binary_in_place("clamp_min", -0.2, inputs=(A(3, 4),)),
    _binary_in_place("clamp_max", 0.2, inputs=(A(3, 4),)),
    Case("addcmul_", lambda m, x, a, b: (x * 1).addcmul_(a, b, value=0.5), (A(3), A(3), A(3))),
    Case("addcdiv_", lambda m, x, a, b: (x * 1).addcdiv_(a, b, value=-1), (A(3), A(3), P(3))),
    _binary_in_place("tril", 1, inputs=(A(3, 4),)),
    _binary_in_place("triu", inputs=(A(3, 4),)),
    _binary_in_place("atan2"),
    _binary_in_place("hypot"),
    _binary_in_place("copysign", inputs=(A(3, 4), A(3, 4)), gradcheck=False),
    _binary_in_place("xlogy", inputs=(A(3, 4), P(3, 4))),
    _binary_in_place("floor_divide", 0.7, inputs=(A(3, 4),), grad=False),
    _binary_in_place("logit", inputs=(In((3, 4), "prob"),)),
    _binary_in_place("nan_to_num", inputs=(A(3, 4),)),
]
