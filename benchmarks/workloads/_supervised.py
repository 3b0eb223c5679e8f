"""The step shared by the classifier workloads: one batch, cross-entropy, one optimizer update.

deepgrad and PyTorch take the same code here (same API), so only the model and the optimizer
differ between the two sides.
"""
import numpy as np


def batch(seed: int, shape: tuple, n_classes: int = 10):
    """A fixed synthetic batch: float32 inputs of ``shape`` and integer labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape, dtype=np.float32), rng.integers(0, n_classes, shape[0])


def step_fn(model, opt, loss_fn, x, y):
    """A zero-argument callable running forward, backward and ``opt.step()`` once."""

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def deepgrad_step(seed, model_fn, opt_fn, shape):
    """deepgrad side: ``model_fn()`` builds the model, ``opt_fn(params)`` the optimizer."""
    import deepgrad as dg

    dg.manual_seed(seed)
    model = model_fn()
    xa, ya = batch(seed, shape)
    return step_fn(model, opt_fn(dg.optim, model.parameters()), dg.nn.CrossEntropyLoss(),
                   dg.from_numpy(xa), dg.from_numpy(ya))


def torch_step(seed, model_fn, opt_fn, shape):
    """PyTorch side, built the same way with ``torch.optim``."""
    import torch

    torch.manual_seed(seed)
    model = model_fn()
    xa, ya = batch(seed, shape)
    return step_fn(model, opt_fn(torch.optim, model.parameters()), torch.nn.CrossEntropyLoss(),
                   torch.from_numpy(xa), torch.from_numpy(ya))
