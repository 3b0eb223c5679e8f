"""One convolution, conv 7x7/2 pad 3 3->64 with bias (ResNet's first layer), over a batch of
64x3x224x224: forward alone (``conv224``) or forward + backward (``conv224_train``: weight, bias
and input gradients, the input being a leaf that requires grad)."""
import numpy as np

SHAPE = (64, 3, 224, 224)


def step(framework, seed: int, train: bool):
    """A callable running the convolution once (forward only under no_grad, or forward and
    backward with a fixed output gradient)."""
    framework.manual_seed(seed)
    conv = framework.nn.Conv2d(3, 64, 7, 2, 3)
    rng = np.random.default_rng(seed)
    x = framework.from_numpy(rng.standard_normal(SHAPE, dtype=np.float32))
    gy = framework.from_numpy(rng.standard_normal((SHAPE[0], 64, 112, 112), dtype=np.float32))
    if not train:
        def forward():
            with framework.no_grad():
                conv(x)

        return forward
    x.requires_grad_(True)

    def train_step():
        conv.zero_grad()
        x.grad = None
        conv(x).backward(gy)

    return train_step
