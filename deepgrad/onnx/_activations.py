"""ONNX conversions of the activation Functions beyond the chapter's (GELU, SiLU, CELU/SELU...).

Where ONNX has the op at opset 13-17 it is used (HardSwish, HardSigmoid, Celu, Selu, Shrink,
PRelu); GELU, SiLU, Mish and LogSigmoid are written out from their formulas.
"""
from __future__ import annotations

import math


def _x(tracer, inputs):
    return tracer.name_of(inputs[0])


def _gelu(g, tracer, fn, inputs, outputs):
    x, dtype = _x(tracer, inputs), inputs[0].dtype
    half = g.const(0.5, dtype)
    if fn.approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [cube, g.const(0.044715, dtype)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.const(math.sqrt(2 / math.pi), dtype)])])
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        t = g.node("Erf", [g.node("Div", [x, g.const(math.sqrt(2.0), dtype)])])
    return g.node("Mul", [g.node("Mul", [x, half]), g.node("Add", [t, g.const(1.0, dtype)])])


def _silu(g, tracer, fn, inputs, outputs):
    x = _x(tracer, inputs)
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


def _mish(g, tracer, fn, inputs, outputs):
    x = _x(tracer, inputs)
    return g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])])


def _celu(g, tracer, fn, inputs, outputs):
    x = _x(tracer, inputs)
    if fn.scale == 1.0 and fn.inner == fn.alpha:
        return g.node("Celu", [x], alpha=float(fn.alpha))
    if fn.inner == 1.0:  # SELU: scale (x if x > 0 else alpha (e^x - 1))
        return g.node("Selu", [x], alpha=float(fn.alpha), gamma=float(fn.scale))
    dtype = inputs[0].dtype  # the general form, written out
    scaled = g.node("Div", [x, g.const(fn.inner, dtype)])
    neg = g.node("Mul", [g.node("Sub", [g.node("Exp", [scaled]), g.const(1.0, dtype)]),
                         g.const(fn.alpha, dtype)])
    y = g.node("Where", [g.node("Greater", [x, g.const(0.0, dtype)]), x, neg])
    return g.node("Mul", [y, g.const(fn.scale, dtype)])


def _hardtanh(g, tracer, fn, inputs, outputs):
    dtype = inputs[0].dtype
    return g.node("Clip", [_x(tracer, inputs), g.const(fn.lo, dtype), g.const(fn.hi, dtype)])


def _hardsigmoid(g, tracer, fn, inputs, outputs):
    return g.node("HardSigmoid", [_x(tracer, inputs)], alpha=1.0 / 6.0, beta=0.5)


def _hardswish(g, tracer, fn, inputs, outputs):
    return g.node("HardSwish", [_x(tracer, inputs)])


def _logsigmoid(g, tracer, fn, inputs, outputs):  # log sigmoid(x) = -softplus(-x)
    return g.node("Neg", [g.node("Softplus", [g.node("Neg", [_x(tracer, inputs)])])])


def _shrink(g, tracer, fn, inputs, outputs):
    return g.node("Shrink", [_x(tracer, inputs)], lambd=float(fn.lambd),
                  bias=float(fn.lambd) if fn.soft else 0.0)


def _threshold(g, tracer, fn, inputs, outputs):
    x, dtype = _x(tracer, inputs), inputs[0].dtype
    above = g.node("Greater", [x, g.const(fn.threshold, dtype)])
    return g.node("Where", [above, x, g.const(fn.value, dtype)])


def _prelu(g, tracer, fn, inputs, outputs):
    x, a = inputs
    slope = tracer.name_of(a)
    if x.ndim > 2 and a.numel() > 1:  # one slope per channel (dim 1): (C, 1, ..., 1) broadcasts
        slope = g.node("Reshape", [slope, g.ints([a.numel()] + [1] * (x.ndim - 2))])
    return g.node("PRelu", [tracer.name_of(x), slope])


ACTIVATIONS = {"GELU": _gelu, "SiLU": _silu, "Mish": _mish, "CELU": _celu, "Hardtanh": _hardtanh,
               "Hardsigmoid": _hardsigmoid, "Hardswish": _hardswish, "LogSigmoid": _logsigmoid,
               "Shrink": _shrink, "Threshold": _threshold, "PReLU": _prelu}
