"""Shared setup of the optimizer-step workloads: the mlp's parameter shapes, fixed gradients."""
import numpy as np

SHAPES = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]  # mlp 784-256-128-10


def _arrays(seed):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s, dtype=np.float32) * 0.05 for s in SHAPES]
    grads = [rng.standard_normal(s, dtype=np.float32) * 1e-3 for s in SHAPES]
    return weights, grads


def deepgrad_optimizer_step(seed, name, **kwargs):
    """A callable running only ``opt.step()`` of deepgrad's optimizer ``name``."""
    import deepgrad as dg

    weights, grads = _arrays(seed)
    params = [dg.nn.Parameter(w) for w in weights]
    for p, g in zip(params, grads):
        p.grad = dg.from_numpy(g)
    return getattr(dg.optim, name)(params, **kwargs).step


def torch_optimizer_step(seed, name, **kwargs):
    """A callable running only ``opt.step()`` of ``torch.optim.<name>`` (its CPU default path)."""
    import torch

    weights, grads = _arrays(seed)
    params = [torch.nn.Parameter(torch.from_numpy(w)) for w in weights]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g)
    return getattr(torch.optim, name)(params, **kwargs).step
