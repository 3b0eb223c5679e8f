"""GANTrainer: a Trainer whose step alternates discriminator and generator updates
(Goodfellow et al. 2014, Alg. 1)."""
from __future__ import annotations

import os

import numpy

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import to_device
from ..data.dataset import TensorDataset
from ..data.loader import DataLoader
from ..nn.module import Module
from ..random import generator_like
from ..serialization import CheckpointError, load
from .callbacks import History, get_lr
from .gan_losses import G_LOSSES, discriminator_loss, mean_probability, value_estimate
from .trainer import Trainer


def _normal(rng, shape, dtype):
    return rng.standard_normal(shape, dtype=dtype)


def _uniform(rng, shape, dtype):
    z = rng.random(shape, dtype=dtype)
    z *= 2
    z -= 1
    return z


#: the format of GANTrainer checkpoints before GANTrainer became a Trainer (refused by resume)
GAN_CHECKPOINT_FORMAT = "deepgrad.gan_checkpoint"

#: latent priors by name, ``(rng, shape, dtype) -> array``: N(0, I) and U(-1, 1)
PRIORS = {"normal": _normal, "uniform": _uniform}


class GANPair(Module):
    """Holds the generator and discriminator so that one ``state_dict`` (and one checkpoint)
    saves both, under ``generator.*`` and ``discriminator.*``. ``forward(z)`` is ``G(z)``."""

    def __init__(self, generator: Module, discriminator: Module) -> None:
        super().__init__()
        self.generator, self.discriminator = generator, discriminator

    def forward(self, z):
        return self.generator(z)


def _first_param(module: Module, who: str) -> Tensor:
    for p in module.parameters():
        return p
    raise ValueError(f"GANTrainer: the {who} has no parameters")


def _as_batch(batch, dtype, device=None):
    """A loader item (Tensor, array, or an (x, y, ...) tuple whose x is taken) as a Tensor, on
    ``device`` (the discriminator's) when given."""
    if isinstance(batch, (tuple, list)):
        batch = batch[0]
    data = batch._data if isinstance(batch, Tensor) else numpy.asarray(batch)
    if data.dtype != dtype:
        data = data.astype(dtype)
    return Tensor._make(data if device is None else to_device(data, device), False, None, 0)


class GANTrainer(Trainer):
    """Trains a generator G against a discriminator D that outputs *logits*.

    A ``Trainer`` whose ``train_step`` is a GAN step (Keras' pattern): ``fit``, the callbacks,
    ``History``, ``ModelCheckpoint``, ``save_checkpoint``/``resume`` (one format, the version
    check and the rollback on a mismatch), ``LearningRateScheduler`` and ``ReduceLROnPlateau``
    (which drive both optimizers) all work as for a supervised model.

    One ``train_step`` on a real batch x (N, ...) is Algorithm 1's: draw z (N, latent_dim)
    from the prior, make fakes ``G(z)`` under ``no_grad`` (no generator graph) and update D on
    ``BCE(D(x), 1 - label_smoothing) + BCE(D(G(z)), 0)``; then, on every ``d_steps``-th step,
    draw a fresh z and update G on the generator loss of ``D(G(z))`` through the updated D.
    D's parameters have ``requires_grad`` off during G's backward, so it skips D's
    weight-gradient GEMMs and leaves D's ``.grad`` untouched. (PyTorch's DCGAN example reuses
    the D step's fakes for the G update instead: ``fake = G(noise(n)); d_step(x, fake);
    g_step(fake=fake)`` in an overridden ``train_step``. On the 8-Gaussian ring both steps
    do as well over 20 seeds: ``benchmarks/gan_ring_study.py``.)

    Args:
        generator: Module mapping (N, latent_dim) -> samples of the data's shape.
        discriminator: Module mapping samples -> (N, 1) or (N,) logits (no final sigmoid).
        g_optimizer: optimizer over G's parameters only.
        d_optimizer: optimizer over D's parameters only.
        latent_dim: size of z.
        prior: ``'normal'`` (N(0, I)) or ``'uniform'`` (U(-1, 1)).
        g_loss: ``'non_saturating'`` (``-log D(G(z))``) or ``'minimax'`` (``log(1 - D(G(z)))``).
        d_steps: D updates per G update (k of Algorithm 1), each on its own real batch.
        label_smoothing: one-sided smoothing s of the real targets (1 - s), in [0, 1).
        callbacks: Trainer callbacks; logs carry ``d_loss``, ``D(x)``, ``D(G(z))``, ``V`` (the
            value-function estimate), and on G steps ``g_loss`` and ``D(G(z))_g``; epoch logs
            add ``g_lr`` and ``d_lr``.
        progress: show a ProgressBar (default False, as before GANTrainer was a Trainer; None:
            when stdout is a terminal).

    Attributes:
        model: a ``GANPair`` of both networks (what checkpoints and callbacks see).
        global_step: ``train_step`` calls so far (D updates; G updates are every
            ``d_steps``-th).
    """

    def __init__(self, generator: Module, discriminator: Module, g_optimizer, d_optimizer,
                 latent_dim: int, prior: str = "normal", g_loss: str = "non_saturating",
                 d_steps: int = 1, label_smoothing: float = 0.0, callbacks=(),
                 progress: bool | None = False) -> None:
        if prior not in PRIORS:
            raise ValueError(f"GANTrainer: unknown prior {prior!r}; choose from {list(PRIORS)}")
        if g_loss not in G_LOSSES:
            raise ValueError(f"GANTrainer: unknown g_loss {g_loss!r}; choose from "
                             f"{list(G_LOSSES)}")
        if int(latent_dim) < 1:
            raise ValueError(f"GANTrainer: latent_dim must be >= 1, got {latent_dim}")
        if int(d_steps) < 1:
            raise ValueError(f"GANTrainer: d_steps must be >= 1, got {d_steps}")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"GANTrainer: label_smoothing must be in [0, 1), got "
                             f"{label_smoothing}")
        super().__init__(GANPair(generator, discriminator), None, None, callbacks=callbacks,
                         progress=progress)
        self.generator, self.discriminator = generator, discriminator
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self.latent_dim, self.prior, self.g_loss = int(latent_dim), prior, g_loss
        self.d_steps, self.label_smoothing = int(d_steps), float(label_smoothing)
        # Parameters keep their identity when a module moves (Module.to), so these two tell the
        # devices without a walk over the modules at every step.
        self._g_first = _first_param(generator, "generator")
        self._d_first = _first_param(discriminator, "discriminator")
        self._g_dtype, self._d_dtype = self._g_first.dtype, self._d_first.dtype
        self._g_loss_fn = G_LOSSES[g_loss]

    # ---- what the Trainer loop asks of a step -----------------------------------------------
    @property
    def optimizers(self) -> tuple:
        """``(g_optimizer, d_optimizer)``: what LR callbacks drive."""
        return (self.g_optimizer, self.d_optimizer)

    def lr_logs(self) -> dict:
        return {"g_lr": get_lr(self.g_optimizer), "d_lr": get_lr(self.d_optimizer)}

    def optimizer_state_dict(self) -> dict:
        return {"generator": self.g_optimizer.state_dict(),
                "discriminator": self.d_optimizer.state_dict()}

    def named_optimizers(self) -> dict:
        return {"generator": self.g_optimizer, "discriminator": self.d_optimizer}

    def load_optimizer_state_dict(self, state) -> None:
        if not isinstance(state, dict) or set(state) != {"generator", "discriminator"}:
            raise ValueError("the checkpoint's optimizer entry is not a GANTrainer's (keys "
                             "'generator' and 'discriminator')")
        self.g_optimizer.load_state_dict(state["generator"])
        self.d_optimizer.load_state_dict(state["discriminator"])

    def resume(self, path) -> int:
        """``Trainer.resume``; a file of the GANTrainer that predates the one format (format
        ``deepgrad.gan_checkpoint``) is refused with a way to get its weights."""
        try:
            return super().resume(path)
        except CheckpointError:
            ck = load(path)
            if isinstance(ck, dict) and ck.get("format") == GAN_CHECKPOINT_FORMAT:
                raise CheckpointError(
                    f"{os.fspath(path)}: a GANTrainer checkpoint of the earlier format "
                    f"{GAN_CHECKPOINT_FORMAT!r}, which resume no longer reads; its weights "
                    "load with trainer.model.load_state_dict(deepgrad.load(path)['model'])"
                ) from None
            raise

    def evaluate(self, loader) -> dict:
        raise TypeError("GANTrainer.evaluate: a GAN has no held-out loss; score samples "
                        "instead (sample(n), training.gan_metrics.evaluate_mixture)")

    # ---- single updates -------------------------------------------------------------------
    def _d_device(self):
        """The discriminator's device, where real batches go (None on the CPU)."""
        dev = self._d_first.device
        return None if dev.type == "cpu" else dev

    def noise(self, n: int) -> Tensor:
        """z: (n, latent_dim) drawn from the prior on the generator's device, with that
        device's random generator (the library's CPU generator on the CPU)."""
        rng = generator_like(self._g_first._data)
        z = PRIORS[self.prior](rng, (int(n), self.latent_dim), self._g_dtype)
        return Tensor._make(z, False, None, 0)

    def _fakes(self, n: int, graph: bool) -> Tensor:
        if graph:
            return self.generator(self.noise(n))
        with no_grad():
            return self.generator(self.noise(n))

    def _d_update(self, real: Tensor, fake: Tensor) -> dict:
        if fake.dtype != self._d_dtype:
            fake = Tensor._make(fake._data.astype(self._d_dtype), False, None, 0)
        self.d_optimizer.zero_grad()
        real_logits = self.discriminator(real)
        fake_logits = self.discriminator(fake)
        loss = discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        loss.backward()
        self.d_optimizer.step()
        lr, lf = real_logits._data, fake_logits._data
        return {"d_loss": float(loss._data), "D(x)": mean_probability(lr),
                "D(G(z))": mean_probability(lf), "V": value_estimate(lr, lf)}

    def _g_update(self, fake: Tensor) -> dict:
        frozen = [p for p in self.discriminator.parameters() if p.requires_grad]
        for p in frozen:
            p.requires_grad = False
        try:
            self.g_optimizer.zero_grad()
            fake_logits = self.discriminator(fake)
            loss = self._g_loss_fn(fake_logits)
            loss.backward()
        finally:
            for p in frozen:
                p.requires_grad = True
        self.g_optimizer.step()
        return {"g_loss": float(loss._data), "D(G(z))_g": mean_probability(fake_logits._data)}

    def d_step(self, real, fake: Tensor | None = None) -> dict:
        """One discriminator update on the real batch ``real`` (N, ...) and N fakes.

        Args:
            real: the real batch.
            fake: the fakes to use (detached here); default: N fresh ones made under
                ``no_grad`` (no generator graph).

        Returns:
            ``{'d_loss', 'D(x)', 'D(G(z))', 'V'}`` as floats, measured before the update.
        """
        real = _as_batch(real, self._d_dtype, self._d_device())
        fake = self._fakes(real.shape[0], graph=False) if fake is None else fake.detach()
        return self._d_update(real, fake)

    def g_step(self, batch_size: int | None = None, fake: Tensor | None = None) -> dict:
        """One generator update on ``batch_size`` fresh fakes, or on ``fake`` (fakes made by
        this generator with their graph, e.g. the ones a D step just used: the step of
        PyTorch's DCGAN example).

        Returns:
            ``{'g_loss', 'D(G(z))_g'}``: the loss and D's mean output on these fakes, before G's
            update.
        """
        if fake is None:
            if batch_size is None:
                raise ValueError("GANTrainer.g_step: pass batch_size or fake")
            fake = self._fakes(batch_size, graph=True)
        return self._g_update(fake)

    def train_step(self, batch) -> dict:
        """One D update on the real batch; on every ``d_steps``-th step (counted by
        ``global_step``) also one G update on fresh latent vectors. Returns the D logs, plus
        the G logs when G was updated."""
        real = _as_batch(batch, self._d_dtype, self._d_device())
        logs = self.d_step(real)
        self.global_step += 1
        if self.global_step % self.d_steps == 0:
            logs.update(self.g_step(real.shape[0]))
        return logs

    @no_grad()
    def sample(self, n: int) -> Tensor:
        """``n`` generated samples G(z), z from the prior, with G in eval mode (no graph)."""
        was_training = self.generator.training
        self.generator.eval()
        try:
            return self.generator(self.noise(n))
        finally:
            self.generator.train(was_training)

    # ---- the loop -------------------------------------------------------------------------
    def fit(self, real, epochs: int = 1, batch_size: int = 64, shuffle: bool = True,
            initial_epoch: int | None = None) -> History:
        """``Trainer.fit`` on real samples: until ``epochs`` epochs are done in total.

        Args:
            real: an array/Tensor (N, ...) of real samples, batched here by a DataLoader
                (shuffled each epoch with the library's generator when ``shuffle``), or a
                re-iterable of batches (a DataLoader, whose own generator a checkpoint saves;
                an ``(x, y)`` batch uses ``x``).
            epochs: the epoch index to stop at; runs epochs ``initial_epoch .. epochs - 1``.
            batch_size: minibatch size when ``real`` is an array.
            shuffle: reshuffle an array each epoch.
            initial_epoch: where to start (default: the epochs this trainer has completed).

        Returns:
            The History: ``history.history[key]`` lists the epoch means (weighted by batch
            size) of ``d_loss``, ``D(x)``, ``D(G(z))``, ``V``, ``g_loss``, ``D(G(z))_g`` and the
            learning rates ``g_lr``, ``d_lr``.

        Raises:
            ValueError: no real samples.
        """
        if isinstance(real, (Tensor, numpy.ndarray)):
            real = DataLoader(TensorDataset(real), batch_size=int(batch_size), shuffle=shuffle)
        return super().fit(real, epochs=epochs, initial_epoch=initial_epoch)
