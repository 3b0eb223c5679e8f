"""gan: G 64-128(ReLU)-784(tanh), D 784-128(LeakyReLU 0.2)-1, BCE with logits, non-saturating G
loss, Adam 2e-4 betas (0.5, 0.999), batch 64. One step = one D update + one G update.

deepgrad runs ``GANTrainer.d_step`` + ``g_step`` (fakes under no_grad, D frozen for the G step);
the PyTorch side is the same algorithm written the usual way: fakes under ``torch.no_grad()``,
D's parameters with ``requires_grad_(False)`` during the G step, so neither side computes D's
weight gradients in the G step.
"""
import numpy as np

BATCH, LATENT, HIDDEN, DATA = 64, 64, 128, 784
LR, BETAS = 2e-4, (0.5, 0.999)


def _real(seed):
    rng = np.random.default_rng(seed)
    return np.tanh(rng.standard_normal((BATCH, DATA), dtype=np.float32))


def deepgrad_step(seed):
    import deepgrad as dg
    from deepgrad import nn
    from deepgrad.training.gan import GANTrainer

    dg.manual_seed(seed)
    G = nn.Sequential(nn.Linear(LATENT, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, DATA), nn.Tanh())
    D = nn.Sequential(nn.Linear(DATA, HIDDEN), nn.LeakyReLU(0.2), nn.Linear(HIDDEN, 1))
    trainer = GANTrainer(G, D, dg.optim.Adam(G.parameters(), lr=LR, betas=BETAS),
                         dg.optim.Adam(D.parameters(), lr=LR, betas=BETAS), latent_dim=LATENT)
    real = dg.from_numpy(_real(seed))

    def step():
        trainer.d_step(real)
        trainer.g_step(BATCH)

    return step


def torch_step(seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    G = nn.Sequential(nn.Linear(LATENT, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, DATA), nn.Tanh())
    D = nn.Sequential(nn.Linear(DATA, HIDDEN), nn.LeakyReLU(0.2), nn.Linear(HIDDEN, 1))
    g_opt = torch.optim.Adam(G.parameters(), lr=LR, betas=BETAS)
    d_opt = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS)
    bce = nn.BCEWithLogitsLoss()
    real = torch.from_numpy(_real(seed))
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)

    def step():
        with torch.no_grad():
            fake = G(torch.randn(BATCH, LATENT))
        d_opt.zero_grad()
        d_loss = bce(D(real), ones) + bce(D(fake), zeros)
        d_loss.backward()
        d_opt.step()
        d_loss.item()  # deepgrad's d_step returns floats: read the value on both sides
        D.requires_grad_(False)
        g_opt.zero_grad()
        g_loss = bce(D(G(torch.randn(BATCH, LATENT))), ones)
        g_loss.backward()
        D.requires_grad_(True)
        g_opt.step()
        g_loss.item()

    return step
