"""ONNX export: ``dg.onnx.export(model, args, f, ...)`` with ``torch.onnx.export``'s arguments.

The model runs once in eval mode on ``args`` while every op it applies is written as ONNX nodes
(a trace, like ``torch.onnx.export``'s TorchScript tracer): Python control flow is unrolled for
these inputs, and values computed outside deepgrad's ops (``.numpy()`` round trips, Python
numbers, comparison masks) are frozen into the graph as constants. Needs the ``onnx`` package:
``pip install 'deepgrad[onnx]'``.
"""
from __future__ import annotations

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ._graph import GraphBuilder, OnnxExportError
from ._trace import Tracer, tracing

DEFAULT_OPSET = 17  # LayerNormalization is an ONNX op from opset 17
MIN_OPSET = 13


def export(model, args, f, export_params: bool = True, verbose: bool = False,
           training=None, input_names=None, output_names=None, opset_version: int | None = None,
           dynamic_axes=None, do_constant_folding: bool = True,
           keep_initializers_as_inputs: bool = False, **kwargs) -> None:
    """Trace ``model(*args)`` and write it as an ONNX model to ``f``.

    Args:
        model: a Module (or any callable of Tensors).
        args: a Tensor, or a tuple of Tensors or of tuples of Tensors (an RNN's ``(h, c)``; each
            tensor is one graph input); a trailing dict is passed as keyword arguments.
        f: a path or a writable binary file object.
        export_params: must be True (the weights are stored as initializers).
        verbose: print the graph after export.
        training: ignored unless truthy: export always runs the model in eval mode (dropout
            off, BatchNorm running statistics), PyTorch's default; the module's mode is restored.
        input_names / output_names: names of the graph's inputs and outputs (defaults
            ``input_0``... / ``output_0``...).
        opset_version: ONNX opset, 13 or newer (default 17).
        dynamic_axes: ``{name: {axis: "label"}}`` or ``{name: [axis, ...]}``: axes whose size
            may differ from the example (the batch, a sequence length).
        do_constant_folding, keep_initializers_as_inputs: accepted for PyTorch compatibility;
            weights are always initializers, folded constants are already constants.

    Raises:
        ImportError: ``onnx`` is not installed.
        OnnxExportError: an op or layer without an ONNX conversion, or a bad argument.
    """
    try:
        import onnx
    except ImportError:
        raise ImportError("deepgrad.onnx.export needs the onnx package: pip install "
                          "'deepgrad[onnx]' (or pip install onnx)") from None
    if not export_params:
        raise OnnxExportError("onnx.export: export_params=False is not supported; the weights "
                              "are always written into the file")
    if training:
        raise OnnxExportError("onnx.export: only eval-mode export is supported (training=None)")
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if opset < MIN_OPSET:
        raise OnnxExportError(f"onnx.export: opset_version must be >= {MIN_OPSET}, got {opset}")
    call_args, call_kwargs = _split_args(args)
    leaves = _flatten(call_args)  # nested (h, c) state tuples become one input per tensor
    graph = GraphBuilder(onnx, opset)
    tracer = Tracer(graph, _param_names(model))
    input_names = list(input_names or [f"input_{i}" for i in range(len(leaves))])
    if len(input_names) != len(leaves):
        raise OnnxExportError(f"onnx.export: {len(input_names)} input_names for "
                              f"{len(leaves)} input tensors")
    for t, name in zip(leaves, input_names):
        tracer.bind(t._data, name)
    was_training = getattr(model, "training", None)
    if was_training is not None:
        model.eval()
    try:
        with no_grad(), tracing(tracer):
            result = model(*call_args, **call_kwargs)
    finally:
        if was_training:
            model.train()
    outputs = _flatten(result)
    output_names = list(output_names or [f"output_{i}" for i in range(len(outputs))])
    if len(output_names) != len(outputs):
        raise OnnxExportError(f"onnx.export: {len(output_names)} output_names for "
                              f"{len(outputs)} outputs")
    for t, name in zip(outputs, output_names):
        graph.nodes.append(onnx.helper.make_node("Identity", [tracer.name_of(t)], [name]))
    dynamic = _dynamic(dynamic_axes or {})
    proto = onnx.helper.make_model(
        onnx.helper.make_graph(
            graph.nodes, type(model).__name__,
            [_value_info(onnx, graph, n, t, dynamic) for n, t in zip(input_names, leaves)],
            [_value_info(onnx, graph, n, t, dynamic) for n, t in zip(output_names, outputs)],
            graph.initializers),
        opset_imports=[onnx.helper.make_opsetid("", opset)], producer_name="deepgrad")
    proto.ir_version = min(proto.ir_version, 10)  # readable by onnxruntime releases of 2024+
    onnx.checker.check_model(proto)
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    onnx.save_model(proto, f)


def _split_args(args):
    if isinstance(args, Tensor):
        return [args], {}
    args = list(args)
    kwargs = args.pop() if args and isinstance(args[-1], dict) else {}
    for i, a in enumerate(args):
        try:
            _flatten(a)
        except OnnxExportError:
            raise OnnxExportError(f"onnx.export: args[{i}] is a {type(a).__name__}; pass "
                                  f"Tensors (or tuples of Tensors)") from None
    return args, kwargs


def _param_names(model) -> dict:
    names = {}
    for attr in ("named_parameters", "named_buffers"):
        if hasattr(model, attr):
            for name, t in getattr(model, attr)():
                names.setdefault(id(t._data), name)
    return names


def _flatten(result):
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _flatten(r)]
    raise OnnxExportError(f"onnx.export: the model returned a {type(result).__name__}; only "
                          f"Tensors and (nested) tuples/lists of Tensors can be outputs")


def _dynamic(dynamic_axes: dict) -> dict:
    out = {}
    for name, axes in dynamic_axes.items():
        if isinstance(axes, dict):
            out[name] = {int(k): str(v) for k, v in axes.items()}
        else:
            out[name] = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}
    return out


def _value_info(onnx, graph, name: str, t: Tensor, dynamic: dict):
    axes = dynamic.get(name, {})
    shape = [axes.get(i, int(d)) for i, d in enumerate(t.shape)]
    return onnx.helper.make_tensor_value_info(name, graph.tensor_type(t.dtype), shape)


__all__ = ["export", "OnnxExportError"]
