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


def _build(framework, seed, model_fn, opt_fn, shape, loss_fn=None):
    """``framework`` is the ``deepgrad`` or the ``torch`` module (same names for all used here);
    ``model_fn()`` builds the model, ``opt_fn(framework.optim, params)`` the optimizer;
    ``loss_fn`` defaults to cross-entropy."""
    framework.manual_seed(seed)
    model = model_fn()
    xa, ya = batch(seed, shape)
    return step_fn(model, opt_fn(framework.optim, model.parameters()),
                   loss_fn or framework.nn.CrossEntropyLoss(), framework.from_numpy(xa),
                   framework.from_numpy(ya))


def deepgrad_step(seed, model_fn, opt_fn, shape, loss_fn=None):
    """deepgrad side of a classifier workload."""
    import deepgrad

    return _build(deepgrad, seed, model_fn, opt_fn, shape, loss_fn)


def torch_step(seed, model_fn, opt_fn, shape, loss_fn=None):
    """PyTorch side, built the same way."""
    import torch

    return _build(torch, seed, model_fn, opt_fn, shape, loss_fn)
