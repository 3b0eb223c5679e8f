"""Experiment ``cnn``: the single-filter calculation worked out, LeNet-5 on digits (or MNIST when
its files are present), its confusion matrix, learned filters, feature maps and pooling."""
from __future__ import annotations

import numpy

from .. import functional as F
from .. import models
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..data.datasets import digits, mnist
from ..metrics import confusion_matrix
from ..optim import Adam
from . import progress
from .common import fit, predict_labels
from .plots import figure
from .record import Result, start
from .train_command import fit_to_lenet

# The chapter's worked example: a 5x5 binary image, a 3x3 filter, stride 1, no padding, bias 0.
IMAGE = numpy.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                     [0, 1, 1, 0, 0]], dtype=numpy.float32)
FILTER = numpy.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=numpy.float32)
EXPECTED = numpy.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]], dtype=numpy.float32)


def _worked_example(res: Result) -> bool:
    out = F.conv2d(Tensor(IMAGE[None, None]), Tensor(FILTER[None, None]))._data[0, 0]
    res.record("worked_example_feature_map", out)
    fig, axes = figure(3, width=2.6, height=2.6)
    for ax, (title, arr) in zip(axes, (("input 5x5", IMAGE), ("filter 3x3", FILTER),
                                       ("feature map 3x3", out))):
        ax.imshow(arr, cmap="Blues", vmin=0, vmax=max(1.0, float(arr.max())))
        for (i, j), v in numpy.ndenumerate(arr):
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=10)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    res.add_figure(fig, "One filter, worked out",
                   "Each output is the sum of the 3x3 window times the filter, e.g. the top "
                   "left: 1+1+1+1 = 4 (the window's four corners and centre). Slide by one "
                   "pixel for the next.")
    return bool(numpy.array_equal(out, EXPECTED))


def _load(quick: bool, seed: int):
    """MNIST (a subset) when its files are in the default folder, else scikit-learn's digits
    enlarged to 28x28; returns (X, y, X_test, y_test, name)."""
    try:
        X, y = mnist(train=True)
        X_test, y_test = mnist(train=False)
        rng = numpy.random.default_rng(seed)
        n, n_test = (3000, 1000) if quick else (12000, 2000)
        i, j = rng.permutation(len(X))[:n], rng.permutation(len(X_test))[:n_test]
        return X[i], y[i], X_test[j], y_test[j], f"MNIST ({len(i):,} train / {len(j):,} test)"
    except FileNotFoundError:
        X, y = digits()
        X = fit_to_lenet(X)
        perm = numpy.random.default_rng(seed).permutation(len(X))
        tr, te = perm[:1300], perm[1300:]
        return X[tr], y[tr], X[te], y[te], "scikit-learn digits, 8x8 enlarged to 24x24 and " \
            "padded to 28x28 (1,300 train / 497 test)"


def _inspect(res: Result, model, x: numpy.ndarray) -> None:
    """Learned first-layer filters, their feature maps on one digit, and pooling of one map."""
    conv1 = model[0]
    w = conv1.weight._data[:, 0]
    with no_grad():
        maps = F.relu(conv1(Tensor(x[None])))._data[0]
        one = Tensor(maps[None, :1])
        pooled = {"max": F.max_pool2d(one, 2)._data[0, 0],
                  "average": F.avg_pool2d(one, 2)._data[0, 0]}
    fig, axes = figure(7, 2, width=1.6, height=1.7)
    axes[0].imshow(x[0], cmap="gray_r")
    axes[0].set_title("input", fontsize=8)
    axes[7].axis("off")
    for k in range(6):
        axes[1 + k].imshow(w[k], cmap="RdBu_r", vmin=-abs(w).max(), vmax=abs(w).max())
        axes[1 + k].set_title(f"filter {k + 1}", fontsize=8)
        axes[8 + k].imshow(maps[k], cmap="viridis")
        axes[8 + k].set_title(f"map {k + 1}", fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    res.add_figure(fig, "Learned 5x5 filters and their feature maps for one digit",
                   "Top: the six filters of the first convolution (red positive, blue "
                   "negative). Bottom: ReLU(filter * input) - each map lights up where its "
                   "pattern (an edge or stroke direction) occurs.")
    fig, axes = figure(3, width=2.6, height=2.6)
    for ax, (title, arr) in zip(axes, (("map 1 (28x28)", maps[0]),
                                       ("max pooling 2x2 (14x14)", pooled["max"]),
                                       ("average pooling 2x2 (14x14)", pooled["average"]))):
        ax.imshow(arr, cmap="viridis")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    res.add_figure(fig, "Max vs average pooling of one feature map",
                   "Both halve the resolution. Max keeps each window's strongest response "
                   "(crisp strokes); average keeps its mean (smoother, weaker).")
    res.record("pooling_means", {k: float(v.mean()) for k, v in pooled.items()})
    res.record("pooling_shapes", {k: list(v.shape) for k, v in pooled.items()})


def run(quick: bool = False, seed: int = 0) -> Result:
    """Worked example, then LeNet-5 trained with Adam (lr 1e-3, batches of 64). ``quick``
    trains fewer epochs."""
    res = start("cnn", quick, seed, ["quantity", "value"])
    epochs = 3 if quick else 10
    progress.total(epochs)
    worked = _worked_example(res)
    X, y, X_test, y_test, data_name = _load(quick, seed)
    model = models.lenet5(num_classes=10)
    hist = fit(model, X, y, Adam(model.parameters(), lr=1e-3), epochs, batch_size=64)
    pred = predict_labels(model, X_test)
    acc = float((pred == y_test).mean())
    cm = confusion_matrix(y_test, pred, labels=numpy.arange(10))
    res.record("data", data_name)
    res.record("test_accuracy", acc)
    res.record("confusion_matrix", cm)
    res.record("loss_curve", hist["epoch_loss"])
    res.table.add("data", data_name)
    res.table.add("LeNet-5 parameters", model.num_parameters())
    res.table.add(f"test accuracy after {epochs} epochs", acc)
    res.table.add("worked example equals [[4,3,4],[2,4,3],[2,3,4]]", worked)
    fig, (ax,) = figure(1, width=4.6, height=4.0)
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in numpy.ndenumerate(cm):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                    color="white" if v > cm.max() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    res.add_figure(fig, f"Confusion matrix of LeNet-5 (test accuracy {acc:.3f})", data_name)
    _inspect(res, model, X_test[0])
    res.check("the worked example gives the chapter's feature map [[4,3,4],[2,4,3],[2,3,4]]",
              worked)
    floor = 0.75 if quick else 0.95  # chance is 0.1; the quick form trains only 3 epochs
    res.check(f"LeNet-5 learns the digits (test accuracy >= {floor} after {epochs} epochs)",
              acc >= floor)
    res.check("max pooling keeps larger values than average pooling (mean of the pooled map)",
              res.numbers["pooling_means"]["max"] >= res.numbers["pooling_means"]["average"])
    return res.finish(f"worked example {'matches' if worked else 'DIFFERS'}; LeNet-5 test "
                      f"accuracy {acc:.3f} on {data_name.split(' (')[0].split(',')[0]}")
