"""mlp: 784-256-128-10 ReLU, softmax cross-entropy, SGD lr 0.01 momentum 0.9, batch 128."""
from . import _supervised

SHAPE = (128, 784)


def _model(nn):
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def _sgd(optim, params):
    return optim.SGD(params, lr=0.01, momentum=0.9)


def deepgrad_step(seed):
    from deepgrad import nn

    return _supervised.deepgrad_step(seed, lambda: _model(nn), _sgd, SHAPE)


def torch_step(seed):
    from torch import nn

    return _supervised.torch_step(seed, lambda: _model(nn), _sgd, SHAPE)
