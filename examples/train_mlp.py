"""Train an MLP on scikit-learn's 8x8 digits (or 2-D spirals without scikit-learn).

Shows the whole training kit: a shuffled DataLoader, Adam, a progress bar, early stopping that
restores the best weights, a safetensors checkpoint of the best epoch, and the test accuracy.

    python examples/train_mlp.py                    # digits, up to 60 epochs
    python examples/train_mlp.py --resume           # continue from the checkpoint
    python examples/train_mlp.py --dataset spirals
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.data import datasets as ds
from deepgrad.optim import Adam
from deepgrad.training import EarlyStopping, ModelCheckpoint, Trainer


def load_data(name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(x (N, D) float32, y (N,) int64, dataset name); 'auto' prefers digits."""
    if name in ("auto", "digits"):
        try:
            x, y = ds.digits(flatten=True)
            return x.astype(np.float32), y.astype(np.int64), "digits"
        except ImportError:
            if name == "digits":
                raise
    x, y = ds.spirals(n_samples=600, n_classes=3, seed=0)
    return x.astype(np.float32), y.astype(np.int64), "spirals"


def split(x: np.ndarray, y: np.ndarray, fractions=(0.7, 0.15)):
    """Shuffle with the library generator and cut into train/validation/test."""
    order = dg.random.generator().permutation(len(x))
    a = int(fractions[0] * len(x))
    b = a + int(fractions[1] * len(x))
    return [(x[order[i:j]], y[order[i:j]]) for i, j in ((0, a), (a, b), (b, len(x)))]


def main(argv: list[str] | None = None) -> float:
    """Train, evaluate on the test split and return the test accuracy."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=("auto", "digits", "spirals"), default="auto")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--patience", type=int, default=8)
    p.add_argument("--checkpoint", default="train_mlp.safetensors")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    dg.manual_seed(args.seed)
    x, y, name = load_data(args.dataset)
    (xtr, ytr), (xva, yva), (xte, yte) = split(x, y)
    mean, std = xtr.mean(axis=0), xtr.std(axis=0) + 1e-6  # standardize with train stats only
    xtr, xva, xte = ((v - mean) / std for v in (xtr, xva, xte))
    train = DataLoader(TensorDataset(xtr, ytr), batch_size=args.batch_size, shuffle=True)
    val = DataLoader(TensorDataset(xva, yva), batch_size=256)
    test = DataLoader(TensorDataset(xte, yte), batch_size=256)

    n_classes = int(y.max()) + 1
    model = nn.Sequential(nn.Linear(x.shape[1], 64), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, n_classes))
    trainer = Trainer(
        model, nn.CrossEntropyLoss(), Adam(model.parameters(), lr=args.lr),
        metrics=["accuracy"], progress=not args.no_progress,
        callbacks=[EarlyStopping(monitor="val_loss", patience=args.patience,
                                 restore_best_weights=True),
                   ModelCheckpoint(args.checkpoint, monitor="val_loss", save_best_only=True)])
    if args.resume and os.path.exists(args.checkpoint):
        print(f"resuming from {args.checkpoint} after epoch {trainer.resume(args.checkpoint)}")
    history = trainer.fit(train, val, epochs=args.epochs)

    result = trainer.evaluate(test)
    best = int(np.argmin(history.history["val_loss"]))
    print(f"{name}: {len(history.epoch)} epochs, best epoch {history.epoch[best] + 1} "
          f"(val_accuracy {history.history['val_accuracy'][best]:.4f}); "
          f"checkpoint {args.checkpoint}")
    print(f"test accuracy: {result['accuracy']:.4f} (test loss {result['loss']:.4f}, "
          f"{len(xte)} samples)")
    return result["accuracy"]


if __name__ == "__main__":
    main()
