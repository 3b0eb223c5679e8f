"""GAN losses on discriminator logits: the discriminator's, minimax and non-saturating generator's.

With ``D = sigmoid(l)`` and BCE with logits (stable for any logit):

* discriminator: ``BCE(l_real, 1 - s) + BCE(l_fake, 0)``; with ``s = 0`` this is ``-V(D, G)``.
* minimax generator: ``log(1 - D(G(z))) = -BCE(l_fake, 0)``, minimized. Its gradient with
  respect to the logit is ``-D(G(z))``: it vanishes when D confidently rejects the fakes, as it
  does early in training (the saturation).
* non-saturating generator: ``-log D(G(z)) = BCE(l_fake, 1)``, minimized; gradient
  ``D(G(z)) - 1``, close to -1 exactly where the minimax one vanishes.
"""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ..ops.loss_pointwise import binary_cross_entropy_with_logits as bce_logits


def _full_like(logits: Tensor, value: float) -> Tensor:
    xp = get_array_module(logits._data)
    return Tensor._make(xp.full(logits.shape, value, logits.dtype), False, None, 0)


def minimax_generator_loss(fake_logits: Tensor) -> Tensor:
    """``mean log(1 - D(G(z)))`` (to minimize) from fake logits (N, 1) or (N,)."""
    return -bce_logits(fake_logits, _full_like(fake_logits, 0.0))


def non_saturating_generator_loss(fake_logits: Tensor) -> Tensor:
    """``-mean log D(G(z))`` (to minimize) from fake logits (N, 1) or (N,)."""
    return bce_logits(fake_logits, _full_like(fake_logits, 1.0))


#: generator losses by name (``GANTrainer(g_loss=...)``)
G_LOSSES = {"non_saturating": non_saturating_generator_loss, "minimax": minimax_generator_loss}


def generator_loss(fake_logits: Tensor, kind: str = "non_saturating") -> Tensor:
    """The generator loss named ``kind`` (a key of ``G_LOSSES``)."""
    if kind not in G_LOSSES:
        raise ValueError(f"generator_loss: unknown kind {kind!r}; choose from {list(G_LOSSES)}")
    return G_LOSSES[kind](fake_logits)


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor,
                       label_smoothing: float = 0.0) -> Tensor:
    """``BCE(l_real, 1 - label_smoothing) + BCE(l_fake, 0)``, each a mean over its batch.

    One-sided label smoothing (Salimans et al. 2016) softens only the real targets; the fake
    targets stay 0 so that D is not rewarded for giving fakes mass.
    """
    real = bce_logits(real_logits, _full_like(real_logits, 1.0 - label_smoothing))
    return real + bce_logits(fake_logits, _full_like(fake_logits, 0.0))


def log_sigmoid(logits) -> numpy.ndarray:
    """``log sigmoid(l) = -softplus(-l)`` on arrays, stable for any logit."""
    xp = get_array_module(logits)
    return -(xp.maximum(-logits, 0) + xp.log1p(xp.exp(-abs(logits))))


def value_estimate(real_logits, fake_logits) -> float:
    """Monte-Carlo estimate of ``V(D, G) = E log D(x) + E log(1 - D(G(z)))`` from logit arrays.

    Uses ``log(1 - sigmoid(l)) = log sigmoid(-l)``.
    """
    return float(log_sigmoid(real_logits).mean() + log_sigmoid(-fake_logits).mean())


def mean_probability(logits) -> float:
    """``mean sigmoid(l)`` of a logit array (the logged ``D(x)`` and ``D(G(z))``)."""
    xp = get_array_module(logits)
    return float(((1 + xp.tanh(logits * 0.5)) * 0.5).mean())
