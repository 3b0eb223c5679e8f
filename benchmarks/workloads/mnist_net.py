"""mnist_net: the classic MNIST example (conv 1->32->64 3x3, max-pool, dropout, FC 9216-128-10,
log-softmax + NLL loss), Adadelta lr 1.0, batch 64 of 1x28x28."""
from . import _convnets, _supervised

SHAPE = (64, 1, 28, 28)


def _adadelta(optim, params):
    return optim.Adadelta(params, lr=1.0)


def deepgrad_step(seed):
    from deepgrad import nn

    return _supervised.deepgrad_step(seed, lambda: _convnets.mnist_net(nn), _adadelta, SHAPE,
                                     nn.NLLLoss())


def torch_step(seed):
    from torch import nn

    return _supervised.torch_step(seed, lambda: _convnets.mnist_net(nn), _adadelta, SHAPE,
                                  nn.NLLLoss())
