"""stem224: ResNet's stem (conv 7x7/2 3->64, BN, ReLU, max-pool 3/2 pad 1) on 3x224x224, then
global average pool and FC 64-10; SGD lr 0.1 momentum 0.9 weight decay 5e-4, batch 8."""
from . import _convnets, _supervised
from .resnet_small import sgd_wd

SHAPE = (8, 3, 224, 224)


def deepgrad_step(seed):
    from deepgrad import nn

    return _supervised.deepgrad_step(seed, lambda: _convnets.resnet_stem(nn), sgd_wd, SHAPE)


def torch_step(seed):
    from torch import nn

    return _supervised.torch_step(seed, lambda: _convnets.resnet_stem(nn), sgd_wd, SHAPE)
