"""ONNX conversions of deepgrad's Functions, by class name.

Each converter is ``conv(g, tracer, fn, inputs, outputs) -> name or [names]``: ``fn`` is the
Function instance after its forward (hyperparameters on it), ``inputs``/``outputs`` its Tensors.
A Function may instead define ``to_onnx(g, tracer, inputs, outputs)`` next to its definition.
"""
from __future__ import annotations

import math

import numpy

from ._activations import ACTIVATIONS
from ._graph import OnnxExportError


def _names(tracer, tensors):
    return [tracer.name_of(t) for t in tensors]


def _same(op):
    def conv(g, tracer, fn, inputs, outputs):
        return g.node(op, _names(tracer, inputs))

    return conv


def _linear(g, tracer, fn, inputs, outputs):
    x, w = _names(tracer, inputs[:2])
    if inputs[0].ndim == 2:
        return g.node("Gemm", [x, w] + _names(tracer, inputs[2:]), transB=1)
    y = g.node("MatMul", [x, g.node("Transpose", [w], perm=[1, 0])])
    return g.node("Add", [y, tracer.name_of(inputs[2])]) if len(inputs) > 2 else y


def _pow_scalar(g, tracer, fn, inputs, outputs):
    return g.node("Pow", [tracer.name_of(inputs[0]), g.const(fn.p, inputs[0].dtype)])


def _clamp(g, tracer, fn, inputs, outputs):
    dtype = inputs[0].dtype
    lo = g.const(fn.lo, dtype) if fn.lo is not None else ""
    hi = g.const(fn.hi, dtype) if fn.hi is not None else ""
    return g.node("Clip", [tracer.name_of(inputs[0]), lo, hi])


def _where(g, tracer, fn, inputs, outputs):
    cond = tracer.name_of(numpy.asarray(fn.cond, dtype=bool) if not hasattr(fn.cond, "dtype")
                          else fn.cond)
    if getattr(fn.cond, "dtype", None) != numpy.bool_:
        cond = g.node("Cast", [cond], to=g.tensor_type(numpy.bool_))
    return g.node("Where", [cond] + _names(tracer, inputs))


def _cast(g, tracer, fn, inputs, outputs):
    return g.node("Cast", [tracer.name_of(inputs[0])], to=g.tensor_type(fn.dtype))


def _leaky_relu(g, tracer, fn, inputs, outputs):
    return g.node("LeakyRelu", [tracer.name_of(inputs[0])], alpha=float(fn.slope))


def _elu(g, tracer, fn, inputs, outputs):
    return g.node("Elu", [tracer.name_of(inputs[0])], alpha=float(fn.alpha))


def _softplus(g, tracer, fn, inputs, outputs):
    x, dtype = tracer.name_of(inputs[0]), inputs[0].dtype
    if fn.beta == 1:
        return g.node("Softplus", [x])
    beta = g.const(fn.beta, dtype)
    return g.node("Div", [g.node("Softplus", [g.node("Mul", [x, beta])]), beta])


def _softmax(op):
    def conv(g, tracer, fn, inputs, outputs):
        return g.node(op, [tracer.name_of(inputs[0])], axis=int(fn.dim))

    return conv


def _reduce(op):
    def conv(g, tracer, fn, inputs, outputs):
        return g.reduce(op, tracer.name_of(inputs[0]), fn.axes, fn.keepdim)

    return conv


def _var(g, tracer, fn, inputs, outputs):
    x, shape = tracer.name_of(inputs[0]), inputs[0].shape
    axes = fn.axes if fn.axes is not None else tuple(range(len(shape)))
    n = math.prod(shape[a] for a in axes) - fn.correction
    centered = g.node("Sub", [x, g.reduce("ReduceMean", x, axes, True)])
    squares = g.reduce("ReduceSum", g.node("Mul", [centered, centered]), axes, fn.keepdim)
    return g.node("Div", [squares, g.const(max(n, 0), inputs[0].dtype)])


def _max_all(g, tracer, fn, inputs, outputs):
    return g.reduce("ReduceMax" if fn.largest else "ReduceMin", tracer.name_of(inputs[0]), None,
                    False)


def _max_dim(g, tracer, fn, inputs, outputs):
    x = tracer.name_of(inputs[0])
    reduce_op, arg_op = ("ReduceMax", "ArgMax") if fn.largest else ("ReduceMin", "ArgMin")
    values = g.reduce(reduce_op, x, [fn.dim], fn.keepdim)
    return [values, g.node(arg_op, [x], axis=int(fn.dim), keepdims=int(fn.keepdim))]


def _reshape(g, tracer, fn, inputs, outputs):
    # A kept leading (batch) dim is written as 0, "copy the input's dim" in ONNX's Reshape, so
    # that flattening stays valid for another batch size under dynamic_axes.
    in_shape, target = inputs[0].shape, list(outputs[0].shape)
    if target and in_shape and target[0] == in_shape[0]:
        target[0] = 0
    return g.node("Reshape", [tracer.name_of(inputs[0]), g.ints(target)])


def _permute(g, tracer, fn, inputs, outputs):
    return g.node("Transpose", [tracer.name_of(inputs[0])], perm=[int(a) for a in fn.axes])


def _expand(g, tracer, fn, inputs, outputs):
    return g.node("Expand", [tracer.name_of(inputs[0]), g.ints(outputs[0].shape)])


def _getitem(g, tracer, fn, inputs, outputs):
    index = fn.index if isinstance(fn.index, tuple) else (fn.index,)
    x, shape = tracer.name_of(inputs[0]), inputs[0].shape
    if not all(isinstance(i, (int, slice)) or i is None or i is Ellipsis for i in index):
        if len(index) == 1 and hasattr(index[0], "dtype") and index[0].dtype.kind in "iu":
            return g.node("Gather", [x, tracer.name_of(index[0])], axis=0)
        raise OnnxExportError(f"onnx.export: indexing with {fn.index!r} is not exportable")
    if Ellipsis in index:
        k = index.index(Ellipsis)
        fill = len(shape) - sum(1 for i in index if i is not None and i is not Ellipsis)
        index = index[:k] + (slice(None),) * fill + index[k + 1:]
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    dim = out_dim = 0
    for item in index:
        if item is None:
            unsqueeze.append(out_dim)
            out_dim += 1
            continue
        if isinstance(item, int):
            start = item % shape[dim]
            starts.append(start), ends.append(start + 1), axes.append(dim), steps.append(1)
            squeeze.append(dim)
        elif item != slice(None):
            start, stop, step = item.indices(shape[dim])
            if step < 0 and stop < 0:
                stop = -(2 ** 62)  # ONNX: past the front
            starts.append(start), ends.append(stop), axes.append(dim), steps.append(step)
            out_dim += 1
        else:
            out_dim += 1
        dim += 1
    y = x
    if axes:
        y = g.node("Slice", [y, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])
    if squeeze:
        y = g.squeeze(y, squeeze)
    if unsqueeze:
        y = g.unsqueeze(y, unsqueeze)
    return y if y is not x else g.node("Identity", [x])


def _concat(g, tracer, fn, inputs, outputs):
    return g.node("Concat", _names(tracer, inputs), axis=int(fn.dim))


def _stack(g, tracer, fn, inputs, outputs):
    dim = fn.dim % (inputs[0].ndim + 1)
    parts = [g.unsqueeze(n, [dim]) for n in _names(tracer, inputs)]
    return g.node("Concat", parts, axis=int(dim))


def _split(g, tracer, fn, inputs, outputs):
    x = tracer.name_of(inputs[0])
    if len(outputs) == 1:
        return g.node("Identity", [x])
    return g.node("Split", [x, g.ints(fn.sizes)], n_out=len(outputs), axis=int(fn.dim))


def _pad(g, tracer, fn, inputs, outputs):
    before = [int(b) for b, _ in fn.widths]
    after = [int(a) for _, a in fn.widths]
    value = g.const(fn.value, inputs[0].dtype)
    return g.node("Pad", [tracer.name_of(inputs[0]), g.ints(before + after), value],
                  mode="constant")


def _conv(g, tracer, fn, inputs, outputs):
    (pt, pb), (pl, pr) = fn.padding
    w = inputs[1]
    return g.node("Conv", _names(tracer, inputs), kernel_shape=list(w.shape[2:]),
                  strides=list(fn.stride), dilations=list(fn.dilation), group=int(fn.groups),
                  pads=[pt, pl, pb, pr])


def _pool(op):
    def conv(g, tracer, fn, inputs, outputs):
        (ph, pw) = fn.padding
        attrs = dict(kernel_shape=list(fn.kernel), strides=list(fn.stride), pads=[ph, pw, ph, pw])
        if op == "AveragePool":
            attrs["count_include_pad"] = 1
        return g.node(op, [tracer.name_of(inputs[0])], **attrs)

    return conv


def _adaptive_avg(g, tracer, fn, inputs, outputs):
    x = tracer.name_of(inputs[0])
    (h, w), (oh, ow) = inputs[0].shape[2:], outputs[0].shape[2:]
    if (oh, ow) == (1, 1):
        return g.node("GlobalAveragePool", [x])
    if h % oh or w % ow:
        raise OnnxExportError(f"onnx.export: adaptive_avg_pool2d from {(h, w)} to {(oh, ow)} "
                              f"has unequal bins; ONNX has no adaptive pooling")
    kh, kw = h // oh, w // ow
    return g.node("AveragePool", [x], kernel_shape=[kh, kw], strides=[kh, kw])


def _batchnorm(g, tracer, fn, inputs, outputs):
    if fn.training:
        raise OnnxExportError("onnx.export: BatchNorm in training mode; call model.eval() first")
    x = inputs[0]
    c, dtype = x.shape[1], x.dtype
    scale = tracer.name_of(inputs[1]) if len(inputs) > 1 else g.const(numpy.ones(c), dtype)
    bias = tracer.name_of(inputs[2]) if len(inputs) > 2 else g.const(numpy.zeros(c), dtype)
    return g.node("BatchNormalization", [tracer.name_of(x), scale, bias,
                                         tracer.name_of(fn.mean), tracer.name_of(fn.var)],
                  epsilon=float(fn.eps))


def _embedding(g, tracer, fn, inputs, outputs):
    return g.node("Gather", [tracer.name_of(inputs[0]), tracer.name_of(fn.idx)], axis=0)


def _normalize(g, tracer, fn, inputs, outputs):
    """(x - mean) / sqrt(var + eps) over ``fn.axes``: one LayerNormalization when the axes are
    the trailing ones (opset 17+), else written out with reductions."""
    x, nd, dtype = tracer.name_of(inputs[0]), inputs[0].ndim, inputs[0].dtype
    axes = sorted(a % nd for a in (fn.axes if isinstance(fn.axes, (tuple, list)) else (fn.axes,)))
    if g.opset >= 17 and axes == list(range(axes[0], nd)):
        shape = inputs[0].shape[axes[0]:]
        return g.node("LayerNormalization", [x, g.const(numpy.ones(shape), dtype),
                                             g.const(numpy.zeros(shape), dtype)],
                      axis=int(axes[0]), epsilon=float(fn.eps))
    centred = g.node("Sub", [x, g.reduce("ReduceMean", x, axes, True)])
    var = g.reduce("ReduceMean", g.node("Mul", [centred, centred]), axes, True)
    std = g.node("Sqrt", [g.node("Add", [var, g.const(fn.eps, dtype)])])
    return g.node("Div", [centred, std])


CONVERTERS = {
    "Add": _same("Add"), "Sub": _same("Sub"), "Mul": _same("Mul"), "Div": _same("Div"),
    "Pow": _same("Pow"), "PowScalar": _pow_scalar, "Neg": _same("Neg"), "Exp": _same("Exp"),
    "Log": _same("Log"), "Sqrt": _same("Sqrt"), "Abs": _same("Abs"), "Clamp": _clamp,
    "Maximum": _same("Max"), "Minimum": _same("Min"), "Where": _where, "Cast": _cast,
    "Copy": _same("Identity"), "Sigmoid": _same("Sigmoid"), "Tanh": _same("Tanh"),
    "Softsign": _same("Softsign"), "ReLU": _same("Relu"), "LeakyReLU": _leaky_relu,
    "ELU": _elu, "Softplus": _softplus, "Softmax": _softmax("Softmax"),
    "LogSoftmax": _softmax("LogSoftmax"), "Sign": _same("Sign"),
    "MatMul": _same("MatMul"), "Linear": _linear, "Sum": _reduce("ReduceSum"),
    "Mean": _reduce("ReduceMean"), "Var": _var, "MaxAll": _max_all, "MaxDim": _max_dim,
    "Reshape": _reshape, "Permute": _permute, "Expand": _expand, "GetItem": _getitem,
    "Concat": _concat, "Stack": _stack, "Split": _split, "Pad": _pad, "Conv2d": _conv,
    "MaxPool2d": _pool("MaxPool"), "AvgPool2d": _pool("AveragePool"),
    "AdaptiveAvgPool2d": _adaptive_avg, "BatchNorm": _batchnorm, "Embedding": _embedding,
    "Normalize": _normalize, **ACTIVATIONS,
}
