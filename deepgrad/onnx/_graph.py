"""The ONNX graph being built: value names, nodes, initializers and constants."""
from __future__ import annotations

import numpy


class OnnxExportError(RuntimeError):
    """A model (or one of its ops) that ``deepgrad.onnx.export`` cannot express in ONNX."""


class GraphBuilder:
    """Collects nodes and initializers; hands out fresh value names.

    Args:
        onnx: the imported ``onnx`` module (an optional dependency, imported by ``export``).
        opset: the ONNX opset the nodes are written for.
    """

    def __init__(self, onnx, opset: int) -> None:
        self.onnx = onnx
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self._count = 0
        self._init_names = set()

    def fresh(self, hint: str = "v") -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def node(self, op: str, inputs, n_out: int = 1, **attrs):
        """Append an ``op`` node; returns its output name (or list of names when ``n_out > 1``)."""
        outs = [self.fresh(op.lower()) for _ in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), outs, **attrs))
        return outs[0] if n_out == 1 else outs

    def initializer(self, array, name: str | None = None) -> str:
        """Store ``array`` (host copy) as an initializer; returns its name."""
        name = name or self.fresh("const")
        if name not in self._init_names:
            host = numpy.asarray(array.get() if hasattr(array, "get") else array)
            if host.dtype == numpy.bool_:
                host = host.astype(numpy.bool_)
            self.initializers.append(self.onnx.numpy_helper.from_array(host, name))
            self._init_names.add(name)
        return name

    def const(self, value, dtype) -> str:
        """A constant initializer holding ``value`` as ``dtype``."""
        return self.initializer(numpy.asarray(value, dtype=dtype))

    def ints(self, values) -> str:
        """An int64 1-D constant (axes, shapes, pads, splits as ONNX wants them)."""
        return self.initializer(numpy.asarray(list(values), dtype=numpy.int64))

    def tensor_type(self, dtype) -> int:
        """The ONNX element type of a NumPy dtype."""
        return self.onnx.helper.np_dtype_to_tensor_dtype(numpy.dtype(dtype))

    def reduce(self, op: str, x: str, axes, keepdims: bool) -> str:
        """A Reduce* node over ``axes`` (None: all), with axes as input or attribute by opset."""
        keep = int(bool(keepdims))
        if axes is None:
            return self.node(op, [x], keepdims=keep)
        axes = [int(a) for a in axes]
        # ReduceSum takes axes as an input from opset 13; the other reductions from opset 18.
        as_input = self.opset >= (13 if op == "ReduceSum" else 18)
        if as_input:
            return self.node(op, [x, self.ints(axes)], keepdims=keep)
        return self.node(op, [x], axes=axes, keepdims=keep)

    def unsqueeze(self, x: str, axes) -> str:
        if self.opset >= 13:
            return self.node("Unsqueeze", [x, self.ints(axes)])
        return self.node("Unsqueeze", [x], axes=list(axes))

    def squeeze(self, x: str, axes) -> str:
        if self.opset >= 13:
            return self.node("Squeeze", [x, self.ints(axes)])
        return self.node("Squeeze", [x], axes=list(axes))
