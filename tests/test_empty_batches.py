"""Empty inputs: cross_entropy / nll_loss of an empty batch as PyTorch, fit on empty data."""
import warnings

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.data import DataLoader, TensorDataset
from deepgrad.functional import cross_entropy, nll_loss
from deepgrad.optim import SGD
from deepgrad.training import CSVLogger, GANTrainer, Trainer

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES = [  # (input shape, target kind, kwargs)
    ((0, 3), "index", {}),
    ((0, 3), "prob", {}),
    ((0, 3, 4), "index", {}),
    ((0, 3), "index", {"weight": [1.0, 2.0, 3.0]}),
    ((0, 3), "index", {"label_smoothing": 0.1}),
    ((0, 3), "index", {"ignore_index": 1}),
]


def _target(shape, kind, lib):
    if kind == "prob":
        return lib.zeros(*shape)
    t = np.zeros((shape[0],) + shape[2:], np.int64)
    return torch.from_numpy(t) if lib is torch else dg.from_numpy(t)


@pytest.mark.parametrize("fn,tfn", [(cross_entropy, TF.cross_entropy), (nll_loss, TF.nll_loss)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape,kind,kwargs", CASES)
def test_loss_of_an_empty_batch_is_torchs(fn, tfn, reduction, shape, kind, kwargs):
    if fn is nll_loss and (kind == "prob" or "label_smoothing" in kwargs):
        pytest.skip("nll_loss takes class indices, no smoothing")
    tkw = {k: torch.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
    dkw = {k: dg.tensor(np.array(v, np.float32)) if k == "weight" else v
           for k, v in kwargs.items()}
    tx = torch.zeros(*shape, requires_grad=True)
    want = tfn(tx, _target(shape, kind, torch), reduction=reduction, **tkw)
    want.sum().backward()
    x = dg.zeros(*shape, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy "mean of empty slice" / divide warnings
        got = fn(x, _target(shape, kind, dg), reduction=reduction, **dkw)
        got.sum().backward()
    assert got.shape == tuple(want.shape) and got.dtype == np.float32
    np.testing.assert_array_equal(got.numpy(), want.detach().numpy())  # NaN == NaN here
    assert x.grad.shape == tuple(tx.grad.shape) == shape


def test_cross_entropy_module_on_an_empty_batch():
    assert np.isnan(nn.CrossEntropyLoss()(dg.zeros(0, 5), dg.from_numpy(
        np.zeros(0, np.int64))).item())


def _trainer(**kw):
    model = nn.Linear(2, 3)
    return Trainer(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), **kw)


def test_fit_on_an_empty_loader_raises_before_any_callback(tmp_path):
    log = tmp_path / "log.csv"
    empty = DataLoader(TensorDataset(np.zeros((0, 2), np.float32), np.zeros(0, np.int64)),
                       batch_size=4)
    trainer = _trainer(callbacks=[CSVLogger(log)])
    with pytest.raises(ValueError, match="Trainer.fit: the training data is empty"):
        trainer.fit(empty, epochs=2)
    assert not log.exists() and trainer.epoch == 0
    with pytest.raises(ValueError, match="training data is empty"):
        _trainer().fit([], epochs=1)


def test_fit_on_an_iterable_that_gives_no_batches_raises():
    def batches():  # no len(): found out in the first epoch
        yield from ()

    class Again:
        def __iter__(self):
            return batches()

    trainer = _trainer()
    with pytest.raises(ValueError, match="gave no batches"):
        trainer.fit(Again(), epochs=1)
    assert trainer.epoch == 0


def test_drop_last_with_too_few_samples_raises():
    loader = DataLoader(TensorDataset(np.zeros((3, 2), np.float32), np.zeros(3, np.int64)),
                        batch_size=4, drop_last=True)
    with pytest.raises(ValueError, match="training data is empty"):
        _trainer().fit(loader, epochs=1)


def test_gan_fit_on_no_samples_raises():
    G, D = nn.Linear(2, 2), nn.Linear(2, 1)
    gan = GANTrainer(G, D, SGD(G.parameters(), lr=0.1), SGD(D.parameters(), lr=0.1), 2)
    with pytest.raises(ValueError, match="GANTrainer.fit: the training data is empty"):
        gan.fit(np.zeros((0, 2), np.float32), epochs=1)
