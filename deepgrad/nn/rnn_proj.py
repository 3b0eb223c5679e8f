"""The LSTM with a projected hidden state (``proj_size``), composed step by step from Tensor ops."""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor
from ..ops.activation import sigmoid, tanh
from ..ops.arithmetic import where
from ..ops.linalg import matmul
from ..ops.shape import getitem, split, stack, transpose


def projected_lstm_layer(x: Tensor, states, w_ih: Tensor, w_hh: Tensor, b_ih, b_hh,
                         w_hr: Tensor, reverse: bool, lengths):
    """One direction of an LSTM layer with projection over a whole sequence.

    Per step (gate rows [i, f, g, o], as ``torch.nn.LSTM(proj_size=P)``)::

        i, f, g, o = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh     (sigmoid, sigmoid, tanh, sigmoid)
        c_t = f c_{t-1} + i g;   h_t = (o tanh(c_t)) W_hr^T

    Args:
        x: (T, B, I); states: ``(h0 (B, P), c0 (B, H))``; w_ih: (4H, I); w_hh: (4H, P);
            b_ih, b_hh: (4H,) or None; w_hr: (P, H).
        reverse: run from the last valid step of each sequence to the first.
        lengths: (B,) valid lengths (int64 array) or None. Steps past a length leave the
            state unchanged and output zeros, as the fused ops do.
    Returns:
        ``(y, h_n, c_n)``: y (T, B, P), h_n (B, P), c_n (B, H).
    """
    steps = x.shape[0]
    hidden = w_hh.shape[0] // 4
    proj = matmul(x, transpose(w_ih, 0, 1))  # every step's input projection at once
    if b_ih is not None:
        proj = proj + (b_ih + b_hh)
    w_hh_t, w_hr_t = transpose(w_hh, 0, 1), transpose(w_hr, 0, 1)
    h, c = states
    outputs = [None] * steps
    zero_out = None
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        gates = getitem(proj, t) + matmul(h, w_hh_t)
        i, f, g, o = split(gates, hidden, 1)
        c_new = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h_new = matmul(sigmoid(o) * tanh(c_new), w_hr_t)
        if lengths is None:
            h, c, outputs[t] = h_new, c_new, h_new
            continue
        valid = Tensor._make((t < lengths)[:, None], False, None, 0)
        h, c = where(valid, h_new, h), where(valid, c_new, c)
        if zero_out is None:
            zero_out = Tensor._make(numpy.zeros(h.shape, h.dtype), False, None, 0)
        outputs[t] = where(valid, h_new, zero_out)
    return stack(outputs, 0), h, c
