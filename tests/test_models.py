"""Model zoo: shapes, LeNet-5 state dict parity with torch, and a small CNN that learns."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn


def test_model_shapes_and_parameter_counts():
    x = dg.randn(3, 1, 28, 28)
    lenet = dg.models.lenet5()
    assert lenet(x).shape == (3, 10)
    # 156 + 2416 + 48120 + 10164 + 850: the classic LeNet-5 count with a 400-wide flatten.
    assert lenet.num_parameters() == 61706
    cnn = dg.models.simple_cnn(num_classes=5, image_size=16)
    assert cnn(dg.randn(2, 1, 16, 16)).shape == (2, 5)
    m = dg.models.mlp([8, 16, 4], activation="tanh", dropout=0.1)
    assert [type(layer).__name__ for layer in m] == ["Linear", "Tanh", "Dropout", "Linear"]
    assert m(dg.randn(5, 8)).shape == (5, 4)
    assert set(dg.models.MODELS) == {"mlp", "lenet5", "simple_cnn"}


@pytest.mark.parametrize("call,match", [
    (lambda: dg.models.mlp([8]), "at least two positive ints"),
    (lambda: dg.models.mlp([8, 4], activation="swish"), "unknown activation 'swish'"),
    (lambda: dg.models.simple_cnn(image_size=30), "divisible by 4"),
])
def test_model_argument_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _torch_lenet(torch):
    tnn = torch.nn
    return tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
        tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))


def test_lenet_state_dict_round_trips_with_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = dg.models.lenet5(), _torch_lenet(torch)
    sd = ours.state_dict()
    assert {k: v.shape for k, v in sd.items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    rng = np.random.default_rng(0)
    x = rng.random((8, 1, 28, 28), dtype=np.float32)
    y_idx = rng.integers(0, 10, 8)
    out = ours(dg.from_numpy(x))
    out_t = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    nn.CrossEntropyLoss()(out, dg.from_numpy(y_idx)).backward()
    torch.nn.functional.cross_entropy(out_t, torch.from_numpy(y_idx)).backward()
    grads_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads_t[name].grad.numpy(), rtol=1e-3,
                                   atol=1e-6, err_msg=name)
    # ...and back: torch's weights load into a fresh deepgrad LeNet.
    fresh = dg.models.lenet5()
    fresh.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(fresh(dg.from_numpy(x)).numpy(), out.numpy(), rtol=1e-6)


def _bars(n, rng):
    """12x12 images of 4 classes: a horizontal bar, a vertical bar, a diagonal, a square
    outline, each at a random position, with Gaussian noise."""
    X = rng.normal(0, 0.3, (n, 1, 12, 12)).astype(np.float32)
    y = rng.integers(0, 4, n)
    for i in range(n):
        r, c = rng.integers(2, 9, 2)
        if y[i] == 0:
            X[i, 0, r, c - 2:c + 3] += 1
        elif y[i] == 1:
            X[i, 0, r - 2:r + 3, c] += 1
        elif y[i] == 2:
            for k in range(-2, 3):
                X[i, 0, r + k, c + k] += 1
        else:
            X[i, 0, r - 1:r + 2, c - 1:c + 2] += 1
            X[i, 0, r, c] -= 1
    return X, y


def test_small_cnn_learns_shapes():
    rng = np.random.default_rng(0)
    X, y = _bars(600, rng)
    Xt, yt = _bars(300, rng)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 16, 3), nn.BatchNorm2d(16), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 4))
    opt = dg.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    first = None
    for _ in range(8):
        for i in range(0, 600, 50):
            opt.zero_grad()
            loss = loss_fn(model(dg.from_numpy(X[i:i + 50])), dg.from_numpy(y[i:i + 50]))
            loss.backward()
            opt.step()
            first = loss.item() if first is None else first
    model.eval()
    with dg.no_grad():
        acc = (model(dg.from_numpy(Xt)).numpy().argmax(1) == yt).mean()
    assert loss.item() < first / 4
    assert acc >= 0.95, acc
