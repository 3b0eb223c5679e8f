"""GANTrainer: loss values and signs, D/G step isolation, logs, callbacks and checkpoints."""
import math

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.optim import SGD, Adam
from deepgrad.training import History, ModelCheckpoint
from deepgrad.training.callbacks import Callback
from deepgrad.training.gan import GANTrainer
from deepgrad.training.gan_losses import (
    discriminator_loss,
    generator_loss,
    log_sigmoid,
    value_estimate,
)


def _sig(x):
    return 1 / (1 + math.exp(-x))


# Hand-computed cases: D(G(z)) = sigmoid(l).
#   minimax: mean log(1 - D);  non-saturating: -mean log D.
LOSS_CASES = [
    ("minimax", [0.0], math.log(0.5)),
    ("minimax", [-2.0, 1.0], (math.log(1 - _sig(-2.0)) + math.log(1 - _sig(1.0))) / 2),
    ("non_saturating", [0.0], math.log(2.0)),
    ("non_saturating", [-2.0, 1.0], -(math.log(_sig(-2.0)) + math.log(_sig(1.0))) / 2),
]


@pytest.mark.parametrize("kind,logits,expected", LOSS_CASES)
def test_generator_loss_values(kind, logits, expected):
    out = generator_loss(dg.tensor(np.array(logits, np.float64)[:, None]), kind)
    assert out.item() == pytest.approx(expected, rel=1e-12)


def test_generator_loss_signs_and_saturation():
    # D rejects the fakes (D(G(z)) = sigmoid(-6) ~ 0.0025): minimax loss ~ 0 from below and its
    # logit gradient -D ~ -0.0025 (saturated); non-saturating loss is large and positive with
    # gradient D - 1 ~ -1. Both push the logit up (negative gradient).
    grads = {}
    for kind in ("minimax", "non_saturating"):
        l = dg.tensor(np.array([[-6.0]]), requires_grad=True)
        loss = generator_loss(l, kind)
        loss.backward()
        grads[kind] = l.grad.item()
        if kind == "minimax":
            assert -0.01 < loss.item() < 0
        else:
            assert loss.item() == pytest.approx(6.0 + math.log1p(math.exp(-6.0)), rel=1e-12)
    assert grads["minimax"] == pytest.approx(-_sig(-6.0), rel=1e-9)
    assert grads["non_saturating"] == pytest.approx(_sig(-6.0) - 1, rel=1e-9)
    with pytest.raises(ValueError, match="unknown kind 'wgan'"):
        generator_loss(l, "wgan")


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_discriminator_loss_and_value(smoothing):
    real = np.array([[2.0], [-1.0]])
    fake = np.array([[0.5], [-3.0]])
    t = 1 - smoothing
    want = np.mean([-(t * math.log(_sig(r)) + (1 - t) * math.log(1 - _sig(r)))
                    for r in real[:, 0]]) + np.mean([-math.log(1 - _sig(f)) for f in fake[:, 0]])
    got = discriminator_loss(dg.tensor(real), dg.tensor(fake), smoothing).item()
    assert got == pytest.approx(want, rel=1e-12)
    v = np.mean(np.log([_sig(r) for r in real[:, 0]])) + \
        np.mean(np.log([1 - _sig(f) for f in fake[:, 0]]))
    assert value_estimate(real, fake) == pytest.approx(v, rel=1e-12)
    if smoothing == 0:  # without smoothing, the D loss is exactly -V
        assert got == pytest.approx(-v, rel=1e-12)


def test_log_sigmoid_is_finite_for_large_logits():
    out = log_sigmoid(np.array([-1e4, 0.0, 1e4], np.float32))
    assert np.all(np.isfinite(out))
    assert out[0] == pytest.approx(-1e4) and out[2] == 0


def _nets(latent=3, data=2, dtype=np.float32):
    G = nn.Sequential(nn.Linear(latent, 8), nn.ReLU(), nn.Linear(8, data)).to(dtype)
    D = nn.Sequential(nn.Linear(data, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1)).to(dtype)
    return G, D


def _trainer(**kw):
    G, D = _nets()
    return GANTrainer(G, D, Adam(G.parameters(), 1e-2), Adam(D.parameters(), 1e-2),
                      latent_dim=3, **kw)


def _snapshot(module):
    return [(p._data.copy(), None if p.grad is None else p.grad._data.copy())
            for p in module.parameters()]


def _sentinel_grads(module):
    for p in module.parameters():
        p.grad = dg.from_numpy(np.full_like(p._data, 7.0))


def _unchanged(module, snap):
    for p, (data, grad) in zip(module.parameters(), snap):
        np.testing.assert_array_equal(p._data, data)
        np.testing.assert_array_equal(p.grad._data, grad)


def test_d_step_leaves_generator_untouched():
    tr = _trainer()
    _sentinel_grads(tr.generator)
    g_before, d_before = _snapshot(tr.generator), _snapshot(tr.discriminator)
    logs = tr.d_step(np.ones((5, 2), np.float32))
    _unchanged(tr.generator, g_before)
    for p, (data, _) in zip(tr.discriminator.parameters(), d_before):
        assert p.grad is not None and not np.array_equal(p._data, data)
    assert set(logs) == {"d_loss", "D(x)", "D(G(z))", "V"}


def test_d_step_builds_no_generator_graph(monkeypatch):
    tr = _trainer()
    seen = []
    forward = tr.generator.forward
    monkeypatch.setattr(tr.generator, "forward", lambda z: seen.append(forward(z)) or seen[-1],
                        raising=False)
    tr.d_step(np.ones((4, 2), np.float32))
    assert len(seen) == 1 and seen[0].grad_fn is None and not seen[0].requires_grad


@pytest.mark.parametrize("g_loss", ["non_saturating", "minimax"])
def test_g_step_leaves_discriminator_untouched(g_loss):
    tr = _trainer(g_loss=g_loss)
    frozen = list(tr.discriminator.parameters())[-1]
    frozen.requires_grad = False  # a user-frozen D parameter stays frozen afterwards
    _sentinel_grads(tr.discriminator)
    d_before, g_before = _snapshot(tr.discriminator), _snapshot(tr.generator)
    logs = tr.g_step(6)
    _unchanged(tr.discriminator, d_before)
    assert [p.requires_grad for p in tr.discriminator.parameters()] == [True, True, True, False]
    for p, (data, _) in zip(tr.generator.parameters(), g_before):
        assert p.grad is not None and not np.array_equal(p._data, data)
    assert set(logs) == {"g_loss", "D(G(z))_g"}


def test_g_step_gradient_matches_full_backward():
    # Freezing D must not change G's gradient: compare with a backward through both nets.
    G, D = _nets(dtype=np.float64)
    tr = GANTrainer(G, D, SGD(G.parameters(), lr=0.0), SGD(D.parameters(), lr=0.0), 3)
    dg.manual_seed(3)
    tr.g_step(4)
    got = [p.grad._data.copy() for p in G.parameters()]
    dg.manual_seed(3)
    G.zero_grad()
    generator_loss(D(G(tr.noise(4)))).backward()
    for g, p in zip(got, G.parameters()):
        np.testing.assert_allclose(g, p.grad._data, rtol=1e-12)


@pytest.mark.parametrize("prior,check", [
    ("normal", lambda z: abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05),
    ("uniform", lambda z: z.min() >= -1 and z.max() <= 1 and abs(z.std() - 1 / 3**0.5) < 0.03),
])
def test_priors(prior, check):
    z = _trainer(prior=prior).noise(5000).numpy()
    assert z.shape == (5000, 3) and z.dtype == np.float32 and check(z)


@pytest.mark.parametrize("kwargs,match", [
    ({"prior": "cauchy"}, "unknown prior 'cauchy'"),
    ({"g_loss": "hinge"}, "unknown g_loss 'hinge'"),
    ({"d_steps": 0}, "d_steps must be >= 1, got 0"),
    ({"label_smoothing": 1.0}, r"label_smoothing must be in \[0, 1\), got 1.0"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _trainer(**kwargs)


class _Recorder(Callback):
    def __init__(self):
        self.batches, self.epochs, self.began, self.ended = [], [], 0, 0

    def on_train_begin(self, logs=None):
        self.began += 1

    def on_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)

    def on_train_end(self, logs=None):
        self.ended += 1


def test_fit_logs_d_steps_and_callbacks():
    rec = _Recorder()
    tr = _trainer(d_steps=2, callbacks=[rec])
    real = dg.random.generator().standard_normal((40, 2)).astype(np.float32)
    history = tr.fit(real, epochs=2, batch_size=10)
    assert isinstance(history, History) and rec.began == rec.ended == 1
    assert rec.epochs == [0, 1] and len(rec.batches) == 8
    assert tr.global_step == 8 and tr.epoch == 2
    # a G update after every second D update; batch 0 has no g_loss yet
    assert "g_loss" not in rec.batches[0] and "D(G(z))_g" in rec.batches[1]
    assert all(b["size"] == 10 for b in rec.batches)
    for key in ("d_loss", "g_loss", "D(x)", "D(G(z))", "V"):
        assert len(history.history[key]) == 2 and all(np.isfinite(history.history[key]))
    assert 0 < history.history["D(x)"][0] < 1
    with pytest.raises(ValueError):
        tr.fit(np.ones((4, 3), np.float32), epochs=3)  # wrong feature size names the layer


def test_fit_accepts_a_loader_of_tuples_and_stop_training():
    class Stop(Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                self.trainer.stop_training = True

    tr = _trainer(callbacks=[Stop()])
    loader = [(np.ones((3, 2), np.float32), np.zeros(3)) for _ in range(5)]
    tr.fit(loader, epochs=4)
    assert tr.global_step == 2 and tr.epoch == 1


def test_checkpoint_and_resume_repeat_the_run(tmp_path):
    real = dg.random.generator().standard_normal((24, 2)).astype(np.float32)
    path = str(tmp_path / "gan-{epoch}.safetensors")
    dg.manual_seed(1)
    a = _trainer(callbacks=[ModelCheckpoint(path, monitor="d_loss")])
    a.fit(real, epochs=3, batch_size=8)
    dg.manual_seed(1)
    b = _trainer()
    b.fit(real, epochs=1, batch_size=8)
    b_state = b.model.state_dict()
    c = _trainer()
    assert c.resume(tmp_path / "gan-1.safetensors") == 1
    for k, v in c.model.state_dict().items():
        np.testing.assert_array_equal(v, b_state[k])
    c.fit(real, epochs=3, batch_size=8)
    for k, v in c.model.state_dict().items():
        np.testing.assert_array_equal(v, a.model.state_dict()[k])
    assert c.history.history["d_loss"] == a.history.history["d_loss"]


def test_sample_shape_mode_and_no_graph():
    tr = _trainer()
    tr.generator.train()
    out = tr.sample(7)
    assert out.shape == (7, 2) and not out.requires_grad and tr.generator.training


def test_saturation_picture():
    from deepgrad.training.gan_metrics import generator_gradient_norms, logit_gradient_curve

    tr = _trainer()
    g_before = _snapshot(tr.generator)
    real = np.full((64, 2), 3.0, np.float32)  # far from G's initial outputs: D wins quickly
    out = generator_gradient_norms(tr, real, d_updates=150, record_every=50,
                                   batch_size=16)
    assert out["d_updates"] == [0, 50, 100, 150] and np.isnan(out["d_loss"][0])
    assert out["D(G(z))"][-1] < 0.1 < out["D(G(z))"][0]
    mm, ns = np.array(out["minimax"]), np.array(out["non_saturating"])
    assert mm[-1] < 0.3 * mm[0]  # the minimax gradient vanishes as D rejects the fakes...
    assert ns[-1] > 3 * ns[0]  # ...while the non-saturating one grows with D's confidence
    assert mm[-1] < 0.05 * ns[-1]
    for p, (data, grad) in zip(tr.generator.parameters(), g_before):
        np.testing.assert_array_equal(p._data, data)
        assert p.grad is None and grad is None
    curve = logit_gradient_curve([0.01, 0.5])
    np.testing.assert_allclose(curve["minimax"], [0.01, 0.5])
    np.testing.assert_allclose(curve["non_saturating"], [0.99, 0.5])


def test_progress_bar_shows_gan_logs():
    import io

    from deepgrad.training import ProgressBar

    out = io.StringIO()
    tr = _trainer(callbacks=[ProgressBar(file=out, mininterval=0)])
    tr.fit(np.ones((20, 2), np.float32), epochs=2, batch_size=10)
    text = out.getvalue()
    assert "Epoch 2/2" in text and "d_loss=" in text and "g_loss=" in text and "D(x)=" in text
