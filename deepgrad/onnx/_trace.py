"""Tracing a forward pass: every Function applied (and every module with its own conversion)
becomes ONNX nodes, with values named by the arrays that flow between them."""
from __future__ import annotations

from contextlib import contextmanager

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..nn.module import Module
from ._graph import GraphBuilder, OnnxExportError


class Tracer:
    """Maps arrays seen during the forward pass to ONNX value names.

    Arrays are keyed by ``id``; every array that got a name is also kept alive here, so an id
    cannot be reused by a different array during the trace.

    Args:
        graph: the GraphBuilder receiving nodes.
        param_names: ``id(array) -> name`` of the model's parameters and buffers (initializers).
    """

    def __init__(self, graph: GraphBuilder, param_names: dict) -> None:
        self.graph = graph
        self.param_names = param_names
        self.names: dict[int, str] = {}
        self._alive = []
        self.suppress = 0

    def bind(self, array, name: str) -> None:
        self.names[id(array)] = name
        self._alive.append(array)

    def name_of(self, value) -> str:
        """The value name of a Tensor or array; unseen arrays become initializers (constants)."""
        array = value._data if isinstance(value, Tensor) else value
        name = self.names.get(id(array))
        if name is not None:
            return name
        pname = self.param_names.get(id(array))
        name = self.graph.initializer(array, pname)
        self.bind(array, name)
        return name


def _converter(fn):
    own = getattr(fn, "to_onnx", None)
    if own is not None:
        return own
    from ._ops import CONVERTERS

    cls = type(fn)
    conv = CONVERTERS.get(cls.__name__) if cls.__module__.startswith("deepgrad.") else None
    if conv is None:
        raise OnnxExportError(f"onnx.export: no ONNX conversion for the op {fn.name}; it can't be "
                              f"exported yet (define to_onnx on the Function, or avoid the op)")
    return lambda g, t, inputs, outputs: conv(g, t, fn, inputs, outputs)


def _traced_apply(tracer: Tracer, original):
    def apply(fn, *inputs):
        outs = original(fn, *inputs)
        if tracer.suppress:
            return outs
        out_list = outs if isinstance(outs, tuple) else (outs,)
        names = _converter(fn)(tracer.graph, tracer, inputs, out_list)
        names = names if isinstance(names, (list, tuple)) else [names]
        for o, n in zip(out_list, names):
            if n is not None:
                tracer.bind(o._data, n)
        return outs

    return apply


def _traced_call(tracer: Tracer, original):
    from ._modules import MODULE_CONVERTERS

    def call(module, *args, **kwargs):
        conv = MODULE_CONVERTERS.get(type(module))
        if conv is None or tracer.suppress:
            return original(module, *args, **kwargs)
        tracer.suppress += 1
        try:
            out = original(module, *args, **kwargs)
        finally:
            tracer.suppress -= 1
        conv(tracer.graph, tracer, module, args, kwargs, out)
        return out

    return call


@contextmanager
def tracing(tracer: Tracer):
    """Within this block, Function.apply and Module.__call__ also record ONNX nodes.

    Subclasses that wrap ``apply`` (the broadcasting binary ops) call ``Function.apply``, so
    patching the base class alone sees every op once.
    """
    apply, call = Function.__dict__["apply"], Module.__call__
    try:
        Function.apply = _traced_apply(tracer, apply)
        Module.__call__ = _traced_call(tracer, call)
        yield tracer
    finally:
        Function.apply = apply
        Module.__call__ = call
