"""resnet_small: conv-BN-ReLU stem and two basic blocks (32 channels; 64 with stride 2 and a 1x1
shortcut) on 3x32x32, SGD lr 0.1 momentum 0.9 weight decay 5e-4, batch 32."""
from . import _convnets, _supervised

SHAPE = (32, 3, 32, 32)


def sgd_wd(optim, params):
    return optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=5e-4)


def deepgrad_step(seed):
    from deepgrad import nn

    return _supervised.deepgrad_step(seed, lambda: _convnets.small_resnet(nn), sgd_wd, SHAPE)


def torch_step(seed):
    from torch import nn

    return _supervised.torch_step(seed, lambda: _convnets.small_resnet(nn), sgd_wd, SHAPE)
