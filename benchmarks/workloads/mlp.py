"""mlp: 784-256-128-10 ReLU, softmax cross-entropy, SGD lr 0.01 momentum 0.9, batch 128."""
import numpy as np

BATCH, SIZES = 128, (784, 256, 128, 10)


def _data(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return x, y


def deepgrad_step(seed):
    import deepgrad as dg
    from deepgrad import nn

    dg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = dg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    xa, ya = _data(seed)
    x, y = dg.from_numpy(xa), dg.from_numpy(ya)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def torch_step(seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    xa, ya = _data(seed)
    x, y = torch.from_numpy(xa), torch.from_numpy(ya)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step
