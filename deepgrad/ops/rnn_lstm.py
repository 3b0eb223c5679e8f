"""Fused LSTM: a whole layer's sequence (or one cell step) as one node, with hand-written BPTT."""
from __future__ import annotations

import concurrent.futures

from ..autograd.tensor import Tensor
from .rnn import RecurrentFunction, _apply, check_lengths, project_inputs

#: Compute weight gradients of finished chunks of steps in a worker thread while the BPTT loop
#: goes on (NumPy and BLAS release the GIL), for sequences of at least 2 chunks. Off by default:
#: on 2 cores it showed no measurable gain (the BLAS threads and the loop share the cores).
OVERLAP_WEIGHT_GRADS = False
_CHUNK = 8


_POOL = []


def _worker():
    """One lazily started worker thread shared by all recurrent ops (tasks run in order)."""
    if not _POOL:
        _POOL.append(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="deepgrad-bptt"))
    return _POOL[0]


class ChunkedWeightGrads:
    """Weight, bias and input gradients of a feature-major layer, chunk of steps by chunk.

    BPTT finishes the pre-activation gradients ``dA`` (T, G H, B) from the last step down; each
    finished chunk ``[t0, t1)`` contributes ``dA_c X_c``, ``dA_c H_c`` (the states each step
    started from) and ``dA_c 1`` with ``dA_c`` (G H, n B). With ``overlap`` the chunk runs in a
    worker thread while the main thread continues the recurrence: one worker sums the chunks
    in submission order, so the result is deterministic.
    """

    def __init__(self, xp, dA, xs, h0, Y, w_ih=None) -> None:
        self.xp, self.dA, self.xs, self.h0, self.Y, self.w_ih = xp, dA, xs, h0, Y, w_ih
        T, G, B = dA.shape
        self.gx = None if w_ih is None else xp.empty((T * B, w_ih.shape[1]), dA.dtype)
        self.sums = None
        self.futures = []

    def add(self, t0: int, t1: int, overlap: bool = False) -> None:
        if overlap:
            self.futures.append(_worker().submit(self._chunk, t0, t1))
        else:
            self._chunk(t0, t1)

    def _chunk(self, t0, t1):
        xp, B = self.xp, self.dA.shape[2]
        H = self.Y.shape[2]
        d = xp.ascontiguousarray(self.dA[t0:t1].transpose(1, 0, 2)).reshape(self.dA.shape[1], -1)
        gw_ih = d @ self.xs[t0 * B:t1 * B]
        if t0 == 0:
            gw_hh = d[:, :B] @ self.h0
            if t1 > 1:
                gw_hh = gw_hh + d[:, B:] @ self.Y[:t1 - 1].reshape(-1, H)
        else:
            gw_hh = d @ self.Y[t0 - 1:t1 - 1].reshape(-1, H)
        gb = d @ xp.ones(d.shape[1], d.dtype)
        if self.gx is not None:
            self.gx[t0 * B:t1 * B] = d.T @ self.w_ih
        part = (gw_ih, gw_hh, gb)
        self.sums = part if self.sums is None else tuple(a + b for a, b in zip(self.sums, part))

    def result(self):
        """``(gx (T B, I) or None, (gw_ih, gw_hh, gb))`` once every chunk is done."""
        for f in self.futures:
            f.result()
        return self.gx, self.sums


def _internal_rows(xp, H: int):
    """Row order [o, i, f, g] from PyTorch's [i, f, g, o].

    Inside, the three sigmoid gates come first (one contiguous block) and the gates multiplied by
    the cell gradient (i, f, g) are contiguous too, so forward and backward touch each block with
    one ufunc call.
    """
    return xp.concatenate([xp.arange(3 * H, 4 * H), xp.arange(0, 3 * H)])


class LSTMSequence(RecurrentFunction):
    """LSTM (PyTorch's equations and layout, gate rows [i, f, g, o]):

    ``i, f, o = sigmoid(.)``, ``g = tanh(.)`` of ``W_i* x_t + b_i* + W_h* h_{t-1} + b_h*``;
    ``c_t = f c_{t-1} + i g``; ``h_t = o tanh(c_t)``.

    Forward uses ``sigmoid(a) = (1 + tanh(a / 2)) / 2`` with the sigmoid rows of the weights
    pre-scaled by 1/2, so one ``tanh`` call activates all four gates of a step.
    """

    gates = 4
    n_states = 2
    op = "lstm"

    def run_forward(self, xp, xs, T, B, states, w_ih, w_hh, b_ih, b_hh):
        # Inside, arrays are feature-major, (T, G H, B): every gate block of a step is then one
        # contiguous (H, B) slab, and small ufuncs on contiguous memory run ~3x faster than on
        # the strided column blocks of a (B, 4H) layout.
        H = w_hh.shape[1]
        rows = _internal_rows(xp, H)
        self.rows = rows
        scale = xp.ones((4 * H, 1), w_ih.dtype)
        scale[:3 * H] = 0.5
        bias = None if b_ih is None else (b_ih + b_hh)[rows] * scale[:, 0]
        G = project_inputs(xp, xs, T, B, w_ih[rows] * scale, bias)  # (T, 4H, B)
        whh = xp.ascontiguousarray(w_hh[rows] * scale)
        Y = xp.empty((T, H, B), G.dtype)
        C = xp.empty((T + 1, H, B), G.dtype)  # C[t + 1] = c_t, C[0] = c_0
        C[0] = states[1].T
        TC = xp.empty((T, H, B), G.dtype)  # tanh(c_t)
        tmp = xp.empty((4 * H, B), G.dtype)
        ig = xp.empty((H, B), G.dtype)
        dot, tanh, mul, add = xp.dot, xp.tanh, xp.multiply, xp.add
        H2, H3 = 2 * H, 3 * H
        h = xp.ascontiguousarray(states[0].T)
        for t in range(T):
            gt = G[t]
            dot(whh, h, out=tmp)
            gt += tmp
            tanh(gt, out=gt)
            s = gt[:H3]
            mul(s, 0.5, out=s)
            add(s, 0.5, out=s)
            ct = C[t + 1]
            mul(gt[H2:H3], C[t], out=ct)
            mul(gt[H:H2], gt[H3:], out=ig)
            ct += ig
            tanh(ct, out=TC[t])
            h = mul(gt[:H], TC[t], out=Y[t])
        Y_out = xp.ascontiguousarray(Y.transpose(0, 2, 1))  # (T, B, H), also h_{t-1} for dW_hh
        self.xs, self.h0, self.G, self.C, self.TC, self.Y = xs, states[0], G, C, TC, Y_out
        self.w_ih, self.w_hh = w_ih, w_hh
        self.seq_shape = (T, B, H)
        return Y_out, C[1:].transpose(0, 2, 1)

    def run_backward(self, xp, gY, g_extra):
        G, C, TC = self.G, self.C, self.TC
        T, B, H = self.seq_shape
        rows = self.rows
        O, I_, F, Gg = G[:, :H], G[:, H:2 * H], G[:, 2 * H:3 * H], G[:, 3 * H:]
        mul = xp.multiply
        # Everything that does not depend on the recurrence, for all steps at once, with as few
        # passes over memory as possible: D = s (1 - s) for the three sigmoid gates at once.
        D = 1 - G[:, :3 * H]
        D *= G[:, :3 * H]
        K = TC * TC  # dc_t += dh_t * K_t, K = o (1 - tanh(c)^2)
        xp.subtract(1, K, out=K)
        K *= O
        Q = mul(TC, D[:, :H])  # da_o = dh_t * Q_t
        P = xp.empty((T, 3, H, B), G.dtype)  # da_{i,f,g} = dc_t * P_t
        mul(Gg, D[:, H:2 * H], out=P[:, 0])
        mul(C[:-1], D[:, 2 * H:], out=P[:, 1])
        mul(Gg, Gg, out=P[:, 2])
        xp.subtract(1, P[:, 2], out=P[:, 2])
        P[:, 2] *= I_
        whh_t = xp.ascontiguousarray(self.w_hh[rows].T)  # (H, 4H)
        gYT = xp.ascontiguousarray(gY.transpose(0, 2, 1))
        dA = xp.empty((T, 4 * H, B), G.dtype)
        dA4 = dA.reshape(T, 4, H, B)
        dc_init, dc_ext = g_extra
        dot = xp.dot
        carry_h = None
        carry_c = None if dc_init is None else dc_init.T
        w_ih = self.w_ih[rows] if self.needs_input_grad[0] else None
        grads = ChunkedWeightGrads(xp, dA, self.xs, self.h0, self.Y, w_ih)
        chunk = _CHUNK if OVERLAP_WEIGHT_GRADS and T >= 2 * _CHUNK else T
        end = T
        for t in range(T - 1, -1, -1):
            dh = gYT[t] if carry_h is None else gYT[t] + carry_h
            dc = mul(dh, K[t])
            if carry_c is not None:
                dc += carry_c
            if dc_ext is not None:
                dc += dc_ext[t].T
            mul(dh, Q[t], out=dA[t, :H])
            mul(dc[None], P[t], out=dA4[t, 1:])
            carry_h = dot(whh_t, dA[t])
            carry_c = mul(dc, F[t])
            if end - t == chunk or t == 0:  # steps t..end-1 are final: add their weight grads
                grads.add(t, end, overlap=chunk < T)
                end = t
        gx, (gw_ih, gw_hh, gb) = grads.result()
        inverse = xp.argsort(rows)  # back to PyTorch's [i, f, g, o] rows
        gw_ih, gw_hh, gb = gw_ih[inverse], gw_hh[inverse], gb[inverse]
        return gx, (carry_h.T, carry_c.T), (gw_ih, gw_hh, gb, gb)


def lstm_layer(x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor,
               b_ih: Tensor | None = None, b_hh: Tensor | None = None, reverse: bool = False,
               lengths=None):
    """One direction of an LSTM layer over a whole sequence, as one node.

    Args:
        x: (T, B, I); h0, c0: (B, H); w_ih: (4H, I); w_hh: (4H, H); b_ih, b_hh: (4H,) or None,
            gate rows in PyTorch's order [i, f, g, o].
        reverse: run from the last (valid) step to the first.
        lengths: (B,) valid lengths in [1, T], or None for full sequences.
    Returns:
        ``(y, h_n, c_n)``: y (T, B, H) (zero past each length), h_n and c_n (B, H).
    """
    lengths = check_lengths(lengths, x.shape[0], x.shape[1], "lstm_layer")
    fn = LSTMSequence(reverse=reverse, lengths=lengths)
    return _apply(fn, x, (h0, c0), w_ih, w_hh, b_ih, b_hh)


def lstm_cell(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None):
    """One LSTM step as one node: x (B, I), h and c (B, H) -> ``(h', c')``."""
    return _apply(LSTMSequence(step=True), x, (h, c), w_ih, w_hh, b_ih, b_hh)
