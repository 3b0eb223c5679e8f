"""Train LeNet-5 with Adam; print the test accuracy and the confusion matrix.

Data, in order of preference:
  1. MNIST train + test IDX files under --root/mnist (``dg.data.datasets.mnist``);
  2. only the MNIST test file (t10k) there: split it 80/20 into train and test;
  3. otherwise scikit-learn's bundled 8x8 digits, upsampled 3x to 24x24 and zero-padded to
     28x28 (LeNet's input), split 80/20.

Usage: python examples/lenet.py [--root DIR] [--epochs 10] [--batch-size 64] [--lr 1e-3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import datasets
from deepgrad.metrics import confusion_matrix


def _split(X, y, test_fraction: float, seed: int):
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    return X[order[n_test:]], y[order[n_test:]], X[order[:n_test]], y[order[:n_test]]


def digits_28x28():
    """sklearn digits (N, 1, 8, 8) in [0, 1] -> (N, 1, 28, 28): 3x nearest upsampling, pad 2."""
    X, y = datasets.digits()
    X = X.repeat(3, axis=2).repeat(3, axis=3)
    return np.pad(X, ((0, 0), (0, 0), (2, 2), (2, 2))), y


def load(root, seed: int = 0):
    """(X_train, y_train, X_test, y_test, description) from the best data available."""
    try:
        X_test, y_test = datasets.mnist(root, train=False)
    except (FileNotFoundError, ValueError):
        X, y = digits_28x28()
        return (*_split(X, y, 0.2, seed), "sklearn digits upsampled to 28x28 (80/20 split)")
    try:
        X_train, y_train = datasets.mnist(root, train=True)
        return X_train, y_train, X_test, y_test, "MNIST (60k train / 10k test)"
    except (FileNotFoundError, ValueError):
        return (*_split(X_test, y_test, 0.2, seed), "MNIST t10k only (80/20 split)")


def evaluate(model, X, batch_size: int = 500) -> np.ndarray:
    model.eval()
    with dg.no_grad():
        preds = [model(dg.from_numpy(X[i:i + batch_size])).numpy().argmax(1)
                 for i in range(0, len(X), batch_size)]
    model.train()
    return np.concatenate(preds)


def train(X_train, y_train, epochs: int, batch_size: int, lr: float, seed: int = 0,
          log=print):
    """LeNet-5 trained with Adam and softmax cross-entropy; returns the model."""
    dg.manual_seed(seed)
    model = dg.models.lenet5()
    opt = dg.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        t0, total = time.perf_counter(), 0.0
        order = rng.permutation(len(y_train))
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(dg.from_numpy(X_train[idx])), dg.from_numpy(y_train[idx]))
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        log(f"epoch {epoch + 1}: loss {total / len(order):.4f} "
            f"({time.perf_counter() - t0:.1f} s)")
    return model


def main(argv=None) -> float:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=None, help="data folder holding mnist/ (default: "
                    "dg.data.datasets.default_root())")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    X_train, y_train, X_test, y_test, what = load(args.root, args.seed)
    print(f"data: {what}; train {len(y_train)}, test {len(y_test)}")
    model = train(X_train, y_train, args.epochs, args.batch_size, args.lr, args.seed)
    pred = evaluate(model, X_test)
    acc = float((pred == y_test).mean())
    print(f"test accuracy: {acc:.4f}")
    print("confusion matrix (rows: true class, columns: predicted):")
    print(confusion_matrix(y_test, pred))
    return acc


if __name__ == "__main__":
    main()
