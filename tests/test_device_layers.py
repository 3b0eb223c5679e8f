"""Layers, models and the convolution/pooling/recurrent ops on the strict fake CUDA device.

Each model is built on the CPU, copied with ``.to("cuda")``, and run forward and backward on
the same data: outputs and parameter gradients must equal the CPU run's, and live on the device.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import deepgrad as dg
import deepgrad.nn as nn
import deepgrad.nn.functional as F


def _pair(model_fn, x_np, loss_fn, rtol=1e-10):
    """Run ``model_fn()`` on the CPU and on the device with the same weights; compare."""
    cpu = model_fn()
    dev = copy.deepcopy(cpu).to("cuda")
    assert all(p.device == "cuda" for p in dev.parameters())
    results = []
    for model, device in ((cpu, "cpu"), (dev, "cuda")):
        x = dg.tensor(x_np, device=device)
        out = model(x)
        out = out[0] if isinstance(out, tuple) else out
        assert out.device == device
        loss_fn(out).backward()
        grads = {n: p.grad.cpu().numpy() for n, p in model.named_parameters()
                 if p.grad is not None}
        for n, p in model.named_parameters():
            if p.grad is not None:
                assert p.grad.device == device, n
        results.append((out.cpu().numpy(), grads))
    (out_c, g_c), (out_d, g_d) = results
    np.testing.assert_allclose(out_d, out_c, rtol=rtol, atol=1e-12)
    assert g_c.keys() == g_d.keys()
    for n in g_c:
        np.testing.assert_allclose(g_d[n], g_c[n], rtol=rtol, atol=1e-11, err_msg=n)


def _sq(out):
    return (out * out).mean()


CASES = {
    "conv_pool_relu": (lambda: nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 3),
        nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(16 * 2 * 2, 10)), (4, 1, 14, 14)),
    "conv_groups_stride_dilation": (lambda: nn.Sequential(
        nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=2), nn.Tanh(),
        nn.Conv2d(8, 4, 3, dilation=2)), (2, 4, 12, 12)),
    "conv1d": (lambda: nn.Sequential(nn.Conv1d(3, 5, 3, padding="same"), nn.ReLU()), (2, 3, 9)),
    "mlp_batchnorm": (lambda: nn.Sequential(
        nn.Linear(6, 8), nn.BatchNorm1d(8), nn.LeakyReLU(0.1), nn.Linear(8, 3)), (5, 6)),
    "conv_batchnorm2d": (lambda: nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ELU()), (3, 3, 6, 6)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_layers_match_cpu(name, fake_cuda):
    model_fn, shape = CASES[name]
    x = np.random.default_rng(0).standard_normal(shape)
    _pair(lambda: model_fn().double(), x, _sq)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_layers_match_cpu(cls, bidirectional, fake_cuda):
    x = np.random.default_rng(1).standard_normal((7, 3, 4))
    _pair(lambda: cls(4, 5, num_layers=2, bidirectional=bidirectional).double(), x, _sq)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_recurrent_final_state_loss_matches_cpu(cls, fake_cuda):
    """A loss on h_n only: the CPU skips the zero output gradient, the device must not need to."""
    x = np.random.default_rng(2).standard_normal((2, 6, 3))

    def model():
        return cls(3, 4, batch_first=True).double()

    cpu = model()
    dev = copy.deepcopy(cpu).to("cuda")
    grads = []
    for m, device in ((cpu, "cpu"), (dev, "cuda")):
        _, h = m(dg.tensor(x, device=device))
        h = h[0] if isinstance(h, tuple) else h
        (h * h).sum().backward()
        grads.append([p.grad.cpu().numpy() for p in m.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_make_their_zero_state_on_the_device(cls, fake_cuda):
    cell = cls(3, 4).double().cuda()
    out = cell(dg.randn(2, 3, dtype=dg.float64, device="cuda"))
    out = out[0] if isinstance(out, tuple) else out
    assert out.device == "cuda"


def test_batchnorm_running_stats_on_device(fake_cuda):
    bn_c = nn.BatchNorm1d(3).double()
    bn_d = copy.deepcopy(bn_c).cuda()
    x = np.random.default_rng(3).standard_normal((8, 3))
    for _ in range(3):
        bn_c(dg.tensor(x))
        bn_d(dg.tensor(x, device="cuda"))
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        b = getattr(bn_d, name)
        assert b.device == "cuda"
        np.testing.assert_allclose(b.cpu().numpy(), getattr(bn_c, name).numpy(), rtol=1e-12)
    bn_d.eval()
    y = bn_d(dg.tensor(x, device="cuda"))
    np.testing.assert_allclose(y.cpu().numpy(), bn_c.eval()(dg.tensor(x)).numpy(), rtol=1e-12)


def test_embedding_dropout_noise_draw_on_the_device(fake_cuda):
    emb = nn.Embedding(10, 4).cuda()
    idx = dg.tensor(np.array([[1, 2], [3, 9]]), device="cuda")
    assert emb(idx).device == "cuda"
    x = dg.ones(50, 40, device="cuda", requires_grad=True)
    y = F.dropout(x, 0.25, training=True)
    assert y.device == "cuda"
    kept = (y.cpu().numpy() != 0).mean()
    assert 0.7 < kept < 0.8
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), y.detach().cpu().numpy())
    noisy = nn.GaussianNoise(0.5)(dg.zeros(400, device="cuda"))
    assert noisy.device == "cuda" and 0.4 < float(noisy.std()) < 0.6


def test_init_draws_on_the_device(fake_cuda):
    w = dg.empty(6, 4, device="cuda")
    for fn in (nn.init.xavier_uniform_, nn.init.kaiming_normal_, nn.init.orthogonal_):
        fn(w)
        assert w.device == "cuda" and np.isfinite(w.cpu().numpy()).all()
    q = w.cpu().numpy().astype(np.float64)
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)


def test_layers_built_under_a_cuda_default_are_born_there(fake_cuda):
    dg.set_default_device("cuda")
    try:
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
        assert dg.zeros(2).device == "cuda"
    finally:
        dg.set_default_device(None)
    assert all(t.device == "cuda" for t in list(model.parameters()) + list(model.buffers()))
    assert dg.zeros(2).device == "cpu"


ZOO = {"mlp": (dict(sizes=[12, 16, 4]), (5, 12)),
       "lenet5": (dict(), (2, 1, 28, 28)),
       "simple_cnn": (dict(image_size=12), (3, 1, 12, 12))}


@pytest.mark.parametrize("name", sorted(__import__("deepgrad.models").models.MODELS))
def test_model_zoo_matches_cpu(name, fake_cuda):
    from deepgrad.models import MODELS

    kwargs, shape = ZOO.get(name, (dict(), None))
    assert shape is not None, f"add an input shape for the new model {name!r} to ZOO"
    x = np.random.default_rng(4).standard_normal(shape)

    def loss(out):
        return F.cross_entropy(out, dg.tensor(np.arange(out.shape[0]) % out.shape[1],
                                              device=out.device))

    _pair(lambda: MODELS[name](**kwargs).double(), x, loss, rtol=1e-9)
