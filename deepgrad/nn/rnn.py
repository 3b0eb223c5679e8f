"""Recurrent layers with PyTorch's interface: RNN, LSTM, GRU (multi-layer, bidirectional, lengths).

Each layer and direction runs as one fused autograd node (``deepgrad.ops.rnn*``), so a state dict
copied from ``torch.nn.RNN/LSTM/GRU`` gives the same outputs and gradients.
"""
from __future__ import annotations

import math

import numpy

from ..autograd.tensor import DEFAULT_DTYPE, Tensor
from ..backend import get_array_module
from ..ops.dropout import dropout as dropout_fn
from ..ops.rnn import RNNSequence, _apply, check_lengths
from ..ops.rnn_gru import GRUChapterSequence, GRUSequence
from ..ops.rnn_lstm import LSTMSequence
from ..ops.shape import cat, getitem, stack, transpose, unsqueeze
from . import init
from .module import Module, Parameter
from .rnn_proj import projected_lstm_layer
from .utils.rnn import PackedSequence, pad_packed_sequence, repack_like

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """Shared parameters and forward of RNN, LSTM and GRU.

    Parameters per layer ``k`` and direction (suffix ``_reverse`` for the backward one):
    ``weight_ih_l{k}`` (G H, in), ``weight_hh_l{k}`` (G H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}``
    (G H,), with G = 1, 4, 3 gates; all initialized U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype=None, proj_size: int = 0) -> None:
        super().__init__()
        name = type(self).__name__
        if proj_size < 0 or (proj_size and mode != "LSTM"):
            raise ValueError(f"{name}: proj_size must be >= 0 and only LSTM supports it, got "
                             f"proj_size={proj_size}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got "
                             f"proj_size={proj_size}, hidden_size={hidden_size}")
        if input_size <= 0 or hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"{name}: input_size, hidden_size and num_layers must be positive, "
                             f"got {input_size}, {hidden_size}, {num_layers}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout must be in [0, 1], got {dropout}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = int(proj_size)
        dtype = numpy.dtype(dtype or DEFAULT_DTYPE)
        gh = _GATES[mode] * hidden_size
        out_size = self.proj_size or hidden_size  # the size of h (and of each output step)
        self._flat = []  # per (layer, direction): [w_ih, w_hh, b_ih, b_hh] in call order
        for layer in range(num_layers):
            for d in range(self.num_directions):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                in_size = input_size if layer == 0 else out_size * self.num_directions
                setattr(self, "weight_ih" + sfx, Parameter(numpy.empty((gh, in_size), dtype)))
                setattr(self, "weight_hh" + sfx, Parameter(numpy.empty((gh, out_size), dtype)))
                names = ["weight_ih" + sfx, "weight_hh" + sfx]
                if bias:
                    setattr(self, "bias_ih" + sfx, Parameter(numpy.empty(gh, dtype)))
                    setattr(self, "bias_hh" + sfx, Parameter(numpy.empty(gh, dtype)))
                    names += ["bias_ih" + sfx, "bias_hh" + sfx]
                if self.proj_size:
                    setattr(self, "weight_hr" + sfx,
                            Parameter(numpy.empty((self.proj_size, hidden_size), dtype)))
                self._flat.append(names)
        self.reset_parameters()

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _function(self, reverse: bool, lengths):
        if self.mode == "LSTM":
            return LSTMSequence(reverse=reverse, lengths=lengths)
        if self.mode == "GRU":
            cls = GRUSequence if getattr(self, "reset_after", True) else GRUChapterSequence
            return cls(reverse=reverse, lengths=lengths)
        nonlinearity = "relu" if self.mode == "RNN_RELU" else "tanh"
        return RNNSequence(nonlinearity, reverse=reverse, lengths=lengths)

    def _check_state(self, h, batch: int, unbatched: bool, what: str) -> Tensor:
        size = self.proj_size if what == "h_0" and self.proj_size else self.hidden_size
        expected = (self.num_layers * self.num_directions, size)
        expected = expected if unbatched else (expected[0], batch, expected[1])
        if not isinstance(h, Tensor):
            raise TypeError(f"{type(self).__name__}: {what} must be a Tensor, got "
                            f"{type(h).__name__}")
        if tuple(h.shape) != expected:
            raise ValueError(f"{type(self).__name__}: expected {what} of shape {expected} "
                             f"(num_layers * num_directions, batch, hidden_size), got "
                             f"{tuple(h.shape)}")
        return unsqueeze(h, 1) if unbatched else h

    def forward(self, input: Tensor, hx=None, lengths=None):
        """Run the stack over a sequence.

        Args:
            input: (T, B, input_size), or (B, T, input_size) with ``batch_first``, or unbatched
                (T, input_size), or a PackedSequence (``batch_first`` then does not apply).
            hx: initial hidden state (num_layers * num_directions, B, H) — for LSTM a pair
                ``(h_0, c_0)`` — or None for zeros.
            lengths: (B,) valid lengths in [1, T] for a padded batch, or None. Outputs past each
                length are zero, final states are taken at each length, and padded steps
                neither affect nor receive gradients.
        Returns:
            ``(output, h_n)`` — for LSTM ``(output, (h_n, c_n))`` — with output (T, B, D H)
            (batch-first if set; a PackedSequence for a packed input) and h_n
            (num_layers * D, B, H), D = 2 if bidirectional else 1. With ``proj_size`` P the
            output and h_n have P features instead of H (c_n keeps H).
        """
        name = type(self).__name__
        packed = input if isinstance(input, PackedSequence) else None
        if packed is not None:
            if lengths is not None:
                raise ValueError(f"{name}: lengths= can't be combined with a PackedSequence, "
                                 f"which carries its own lengths")
            input, lengths = pad_packed_sequence(packed)
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input of shape (T, B, {self.input_size}) or "
                             f"(T, {self.input_size}) (input_size={self.input_size}), got "
                             f"{tuple(input.shape)}")
        unbatched = input.ndim == 2
        x = unsqueeze(input, 1) if unbatched else input
        if self.batch_first and not unbatched and packed is None:
            x = transpose(x, 0, 1)
        T, B = x.shape[0], x.shape[1]
        lengths = check_lengths(lengths, T, B, name)
        n_states = 2 if self.mode == "LSTM" else 1
        states = None
        if hx is not None:
            if n_states == 2 and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"{name}: hx must be a pair (h_0, c_0)")
            hx = hx if n_states == 2 else (hx,)
            states = [self._check_state(h, B, unbatched, w) for h, w in zip(hx, ("h_0", "c_0"))]
        zeros = None
        finals = [[] for _ in range(n_states)]
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(self.num_directions):
                k = layer * self.num_directions + d
                if states is None:
                    if zeros is None:
                        sizes = [self.proj_size or self.hidden_size, self.hidden_size]
                        xp = get_array_module(x._data)  # the zero states on x's device
                        zeros = tuple(Tensor._make(xp.zeros((B, n), x.dtype), False, None, 0)
                                      for n in sizes[:n_states])
                    init_k = zeros
                else:
                    init_k = tuple(getitem(s, k) for s in states)
                params = [getattr(self, n) for n in self._flat[k]]
                biases = params[2:] if self.bias else (None, None)
                if self.proj_size:
                    w_hr = getattr(self, self._flat[k][0].replace("weight_ih", "weight_hr"))
                    res = projected_lstm_layer(layer_in, init_k, params[0], params[1], *biases,
                                               w_hr, bool(d), lengths)
                else:
                    fn = self._function(bool(d), lengths)
                    res = _apply(fn, layer_in, init_k, params[0], params[1], *biases)
                outs.append(res[0])
                for i in range(n_states):
                    finals[i].append(res[1 + i])
            layer_in = outs[0] if len(outs) == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = dropout_fn(layer_in, self.dropout, True)
        output = layer_in
        if packed is not None:
            output = repack_like(output, packed)
        elif self.batch_first and not unbatched:
            output = transpose(output, 0, 1)
        h_n = [stack(f, 0) for f in finals]
        if unbatched:
            output = getitem(output, (slice(None), 0))
            h_n = [getitem(h, (slice(None), 0)) for h in h_n]
        return (output, tuple(h_n)) if n_states == 2 else (output, h_n[0])

    def flatten_parameters(self) -> None:
        """PyTorch compacts the weights into one cuDNN buffer here; deepgrad keeps each weight
        its own array (its fused layers read them directly), so there is nothing to do."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        return s


class RNN(RNNBase):
    """Elman RNN stack: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``, act tanh or relu.

    The chapter's ``S_t = tanh(U X_t + W S_{t-1})`` is ``RNN(..., bias=False)`` with U =
    ``weight_ih_l0`` and W = ``weight_hh_l0``; ``ElmanRNN`` adds its output map.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, dtype=None) -> None:
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(modes[nonlinearity], input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """LSTM stack (PyTorch's equations; gate rows [i, f, g, o]):

    ``i, f, o = sigmoid(W_i* x_t + b_i* + W_h* h_{t-1} + b_h*)``, ``g = tanh(...)``,
    ``c_t = f c_{t-1} + i g``, ``h_t = o tanh(c_t)``. Returns ``(output, (h_n, c_n))``.

    ``proj_size = P > 0`` (Sak et al. 2014, LSTMP) projects each hidden state,
    ``h_t = W_hr (o tanh(c_t))`` with ``weight_hr_l{k}`` (P, H); then ``weight_hh_l{k}`` is
    (4H, P) and the output and h_n have P features. That path runs as step-by-step Tensor ops.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype, proj_size)


class GRU(RNNBase):
    """GRU stack, gate rows [r, z, n].

    ``reset_after=True`` (default) is PyTorch's form: ``n = tanh(W_in x + b_in + r (W_hn h +
    b_hn))``, ``h_t = (1 - z) n + z h_{t-1}``. ``reset_after=False`` is the chapter's (Cho et al.
    2014; Keras's name for the switch): ``n = tanh(W_in x + b_in + W_hn (r h) + b_hn)`` — the
    reset is applied before the recurrent matrix — and ``h_t = (1 - z) h_{t-1} + z n``. The
    chapter's update gate is the complement of PyTorch's, ``z_chapter = 1 - z_torch``, i.e. the
    same gate with its z rows of weights and biases negated (sigmoid(-a) = 1 - sigmoid(a)); the
    candidates differ genuinely, since ``r (U h) != U (r h)``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, reset_after: bool = True, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)
        self.reset_after = reset_after

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.reset_after else ", reset_after=False")
