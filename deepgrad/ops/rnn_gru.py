"""Fused GRU in both conventions (PyTorch's reset-after, the chapter's reset-before) as one node."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from .rnn import RecurrentFunction, _apply, check_lengths, project_inputs


def _prev_states(xp, h0, Y):
    """(h_0, ..., h_{T-1}): the hidden state each step starts from, (T, B, H)."""
    Hp = xp.empty_like(Y)
    Hp[0] = h0
    Hp[1:] = Y[:-1]
    return Hp


class GRUSequence(RecurrentFunction):
    """PyTorch's GRU (reset applied after the recurrent matrix), gate rows [r, z, n]:

    ``r, z = sigmoid(W_i* x + b_i* + W_h* h + b_h*)``,
    ``n = tanh(W_in x + b_in + r (W_hn h + b_hn))``,
    ``h_t = (1 - z) n + z h_{t-1}``.

    Inside, rows are ordered [z, r, n] and the sigmoid rows are pre-scaled by 1/2 so that one tanh
    activates both sigmoid gates; the backward buffer is laid out [dn, dz, dr, dhn] so that each
    step fills it with two broadcast multiplies and one GEMM.
    """

    gates = 3
    op = "gru"

    def run_forward(self, xp, xs, T, B, states, w_ih, w_hh, b_ih, b_hh):
        # Feature-major inside, (T, G H, B), so that each gate block of a step is contiguous
        # (see LSTMSequence).
        H = w_hh.shape[1]
        H2 = 2 * H
        rows = xp.concatenate([xp.arange(H, H2), xp.arange(0, H), xp.arange(H2, 3 * H)])
        self.rows = rows
        scale = xp.ones((3 * H, 1), w_ih.dtype)
        scale[:H2] = 0.5
        b_hn = bias = None
        if b_ih is not None:
            bi, bh = b_ih[rows], b_hh[rows]
            bias = xp.concatenate([(bi[:H2] + bh[:H2]) * 0.5, bi[H2:]])
            b_hn = bh[H2:, None]
        A = project_inputs(xp, xs, T, B, w_ih[rows] * scale, bias)  # becomes [z, r, n] per step
        whh = xp.ascontiguousarray(w_hh[rows] * scale)
        GH = xp.empty((T, H, B), A.dtype)  # W_hn h + b_hn, needed by dr
        Y = xp.empty((T, H, B), A.dtype)
        gh = xp.empty((3 * H, B), A.dtype)
        rn = xp.empty((H, B), A.dtype)
        dot, tanh, mul, add = xp.dot, xp.tanh, xp.multiply, xp.add
        h = xp.ascontiguousarray(states[0].T)
        for t in range(T):
            at = A[t]
            dot(whh, h, out=gh)
            zr = at[:H2]
            zr += gh[:H2]
            tanh(zr, out=zr)
            mul(zr, 0.5, out=zr)
            add(zr, 0.5, out=zr)
            if b_hn is None:
                GH[t] = gh[H2:]
            else:
                add(gh[H2:], b_hn, out=GH[t])
            n = at[H2:]
            mul(zr[H:], GH[t], out=rn)
            n += rn
            tanh(n, out=n)
            y = xp.subtract(h, n, out=Y[t])  # h' = n + z (h - n)
            y *= zr[:H]
            y += n
            h = y
        Y_out = xp.ascontiguousarray(Y.transpose(0, 2, 1))
        self.xs, self.h0, self.A, self.GH, self.Yint, self.Y = xs, states[0], A, GH, Y, Y_out
        self.w_ih, self.w_hh = w_ih, w_hh
        self.seq_shape = (T, B, H)
        return (Y_out,)

    def run_backward(self, xp, gY, g_extra):
        A, GH, Y = self.A, self.GH, self.Yint
        T, B, H = self.seq_shape
        rows = self.rows
        Z, R, N = A[:, :H], A[:, H:2 * H], A[:, 2 * H:]
        Hp = xp.empty_like(Y)  # the state each step started from, feature-major
        Hp[0] = self.h0.T
        Hp[1:] = Y[:-1]
        mul = xp.multiply
        M1 = xp.empty((T, 2, H, B), A.dtype)  # [dn, dz] = dh * M1
        mul(1 - Z, 1 - N * N, out=M1[:, 0])
        ZZ = Z * (1 - Z)
        mul(Hp - N, ZZ, out=M1[:, 1])
        M2 = xp.empty((T, 2, H, B), A.dtype)  # [dr, dhn] = dn * M2
        mul(GH, R * (1 - R), out=M2[:, 0])
        M2[:, 1] = R
        whh_t = xp.ascontiguousarray(self.w_hh[rows].T)  # (H, 3H)
        gYT = xp.ascontiguousarray(gY.transpose(0, 2, 1))
        D = xp.empty((T, 4, H, B), A.dtype)  # [dn, dz, dr, dhn]
        dot = xp.dot
        carry = None
        for t in range(T - 1, -1, -1):
            dh = gYT[t] if carry is None else gYT[t] + carry
            mul(dh[None], M1[t], out=D[t, 0:2])
            mul(D[t, 0:1], M2[t], out=D[t, 2:4])
            carry = dot(whh_t, D[t, 1:].reshape(3 * H, B))
            carry += mul(dh, Z[t])
        # Steps side by side, (3H, T B), rows [z, r, n]: input side [dz, dr, dn], hidden side
        # [dz, dr, dhn]; one transposing copy each.
        dA_ih = xp.concatenate([D[:, 1:3], D[:, 0:1]], axis=1).reshape(T, 3 * H, B)
        dA_ih = xp.ascontiguousarray(dA_ih.transpose(1, 0, 2)).reshape(3 * H, T * B)
        dA_hh = xp.ascontiguousarray(D[:, 1:].reshape(T, 3 * H, B).transpose(1, 0, 2))
        dA_hh = dA_hh.reshape(3 * H, T * B)
        gx = dA_ih.T @ self.w_ih[rows] if self.needs_input_grad[0] else None
        ones = xp.ones(T * B, A.dtype)
        gw_ih, gb_ih = dA_ih @ self.xs, dA_ih @ ones
        gw_hh = dA_hh[:, :B] @ self.h0
        if T > 1:
            gw_hh = gw_hh + dA_hh[:, B:] @ self.Y[:-1].reshape(-1, H)
        gb_hh = dA_hh @ ones
        inverse = xp.argsort(rows)
        return gx, (carry.T,), tuple(g[inverse] for g in (gw_ih, gw_hh, gb_ih, gb_hh))


class GRUChapterSequence(RecurrentFunction):
    """The chapter's GRU (Cho 2014 / Chung 2014; Keras ``reset_after=False``), rows [r, z, n]:

    ``r, z = sigmoid(W_i* x + b_i* + W_h* h + b_h*)``,
    ``n = tanh(W_in x + b_in + W_hn (r h) + b_hn)``,
    ``h_t = (1 - z) h_{t-1} + z n``.

    Its ``z`` is ``1 - z`` of PyTorch's form (negate the z rows of weights and biases to convert),
    and the reset multiplies ``h`` before ``W_hn``, so the candidate genuinely differs.
    """

    gates = 3
    op = "gru_reset_before"

    def run_forward(self, xp, xs, T, B, states, w_ih, w_hh, b_ih, b_hh):
        H = w_hh.shape[1]
        H2 = 2 * H
        scale = xp.ones((3 * H, 1), w_ih.dtype)
        scale[:H2] = 0.5
        A = (xs @ (w_ih * scale).T).reshape(T, B, 3 * H)  # becomes [r, z, n] per step
        if b_ih is not None:
            b = b_ih + b_hh
            A[..., :H2] += b[:H2] * 0.5
            A[..., H2:] += b[H2:]
        w_rz_t = xp.ascontiguousarray((w_hh[:H2] * 0.5).T)
        w_n_t = xp.ascontiguousarray(w_hh[H2:].T)
        RH = xp.empty((T, B, H), A.dtype)  # r * h_{t-1}
        Y = xp.empty((T, B, H), A.dtype)
        g2 = xp.empty((B, H2), A.dtype)
        gn = xp.empty((B, H), A.dtype)
        dot, tanh, mul, add = xp.dot, xp.tanh, xp.multiply, xp.add
        h = states[0]
        for t in range(T):
            at = A[t]
            dot(h, w_rz_t, out=g2)
            rz = at[:, :H2]
            rz += g2
            tanh(rz, out=rz)
            mul(rz, 0.5, out=rz)
            add(rz, 0.5, out=rz)
            rh = mul(rz[:, :H], h, out=RH[t])
            dot(rh, w_n_t, out=gn)
            n = at[:, H2:]
            n += gn
            tanh(n, out=n)
            y = xp.subtract(n, h, out=Y[t])  # h' = h + z (n - h)
            y *= rz[:, H:]
            y += h
            h = y
        self.xs, self.h0, self.A, self.RH, self.Y = xs, states[0], A, RH, Y
        self.w_ih, self.w_hh = w_ih, w_hh
        self.seq_shape = (T, B, H)
        return (Y,)

    def run_backward(self, xp, gY, g_extra):
        A, RH, Y = self.A, self.RH, self.Y
        T, B, H = self.seq_shape
        R, Z, N = A[..., :H], A[..., H:2 * H], A[..., 2 * H:]
        Hp = _prev_states(xp, self.h0, Y)
        M = xp.empty((T, B, 2, H), A.dtype)  # [dz, dn] = dh * M
        M[:, :, 0] = (N - Hp) * Z * (1 - Z)
        M[:, :, 1] = Z * (1 - N * N)
        Mr = Hp * R * (1 - R)  # dr = d(r h) * Mr
        OZ = 1 - Z
        w_rz = self.w_hh[:2 * H]
        w_n = self.w_hh[2 * H:]
        dA = xp.empty((T, B, 3, H), A.dtype)  # [dr, dz, dn], PyTorch's row order
        dot, mul = xp.dot, xp.multiply
        carry = None
        for t in range(T - 1, -1, -1):
            dh = gY[t] if carry is None else gY[t] + carry
            mul(dh[:, None, :], M[t], out=dA[t, :, 1:3])
            drh = dot(dA[t, :, 2], w_n)
            mul(drh, Mr[t], out=dA[t, :, 0])
            carry = dot(dA[t, :, 0:2].reshape(B, 2 * H), w_rz)
            carry += mul(dh, OZ[t])
            carry += mul(drh, R[t])
        dA = dA.reshape(T, B, 3 * H)
        dA2 = dA.reshape(T * B, 3 * H)
        gx = dA2 @ self.w_ih if self.needs_input_grad[0] else None
        gw_ih = dA2.T @ self.xs
        gw_hh = xp.concatenate([dA2[:, :2 * H].T @ Hp.reshape(T * B, H),
                                dA2[:, 2 * H:].T @ RH.reshape(T * B, H)])
        gb = xp.ones(T * B, dA.dtype) @ dA2
        return gx, (carry,), (gw_ih, gw_hh, gb, gb)


def gru_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, reset_after: bool = True, reverse: bool = False,
              lengths=None):
    """One direction of a GRU layer over a whole sequence, as one node.

    Args:
        x: (T, B, I); h0: (B, H); w_ih: (3H, I); w_hh: (3H, H); b_ih, b_hh: (3H,) or None,
            gate rows [r, z, n] as PyTorch's.
        reset_after: True for PyTorch's form, False for the chapter's (see ``GRUChapterSequence``).
        reverse: run from the last (valid) step to the first.
        lengths: (B,) valid lengths in [1, T], or None for full sequences.
    Returns:
        ``(y, h_n)``: y (T, B, H) (zero past each length), h_n (B, H).
    """
    lengths = check_lengths(lengths, x.shape[0], x.shape[1], "gru_layer")
    cls = GRUSequence if reset_after else GRUChapterSequence
    return _apply(cls(reverse=reverse, lengths=lengths), x, (h0,), w_ih, w_hh, b_ih, b_hh)


def gru_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None, reset_after: bool = True) -> Tensor:
    """One GRU step as one node: x (B, I), h (B, H) -> h' (B, H)."""
    cls = GRUSequence if reset_after else GRUChapterSequence
    return _apply(cls(step=True), x, (h,), w_ih, w_hh, b_ih, b_hh)
