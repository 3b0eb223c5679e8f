"""Optimizers, gradient clipping, Trainer and GAN steps on the strict fake CUDA device.

Every optimizer in ``optim.OPTIMIZERS`` (a new one is covered when it is registered) must give
the CPU's trajectory with its state on the device; the Trainer must read losses off the device
only once per epoch (counted by the fake's ``SYNCS``).
"""
from __future__ import annotations

import math

import fake_device
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn, optim
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.nn.utils import clip_grad_norm_, clip_grad_value_
from deepgrad.training import EarlyStopping, History, ModelCheckpoint, Trainer

OPT_KWARGS = {"sgd": [dict(lr=0.1), dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)],
              "adam": [dict(lr=0.05), dict(lr=0.05, amsgrad=True, maximize=True)],
              "adamw": [dict(lr=0.05, weight_decay=0.1)],
              "rmsprop": [dict(lr=0.01, centered=True, momentum=0.5)]}


def _opt_cases():
    for name in sorted(optim.OPTIMIZERS):
        for kwargs in OPT_KWARGS.get(name, [dict(lr=0.05)]):
            yield name, kwargs


def _trajectory(name, kwargs, device, steps=4):
    rng = np.random.default_rng(0)
    w0, target = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    p = nn.Parameter(dg.tensor(w0, device=device))
    opt = optim.OPTIMIZERS[name]([p], **kwargs)
    tgt = dg.tensor(target, device=device)
    for _ in range(steps):
        opt.zero_grad()
        ((p - tgt) ** 2).sum().backward()
        opt.step()
    return p, opt


@pytest.mark.parametrize("name,kwargs", list(_opt_cases()),
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(_opt_cases())])
def test_optimizer_on_fake_cuda_matches_cpu(name, kwargs, fake_cuda):
    p_cpu, _ = _trajectory(name, kwargs, "cpu")
    before = fake_device.SYNCS[0]
    p_dev, opt = _trajectory(name, kwargs, "cuda")
    assert fake_device.SYNCS[0] == before, "an optimizer step read a value back to the host"
    assert p_dev.device == "cuda"
    np.testing.assert_allclose(p_dev.cpu().numpy(), p_cpu.numpy(), rtol=1e-12, atol=1e-14)
    for v in opt.state[p_dev].values():
        assert not isinstance(v, np.ndarray), "optimizer state left the device"
    state = opt.state_dict()
    p2 = nn.Parameter(dg.zeros(3, 4, dtype=dg.float64, device="cuda"))
    opt2 = optim.OPTIMIZERS[name]([p2], **kwargs)
    opt2.load_state_dict(dg.load(_saved(state)))  # through a file: host arrays come back
    for k, v in opt2.state.get(p2, {}).items():
        if hasattr(v, "shape") and v.shape:
            assert isinstance(v, fake_device.ndarray), k
            np.testing.assert_array_equal(v.get(), opt.state[p_dev][k].get())


def _saved(obj):
    import os
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".safetensors")
    os.close(fd)
    dg.save(obj, path)
    return path


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_on_fake_cuda_matches_cpu(norm_type, max_norm, fake_cuda):
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal(4)
             .astype(np.float32)]
    results = []
    for device in ("cpu", "cuda"):
        ps = [nn.Parameter(dg.zeros(*g.shape, device=device)) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = dg.tensor(g, device=device)
        before = fake_device.SYNCS[0]
        total = clip_grad_norm_(ps, max_norm, norm_type)
        if device == "cuda":
            assert fake_device.SYNCS[0] == before and total.device == "cuda"
        results.append((float(total), [p.grad.cpu().numpy() for p in ps]))
    (t_c, g_c), (t_d, g_d) = results
    np.testing.assert_allclose(t_d, t_c, rtol=1e-6)
    for a, b in zip(g_c, g_d):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clip_grad_norm_nonfinite_on_fake_cuda_matches_cpu(bad, fake_cuda):
    g = np.array([1.0, bad, 2.0], np.float32)
    out = []
    for device in ("cpu", "cuda"):
        p = nn.Parameter(dg.zeros(3, device=device))
        p.grad = dg.tensor(g, device=device)
        with pytest.raises(RuntimeError, match="nonfinite|inf|nan"):
            clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        total = clip_grad_norm_([p], 1.0)
        out.append((float(total), p.grad.cpu().numpy()))
    assert (math.isnan(out[0][0]) and math.isnan(out[1][0])) or out[0][0] == out[1][0]
    np.testing.assert_array_equal(out[1][1], out[0][1])


def test_clip_grad_value_on_fake_cuda(fake_cuda):
    p = nn.Parameter(dg.zeros(3, device="cuda"))
    p.grad = dg.tensor([-2.0, 0.5, 3.0], device="cuda")
    clip_grad_value_([p], 1.0)
    assert p.grad.device == "cuda"
    np.testing.assert_array_equal(p.grad.cpu().numpy(), [-1.0, 0.5, 1.0])


def _fit(device, tmp_path, epochs=3):
    dg.manual_seed(0)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 5)).astype(np.float32)
    y = (x[:, 0] - x[:, 1] > 0).astype(np.int64)
    train = DataLoader(TensorDataset(x[:48], y[:48]), batch_size=4, shuffle=True)
    val = DataLoader(TensorDataset(x[48:], y[48:]), batch_size=16)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 2))
    if device != "cpu":
        model.to(device)  # the optimizer is built on the moved parameters
    opt = optim.Adam(model.parameters(), lr=0.02)
    ckpt = ModelCheckpoint(str(tmp_path / f"best-{device}.safetensors"), monitor="val_loss")
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, metrics=["accuracy"],
                      callbacks=[EarlyStopping(patience=5), ckpt], grad_clip_norm=1.0,
                      progress=False, device=device)
    before = fake_device.SYNCS[0]
    hist = trainer.fit(train, val, epochs=epochs)
    return trainer, hist, fake_device.SYNCS[0] - before


def test_trainer_fit_on_fake_cuda_matches_cpu_and_syncs_per_epoch(fake_cuda, tmp_path):
    _, h_cpu, _ = _fit("cpu", tmp_path)
    trainer, h_dev, syncs = _fit("cuda", tmp_path)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(h_dev.history[key], h_cpu.history[key], rtol=1e-5, err_msg=key)
    assert all(p.device == "cuda" for p in trainer.model.parameters())
    # 12 steps per epoch. Host reads per epoch: the train loss, its output and target arrays
    # for the metrics, the same three for validation, and the 12 arrays ModelCheckpoint
    # writes (4 parameters, 8 Adam moments): never one per step.
    assert syncs <= 3 * (6 + 12), syncs
    path = tmp_path / "ck.safetensors"
    trainer.save_checkpoint(path)
    again, _, _ = _fit("cuda", tmp_path, epochs=1)
    again.resume(path)
    assert again.epoch == 3
    for a, b in zip(again.model.parameters(), trainer.model.parameters()):
        assert a.device == "cuda"
        np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    for p in again.model.parameters():
        for v in again.optimizer.state[p].values():
            assert not isinstance(v, np.ndarray)
    out = again.predict(dg.randn(4, 5))
    assert out.device == "cuda" and out.shape == (4, 2)
    assert isinstance(History, type)


def test_gan_steps_on_fake_cuda_match_cpu(fake_cuda):
    from deepgrad.training.gan import GANTrainer

    z = np.random.default_rng(3).standard_normal((8, 2)).astype(np.float32)
    real = np.random.default_rng(4).standard_normal((8, 3)).astype(np.float32)
    logs = []
    for device in ("cpu", "cuda"):
        dg.manual_seed(0)
        g = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3)).to(device)
        d = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1)).to(device)
        gan = GANTrainer(g, d, optim.Adam(g.parameters(), lr=1e-3),
                         optim.Adam(d.parameters(), lr=1e-3), latent_dim=2)
        gan.noise = lambda n, device=device: dg.tensor(z[:n], device=device)
        step_logs = [gan.train_step(real) for _ in range(3)]
        assert all(p.device == device for p in gan.model.parameters())
        logs.append((step_logs, [p.cpu().numpy() for p in gan.model.parameters()]))
    for a, b in zip(logs[0][0], logs[1][0]):
        for k in a:
            np.testing.assert_allclose(b[k], a[k], rtol=1e-5, err_msg=k)
    for a, b in zip(logs[0][1], logs[1][1]):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_gan_prior_draws_on_the_device(fake_cuda):
    from deepgrad.training.gan import GANTrainer

    g = nn.Linear(2, 3).cuda()
    d = nn.Linear(3, 1).cuda()
    gan = GANTrainer(g, d, optim.SGD(g.parameters(), lr=0.1), optim.SGD(d.parameters(), lr=0.1),
                     latent_dim=2, prior="uniform")
    z = gan.noise(5)
    assert z.device == "cuda" and z.dtype == np.float32
    assert gan.sample(4).device == "cuda"
    gan.fit(np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32), epochs=1,
            batch_size=8)


def test_optimizer_state_moves_between_devices_in_memory(fake_cuda):
    p_dev, opt = _trajectory("adam", dict(lr=0.05), "cuda")
    p_cpu = nn.Parameter(dg.zeros(3, 4, dtype=dg.float64))
    opt_cpu = optim.Adam([p_cpu], lr=0.05)
    opt_cpu.load_state_dict(opt.state_dict())  # device arrays, no file in between
    for k, v in opt_cpu.state[p_cpu].items():
        if k != "step":
            assert isinstance(v, np.ndarray)
            np.testing.assert_array_equal(v, opt.state[p_dev][k].get())
