"""transformer: one ``nn.TransformerEncoderLayer`` (d_model 256, 4 heads, the default
feed-forward 2048, dropout 0.1), sequence 128, batch 16, MSE to a fixed target, Adam 1e-3."""
import numpy as np

D, HEADS, SEQ, BATCH = 256, 4, 128, 16


def _step(framework, seed):
    framework.manual_seed(seed)
    nn = framework.nn
    if not hasattr(nn, "TransformerEncoderLayer"):
        raise RuntimeError("transformer workload: this deepgrad has no nn.TransformerEncoderLayer")
    layer = nn.TransformerEncoderLayer(D, HEADS)
    opt = framework.optim.Adam(layer.parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    x = framework.from_numpy(rng.standard_normal((SEQ, BATCH, D), np.float32))
    target = framework.from_numpy(rng.standard_normal((SEQ, BATCH, D), np.float32))
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(layer(x), target)
        loss.backward()
        opt.step()

    return step


def deepgrad_step(seed):
    import deepgrad

    return _step(deepgrad, seed)


def torch_step(seed):
    import torch

    return _step(torch, seed)
