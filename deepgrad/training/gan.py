"""GANTrainer: alternating discriminator and generator updates (Goodfellow et al. 2014, Alg. 1)."""
from __future__ import annotations

import os

import numpy

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import to_device
from ..nn.module import Module
from ..random import generator as global_rng
from ..random import generator_like, get_rng_state, set_rng_state
from ..serialization import CheckpointError, load, save
from .callbacks import CallbackList, History
from .checkpoint import apply_callback_states, callback_states
from .gan_losses import G_LOSSES, discriminator_loss, mean_probability, value_estimate


def _normal(rng, shape, dtype):
    return rng.standard_normal(shape, dtype=dtype)


def _uniform(rng, shape, dtype):
    z = rng.random(shape, dtype=dtype)
    z *= 2
    z -= 1
    return z


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
    data = batch.data if isinstance(batch, Tensor) else numpy.asarray(batch)
    if data.dtype != dtype:
        data = data.astype(dtype)
    return Tensor._make(data if device is None else to_device(data, device), False, None, 0)


class GANTrainer:
    """Trains a generator G against a discriminator D that outputs *logits*.

    Each ``d_step`` takes one real minibatch x (N, ...), draws z (N, latent_dim) from the prior,
    makes fakes ``G(z)`` under ``no_grad`` (no generator graph is built) and takes one D update
    on ``BCE(D(x), 1 - label_smoothing) + BCE(D(G(z)), 0)``. Each ``g_step`` draws fresh z and
    takes one G update on the chosen generator loss (``gan_losses``); D's parameters have
    ``requires_grad`` switched off for it, so the backward pass skips D's weight-gradient GEMMs
    altogether and D's ``.grad`` is left untouched (computing and then restoring D's gradients
    made the benchmark's G step ~14% slower).
    ``fit`` runs ``d_steps`` D updates (each on its own real batch) per G update.

    Args:
        generator: Module mapping (N, latent_dim) -> samples of the data's shape.
        discriminator: Module mapping samples -> (N, 1) or (N,) logits (no final sigmoid).
        g_optimizer: optimizer over G's parameters only.
        d_optimizer: optimizer over D's parameters only.
        latent_dim: size of z.
        prior: ``'normal'`` (N(0, I)) or ``'uniform'`` (U(-1, 1)).
        g_loss: ``'non_saturating'`` (``-log D(G(z))``) or ``'minimax'`` (``log(1 - D(G(z)))``).
        d_steps: D updates per G update (k of Algorithm 1).
        label_smoothing: one-sided smoothing s of the real targets (1 - s), in [0, 1).
        callbacks: Trainer callbacks (History, ProgressBar, ModelCheckpoint...); logs carry
            ``d_loss``, ``g_loss``, ``D(x)``, ``D(G(z))`` and ``V`` (the value-function estimate).

    Attributes:
        model: a ``GANPair`` of both networks (what checkpoints save).
        history: the ``History`` callback of the last ``fit``.
        stop_training: set True (e.g. by a callback) to end ``fit`` after the current batch.
    """

    def __init__(self, generator: Module, discriminator: Module, g_optimizer, d_optimizer,
                 latent_dim: int, prior: str = "normal", g_loss: str = "non_saturating",
                 d_steps: int = 1, label_smoothing: float = 0.0, callbacks=()) -> None:
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
        self.generator, self.discriminator = generator, discriminator
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self.latent_dim, self.prior, self.g_loss = int(latent_dim), prior, g_loss
        self.d_steps, self.label_smoothing = int(d_steps), float(label_smoothing)
        self.model = GANPair(generator, discriminator)
        self.callbacks = list(callbacks)
        self.history = None
        self.stop_training = False
        self.epoch = 0
        self.global_step = 0
        self._resumed = None
        self._g_dtype = _first_param(generator, "generator").dtype
        self._d_dtype = _first_param(discriminator, "discriminator").dtype
        self._g_loss_fn = G_LOSSES[g_loss]

    def _d_device(self):
        """The discriminator's device, where real batches go (None on the CPU)."""
        dev = _first_param(self.discriminator, "discriminator").device
        return None if dev.type == "cpu" else dev

    # ---- single updates -------------------------------------------------------------------
    def noise(self, n: int) -> Tensor:
        """z: (n, latent_dim) drawn from the prior on the generator's device, with that
        device's random generator (the library's CPU generator on the CPU)."""
        rng = generator_like(_first_param(self.generator, "generator").data)
        z = PRIORS[self.prior](rng, (int(n), self.latent_dim), self._g_dtype)
        return Tensor._make(z, False, None, 0)

    def d_step(self, real) -> dict:
        """One discriminator update on the real batch ``real`` (N, ...) and N fresh fakes.

        Returns:
            ``{'d_loss', 'D(x)', 'D(G(z))', 'V'}`` as floats, measured before the update.
        """
        real = _as_batch(real, self._d_dtype, self._d_device())
        with no_grad():
            fake = self.generator(self.noise(real.shape[0]))
        if fake.dtype != self._d_dtype:
            fake = Tensor._make(fake.data.astype(self._d_dtype), False, None, 0)
        self.d_optimizer.zero_grad()
        real_logits = self.discriminator(real)
        fake_logits = self.discriminator(fake)
        loss = discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        loss.backward()
        self.d_optimizer.step()
        lr, lf = real_logits.data, fake_logits.data
        return {"d_loss": float(loss.data), "D(x)": mean_probability(lr),
                "D(G(z))": mean_probability(lf), "V": value_estimate(lr, lf)}

    def g_step(self, batch_size: int) -> dict:
        """One generator update on ``batch_size`` fresh latent vectors.

        Returns:
            ``{'g_loss', 'D(G(z))_g'}``: the loss and D's mean output on these fakes, before G's
            update (after the preceding D updates).
        """
        frozen = [p for p in self.discriminator.parameters() if p.requires_grad]
        for p in frozen:
            p.requires_grad = False
        try:
            self.g_optimizer.zero_grad()
            fake_logits = self.discriminator(self.generator(self.noise(batch_size)))
            loss = self._g_loss_fn(fake_logits)
            loss.backward()
        finally:
            for p in frozen:
                p.requires_grad = True
        self.g_optimizer.step()
        return {"g_loss": float(loss.data), "D(G(z))_g": mean_probability(fake_logits.data)}

    def train_step(self, real) -> dict:
        """One D update on ``real``; a G update too when this completes a group of ``d_steps``
        (counted by ``global_step``). Returns the D logs, plus the G logs when G was updated."""
        real = _as_batch(real, self._d_dtype, self._d_device())
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
    def _batches(self, real, batch_size: int, shuffle: bool):
        if isinstance(real, (Tensor, numpy.ndarray)):
            data = real.data if isinstance(real, Tensor) else real
            n = data.shape[0]
            order = global_rng().permutation(n) if shuffle else numpy.arange(n)
            for start in range(0, n, batch_size):
                yield data[order[start:start + batch_size]]
        else:
            yield from real

    def fit(self, real, epochs: int = 1, batch_size: int = 64, shuffle: bool = True,
            initial_epoch: int | None = None) -> History:
        """Train until ``epochs`` epochs have been completed in total (Trainer's meaning).

        Args:
            real: an array/Tensor (N, ...) of real samples (batched here, shuffled with the
                library's generator), or a re-iterable of batches (a DataLoader; an ``(x, y)``
                batch uses ``x``).
            epochs: the epoch index to stop at; runs epochs ``initial_epoch .. epochs - 1``.
            batch_size: minibatch size when ``real`` is an array.
            shuffle: reshuffle an array each epoch.
            initial_epoch: where to start (default: the epochs this trainer has completed).

        Returns:
            The History: ``history.history[key]`` lists the epoch means of ``d_loss``,
            ``g_loss``, ``D(x)``, ``D(G(z))`` and ``V``. Batch logs (``on_batch_end``) carry the
            same keys plus ``batch`` and ``size``.
        """
        start = self.epoch if initial_epoch is None else int(initial_epoch)
        array = isinstance(real, (Tensor, numpy.ndarray))
        steps = -(-real.shape[0] // batch_size) if array else \
            (len(real) if hasattr(real, "__len__") else None)
        history = History()
        resumed, self._resumed = self._resumed, None
        if resumed is not None:
            history.load_state_dict(resumed["history"])
        self.history = history
        cbs = CallbackList([history, *self.callbacks], self,
                           {"epochs": epochs, "steps": steps, "batch_size": batch_size})
        self.stop_training = False
        self.generator.train()
        self.discriminator.train()
        logs: dict = {}
        cbs.on_train_begin(logs)
        if resumed is not None:
            apply_callback_states(self.callbacks, resumed["callbacks"])
        for epoch in range(start, epochs):
            cbs.on_epoch_begin(epoch, {})
            logs = self._train_epoch(self._batches(real, batch_size, shuffle), cbs)
            self.epoch = epoch + 1
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return history

    def _train_epoch(self, batches, cbs: CallbackList) -> dict:
        sums: dict = {}
        counts: dict = {}
        last_g: dict = {}
        for i, batch in enumerate(batches):
            real = _as_batch(batch, self._d_dtype)
            size = int(real.shape[0])
            cbs.on_batch_begin(i, {"batch": i, "size": size})
            step_logs = self.train_step(real)
            for k, v in step_logs.items():
                sums[k] = sums.get(k, 0.0) + v
                counts[k] = counts.get(k, 0) + 1
            if "g_loss" in step_logs:  # with d_steps > 1, batches in between show the last one
                last_g = {"g_loss": step_logs["g_loss"]}
            cbs.on_batch_end(i, {"batch": i, "size": size, **last_g, **step_logs})
            if self.stop_training:
                break
        return {k: sums[k] / counts[k] for k in sums}

    # ---- checkpoints ----------------------------------------------------------------------
    def save_checkpoint(self, path: str | os.PathLike) -> None:
        """Write both networks, both optimizers, the epoch and step counters, the library's RNG
        state, the history and callback states to ``path`` (safetensors, atomic); what
        ``ModelCheckpoint`` calls."""
        save({"format": GAN_CHECKPOINT_FORMAT, "epoch": self.epoch,
              "global_step": self.global_step, "model": self.model.state_dict(),
              "g_optimizer": self.g_optimizer.state_dict(),
              "d_optimizer": self.d_optimizer.state_dict(), "rng": get_rng_state(),
              "history": self.history.state_dict() if self.history is not None else
              History().state_dict(), "callbacks": callback_states(self.callbacks)}, path)

    def resume(self, path: str | os.PathLike) -> int:
        """Restore a ``save_checkpoint`` file; the next ``fit`` continues from its epoch.

        Returns:
            The number of epochs the checkpoint had completed.
        """
        where = os.fspath(path)
        ck = load(where)
        if not isinstance(ck, dict) or ck.get("format") != GAN_CHECKPOINT_FORMAT:
            raise CheckpointError(f"{where}: not a GAN checkpoint (no format "
                                  f"{GAN_CHECKPOINT_FORMAT!r})")
        self.model.load_state_dict(ck["model"])
        self.g_optimizer.load_state_dict(ck["g_optimizer"])
        self.d_optimizer.load_state_dict(ck["d_optimizer"])
        set_rng_state(ck["rng"])
        self.epoch, self.global_step = int(ck["epoch"]), int(ck["global_step"])
        self._resumed = {"history": ck["history"], "callbacks": ck["callbacks"]}
        return self.epoch
