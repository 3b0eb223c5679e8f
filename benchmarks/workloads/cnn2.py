"""cnn2: conv 1->32 3x3 pad 1, pool, conv 32->64 3x3 pad 1, pool, FC 3136-128-10; Adam 1e-3,
batch 64 of 1x28x28. Same step as the lenet workload, another model."""
from . import _supervised
from .lenet import SHAPE, adam


def deepgrad_step(seed):
    import deepgrad as dg

    # the opt-in ReLU/max-pool reordering (same values and gradients; nothing hooks the layers)
    return _supervised.deepgrad_step(seed, lambda: dg.models.simple_cnn().pool_before_relu(),
                                     adam, SHAPE)


def _torch_model():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def torch_step(seed):
    return _supervised.torch_step(seed, _torch_model, adam, SHAPE)
