"""GANTrainer as a Trainer: one fit loop, callbacks driving both optimizers, one checkpoint
format (version check, rollback, the loader's generator), and the same run as a hand loop."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.optim import Adam
from deepgrad.serialization import CheckpointError
from deepgrad.training import (
    CHECKPOINT_FORMAT,
    EarlyStopping,
    GANTrainer,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    Trainer,
)
from deepgrad.training.gan_losses import discriminator_loss, non_saturating_generator_loss


def _nets(hidden=8):
    G = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 2))
    D = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    return G, D


def _gan(seed=0, hidden=8, g_lr=1e-2, d_lr=2e-2, **kw):
    dg.manual_seed(seed)
    G, D = _nets(hidden)
    return GANTrainer(G, D, Adam(G.parameters(), g_lr, betas=(0.5, 0.999)),
                      Adam(D.parameters(), d_lr, betas=(0.5, 0.999)), latent_dim=2, **kw)


def _real(n=40, seed=1):
    return np.random.default_rng(seed).standard_normal((n, 2)).astype(np.float32)


def _states(trainer):
    return trainer.model.state_dict()


def _assert_same(a, b):
    assert list(a) == list(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_is_a_trainer_with_both_learning_rates_logged():
    gan = _gan()
    assert isinstance(gan, Trainer) and gan.optimizers == (gan.g_optimizer, gan.d_optimizer)
    h = gan.fit(_real(), epochs=2, batch_size=16).history
    assert h["g_lr"] == [1e-2, 1e-2] and h["d_lr"] == [2e-2, 2e-2]
    assert len(h["d_loss"]) == len(h["g_loss"]) == 2 and gan.global_step == 6


def test_fit_equals_the_hand_written_loop():
    # The trainer adds nothing of its own: same init, same shuffles, same z draws, same steps.
    real = _real(50)
    gan = _gan(seed=4)
    gan.fit(real, epochs=3, batch_size=16)
    dg.manual_seed(4)
    G, D = _nets()
    g_opt = Adam(G.parameters(), 1e-2, betas=(0.5, 0.999))
    d_opt = Adam(D.parameters(), 2e-2, betas=(0.5, 0.999))
    rng = dg.random.generator()
    for _ in range(3):
        order = rng.permutation(len(real))
        rng.integers(0, 2**62)  # the loader's per-epoch worker base seed (PyTorch draws it too)
        for start in range(0, len(real), 16):
            x = dg.from_numpy(real[order[start:start + 16]])
            n = x.shape[0]
            with dg.no_grad():
                fake = G(dg.from_numpy(rng.standard_normal((n, 2), dtype=np.float32)))
            d_opt.zero_grad()
            discriminator_loss(D(x), D(fake)).backward()
            d_opt.step()
            g_opt.zero_grad()
            G_z = G(dg.from_numpy(rng.standard_normal((n, 2), dtype=np.float32)))
            non_saturating_generator_loss(D(G_z)).backward()
            g_opt.step()
    _assert_same(_states(gan), {**{f"generator.{k}": v for k, v in G.state_dict().items()},
                                **{f"discriminator.{k}": v for k, v in D.state_dict().items()}})


def test_overridden_train_step_reusing_the_fakes_equals_the_dcgan_loop():
    class ReuseFakes(GANTrainer):
        def train_step(self, batch):
            real = batch[0]
            fake = self.generator(self.noise(real.shape[0]))
            logs = self.d_step(real, fake)
            logs.update(self.g_step(fake=fake))
            self.global_step += 1
            return logs

    real = _real(32)
    dg.manual_seed(2)
    G, D = _nets()
    gan = ReuseFakes(G, D, Adam(G.parameters(), 1e-2), Adam(D.parameters(), 1e-2), 2)
    gan.fit(real, epochs=2, batch_size=16)
    dg.manual_seed(2)
    G2, D2 = _nets()
    g_opt, d_opt = Adam(G2.parameters(), 1e-2), Adam(D2.parameters(), 1e-2)
    rng = dg.random.generator()
    for _ in range(2):
        order = rng.permutation(len(real))
        rng.integers(0, 2**62)  # the loader's per-epoch worker base seed (PyTorch draws it too)
        for start in range(0, len(real), 16):
            x = dg.from_numpy(real[order[start:start + 16]])
            fake = G2(dg.from_numpy(rng.standard_normal((16, 2), dtype=np.float32)))
            d_opt.zero_grad()
            discriminator_loss(D2(x), D2(fake.detach())).backward()
            d_opt.step()
            g_opt.zero_grad()
            non_saturating_generator_loss(D2(fake)).backward()
            g_opt.step()
    _assert_same(G.state_dict(), G2.state_dict())
    _assert_same(D.state_dict(), D2.state_dict())
    with pytest.raises(ValueError, match="pass batch_size or fake"):
        gan.g_step()


def test_learning_rate_scheduler_drives_both_optimizers():
    gan = _gan(callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.5)])
    h = gan.fit(_real(), epochs=3, batch_size=20).history
    assert h["g_lr"] == [5e-3, 2.5e-3, 1.25e-3]
    assert h["d_lr"] == [1e-2, 5e-3, 2.5e-3]  # each from its own rate: the ratio is kept
    gan = _gan(callbacks=[LearningRateScheduler(lambda epoch: 1e-3 * (epoch + 1))])
    h = gan.fit(_real(), epochs=2, batch_size=20).history
    assert h["g_lr"] == h["d_lr"] == [1e-3, 2e-3]


def test_reduce_lr_on_plateau_drives_both_optimizers():
    cb = ReduceLROnPlateau(monitor="d_loss", mode="max", factor=0.5, patience=0, min_delta=1e9)
    gan = _gan(callbacks=[cb])
    h = gan.fit(_real(), epochs=3, batch_size=20).history
    # epoch 0 sets the best; each later epoch fails the huge min_delta and halves both rates
    # at its end (after the epoch's rates were logged)
    assert h["g_lr"] == [1e-2, 1e-2, 5e-3] and h["d_lr"] == [2e-2, 2e-2, 1e-2]
    assert gan.g_optimizer.param_groups[0]["lr"] == 2.5e-3
    assert gan.d_optimizer.param_groups[0]["lr"] == 5e-3


def test_early_stopping_and_callback_protocol():
    gan = _gan(callbacks=[EarlyStopping(monitor="g_loss", patience=0, min_delta=1e9)])
    h = gan.fit(_real(), epochs=5, batch_size=20)
    assert h.epoch == [0, 1] and gan.epoch == 2


def test_one_checkpoint_format_and_exact_resume_with_the_loaders_generator(tmp_path):
    real = _real(48)

    def loader():  # the loader owns its generator: the checkpoint must carry its state
        return DataLoader(TensorDataset(real), batch_size=16, shuffle=True,
                          generator=np.random.default_rng(7))

    path = str(tmp_path / "gan-{epoch}.safetensors")
    a = _gan(callbacks=[ModelCheckpoint(path, monitor="d_loss")])
    a.fit(loader(), epochs=3)
    ck = dg.load(tmp_path / "gan-1.safetensors")
    assert ck["format"] == CHECKPOINT_FORMAT and ck["version"] >= 1
    assert set(ck["optimizer"]) == {"generator", "discriminator"} and ck["global_step"] == 3
    assert list(ck["loader_rng"]) == ["generator"]
    b = _gan(seed=99)  # other weights and RNG: all replaced by the checkpoint
    assert b.resume(tmp_path / "gan-1.safetensors") == 1 and b.global_step == 3
    b.fit(loader(), epochs=3)  # a fresh loader: its generator is put back by fit
    _assert_same(_states(b), _states(a))
    assert b.history.history["d_loss"] == a.history.history["d_loss"]


def test_resume_refuses_a_mismatch_and_leaves_the_trainer_untouched(tmp_path):
    gan = _gan()
    gan.fit(_real(), epochs=1, batch_size=20)
    gan.save_checkpoint(tmp_path / "gan.safetensors")
    model = nn.Linear(2, 1)
    plain = Trainer(model, nn.MSELoss(), Adam(model.parameters()))
    plain.save_checkpoint(tmp_path / "plain.safetensors")

    other = _gan(seed=5, hidden=16)  # another architecture
    before = (_states(other), other.optimizer_state_dict()["generator"]["state"])
    for f in ("gan.safetensors", "plain.safetensors"):
        with pytest.raises(CheckpointError, match="does not match|is not valid"):
            other.resume(tmp_path / f)
        _assert_same(_states(other), before[0])
        assert other.optimizer_state_dict()["generator"]["state"] == before[1]
        assert other.epoch == 0 and other.global_step == 0
    with pytest.raises(CheckpointError, match="does not match|is not valid"):
        plain.resume(tmp_path / "gan.safetensors")  # a GAN checkpoint into a plain Trainer


def test_newer_version_and_the_old_gan_format_are_refused(tmp_path):
    gan = _gan()
    gan.save_checkpoint(tmp_path / "gan.safetensors")
    ck = dg.load(tmp_path / "gan.safetensors")
    dg.save({**ck, "version": ck["version"] + 1}, tmp_path / "newer.safetensors")
    with pytest.raises(CheckpointError, match="newer than this deepgrad reads"):
        gan.resume(tmp_path / "newer.safetensors")
    old = {"format": "deepgrad.gan_checkpoint", "epoch": 1, "global_step": 2,
           "model": ck["model"], "g_optimizer": ck["optimizer"]["generator"],
           "d_optimizer": ck["optimizer"]["discriminator"], "rng": ck["rng"],
           "history": ck["history"], "callbacks": {}}
    dg.save(old, tmp_path / "old.safetensors")
    with pytest.raises(CheckpointError, match="deepgrad.gan_checkpoint.*load_state_dict"):
        gan.resume(tmp_path / "old.safetensors")


def test_evaluate_is_refused_and_predict_is_the_generator():
    gan = _gan()
    with pytest.raises(TypeError, match="GANTrainer.evaluate"):
        gan.evaluate([_real(4)])
    z = dg.from_numpy(_real(5))
    with dg.no_grad():
        want = gan.generator(z).numpy()
    np.testing.assert_array_equal(gan.predict(z).numpy(), want)
