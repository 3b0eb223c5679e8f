"""Model descriptions of the convolutional workloads, each written once against an ``nn`` module
(``deepgrad.nn`` or ``torch.nn``: the two share every name used here), as users write them."""


def mnist_net(nn):
    """The classic MNIST example: conv 1->32->64 3x3, max-pool 2, dropout, FC 9216-128-10,
    log-softmax (trained with NLL loss)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10), nn.LogSoftmax(dim=1))


def basic_block(nn, c_in: int, c_out: int, stride: int):
    """A ResNet basic block: conv-BN-ReLU-conv-BN plus the shortcut (1x1 conv + BN when the
    shape changes), then ReLU."""

    class BasicBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            self.relu = nn.ReLU()
            self.shortcut = nn.Sequential()
            if stride != 1 or c_in != c_out:
                self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                              nn.BatchNorm2d(c_out))

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + self.shortcut(x))

    return BasicBlock()


def small_resnet(nn):
    """For 3x32x32 input: conv-BN-ReLU stem (32 channels), a basic block of 32, a basic block of
    64 with stride 2 and a 1x1 shortcut, global average pool, FC 64-10."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        basic_block(nn, 32, 32, 1), basic_block(nn, 32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def resnet_stem(nn):
    """ResNet's stem on 3x224x224: conv 7x7/2 3->64, BN, ReLU, max-pool 3/2 pad 1; then global
    average pool and FC 64-10, so that it trains as a classifier."""
    return nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(3, 2, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def dcgan_discriminator(nn):
    """DCGAN's discriminator for 3x64x64: strided 4x4 convs 3-64-128-256-512 (BN from the second,
    LeakyReLU 0.2), conv 4x4 512->1, sigmoid."""
    return nn.Sequential(
        nn.Conv2d(3, 64, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.2),
        nn.Conv2d(256, 512, 4, 2, 1, bias=False), nn.BatchNorm2d(512), nn.LeakyReLU(0.2),
        nn.Conv2d(512, 1, 4, 1, 0, bias=False), nn.Sigmoid(), nn.Flatten())
