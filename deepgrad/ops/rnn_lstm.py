"""Fused LSTM: a whole layer's sequence (or one cell step) as one node, with hand-written BPTT.

Where the time goes (H = 128, B = 32, 50 steps, one core): the three GEMM families (one per step
forward, one per step in BPTT, the weight gradients) run near BLAS peak and are ~2/3 of a
training step, so the rest is about calls and memory traffic:

- forward: one GEMM per step ``[W_hh | W_ih | b] [h_{t-1}; x_t; 1]`` straight into the step's
  gate block, then 9 in-place ufuncs on contiguous feature-major (G H, B) slabs; ``h_t`` is
  written into the next step's GEMM operand, ``tanh(c_t)`` is kept for backward.
- backward: the derivative factors that do not depend on the recurrence are computed for a
  block of steps just before the loop reads them (cache-hot, 11 vectorized calls a block), the
  loop does 5-6 ufuncs, one GEMM and one copy per step, and every weight and bias gradient is
  ONE GEMM over all steps on the stacked operands. A loss on the final states only skips the
  output-gradient transpose and the per-step adds.
"""
from __future__ import annotations

import concurrent.futures

from ..autograd.tensor import Tensor
from .rnn import RecurrentFunction, _apply, check_lengths

#: Compute weight gradients of finished chunks of steps in a worker thread while the BPTT loop
#: goes on (NumPy and BLAS release the GIL), for sequences of at least 2 chunks. Off by default:
#: on 2 cores it showed no measurable gain (the BLAS threads and the loop share the cores).
OVERLAP_WEIGHT_GRADS = False
_CHUNK = 8
#: Steps per block of BPTT derivative factors: a block's factors (~150 KB a step at H = 128,
#: B = 32) stay in the L2 cache until the loop reads them.
_BLOCK = 8


_POOL = []


def _worker():
    """One lazily started worker thread shared by all recurrent ops (tasks run in order)."""
    if not _POOL:
        _POOL.append(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="deepgrad-bptt"))
    return _POOL[0]


class StackedWeightGrads:
    """Weight, bias and input gradients of the LSTM, chunk of finished steps by chunk.

    The forward stacks each step's GEMM operand as ``z_t = [h_{t-1}; x_t; 1]`` (K = H + I + 1
    rows), so ``[dW_hh | dW_ih | db] = sum_t dA_t z_t^T`` is ONE GEMM per chunk,
    ``dA_c (4H, n B) @ ZT_c (n B, K)``, reading the large ``dA`` once instead of once per weight.
    With ``overlap`` a chunk runs in a worker thread while the main thread continues the
    recurrence: one worker sums the chunks in submission order, so the result is deterministic.
    """

    def __init__(self, xp, dAT, ZT, w_ih=None) -> None:
        self.dAT, self.ZT, self.w_ih = dAT, ZT, w_ih
        _, T, B = dAT.shape
        self.gx = None if w_ih is None else xp.empty((T * B, w_ih.shape[1]), dAT.dtype)
        self.gw = None
        self.futures = []

    def add(self, t0: int, t1: int, overlap: bool = False) -> None:
        if overlap:
            self.futures.append(_worker().submit(self._chunk, t0, t1))
        else:
            self._chunk(t0, t1)

    def _chunk(self, t0, t1):
        B = self.dAT.shape[2]
        d = self.dAT[:, t0:t1].reshape(self.dAT.shape[0], -1)  # (4H, n B), a strided view
        gw = d @ self.ZT[t0 * B:t1 * B]
        if self.gx is not None:
            self.gx[t0 * B:t1 * B] = d.T @ self.w_ih
        self.gw = gw if self.gw is None else self.gw + gw

    def result(self):
        """``(gx (T B, I) or None, [dW_hh | dW_ih | db] (4H, K))`` once every chunk is done."""
        for f in self.futures:
            f.result()
        return self.gx, self.gw


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
        W = xp.empty((4 * H, K), w_hh.dtype)  # [W_hh | W_ih | b_ih + b_hh], rows [o, i, f, g]
        W[:, :H] = w_hh[rows]
        W[:, H:H + I] = w_ih[rows]
        if b_ih is not None:
            W[:, -1] = (b_ih + b_hh)[rows]
        W[:3 * H] *= 0.5
        # Z[t] = [h_{t-1}; x_t; 1] (K, B): the GEMM operand of step t. The step writes h_t
        # straight into Z[t + 1], so Z also holds the hidden sequence (and the weight-gradient
        # operand of backward) with no copy.
        Z = xp.empty((T + 1, K, B), xs.dtype)
        Z[0, :H] = states[0].T
        Z[:T, H:H + I] = xs.reshape(T, B, I).transpose(0, 2, 1)
        Z[T, H:] = 0
        if b_ih is not None:
            Z[:T, -1] = 1
        G = xp.empty((T, 4 * H, B), xs.dtype)  # gate activations [o, i, f, g]
        C = xp.empty((T + 1, H, B), xs.dtype)  # C[t + 1] = c_t, C[0] = c_0
        C[0] = states[1].T
        TC = xp.empty((T, H, B), xs.dtype)  # tanh(c_t)
        ig = xp.empty((H, B), xs.dtype)
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
        self.Z, self.G, self.C, self.TC = Z, G, C, TC
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
        # before the last step: then skip its transposing copy and one add per step.
        if gY[:-1].any():
            gYT, g_last = xp.ascontiguousarray(gY.transpose(0, 2, 1)), None
        else:
            gYT, g_last = None, xp.ascontiguousarray(gY[-1].T)
        dc_init, dc_ext = g_extra
        carry_h = None
        carry_c = None if dc_init is None else dc_init.T
        # Each step's pre-activation gradient is built in a small hot buffer ``da`` and copied
        # into dAT (4H, T, B), the layout the weight-gradient GEMM reads (a transposing copy of
        # a cold (T, 4H, B) array after the loop cost ~3x more).
        dAT = xp.empty((4 * H, T, B), dtype)
        da = xp.empty((4 * H, B), dtype)
        da4 = da.reshape(4, H, B)
        w_ih = self.w_ih[rows] if self.needs_input_grad[0] else None
        ZT = xp.ascontiguousarray(self.Z[:T].transpose(0, 2, 1)).reshape(T * B, -1)
        grads = StackedWeightGrads(xp, dAT, ZT, w_ih)
        chunk = _CHUNK if OVERLAP_WEIGHT_GRADS and T >= 2 * _CHUNK else T
        # The derivative factors are computed block by block just before the loop uses them,
        # so the loop reads them from cache instead of from full-sequence arrays.
        n = min(T, _BLOCK)
        D, P = xp.empty((n, 3 * H, B), dtype), xp.empty((n, 3, H, B), dtype)
        K, Q = xp.empty((n, H, B), dtype), xp.empty((n, H, B), dtype)
        end = T
        for t1 in range(T, 0, -n):
            t0 = max(0, t1 - n)
            k = t1 - t0
            self._factors(xp, t0, t1, D[:k], K[:k], Q[:k], P[:k])
            for t in range(t1 - 1, t0 - 1, -1):
                j = t - t0
                if gYT is not None:
                    dh = gYT[t] if carry_h is None else gYT[t] + carry_h
                else:
                    dh = g_last if carry_h is None else carry_h
                dc = mul(dh, K[j])
                if carry_c is not None:
                    dc += carry_c
                if dc_ext is not None:
                    dc += dc_ext[t].T
                mul(dh, Q[j], out=da[:H])
                mul(dc[None], P[j], out=da4[1:])
                carry_h = dot(whh_t, da)
                carry_c = mul(dc, G[t, 2 * H:3 * H])
                dAT[:, t] = da
                if end - t == chunk or t == 0:  # steps t..end-1 are final: add their grads
                    grads.add(t, end, overlap=chunk < T)
                    end = t
        gx, gw = grads.result()
        inverse = xp.argsort(rows)  # back to PyTorch's [i, f, g, o] rows
        I = self.w_ih.shape[1]
        gw_hh, gw_ih = gw[inverse, :H], gw[inverse, H:H + I]
        gb = gw[inverse, -1] if gw.shape[1] > H + I else None
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
