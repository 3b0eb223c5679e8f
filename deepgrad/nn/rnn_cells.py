"""Single-step recurrent cells (RNNCell, LSTMCell, GRUCell) and the chapter's ElmanRNN."""
from __future__ import annotations

import math

import numpy

from ..autograd.tensor import DEFAULT_DTYPE, Tensor
from ..backend import get_array_module
from ..ops.activation import tanh
from ..ops.rnn import RNNSequence, _apply
from ..ops.rnn_gru import GRUChapterSequence, GRUSequence
from ..ops.rnn_lstm import LSTMSequence
from ..ops.shape import getitem, unsqueeze
from . import init
from .linear import Linear
from .module import Module, Parameter
from .rnn import RNN


class RNNCellBase(Module):
    """Parameters ``weight_ih`` (G H, in), ``weight_hh`` (G H, H), ``bias_ih``, ``bias_hh``
    (G H,), initialized U(-1/sqrt(H), 1/sqrt(H)) as PyTorch's cells; each step is one node."""

    gates = 1
    n_states = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 dtype=None) -> None:
        super().__init__()
        name = type(self).__name__
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(f"{name}: input_size and hidden_size must be positive, got "
                             f"{input_size} and {hidden_size}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dtype = numpy.dtype(dtype or DEFAULT_DTYPE)
        gh = self.gates * hidden_size
        self.weight_ih = Parameter(numpy.empty((gh, input_size), dtype))
        self.weight_hh = Parameter(numpy.empty((gh, hidden_size), dtype))
        if bias:
            self.bias_ih = Parameter(numpy.empty(gh, dtype))
            self.bias_hh = Parameter(numpy.empty(gh, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _step(self, fn, input: Tensor, hx):
        """Validate shapes, add a batch dim for unbatched input, and run ``fn`` for one step."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input of shape (B, {self.input_size}) or "
                             f"({self.input_size},) (input_size={self.input_size}), got "
                             f"{tuple(input.shape)}")
        unbatched = input.ndim == 1
        x = unsqueeze(input, 0) if unbatched else input
        B = x.shape[0]
        if hx is None:
            xp = get_array_module(x._data)  # the zero state on x's device
            z = Tensor._make(xp.zeros((B, self.hidden_size), x.dtype), False, None, 0)
            states = (z,) * self.n_states
        else:
            hx = tuple(hx) if self.n_states == 2 else (hx,)
            if len(hx) != self.n_states:
                raise TypeError(f"{name}: hx must be a pair (h, c)")
            expected = (self.hidden_size,) if unbatched else (B, self.hidden_size)
            for h in hx:
                if tuple(h.shape) != expected:
                    raise ValueError(f"{name}: expected hidden state of shape {expected}, got "
                                     f"{tuple(h.shape)} (input shape {tuple(input.shape)})")
            states = tuple(unsqueeze(h, 0) for h in hx) if unbatched else hx
        out = _apply(fn, x, states, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if unbatched:
            out = tuple(getitem(o, 0) for o in out) if self.n_states == 2 else getitem(out, 0)
        return out

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """One Elman step ``h' = act(W_ih x + b_ih + W_hh h + b_hh)``, act tanh or relu.

    Shapes: input (B, in) or (in,), hx (B, H) or None -> h' (B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(RNNSequence(self.nonlinearity, step=True), input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step (gate rows [i, f, g, o]): ``c' = f c + i g``, ``h' = o tanh(c')``.

    Shapes: input (B, in), hx a pair (h, c) of (B, H) or None -> ``(h', c')``.
    """

    gates = 4
    n_states = 2

    def forward(self, input: Tensor, hx=None):
        return self._step(LSTMSequence(step=True), input, hx)


class GRUCell(RNNCellBase):
    """One GRU step (gate rows [r, z, n]); ``reset_after`` as in ``GRU`` (False: the chapter's
    form, ``h' = (1 - z) h + z tanh(W_in x + b_in + W_hn (r h) + b_hn)``).

    Shapes: input (B, in), hx (B, H) or None -> h' (B, H).
    """

    gates = 3

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 reset_after: bool = True, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, dtype)
        self.reset_after = reset_after

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        cls = GRUSequence if self.reset_after else GRUChapterSequence
        return self._step(cls(step=True), input, hx)


class ElmanRNN(Module):
    """The chapter's recurrent network: ``S_t = tanh(U X_t + W S_{t-1})``, ``O_t = tanh(V S_t)``.

    ``U`` = ``rnn.weight_ih_l0`` (H, in), ``W`` = ``rnn.weight_hh_l0`` (H, H), ``V`` =
    ``output.weight`` (out, H). Without biases by default, as in the chapter; ``bias=True`` adds
    them (PyTorch's RNN then has two, b_ih and b_hh).

    Shapes: x (T, B, in) (or batch-first) -> ``(O, S, h_n)``: O (T, B, out), S (T, B, H),
    h_n (B, H) (the state at each sequence's last valid step when ``lengths`` is given).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, bias: bool = False,
                 batch_first: bool = False, dtype=None) -> None:
        super().__init__()
        self.rnn = RNN(input_size, hidden_size, bias=bias, batch_first=batch_first, dtype=dtype)
        self.output = Linear(hidden_size, output_size, bias=bias, dtype=dtype)

    def forward(self, x: Tensor, h0: Tensor | None = None, lengths=None):
        hx = None if h0 is None else unsqueeze(h0, 0)
        S, h_n = self.rnn(x, hx, lengths=lengths)
        return tanh(self.output(S)), S, getitem(h_n, 0)
