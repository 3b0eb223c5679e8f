"""dcgan_d: a DCGAN discriminator update (strided 4x4 convs, BatchNorm, LeakyReLU 0.2, sigmoid +
BCE) on a batch of 64 real 3x64x64 images labelled 1 and 64 fakes labelled 0; Adam 2e-4, betas
(0.5, 0.999). The fakes are fixed arrays here: only the discriminator's cost is measured."""
import numpy as np

from . import _convnets

BATCH = 64


def _step(framework, seed):
    framework.manual_seed(seed)
    nn = framework.nn
    d = _convnets.dcgan_discriminator(nn)
    opt = framework.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    rng = np.random.default_rng(seed)
    real = framework.from_numpy(np.tanh(rng.standard_normal((BATCH, 3, 64, 64), np.float32)))
    fake = framework.from_numpy(np.tanh(rng.standard_normal((BATCH, 3, 64, 64), np.float32)))
    ones = framework.from_numpy(np.ones((BATCH, 1), np.float32))
    zeros = framework.from_numpy(np.zeros((BATCH, 1), np.float32))
    bce = nn.BCELoss()

    def step():
        opt.zero_grad()
        loss = bce(d(real), ones) + bce(d(fake), zeros)
        loss.backward()
        opt.step()

    return step


def deepgrad_step(seed):
    import deepgrad

    return _step(deepgrad, seed)


def torch_step(seed):
    import torch

    return _step(torch, seed)
