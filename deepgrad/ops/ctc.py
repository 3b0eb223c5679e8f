"""Connectionist temporal classification loss (Graves et al., 2006), PyTorch's ``F.ctc_loss``.

For each sample the target ``l`` is extended with blanks, ``l' = (blank, l1, blank, l2, ...,
blank)``, and the forward variables in log space run
``alpha_t(s) = logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1), [alpha_{t-1}(s-2)]) + lp_t(l'_s)``
(the skip only onto a non-blank label different from ``l'_{s-2}``), giving
``nll = -logsumexp(alpha_{T-1}(|l'|-1), alpha_{T-1}(|l'|-2))``. The backward variables ``beta``
run the same recursion from the end, and the exact gradient is
``d nll / d lp_t(c) = -exp(logsumexp_{s: l'_s = c}(alpha_t(s) + beta_t(s)) - lp_t(c) + nll)``.
(PyTorch returns this plus ``exp(lp)``, a term that the log_softmax before it cancels, so the
two agree on the gradient of the logits.)
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from .loss import _check_reduction

NEG_INF = float("-inf")


def _lse3(xp, a, b, c):
    return xp.logaddexp(xp.logaddexp(a, b), c)


def _sample(xp, lp, ext, skip):
    """alpha, beta (T, L') and nll for one sample: lp (T, C) log-probs, ext (L',) labels."""
    t_len, n = lp.shape[0], ext.shape[0]
    emit = lp[:, ext]  # (T, L')
    alpha = xp.full((t_len, n), NEG_INF)
    beta = xp.full((t_len, n), NEG_INF)
    alpha[0, :min(2, n)] = emit[0, :min(2, n)]
    ninf = xp.full(2, NEG_INF)
    for t in range(1, t_len):
        prev = alpha[t - 1]
        one = xp.concatenate([ninf[:1], prev[:-1]])
        two = xp.where(skip, xp.concatenate([ninf, prev[:-2]]), NEG_INF)
        alpha[t] = _lse3(xp, prev, one, two) + emit[t]
    beta[-1, max(n - 2, 0):] = emit[-1, max(n - 2, 0):]
    skip_next = xp.concatenate([skip[2:], xp.zeros(2, bool)])  # may s jump to s + 2
    for t in range(t_len - 2, -1, -1):
        nxt = beta[t + 1]
        one = xp.concatenate([nxt[1:], ninf[:1]])
        two = xp.where(skip_next, xp.concatenate([nxt[2:], ninf]), NEG_INF)
        beta[t] = _lse3(xp, nxt, one, two) + emit[t]
    ends = alpha[-1, max(n - 2, 0):]
    ll = float(xp.logaddexp.reduce(ends)) if ends.size else NEG_INF
    return alpha, beta, -ll


class CTCLoss(Function):
    """Per-sample CTC negative log-likelihoods (N,) of log_probs (T, N, C)."""

    def __init__(self, targets, input_lengths, target_lengths, blank, zero_infinity):
        self.targets, self.blank, self.zero_infinity = targets, blank, zero_infinity
        self.input_lengths, self.target_lengths = input_lengths, target_lengths

    def forward(self, log_probs):
        xp = get_array_module(log_probs)
        lp = log_probs.astype(xp.float64)
        n_batch = lp.shape[1]
        self.shape, self.dtype = log_probs.shape, log_probs.dtype
        self.grads = xp.zeros(lp.shape)
        losses = xp.zeros(n_batch)
        for i in range(n_batch):
            t_len = int(self.input_lengths[i])
            target = self.targets[i]
            ext = xp.full(2 * target.size + 1, self.blank, dtype=xp.int64)
            ext[1::2] = target
            skip = xp.zeros(ext.size, bool)
            skip[2:] = (ext[2:] != self.blank) & (ext[2:] != ext[:-2])
            sample = lp[:t_len, i]
            alpha, beta, nll = _sample(xp, sample, ext, skip)
            if nll == float("inf"):
                losses[i] = 0.0 if self.zero_infinity else nll
                if not self.zero_infinity:
                    self.grads[:t_len, i] = float("nan")
                continue
            losses[i] = nll
            ab = alpha + beta  # (T, L')
            lcab = xp.full(sample.shape, NEG_INF)
            for s in range(ext.size):
                lcab[:, ext[s]] = xp.logaddexp(lcab[:, ext[s]], ab[:, s])
            self.grads[:t_len, i] = -xp.exp(lcab - sample + nll)
        return losses.astype(self.dtype)

    def backward(self, gy):
        return (self.grads * gy[None, :, None]).astype(self.dtype)


def _targets_per_sample(xp, targets, target_lengths, n_batch):
    t = targets._data if isinstance(targets, Tensor) else xp.asarray(targets)
    lengths = [int(v) for v in target_lengths]
    if t.ndim == 2:
        return [t[i, :lengths[i]] for i in range(n_batch)]
    starts = [sum(lengths[:i]) for i in range(n_batch)]
    return [t[s:s + n] for s, n in zip(starts, lengths)]


def _int_list(xp, v, n):
    v = v._data if isinstance(v, Tensor) else xp.asarray(v)
    return [int(x) for x in v.reshape(-1)] if v.size > 1 or n == 1 else [int(v.reshape(-1)[0])]


def ctc_loss(log_probs: Tensor, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of log-probabilities (T, N, C) (or unbatched (T, C)).

    Args:
        log_probs: log_softmax outputs over C classes (blank included).
        targets: (N, S) padded label indices, or 1-D concatenated (sum of target_lengths).
        input_lengths, target_lengths: (N,) lengths per sample.
        blank: the blank class index.
        reduction: 'mean' (per-sample loss divided by its target length, then the batch mean),
            'sum' or 'none' ((N,) losses).
        zero_infinity: impossible alignments (infinite loss) give 0 and zero gradient.
    """
    _check_reduction("ctc_loss", reduction)
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp.ndim != 3:
        raise RuntimeError(f"ctc_loss: log_probs must be (T, N, C) or (T, C), got shape "
                           f"{tuple(log_probs.shape)}")
    xp = get_array_module(lp._data)
    t_max, n_batch, n_cls = lp.shape
    in_len = _int_list(xp, input_lengths, n_batch)
    tg_len = _int_list(xp, target_lengths, n_batch)
    if unbatched and not isinstance(targets, Tensor):
        targets = xp.asarray(targets).reshape(1, -1)
    elif unbatched:
        targets = targets._data.reshape(1, -1)
    per = _targets_per_sample(xp, targets, tg_len, n_batch)
    if len(in_len) != n_batch or len(tg_len) != n_batch or max(in_len) > t_max:
        raise RuntimeError(f"ctc_loss: input_lengths {in_len} and target_lengths {tg_len} must "
                           f"have {n_batch} entries, input lengths at most T = {t_max}")
    for tg in per:
        if tg.size and (tg.min() < 0 or tg.max() >= n_cls or (tg == blank).any()):
            raise RuntimeError(f"ctc_loss: targets must be class indices in [0, {n_cls}) other "
                               f"than blank={blank}")
    losses = CTCLoss(per, in_len, tg_len, blank, zero_infinity).apply(lp)
    if reduction == "none":
        return losses.squeeze(0) if unbatched else losses
    if reduction == "sum":
        return losses.sum()
    divisor = Tensor._make(xp.maximum(xp.asarray(tg_len, dtype=lp.dtype), 1), False, None, 0)
    return (losses / divisor).mean()
