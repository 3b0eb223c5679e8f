"""``deepgrad train``: build a model, load a dataset, train it with the Trainer, print metrics.

Kept apart from ``cli.py`` so that the parser stays small and ``deepgrad --help`` imports
nothing heavy: models, data and training load only when a training run starts.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy

MODELS = ("mlp", "lenet5", "simple_cnn", "lstm", "gru")
DATASETS = ("spirals", "moons", "circles", "blobs", "xor", "digits", "mnist", "fashion_mnist",
            "first_token_memory")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam",
                   "adamw", "adamax", "nadam")
_SEQ_LEN = 20  # first_token_memory: long enough that memory matters, short enough to be quick


class TrainError(Exception):
    """A problem with the requested run (incompatible model and data, missing files...)."""


@dataclass
class Data:
    """Train/validation arrays and what kind of input they are."""

    X: numpy.ndarray
    y: numpy.ndarray
    X_val: numpy.ndarray
    y_val: numpy.ndarray
    kind: str  # "vector" (N, F), "image" (N, C, H, W) or "sequence" (N, T, F)
    name: str = ""

    @property
    def n_classes(self) -> int:
        return int(max(self.y.max(), self.y_val.max())) + 1


def _split(X, y, rng, val_share: float = 0.2):
    perm = rng.permutation(len(X))
    n_val = max(1, int(round(val_share * len(X))))
    return X[perm[n_val:]], y[perm[n_val:]], X[perm[:n_val]], y[perm[:n_val]]


def load_data(name: str, seed: int, root: str | None = None, download: bool = False) -> Data:
    """Load or generate dataset ``name``; procedural sets get a seeded 80/20 split, MNIST-style
    sets their official train/test split. Raises TrainError for missing files or extras."""
    from ..data import datasets as D

    rng = numpy.random.default_rng(seed)
    generators = {"spirals": lambda: D.spirals(600, noise=0.2, seed=seed),
                  "moons": lambda: D.moons(600, noise=0.15, seed=seed),
                  "circles": lambda: D.circles(600, noise=0.1, factor=0.5, seed=seed),
                  "blobs": lambda: D.blobs(600, centers=3, seed=seed),
                  "xor": lambda: D.xor(n_repeats=100, noise=0.1, seed=seed)}
    try:
        if name in generators:
            return Data(*_split(*generators[name](), rng), "vector", name)
        if name == "digits":
            X, y = D.digits()
            return Data(*_split(X, y, rng), "image", name)
        if name == "first_token_memory":
            X, y = D.first_token_memory(_SEQ_LEN, n_samples=2000, seed=seed)
            return Data(*_split(X, y, rng), "sequence", name)
        loader = {"mnist": D.mnist, "fashion_mnist": D.fashion_mnist}[name]
        X, y = loader(root, train=True, download=download)
        X_val, y_val = loader(root, train=False, download=download)
        return Data(X, y, X_val, y_val, "image", name)
    except (FileNotFoundError, ImportError, OSError, ValueError) as e:
        text = str(e).splitlines()[0].replace("pass download=True", "pass --download")
        raise TrainError(text) from None


def build_model(name: str, data: Data):
    """The model ``name`` sized for ``data``; raises TrainError if the two do not fit."""
    from .. import models, nn
    from .common import SequenceClassifier

    shape = data.X.shape[1:]
    if name == "mlp":
        body = models.mlp([int(numpy.prod(shape)), 128, 64, data.n_classes])
        return body if data.kind == "vector" else nn.Sequential(nn.Flatten(), body)
    if name in ("lenet5", "simple_cnn"):
        if data.kind != "image":
            raise TrainError(f"model {name} needs image data (N, C, H, W); --data {data.name} "
                             f"gives {data.kind}s of shape {shape}")
        if name == "lenet5":
            return models.lenet5(num_classes=data.n_classes, in_channels=shape[0])
        return models.simple_cnn(num_classes=data.n_classes, in_channels=shape[0],
                                 image_size=shape[1])
    if data.kind == "vector":
        raise TrainError(f"model {name} needs sequence (or image) data; --data {data.name} "
                         f"gives vectors of shape {shape}")
    # Images are read row by row: each of the H rows is one time step of W features.
    return SequenceClassifier(name, shape[-1], 64, data.n_classes)


def fit_to_lenet(X: numpy.ndarray) -> numpy.ndarray:
    """LeNet-5 takes 28x28 inputs: enlarge smaller square images by the largest whole factor
    (nearest neighbour, so 8x8 digits become 24x24) and zero-pad the rest."""
    n, c, h, w = X.shape
    if (h, w) == (28, 28):
        return X
    if h != w or h > 28:
        raise TrainError(f"model lenet5 needs square images of at most 28x28, got {h}x{w}")
    k = 28 // h
    X = X.repeat(k, axis=2).repeat(k, axis=3)
    lo = (28 - h * k) // 2
    hi = 28 - h * k - lo
    return numpy.pad(X, ((0, 0), (0, 0), (lo, hi), (lo, hi)))


def make_optimizer(name: str, params, lr: float | None):
    """An optimizer by CLI name; ``momentum``/``nesterov`` are SGD with momentum 0.9."""
    from .. import optim

    kwargs = {} if lr is None else {"lr": lr}
    if name in ("momentum", "nesterov"):
        kwargs.setdefault("lr", 0.01)
        return optim.SGD(params, momentum=0.9, nesterov=name == "nesterov", **kwargs)
    if name == "sgd":
        kwargs.setdefault("lr", 0.01)
    return optim.OPTIMIZERS[name](params, **kwargs)


def _as_input(X: numpy.ndarray, kind: str, model_name: str) -> numpy.ndarray:
    if model_name == "lenet5":
        return fit_to_lenet(X)
    if model_name in ("lstm", "gru") and kind == "image":
        return X.reshape(len(X), X.shape[-2], X.shape[-1])  # (N, 1, H, W) -> (N, H, W)
    return X


def _start_mpi_if_launched() -> bool:
    """Under ``mpiexec``, join the job (one process group for all ranks); True on rank 0 (or
    alone), the rank that prints."""
    from .. import distributed as dist

    if dist.launched_by_mpi() and not dist.is_initialized():
        if dist.is_available():
            dist.init_process_group("mpi")
        else:
            import sys

            print("deepgrad train: started by an MPI launcher but mpi4py is not installed, so "
                  "each process trains alone (pip install 'deepgrad[mpi]')", file=sys.stderr)
    return dist.rank_and_world_size()[0] == 0


def train_command(args) -> int:
    """Run ``deepgrad train``; returns the exit status. User errors raise CLIError.

    Under ``mpiexec -n N`` every rank trains its share of each batch (the Trainer's MPI mode:
    ``--batch-size`` is per rank) and rank 0 alone prints and writes the checkpoint.
    """
    from ..cli import CLIError
    from ..distributed import abort_on_error
    from ..random import manual_seed

    main = _start_mpi_if_launched()
    manual_seed(args.seed)
    try:
        data = load_data(args.data, args.seed, args.data_root, args.download)
        model = build_model(args.model, data)
        X = _as_input(data.X, data.kind, args.model)
        X_val = _as_input(data.X_val, data.kind, args.model)
    except TrainError as e:
        raise CLIError(str(e)) from None
    from .. import nn
    from ..data import DataLoader, TensorDataset
    from ..serialization import CheckpointError
    from ..training import EarlyStopping, ModelCheckpoint, Trainer

    train = DataLoader(TensorDataset(X, data.y), batch_size=args.batch_size, shuffle=True)
    val = DataLoader(TensorDataset(X_val, data.y_val), batch_size=512)
    try:
        optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    except ValueError as e:
        raise CLIError(str(e)) from None
    callbacks = []
    if args.early_stopping:
        callbacks.append(EarlyStopping(patience=args.early_stopping, restore_best_weights=True))
    if args.checkpoint:
        callbacks.append(ModelCheckpoint(args.checkpoint))
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, metrics=["accuracy"],
                      callbacks=callbacks, progress=not args.no_progress and main)
    if args.resume:
        if not os.path.isfile(args.resume):
            raise CLIError(f"--resume: no such file {args.resume!r}")
        try:
            done = trainer.resume(args.resume)
        except CheckpointError as e:
            raise CLIError(str(e).splitlines()[0]) from None
        if main:
            print(f"resumed from {args.resume} after epoch {done}")
    with abort_on_error():  # under mpiexec, one rank's failure ends the job, not hangs it
        history = trainer.fit(train, val, epochs=args.epochs)
        final = trainer.evaluate(val)
    if not main:
        return 0
    train_logs = {k: v[-1] for k, v in history.history.items() if v} if history.history else {}
    print(f"{args.model} on {args.data}: {trainer.epoch} epochs, {args.optimizer}, "
          f"{model.num_parameters():,} parameters")
    print(f"train loss {train_logs.get('loss', float('nan')):.4f}  accuracy "
          f"{train_logs.get('accuracy', float('nan')):.4f}  |  validation loss "
          f"{final['loss']:.4f}  accuracy {final['accuracy']:.4f}")
    if args.checkpoint:
        print(f"checkpoint: {args.checkpoint}")
    return 0
