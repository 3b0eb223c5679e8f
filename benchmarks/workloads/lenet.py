"""lenet: LeNet-5 (conv 1->6 5x5 pad 2, pool, conv 6->16 5x5, pool, FC 400-120-84-10), Adam 1e-3,
batch 64 of 1x28x28."""
from . import _supervised

SHAPE = (64, 1, 28, 28)


def adam(optim, params):
    return optim.Adam(params, lr=1e-3)


def deepgrad_step(seed):
    import deepgrad as dg

    # the opt-in ReLU/max-pool reordering (same values and gradients; nothing hooks the layers)
    return _supervised.deepgrad_step(seed, lambda: dg.models.lenet5().pool_before_relu(), adam,
                                     SHAPE)


def _torch_model():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def torch_step(seed):
    return _supervised.torch_step(seed, _torch_model, adam, SHAPE)
