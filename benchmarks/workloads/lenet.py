"""lenet: LeNet-5 (conv 1->6 5x5 pad 2, pool, conv 6->16 5x5, pool, FC 400-120-84-10), Adam 1e-3,
batch 64 of 1x28x28."""
import numpy as np

BATCH = 64


def _data(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    return x, y


def deepgrad_step(seed, model_fn=None):
    import deepgrad as dg
    from deepgrad import nn

    dg.manual_seed(seed)
    model = (model_fn or dg.models.lenet5)()
    opt = dg.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xa, ya = _data(seed)
    x, y = dg.from_numpy(xa), dg.from_numpy(ya)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def torch_model():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def torch_step(seed, model_fn=None):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    model = (model_fn or torch_model)()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xa, ya = _data(seed)
    x, y = torch.from_numpy(xa), torch.from_numpy(ya)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step
