"""A small model zoo (``dg.models``): mlp, lenet5, simple_cnn, built from ``nn`` layers.

Every model is a ``Sequential`` whose layer order matches the same model written with
``torch.nn.Sequential``, so state dict keys (``0.weight``, ``3.bias``...) copy across.
"""
from __future__ import annotations

from . import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "elu": nn.ELU,
               "leaky_relu": nn.LeakyReLU, "softplus": nn.Softplus}


def _activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"models: unknown activation {name!r}; one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


def mlp(sizes, activation: str = "relu", dropout: float = 0.0) -> nn.Sequential:
    """A multilayer perceptron ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Args:
        sizes: layer widths, input first, at least two (e.g. ``(784, 256, 128, 10)``).
        activation: name in ``ACTIVATIONS``, applied after every layer but the last.
        dropout: dropout probability after each hidden activation (0 disables it).
    Returns:
        Sequential mapping (N, sizes[0]) to logits (N, sizes[-1]).
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(not isinstance(s, int) or s <= 0 for s in sizes):
        raise ValueError(f"mlp: sizes must be at least two positive ints, got {sizes}")
    _activation(activation)  # validate the name even when there is no hidden layer
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(_activation(activation))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def lenet5(num_classes: int = 10, in_channels: int = 1, activation: str = "relu") -> nn.Sequential:
    """LeNet-5 (LeCun et al. 1998) in its modern form, the ``lenet`` benchmark's model.

    conv(in->6, 5x5, pad 2) + act + maxpool 2 -> conv(6->16, 5x5) + act + maxpool 2 ->
    flatten 16*5*5=400 -> FC 120 + act -> FC 84 + act -> FC num_classes. Input (N, in, 28, 28),
    output logits (N, num_classes).
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=2), _activation(activation), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), _activation(activation), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), _activation(activation),
        nn.Linear(120, 84), _activation(activation),
        nn.Linear(84, num_classes),
    )


def simple_cnn(num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
               hidden: int = 128) -> nn.Sequential:
    """Two conv blocks and a classifier, the ``cnn2`` benchmark's model.

    conv(in->32, 3x3, pad 1) + ReLU + maxpool 2 -> conv(32->64, 3x3, pad 1) + ReLU + maxpool 2
    -> flatten 64*(s/4)^2 (3136 for s=28) -> FC hidden + ReLU -> FC num_classes.
    Input (N, in, s, s) with s divisible by 4; output (N, num_classes).
    """
    if image_size % 4:
        raise ValueError(f"simple_cnn: image_size must be divisible by 4, got {image_size}")
    flat = 64 * (image_size // 4) ** 2
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(flat, hidden), nn.ReLU(),
        nn.Linear(hidden, num_classes),
    )


MODELS = {"mlp": mlp, "lenet5": lenet5, "simple_cnn": simple_cnn}
