"""Module-level ONNX conversions: layers that map onto one ONNX op better than their ops do.

The recurrent layers run as fused sequence Functions whose gate math ONNX expresses with its
own RNN/LSTM/GRU ops; the weights are rearranged into ONNX's gate order:
LSTM [i, f, g, o] (PyTorch) -> [i, o, f, c] (ONNX); GRU [r, z, n] -> [z, r, h] with
``linear_before_reset=1`` for PyTorch's form (the reset applied after the recurrent matrix).
"""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor
from ..nn.embedding import Embedding
from ..nn.rnn import GRU, LSTM, RNN
from ._graph import OnnxExportError

_GATE_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN_TANH": [0], "RNN_RELU": [0]}
_ONNX_OP = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _host(t: Tensor):
    d = t._data
    return numpy.asarray(d.get() if hasattr(d, "get") else d)


def _reorder(w, mode: str, hidden: int, chapter_gru: bool):
    blocks = [w[k * hidden:(k + 1) * hidden] for k in range(len(_GATE_ORDER[mode]))]
    if chapter_gru:  # the chapter's update gate is 1 - PyTorch's: sigmoid(-a) = 1 - sigmoid(a)
        blocks[1] = -blocks[1]
    return numpy.concatenate([blocks[k] for k in _GATE_ORDER[mode]], axis=0)


def _layer_weights(g, module, layer: int, prefix: str, chapter_gru: bool):
    """W (D, G H, in), R (D, G H, H), B (D, 2 G H) initializers for one layer."""
    mode, hidden = module.mode, module.hidden_size
    ws, rs, bs = [], [], []
    for d in range(module.num_directions):
        names = module._flat[layer * module.num_directions + d]
        w_ih, w_hh = (_host(getattr(module, n)) for n in names[:2])
        ws.append(_reorder(w_ih, mode, hidden, chapter_gru))
        rs.append(_reorder(w_hh, mode, hidden, chapter_gru))
        if module.bias:
            b_ih, b_hh = (_host(getattr(module, n)) for n in names[2:])
        else:
            b_ih = b_hh = numpy.zeros(w_ih.shape[0], w_ih.dtype)
        bs.append(numpy.concatenate([_reorder(b_ih, mode, hidden, chapter_gru),
                                     _reorder(b_hh, mode, hidden, chapter_gru)]))
    return (g.initializer(numpy.stack(ws), f"{prefix}W_l{layer}"),
            g.initializer(numpy.stack(rs), f"{prefix}R_l{layer}"),
            g.initializer(numpy.stack(bs), f"{prefix}B_l{layer}"))


def _recurrent(g, tracer, module, args, kwargs, out):
    name = type(module).__name__
    if kwargs.get("lengths") is not None or (len(args) > 2 and args[2] is not None):
        raise OnnxExportError(f"onnx.export: {name} with lengths= is not exportable; pass padded "
                              f"sequences without lengths")
    inp = args[0]
    hx = args[1] if len(args) > 1 else kwargs.get("hx")
    mode, D, L = module.mode, module.num_directions, module.num_layers
    chapter_gru = mode == "GRU" and not getattr(module, "reset_after", True)
    x = tracer.name_of(inp)
    unbatched = inp.ndim == 2
    if unbatched:
        x = g.unsqueeze(x, [1])
    elif module.batch_first:
        x = g.node("Transpose", [x], perm=[1, 0, 2])
    states = [] if hx is None else [tracer.name_of(h) for h in (hx if mode == "LSTM" else (hx,))]
    if unbatched:
        states = [g.unsqueeze(s, [1]) for s in states]
    pname = tracer.param_names.get(id(getattr(module, module._flat[0][0])._data), "")
    prefix = pname[:-len(module._flat[0][0])] if pname else f"{name.lower()}."
    attrs = dict(hidden_size=module.hidden_size,
                 direction="bidirectional" if D == 2 else "forward")
    if mode == "GRU":
        attrs["linear_before_reset"] = 0 if chapter_gru else 1
    if mode == "RNN_RELU":
        attrs["activations"] = ["Relu"] * D
    finals = [[] for _ in range(2 if mode == "LSTM" else 1)]
    for layer in range(L):
        w, r, b = _layer_weights(g, module, layer, prefix, chapter_gru)
        init = [g.node("Slice", [s, g.ints([layer * D]), g.ints([(layer + 1) * D]), g.ints([0])])
                for s in states]
        inputs = [x, w, r, b, ""] + (init if init else [])
        n_out = 3 if mode == "LSTM" else 2
        outs = g.node(_ONNX_OP[mode], inputs, n_out=n_out, **attrs)
        y = g.node("Transpose", [outs[0]], perm=[0, 2, 1, 3])  # (T, D, B, H) -> (T, B, D, H)
        x = g.node("Reshape", [y, g.ints([0, 0, -1])])
        for i, f in enumerate(finals):
            f.append(outs[1 + i])
    output = x
    if unbatched:
        output = g.squeeze(output, [1])
    elif module.batch_first:
        output = g.node("Transpose", [output], perm=[1, 0, 2])
    h_n = [f[0] if len(f) == 1 else g.node("Concat", f, axis=0) for f in finals]
    if unbatched:
        h_n = [g.squeeze(h, [1]) for h in h_n]
    tracer.bind(out[0]._data, output)
    states_out = out[1] if mode == "LSTM" else (out[1],)
    for t, n in zip(states_out, h_n):
        tracer.bind(t._data, n)


def _embedding(g, tracer, module, args, kwargs, out):
    idx = tracer.name_of(args[0])
    tracer.bind(out._data, g.node("Gather", [tracer.name_of(module.weight), idx], axis=0))


# Keyed by the exact class: a subclass may change forward, so it is traced op by op instead.
MODULE_CONVERTERS = {RNN: _recurrent, LSTM: _recurrent, GRU: _recurrent, Embedding: _embedding}
