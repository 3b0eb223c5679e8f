"""Optimizers train a small classifier, and a state_dict round trip continues identically."""
import json

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn, optim

LRS = {"sgd": dict(lr=0.1, momentum=0.9), "adagrad": dict(lr=0.1), "adadelta": dict(lr=1.0),
       "rmsprop": dict(lr=0.01), "adam": dict(lr=0.01), "adamw": dict(lr=0.01),
       "adamax": dict(lr=0.02), "nadam": dict(lr=0.01)}


def _blobs(seed=0, n=60):
    rng = np.random.default_rng(seed)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    y = np.repeat(np.arange(3), n)
    x = centers[y] + 0.6 * rng.standard_normal((3 * n, 2))
    return dg.from_numpy(x.astype(np.float32)), dg.from_numpy(y)


def _model(seed=0):
    dg.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))


def _train(model, opt, x, y, steps):
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return float(loss)


@pytest.mark.parametrize("name", sorted(LRS))
def test_small_classifier_reaches_accuracy(name):
    x, y = _blobs()
    model = _model()
    opt = optim.OPTIMIZERS[name](model.parameters(), **LRS[name])
    first = float(nn.CrossEntropyLoss()(model(x), y))
    last = _train(model, opt, x, y, 150)
    acc = float((model(x)._data.argmax(1) == y._data).mean())
    assert acc >= 0.95, (name, acc)
    assert last < 0.5 * first


OPTS = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
        ("Adagrad", dict(lr=0.1, lr_decay=0.01)), ("Adadelta", dict()),
        ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
        ("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01)),
        ("Adamax", dict(lr=0.01)), ("NAdam", dict(lr=0.01, decoupled_weight_decay=True,
                                                    weight_decay=0.01))]


def _through_serialization(sd):
    """What a checkpoint does: JSON for the numbers (string keys), arrays kept aside."""
    arrays, plain = {}, {"state": {}}
    for idx, st in sd["state"].items():
        plain["state"][str(idx)] = {}
        for k, v in st.items():
            if isinstance(v, np.ndarray):
                arrays[f"{idx}.{k}"] = v.copy()
            else:
                plain["state"][str(idx)][k] = v
    plain["param_groups"] = sd["param_groups"]
    plain["optimizer"] = sd["optimizer"]
    back = json.loads(json.dumps(plain))
    for key, arr in arrays.items():
        idx, k = key.split(".")
        back["state"][idx][k] = arr
    return back


@pytest.mark.parametrize("name,kwargs", OPTS, ids=[o[0] for o in OPTS])
def test_state_dict_round_trip_continues_identically(name, kwargs):
    x, y = _blobs(1, 20)
    model = _model(3)
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    _train(model, opt, x, y, 5)
    model_sd, opt_sd = model.state_dict(), _through_serialization(opt.state_dict())
    _train(model, opt, x, y, 5)
    expected = [p._data.copy() for p in model.parameters()]

    model2 = _model(4)  # different init: everything must come from the state
    opt2 = getattr(optim, name)(model2.parameters(), lr=0.123)
    model2.load_state_dict(model_sd)
    opt2.load_state_dict(opt_sd)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    _train(model2, opt2, x, y, 5)
    for p, e in zip(model2.parameters(), expected):
        np.testing.assert_array_equal(p._data, e)
