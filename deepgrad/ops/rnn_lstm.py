"""Fused LSTM: a whole layer's sequence (or one cell step) as one node, with hand-written BPTT.

Where the time goes (H = 128, B = 32, 50 steps, one core): the three GEMM families (one per step
forward, one per step in BPTT, the weight gradients) run near BLAS peak and are ~2/3 of a
training step, so the rest is about calls and memory traffic:

- forward: one GEMM per step ``[W_hh | W_ih | b] [h_{t-1}; x_t; 1]`` straight into the step's
  gate block, then 9 in-place ufuncs on contiguous feature-major (G H, B) slabs; ``h_t`` is
  written into the next step's GEMM operand, ``tanh(c_t)`` is kept for backward.
- backward: blocks of ``_BLOCK`` steps. The derivative factors that do not depend on the
  recurrence are computed for a block just before the loop reads them (cache-hot, 11 vectorized
  calls a block), the loop does 5 ufuncs and one GEMM per step (+1 add with a dense output
  gradient), and one transposing copy a block puts the pre-activation gradients in the layout
  the weight-gradient GEMMs (3 GEMMs and a GEMV over all steps) read. A loss on the final
  states only skips the output-gradient transpose and the per-step adds.
"""
from __future__ import annotations

import concurrent.futures

import numpy

from ..autograd.tensor import Tensor
from .rnn import RecurrentFunction, _apply, check_lengths

#: Compute weight gradients of finished blocks of steps in a worker thread while the BPTT loop
#: goes on (NumPy and BLAS release the GIL), for sequences of at least 2 blocks. Off by default:
#: with 2 BLAS threads on 2 cores it was ~5% slower (the BLAS threads and the loop share the
#: cores); with ONE BLAS thread it cut the lstm workload's backward from ~8.0 to ~5.9 ms.
OVERLAP_WEIGHT_GRADS = False
#: Steps per BPTT block: a block's derivative factors and gradients (~200 KB a step at
#: H = 128, B = 32) stay in cache between their vectorized passes and the loop. 8 to 16 were
#: best at 1 and 2 BLAS threads (one block for the whole sequence was ~5% slower).
_BLOCK = 16


_POOL = []


def _worker():
    """One lazily started worker thread shared by all recurrent ops (tasks run in order)."""
    if not _POOL:
        _POOL.append(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="deepgrad-bptt"))
    return _POOL[0]


class ChunkedWeightGrads:
    """Weight, bias and input gradients of the LSTM, chunk of finished steps by chunk.

    BPTT writes the pre-activation gradients into ``dAT`` (4H, T, B), so a chunk ``[t0, t1)``
    is the (4H, n B) matrix ``d`` with no copy, and contributes ``d X_c`` to ``dW_ih``, ``d H_c``
    (the states each step started from) to ``dW_hh`` and ``d 1`` to the bias; every operand is
    already in the layout the GEMM reads. (One GEMM on a stacked ``[H | X | 1]`` operand needs a
    transposing copy of it first and was no faster.) With ``overlap`` a chunk runs in a worker
    thread while the main thread continues the recurrence: one worker sums the chunks in
    submission order, so the result is deterministic.
    """

    def __init__(self, xp, dAT, xs, h0, Y, w_ih=None) -> None:
        self.xp, self.dAT, self.xs, self.h0, self.Y, self.w_ih = xp, dAT, xs, h0, Y, w_ih
        _, T, B = dAT.shape
        self.gx = None if w_ih is None else xp.empty((T * B, w_ih.shape[1]), dAT.dtype)
        self.sums = None
        self.futures = []

    def add(self, t0: int, t1: int, overlap: bool = False) -> None:
        if overlap:
            self.futures.append(_worker().submit(self._chunk, t0, t1))
        else:
            self._chunk(t0, t1)

    def _chunk(self, t0, t1):
        B, H = self.dAT.shape[2], self.Y.shape[2]
        d = self.dAT[:, t0:t1].reshape(self.dAT.shape[0], -1)  # (4H, n B), a strided view
        gw_ih = d @ self.xs[t0 * B:t1 * B]
        if t0 == 0:
            gw_hh = d[:, :B] @ self.h0
            if t1 > 1:
                gw_hh = gw_hh + d[:, B:] @ self.Y[:t1 - 1].reshape(-1, H)
        else:
            gw_hh = d @ self.Y[t0 - 1:t1 - 1].reshape(-1, H)
        # A ones-vector GEMV beats .sum(axis=1) on wide matrices (12x, measured here).
        gb = d @ self.xp.ones(d.shape[1], d.dtype)
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

    Each step is ONE GEMM ``a_t = [W_hh | W_ih | b] [h_{t-1}; x_t; 1]`` (4H, K) @ (K, B) into
    that step's gate block: no separate input projection pass and no ``+=`` of it per step.
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
        H, I = w_hh.shape[1], xs.shape[1]
        rows = _internal_rows(xp, H)
        self.rows = rows
        K = H + I + (b_ih is not None)
        dt = xp.result_type(xs.dtype, w_ih.dtype, w_hh.dtype)  # float32 stays float32
        W = xp.empty((4 * H, K), dt)  # [W_hh | W_ih | b_ih + b_hh], rows [o, i, f, g]
        W[:, :H] = w_hh[rows]
        W[:, H:H + I] = w_ih[rows]
        if b_ih is not None:
            W[:, -1] = (b_ih + b_hh)[rows]
        W[:3 * H] *= 0.5
        # Z[t] = [h_{t-1}; x_t; 1] (K, B): the GEMM operand of step t. The step writes h_t
        # straight into Z[t + 1], so the recurrence copies nothing.
        Z = xp.empty((T + 1, K, B), dt)
        Z[0, :H] = states[0].T
        Z[:T, H:H + I] = xs.reshape(T, B, I).transpose(0, 2, 1)
        Z[T, H:] = 0
        if b_ih is not None:
            Z[:T, -1] = 1
        G = xp.empty((T, 4 * H, B), dt)  # gate activations [o, i, f, g]
        C = xp.empty((T + 1, H, B), dt)  # C[t + 1] = c_t, C[0] = c_0
        C[0] = states[1].T
        TC = xp.empty((T, H, B), dt)  # tanh(c_t)
        ig = xp.empty((H, B), dt)
        dot, tanh, mul, add = xp.dot, xp.tanh, xp.multiply, xp.add
        H2, H3 = 2 * H, 3 * H
        for t in range(T):
            gt = G[t]
            dot(W, Z[t], out=gt)
            tanh(gt, out=gt)
            s = gt[:H3]
            mul(s, 0.5, out=s)
            add(s, 0.5, out=s)
            ct = C[t + 1]
            mul(gt[H2:H3], C[t], out=ct)
            mul(gt[H:H2], gt[H3:], out=ig)
            ct += ig
            tanh(ct, out=TC[t])
            mul(gt[:H], TC[t], out=Z[t + 1, :H])
        Y_out = xp.ascontiguousarray(Z[1:, :H].transpose(0, 2, 1))  # (T, B, H)
        # Backward's weight GEMMs read the hidden states batch-major from the output itself.
        self.xs, self.h0, self.Y, self.G, self.C, self.TC = xs, states[0], Y_out, G, C, TC
        self.w_ih, self.w_hh = w_ih, w_hh
        self.seq_shape = (T, B, H)
        return Y_out, C[1:].transpose(0, 2, 1)

    def _factors(self, xp, t0, t1, D, K, Q, P):
        """Per-step derivative factors of steps [t0, t1), everything BPTT needs that does not
        depend on the recurrence (one vectorized pass per factor over a cache-sized block):
        ``da_o = dh Q``, ``dc = dh K + f dc_next``, ``da_{i,f,g} = dc P``."""
        G, H, mul, sub = self.G[t0:t1], self.seq_shape[2], xp.multiply, xp.subtract
        tc = self.TC[t0:t1]
        S = G[:, :3 * H]
        sub(1, S, out=D)  # D = s (1 - s) of the sigmoid gates [o, i, f] at once
        D *= S
        mul(tc, tc, out=K)  # K = o (1 - tanh(c)^2)
        sub(1, K, out=K)
        K *= G[:, :H]
        mul(tc, D[:, :H], out=Q)  # Q = tanh(c) o (1 - o)
        g = G[:, 3 * H:]
        mul(g, D[:, H:2 * H], out=P[:, 0])  # g i (1 - i)
        mul(self.C[t0:t1], D[:, 2 * H:], out=P[:, 1])  # c_{t-1} f (1 - f)
        mul(g, g, out=P[:, 2])  # i (1 - g^2)
        sub(1, P[:, 2], out=P[:, 2])
        P[:, 2] *= G[:, H:2 * H]

    def run_backward(self, xp, gY, g_extra):
        G = self.G
        T, B, H = self.seq_shape
        rows, dtype, mul, dot = self.rows, G.dtype, xp.multiply, xp.dot
        whh_t = xp.ascontiguousarray(self.w_hh[rows].T)  # (H, 4H)
        # A loss on the final state only (a classifier on h_n) leaves the output gradient zero
        # before the last step: then skip its transposing copy and one add per step. On the
        # CPU only: on a device, reading the test's answer back would stall every backward.
        if xp is not numpy or gY[:-1].any():
            gYT, g_last = xp.ascontiguousarray(gY.transpose(0, 2, 1)), None
        else:
            gYT, g_last = None, xp.ascontiguousarray(gY[-1].T)
        dc_init, dc_ext = g_extra
        carry_h = None
        carry_c = None if dc_init is None else dc_init.T
        # BPTT runs block by block from the last step: first the block's derivative factors
        # (vectorized, cache-sized, so the loop then reads them from cache instead of from
        # full-sequence arrays), then the recurrence writing the pre-activation gradients into
        # a hot (n, 4H, B) buffer, then one transposing copy of the block into dAT (4H, T, B),
        # the layout the weight-gradient GEMMs read (one copy of a cold (T, 4H, B) array after
        # the loop was slower).
        n = min(T, _BLOCK)
        D, P = xp.empty((n, 3 * H, B), dtype), xp.empty((n, 3, H, B), dtype)
        K, Q = xp.empty((n, H, B), dtype), xp.empty((n, H, B), dtype)
        dA = xp.empty((n, 4 * H, B), dtype)
        dA4 = dA.reshape(n, 4, H, B)
        dAT = xp.empty((4 * H, T, B), dtype)
        w_ih = self.w_ih[rows] if self.needs_input_grad[0] else None
        grads = ChunkedWeightGrads(xp, dAT, self.xs, self.h0, self.Y, w_ih)
        overlap = OVERLAP_WEIGHT_GRADS and T > n
        for t1 in range(T, 0, -n):
            t0 = max(0, t1 - n)
            k = t1 - t0
            self._factors(xp, t0, t1, D[:k], K[:k], Q[:k], P[:k])
            for j in range(k - 1, -1, -1):
                t = t0 + j
                if gYT is not None:
                    dh = gYT[t] if carry_h is None else gYT[t] + carry_h
                else:
                    dh = g_last if carry_h is None else carry_h
                dc = mul(dh, K[j])
                if carry_c is not None:
                    dc += carry_c
                if dc_ext is not None:
                    dc += dc_ext[t].T
                mul(dh, Q[j], out=dA[j, :H])
                mul(dc[None], P[j], out=dA4[j, 1:])
                carry_h = dot(whh_t, dA[j])
                carry_c = mul(dc, G[t, 2 * H:3 * H])
            dAT[:, t0:t1] = dA[:k].transpose(1, 0, 2)
            if overlap or t0 == 0:  # steps t0.. are final: add their weight gradients
                grads.add(t0, t1 if overlap else T, overlap=overlap)
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
